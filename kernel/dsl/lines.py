"""Line drawing: rays from cells, segments between cells of one color, crosses, elbows."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from .colors import most_common_color
from .objects import PLACEHOLDER, lone_cells, objects
from .properties import minority_color

DIRECTIONS = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1),
              "up_left": (-1, -1), "up_right": (-1, 1), "down_left": (1, -1), "down_right": (1, 1)}
RAY_SETS = {"up": ("up",), "down": ("down",), "left": ("left",), "right": ("right",),
            "vertical": ("up", "down"), "horizontal": ("left", "right"),
            "orthogonal": ("up", "down", "left", "right"),
            "diagonal": ("up_left", "up_right", "down_left", "down_right"),
            "up_left": ("up_left",), "up_right": ("up_right",), "down_left": ("down_left",),
            "down_right": ("down_right",)}


def extend_rays(g: np.ndarray, rays: str, bg: int = 0, through: bool = False, color: int | None = None) -> np.ndarray:
    """Each non-background cell paints background (its color, or `color`) toward `rays` (see RAY_SETS) until blocked."""
    return _cast(g, rays, bg, through, color, dotted=False)


def dotted_rays(g: np.ndarray, rays: str, bg: int = 0) -> np.ndarray:
    """extend_rays whose every other cell (odd distance from its source) is the placeholder: a dotted line."""
    return _cast(g, rays, bg, through=False, color=None, dotted=True)


def _cast(g: np.ndarray, rays: str, bg: int, through: bool, color: int | None, dotted: bool) -> np.ndarray:
    """The walk of extend_rays and dotted_rays: a ray's cell at an odd distance is the placeholder if `dotted`."""
    h, w = g.shape
    # Python lists: the walk touches cells one by one, where numpy's per-item indexing is slow.
    src = g.tolist()
    out = g.tolist()
    dirs = [DIRECTIONS[name] for name in RAY_SETS[rays]]
    for y in range(h):
        for x in range(w):
            c = src[y][x]
            if c == bg:
                continue
            if color is not None:
                c = color
            for dy, dx in dirs:
                ny, nx, d = y + dy, x + dx, 1
                while 0 <= ny < h and 0 <= nx < w:
                    if src[ny][nx] != bg:
                        if not through:
                            break
                    elif out[ny][nx] == bg:
                        out[ny][nx] = PLACEHOLDER if dotted and d % 2 else c
                    ny, nx, d = ny + dy, nx + dx, d + 1
    return np.array(out, dtype=g.dtype)


def _gap(src: list, y: int, x: int, dy: int, dx: int, bg: int) -> tuple[list, tuple[int, int] | None]:
    """The background cells from (y, x) in direction (dy, dx), and the cell that ends them (None at the edge)."""
    h, w = len(src), len(src[0])
    ny, nx = y + dy, x + dx
    path = []
    while 0 <= ny < h and 0 <= nx < w and src[ny][nx] == bg:
        path.append((ny, nx))
        ny, nx = ny + dy, nx + dx
    return path, ((ny, nx) if 0 <= ny < h and 0 <= nx < w else None)


def connect_same_color(g: np.ndarray, bg: int = 0, diagonal: bool = False, color: int | None = None,
                       axis: int | None = None) -> np.ndarray:
    """Join two same-colored cells in line (axis 1: rows only, 0: columns) by a segment of their color or `color`."""
    h, w = g.shape
    src = g.tolist()
    out = g.tolist()
    # All rows before all columns: where segments cross, the column's color shows.
    steps = {None: [(0, 1), (1, 0)], 1: [(0, 1)], 0: [(1, 0)]}[axis] + ([(1, 1), (1, -1)] if diagonal else [])
    for dy, dx in steps:
        for y in range(h):
            for x in range(w):
                c = src[y][x]
                if c == bg:
                    continue
                path, end = _gap(src, y, x, dy, dx, bg)
                if path and end is not None and src[end[0]][end[1]] == c:
                    for py, px in path:
                        out[py][px] = c if color is None else color
    return np.array(out, dtype=g.dtype)


def rays_to_objects(g: np.ndarray, bg: int = 0, diagonal: bool = False, color: int | None = None) -> np.ndarray:
    """Each lone cell draws a line (its color, or `color`) to the first bigger object it sees straight ahead."""
    src = g.tolist()
    out = g.tolist()
    lone, bigger = lone_cells(g, 8, True, bg)
    dirs = [d for name, d in DIRECTIONS.items() if ("_" in name) == diagonal]
    for y, x, c in lone:
        c = c if color is None else color
        for dy, dx in dirs:
            path, end = _gap(src, y, x, dy, dx, bg)
            if path and end is not None and bigger[end]:
                for py, px in path:
                    out[py][px] = c
    result = np.array(out, dtype=g.dtype)
    if (result == g).all():
        raise ValueError("no lone cell sees a bigger object")
    return result


def draw_crosses(g: np.ndarray, bg: int = 0, diagonal: bool = False) -> np.ndarray:
    """Each single-cell object paints its row and column (or diagonals) over background."""
    h, w = g.shape
    out = g.copy()
    for o in objects(g, 8, False, bg):
        if o.size != 1:
            continue
        y, x = o.cells[0]
        c = o.colors[0]
        if diagonal:
            for dy, dx in DIRECTIONS.values():
                if dy and dx:
                    ny, nx = y + dy, x + dx
                    while 0 <= ny < h and 0 <= nx < w:
                        if out[ny, nx] == bg:
                            out[ny, nx] = c
                        ny, nx = ny + dy, nx + dx
        else:
            out[y, :] = np.where(out[y, :] == bg, c, out[y, :])
            out[:, x] = np.where(out[:, x] == bg, c, out[:, x])
    return out


def extend_ends(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Each cell with exactly one non-background neighbour (of 8) paints background away from it until blocked."""
    h, w = g.shape
    src = g.tolist()
    out = g.tolist()
    steps = list(DIRECTIONS.values())
    for y in range(h):
        for x in range(w):
            c = src[y][x]
            if c == bg:
                continue
            near = [(dy, dx) for dy, dx in steps if 0 <= y + dy < h and 0 <= x + dx < w and src[y + dy][x + dx] != bg]
            if len(near) != 1:
                continue
            path, _ = _gap(src, y, x, -near[0][0], -near[0][1], bg)
            for py, px in path:
                out[py][px] = c
    result = np.array(out, dtype=g.dtype)
    if (result == g).all():
        raise ValueError("no line end has room to grow")
    return result


def bounce_rays(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Each lone cell on the top or bottom row paints a diagonal zigzag across the grid, bouncing off the side edges."""
    h, w = g.shape
    if w < 2:
        raise ValueError("no room to bounce")
    out = g.copy()
    nb = np.pad(g != bg, 1)
    lone = [(y, x) for y in sorted({0, h - 1}) for x in range(w)
            if nb[y + 1, x + 1] and nb[y:y + 3, x:x + 3].sum() == 1]
    if not lone:
        raise ValueError("no lone cell on the top or bottom row")
    for y, x in lone:
        dy = -1 if y == h - 1 else 1
        dx = 1 if x < w - 1 - x else -1  # toward the farther side
        c = g[y, x]
        while 0 <= y + dy < h:
            if not 0 <= x + dx < w:
                dx = -dx
            y, x = y + dy, x + dx
            if out[y, x] == bg:
                out[y, x] = c
    return out


def connect_elbow(g: np.ndarray, start: int, bg: int = 0, color: int = PLACEHOLDER) -> np.ndarray:
    """Join the one `start`-colored cell to the one other non-background cell: along its row, then down the column."""
    cells = list(zip(*np.nonzero(g != bg)))
    colors = [int(g[c]) for c in cells]
    if len(cells) != 2 or colors.count(start) != 1:
        raise ValueError("not two cells, one of them (only) of the start color")
    (ay, ax), (by, bx) = cells[colors.index(start)], cells[1 - colors.index(start)]
    out = g.copy()
    for x in range(min(ax, bx), max(ax, bx) + 1):
        if out[ay, x] == bg:
            out[ay, x] = color
    for y in range(min(ay, by), max(ay, by) + 1):
        if out[y, bx] == bg:
            out[y, bx] = color
    return out


def center_lines(g: np.ndarray, bg: int = 0, color: int = PLACEHOLDER) -> np.ndarray:
    """Paint the row and column through the center of every object (of odd height and width) over background."""
    out = g.copy()
    centers = [((o.top + o.bottom) // 2, (o.left + o.right) // 2) for o in objects(g, 8, True, bg)
               if o.height % 2 and o.width % 2 and o.size > 1]
    if not centers:
        raise ValueError("no object has a center cell")
    for y, x in centers:
        out[y, :] = np.where(out[y, :] == bg, color, out[y, :])
        out[:, x] = np.where(out[:, x] == bg, color, out[:, x])
    return out


def mark_midpoints(g: np.ndarray, bg: int = 0, color: int = PLACEHOLDER) -> np.ndarray:
    """The cell halfway between two lone cells of one color on a row or column is marked `color`."""
    out = g.copy()
    lone: dict[int, list[tuple[int, int]]] = {}
    for y, x, c in lone_cells(g, 8, False, bg)[0]:
        lone.setdefault(c, []).append((y, x))
    marked = False
    for cells in lone.values():
        for i, (y0, x0) in enumerate(cells):
            for y1, x1 in cells[i + 1:]:
                if (y0 == y1 or x0 == x1) and (y0 + y1) % 2 == 0 and (x0 + x1) % 2 == 0:
                    out[(y0 + y1) // 2, (x0 + x1) // 2] = color
                    marked = True
    if not marked:
        raise ValueError("no two lone cells of a color in line")
    return out


def project_markers(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Each lone cell paints its color on the first cell of a bigger one-color object it sees in its row or column."""
    lone, owner = lone_cells(g, 4, False, bg)
    src = g.tolist()
    out = g.copy()
    hit = False
    for y, x, c in lone:
        for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            _, end = _gap(src, y, x, dy, dx, bg)
            if end is not None and owner[end]:
                out[end] = c
                hit = True
    if not hit:
        raise ValueError("no lone cell sees a bigger object")
    return out


def object_rays(g: np.ndarray, rays: Mapping[int, tuple[str, ...]], bg: int = 0) -> np.ndarray:
    """Each object of color c casts rays[c] (DIRECTIONS) over background, from its cells farthest that way."""
    h, w = g.shape
    out = g.copy()
    for o in objects(g, 8, False, bg):
        for name in rays.get(o.colors[0], ()):
            dy, dx = DIRECTIONS[name]
            reach = max(y * dy + x * dx for y, x in o.cells)
            for y, x in o.cells:
                if y * dy + x * dx != reach:
                    continue
                ny, nx = y + dy, x + dx
                while 0 <= ny < h and 0 <= nx < w and g[ny, nx] == bg:
                    out[ny, nx] = o.colors[0]
                    ny, nx = ny + dy, nx + dx
    return out


CORNER_KINDS = ("convex", "concave")


def corner_rays(g: np.ndarray, kind: str = "convex", color: str = "own", bg: int = 0) -> np.ndarray:
    """Diagonal rays from objects' convex corners, or out of concave notches, in the cell's or object's rarest color."""
    h, w = g.shape
    empty = np.pad(g == bg, 1, constant_values=True)
    filled = ~empty[1:-1, 1:-1]
    out = g.copy()
    paint = None
    drawn = False
    for dy, dx in ((-1, -1), (-1, 1), (1, -1), (1, 1)):
        diagonal = empty[1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
        side_y, side_x = empty[1 + dy:1 + dy + h, 1:1 + w], empty[1:1 + h, 1 + dx:1 + dx + w]
        corners = filled & diagonal & (side_y & side_x if kind == "convex" else ~side_y & ~side_x)
        for y, x in zip(*np.nonzero(corners)):
            if color == "minor" and paint is None:
                paint = np.full(g.shape, -1)
                for o in objects(g, 8, True, bg):
                    paint[tuple(np.array(o.cells).T)] = minority_color(o)
            c = g[y, x] if paint is None else paint[y, x]
            # A convex corner's ray starts at its diagonal neighbour; a concave one's beyond the notch.
            ny, nx = (y + dy, x + dx) if kind == "convex" else (y + 2 * dy, x + 2 * dx)
            while 0 <= ny < h and 0 <= nx < w and g[ny, nx] == bg:
                out[ny, nx] = c
                drawn = True
                ny, nx = ny + dy, nx + dx
    if not drawn:
        raise ValueError("no corner casts a ray")
    return out


def minority_rays(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """From each object's one cell of its rarest color, a ray of that color through the object's bulk and beyond."""
    h, w = g.shape
    out = g.copy()
    drawn = False
    for o in objects(g, 8, True, bg):
        c = minority_color(o)
        if o.colors.count(c) != 1 or len(set(o.colors)) < 2:
            continue
        y, x = o.cells[o.colors.index(c)]
        ys, xs = np.array(o.cells).T
        dy, dx = ys.mean() - y, xs.mean() - x
        # The way the object points: along the axis it mostly lies along, or diagonally when neither dominates.
        step = (np.sign(dy), 0) if abs(dy) > 2 * abs(dx) else (0, np.sign(dx)) if abs(dx) > 2 * abs(dy) else \
            (np.sign(dy), np.sign(dx))
        if step == (0, 0):
            continue
        ny, nx = y + int(step[0]), x + int(step[1])
        while 0 <= ny < h and 0 <= nx < w and g[ny, nx] != bg:
            ny, nx = ny + int(step[0]), nx + int(step[1])  # through the object
        while 0 <= ny < h and 0 <= nx < w and g[ny, nx] == bg:
            out[ny, nx] = c
            drawn = True
            ny, nx = ny + int(step[0]), nx + int(step[1])
    if not drawn:
        raise ValueError("no object has one cell of a rarer color to shoot from")
    return out


def draw_spiral(g: np.ndarray, color: int = PLACEHOLDER, bg: int = 0) -> np.ndarray:
    """A square spiral from the top left corner, clockwise and one cell apart, over the background."""
    h, w = g.shape
    path = np.zeros((h, w), dtype=bool)
    moves = ((0, 1), (1, 0), (0, -1), (-1, 0))
    y = x = d = 0
    path[0, 0] = True

    def open_ahead(y, x, dy, dx):
        # The next cell is inside and unpainted, and the one after it is not the spiral's earlier ring.
        ny, nx = y + dy, x + dx
        if not (0 <= ny < h and 0 <= nx < w) or path[ny, nx]:
            return False
        by, bx = ny + dy, nx + dx
        return not (0 <= by < h and 0 <= bx < w and path[by, bx])

    turns = 0
    while turns < 2:
        dy, dx = moves[d]
        if open_ahead(y, x, dy, dx):
            y, x = y + dy, x + dx
            path[y, x] = True
            turns = 0
        else:
            d, turns = (d + 1) % 4, turns + 1
    return np.where(path & (g == bg), color, g)


def smear_from_markers(g: np.ndarray, marker: int, bg: int = 0) -> np.ndarray:
    """Each `marker` cell of an object drags the object, in its other color, from its center past it to the edge."""
    h, w = g.shape
    if not (g == marker).any():
        raise ValueError("no marker")
    out = g.copy()
    drawn = False
    for o in objects(g, 8, True, bg):
        if marker not in o.colors or o.size > 16 or len(set(o.colors) - {marker}) != 1:
            continue  # a small object with its markers: a big one dragged across the grid is rarely meant
        rest = set(o.colors) - {marker}
        color = rest.pop()
        ys, xs = np.array(o.cells).T
        cy, cx = ys.mean(), xs.mean()
        out[ys, xs] = color
        for (y, x), c in zip(o.cells, o.colors):
            if c != marker:
                continue
            dy, dx = int(np.sign(y - cy)), int(np.sign(x - cx))
            k = 1
            while (dy or dx) and k <= max(h, w):
                ty, tx = ys + k * dy, xs + k * dx
                ok = (ty >= 0) & (ty < h) & (tx >= 0) & (tx < w)
                if not ok.any():
                    break
                out[ty[ok], tx[ok]] = color
                drawn = True
                k += 1
    if not drawn:
        raise ValueError("no object has a marker to drag it")
    return out


def mark_under_centers(g: np.ndarray, bg: int = 0, color: int = PLACEHOLDER) -> np.ndarray:
    """Below each one-color object's middle column (of odd width), the bottom row's cell becomes `color`."""
    out = g.copy()
    h = g.shape[0]
    for o in objects(g, 8, False, bg):
        if o.width % 2 and out[h - 1, (o.left + o.right) // 2] == bg:
            out[h - 1, (o.left + o.right) // 2] = color
    if (out == g).all():
        raise ValueError("no object with a middle column over an empty bottom cell")
    return out


def ring_crossings(g: np.ndarray, bg: int = 0, color: int = PLACEHOLDER) -> np.ndarray:
    """Around each crossing of a full row and a full column of non-background cells, the eight cells become `color`."""
    full = g != bg
    rows, cols = np.flatnonzero(full.all(axis=1)), np.flatnonzero(full.all(axis=0))
    if not len(rows) or not len(cols):
        raise ValueError("no crossing of full lines")
    h, w = g.shape
    out = g.copy()
    for y in rows:
        for x in cols:
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    if (dy or dx) and 0 <= y + dy < h and 0 <= x + dx < w:
                        out[y + dy, x + dx] = color
    return out


def meet_halfway(g: np.ndarray, axis: int | None = 1, bg: int | None = 0, color: int | None = PLACEHOLDER,
                 flare: bool = False) -> np.ndarray:
    """Colors facing on a row (axis 1), column (0) or either (None) grow halfway (`flare`: a cell wider each side)."""
    if axis is None:  # rows where two colors face each other on one, else columns
        try:
            return meet_halfway(g, 1, bg, color, flare)
        except ValueError:
            return meet_halfway(g, 0, bg, color, flare)
    if bg is None:  # the grid's own background: a task's grids need not share one
        bg = most_common_color(g, None)
    src = g.tolist() if axis == 1 else g.T.tolist()
    out = [row[:] for row in src]
    met = False
    for y, row in enumerate(src):
        for x, c in enumerate(row):
            if c == bg:
                continue
            path, end = _gap(src, y, x, 0, 1, bg)
            if not path or end is None or src[end[0]][end[1]] == c:
                continue
            n, far = len(path), src[end[0]][end[1]]
            for i, (py, px) in enumerate(path):
                # an odd middle is `color`, or stays background where `color` is None
                out[py][px] = c if i < n // 2 else far if i >= (n + 1) // 2 else bg if color is None else color
            met = True
    if not met:
        raise ValueError("no two different colors face each other")
    out = np.array(out, dtype=g.dtype)
    if flare:
        grown = out != np.array(src)
        for d in (1, -1):
            beside = np.roll(grown, d, axis=0)
            beside[0 if d == 1 else -1] = False  # nothing flares in from beyond the edge
            beside &= out == bg
            out[beside] = np.roll(out, d, axis=0)[beside]
    return out if axis == 1 else out.T


def staircase(g: np.ndarray, above: int = 1, below: int = -1, bg: int = 0,
              colors: tuple[int, int] = (PLACEHOLDER, PLACEHOLDER + 1)) -> np.ndarray:
    """From each one-row bar at an edge, rows above grow by `above` cells a row and rows below by `below` (colors)."""
    out = g.copy()
    h, w = g.shape
    drawn = False
    for o in objects(g, 4, False, bg):
        if o.height != 1 or (o.left != 0 and o.right != w - 1):
            continue
        from_left = o.left == 0
        for step, delta, color in ((-1, above, colors[0]), (1, below, colors[1])):
            y, n = o.top + step, o.width + delta
            while 0 <= y < h and 0 < n and delta:
                cells = out[y, :min(n, w)] if from_left else out[y, max(w - n, 0):]
                cells[cells == bg] = color
                y, n, drawn = y + step, n + delta, True
    if not drawn:
        raise ValueError("no bar at an edge")
    return out


def _side(dy: int, dx: int, turn: str) -> tuple[int, int]:
    """The direction a quarter turn from (dy, dx): clockwise ("cw") or counter-clockwise ("ccw")."""
    return (-dx, dy) if turn == "ccw" else (dx, -dy)


def sidestep_rays(g: np.ndarray, turn: str = "cw", bg: int = 0) -> np.ndarray:
    """Cells on an edge shoot rays across; a ray meeting an obstacle steps one cell aside (`turn` side) and goes on."""
    out = g.copy()
    h, w = g.shape
    starts = [(y, x, dy, dx) for y, x, dy, dx in
              [(h - 1, x, -1, 0) for x in range(w)] + [(0, x, 1, 0) for x in range(w)]
              + [(y, 0, 0, 1) for y in range(h)] + [(y, w - 1, 0, -1) for y in range(h)]
              if g[y, x] != bg]
    if not starts or len(starts) > max(h, w):
        raise ValueError("no ray sources on an edge")
    for y, x, dy, dx in starts:
        sy, sx = _side(dy, dx, turn)
        c = g[y, x]
        for _ in range(2 * (h + w)):
            ny, nx = y + dy, x + dx
            if not (0 <= ny < h and 0 <= nx < w):
                break
            if g[ny, nx] != bg:
                ny, nx = y + sy, x + sx  # step aside, then go on from there
                if not (0 <= ny < h and 0 <= nx < w) or g[ny, nx] != bg:
                    break
            out[ny, nx] = c
            y, x = ny, nx
    return out


def edge_turning_rays(g: np.ndarray, direction: str = "right", turn: str = "cw", bg: int = 0) -> np.ndarray:
    """Lone cells shoot rays toward `direction` that turn along the edge (`turn` side) until something stops them."""
    dy, dx = DIRECTIONS[direction]
    ty, tx = _side(dy, dx, turn)
    cells, _ = lone_cells(g, 8, False, bg)
    if not cells or len(cells) > 12:
        raise ValueError("no lone cells to shoot from")
    out = g.copy()
    h, w = g.shape
    # The rays drawn last would be cut by the earlier ones: those nearest the turn's far end go first.
    for y, x, c in sorted(cells, key=lambda cell: -(cell[0] * ty + cell[1] * tx)):
        sy, sx = dy, dx
        for _ in range(h + w):
            ny, nx = y + sy, x + sx
            if not (0 <= ny < h and 0 <= nx < w):
                if (sy, sx) != (dy, dx):
                    break
                sy, sx = ty, tx
                ny, nx = y + sy, x + sx
                if not (0 <= ny < h and 0 <= nx < w):
                    break
            if out[ny, nx] != bg:
                break
            out[ny, nx] = c
            y, x = ny, nx
    return out


_EDGE_TURNS = {"top": 0, "right": 1, "bottom": 2, "left": -1}  # quarter turns that bring an edge to the top


def edge_marker_lines(g: np.ndarray, edge: str = "top", bg: int = 0, toggle: bool = True) -> np.ndarray:
    """Each colored cell on one edge draws its color across the grid (`toggle`: cells already that color turn `bg`)."""
    k = _EDGE_TURNS[edge]
    r = np.rot90(g, k)
    markers = np.flatnonzero(r[0] != bg)
    # markers are few and apart: a full edge is a shape lying on it
    if r.shape[0] < 3 or not len(markers) or 2 * len(markers) > r.shape[1]:
        raise ValueError("no sparse markers on that edge")
    out = r.copy()
    for x in markers:
        c = r[0, x]
        out[1:, x] = np.where(r[1:, x] == c, bg, c) if toggle else c
    if (out == r).all():
        raise ValueError("the lines change nothing")
    return np.rot90(out, -k).copy()


def box_by_markers(g: np.ndarray, inset: int = 1, bg: int = 0, color: int | None = None) -> np.ndarray:
    """A rectangle drawn `inset` cells inside the box of the lone cells of one color, in the other color or `color`."""
    lone: dict[int, list[tuple[int, int]]] = {}
    for y, x, c in lone_cells(g, 8, False, bg)[0]:
        lone.setdefault(c, []).append((y, x))
    marks = [cells for cells in lone.values() if len(cells) >= 2]
    if len(marks) != 1:
        raise ValueError("no one color of lone marker cells")
    ys, xs = zip(*marks[0])
    top, bottom, left, right = min(ys) + inset, max(ys) - inset, min(xs) + inset, max(xs) - inset
    if bottom - top < 1 or right - left < 1:
        raise ValueError("the markers leave no room for a box")
    if color is None:
        others = g[(g != bg) & (g != g[ys[0], xs[0]])]
        if not len(others):
            raise ValueError("no other color to draw in")
        color = int(np.bincount(others).argmax())
    out = g.copy()
    ring = np.zeros(g.shape, dtype=bool)
    ring[top:bottom + 1, [left, right]] = True
    ring[[top, bottom], left:right + 1] = True
    out[ring & (g == bg)] = color
    return out


def reverse_paths(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Along each path of cells (4-connected, one cell wide, two ends), the colors in reverse order."""
    out = g.copy()
    reversed_any = False
    for o in objects(g, 4, True, bg):
        if o.size < 3 or len(set(o.colors)) < 2:
            continue
        cells = set(o.cells)
        near = {c: [(c[0] + dy, c[1] + dx) for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1))
                    if (c[0] + dy, c[1] + dx) in cells] for c in cells}
        ends = [c for c, n in near.items() if len(n) == 1]
        if len(ends) != 2 or any(len(n) > 2 for n in near.values()):
            continue
        path, prev = [min(ends)], None
        while len(path) < len(cells):
            nxt = [n for n in near[path[-1]] if n != prev]
            prev = path[-1]
            path.append(nxt[0])
        colors = [g[c] for c in path]
        for c, color in zip(path, reversed(colors)):
            out[c] = color
        reversed_any = True
    if not reversed_any:
        raise ValueError("no path of several colors")
    return out


def edge_pair_lines(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Only lines remain: a row or column whose two ends share a color found on the edges alone, in that color."""
    h, w = g.shape
    inner = set(np.unique(g[1:-1, 1:-1]).tolist())
    out = np.full_like(g, bg)
    drawn = False
    for y in range(h):
        if g[y, 0] != bg and g[y, 0] == g[y, -1] and g[y, 0] not in inner:
            out[y, :] = g[y, 0]
            drawn = True
    for x in range(w):
        if g[0, x] != bg and g[0, x] == g[-1, x] and g[0, x] not in inner:
            out[:, x] = g[0, x]
            drawn = True
    if not drawn:
        raise ValueError("no two ends of a line share a color")
    return out


def connect_corners(g: np.ndarray, bg: int = 0, color: int | None = None) -> np.ndarray:
    """Same-colored objects whose box corners face each other on a diagonal are joined corner to corner by a line."""
    h, w = g.shape
    src = g.tolist()
    out = g.tolist()
    # Only an object's own corner cells, walking away from it, start a line: a walk from any other cell would
    # join blocks that merely share a diagonal somewhere.
    corner_of = {}
    for o in objects(g, 4, False, bg):
        for y, dy in ((o.top, -1), (o.bottom, 1)):
            for x, dx in ((o.left, -1), (o.right, 1)):
                if src[y][x] == o.colors[0]:
                    corner_of[(y, x, dy, dx)] = o
    drawn = False
    for (y, x, dy, dx), o in corner_of.items():
        path, ny, nx = [], y + dy, x + dx
        while 0 <= ny < h and 0 <= nx < w and src[ny][nx] == bg:
            path.append((ny, nx))
            ny, nx = ny + dy, nx + dx
        other = corner_of.get((ny, nx, -dy, -dx))
        if path and other is not None and other is not o and other.colors[0] == o.colors[0]:
            for py, px in path:
                out[py][px] = o.colors[0] if color is None else color
            drawn = True
    if not drawn:
        raise ValueError("no two same-colored objects face each other corner to corner")
    return np.array(out, dtype=g.dtype)


def mark_plus_centers(g: np.ndarray, bg: int = 0, color: int = PLACEHOLDER) -> np.ndarray:
    """Background cells that four segments, one per side, point at across equal gaps (of 1+ cells) become `color`."""
    h, w = g.shape
    src = g.tolist()
    out = g.copy()
    for y in range(h):
        for x in range(w):
            if src[y][x] != bg:
                continue
            gaps = set()
            for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                ny, nx = y + dy, x + dx
                while 0 <= ny < h and 0 <= nx < w and src[ny][nx] == bg:
                    ny, nx = ny + dy, nx + dx
                by, bx = ny + dy, nx + dx
                # The first cell met must begin a segment along the line of sight: a lone dot points nowhere.
                if not (0 <= by < h and 0 <= bx < w and src[by][bx] == src[ny][nx] != bg):
                    break
                gaps.add(abs(ny - y) + abs(nx - x))
            else:
                if len(gaps) == 1 and gaps.pop() > 1:
                    out[y, x] = color
    if (out == g).all():
        raise ValueError("no cell that four segments point at alike")
    return out


def extend_segments(g: np.ndarray, bg: int = 0, on_top: str = "rows") -> np.ndarray:
    """Each straight one-color segment (two cells or more) fills its whole row or column; `on_top` wins crossings."""
    if on_top not in ("rows", "cols"):
        raise ValueError(f"unknown on_top {on_top!r}")
    fg = g != bg
    if not fg.any():
        raise ValueError("nothing to extend")
    along_row = np.zeros_like(fg)
    along_col = np.zeros_like(fg)
    pair = fg[:, 1:] & (g[:, 1:] == g[:, :-1])
    along_row[:, 1:] |= pair
    along_row[:, :-1] |= pair
    pair = fg[1:] & (g[1:] == g[:-1])
    along_col[1:] |= pair
    along_col[:-1] |= pair
    if (along_row & along_col).any():
        raise ValueError("a cell lies on segments both ways")
    if (fg & ~along_row & ~along_col).any():
        raise ValueError("a lone cell has no direction to extend")
    rows: dict[int, int] = {}
    cols: dict[int, int] = {}
    for table, mask, axis in ((rows, along_row, 0), (cols, along_col, 1)):
        for y, x in zip(*np.nonzero(mask)):
            if table.setdefault(int(x if axis else y), int(g[y, x])) != g[y, x]:
                raise ValueError("segments of two colors on one line")
    out = g.copy()
    under, over = (rows, cols) if on_top == "cols" else (cols, rows)
    for table in (under, over):
        for i, c in table.items():
            if table is rows:
                out[i, :] = c
            else:
                out[:, i] = c
    if (out == g).all():
        raise ValueError("every segment already spans its line")
    return out


def pointer_rays(g: np.ndarray, bg: int = 0, color: int = PLACEHOLDER, trail: bool = False) -> np.ndarray:
    """A line's one-cell head of another color fires on over `bg`; the cell hit (`trail`: the path too) is `color`."""
    h, w = g.shape
    fg = g != bg
    padded = np.pad(fg, 1)
    around = sum(padded[1 + dy:1 + dy + h, 1 + dx:1 + dx + w].astype(np.int8) for dy, dx in DIRECTIONS.values())
    src = g.tolist()
    out = g.copy()
    fired = False
    # A head has one non-background neighbour of 8: the end of the line's body.
    for y, x in zip(*np.nonzero(fg & (around == 1))):
        (by, bx), = [(y + dy, x + dx) for dy, dx in DIRECTIONS.values()
                     if 0 <= y + dy < h and 0 <= x + dx < w and fg[y + dy, x + dx]]
        body = src[by][bx]
        ty, tx = 2 * by - y, 2 * bx - x  # the body goes on straight for a second cell
        if body == src[y][x] or not (0 <= ty < h and 0 <= tx < w and src[ty][tx] == body):
            continue
        path, hit = _gap(src, y, x, y - by, x - bx, bg)
        if trail:
            for py, px in path:
                out[py, px] = color
        if hit is not None:
            out[hit] = color
        fired |= hit is not None or (trail and bool(path))
    if not fired:
        raise ValueError("no pointer fires")
    return out


def bounce_diagonals(g: np.ndarray, wall: int, bg: int = 0) -> np.ndarray:
    """Diagonal segments go on from both ends to the grid's edge, over any color but `wall`, off which they bounce."""
    if wall == bg:
        raise ValueError("the wall is the background")
    h, w = g.shape
    ends = []
    for o in objects(g, 8, False, bg):
        if o.color == wall or o.size < 2:
            continue
        steps = {(b[0] - a[0], b[1] - a[1]) for a, b in zip(o.cells, o.cells[1:])}  # cells in reading order
        if steps not in ({(1, 1)}, {(1, -1)}):
            continue
        (dy, dx), = steps
        ends += [(o.color, o.cells[0], -dy, -dx), (o.color, o.cells[-1], dy, dx)]
    if not ends:
        raise ValueError("no diagonal segment")
    blocked = np.pad(g == wall, 1, constant_values=False)  # off the grid is open: a ray leaves there
    out = g.copy()
    for c, (y, x), dy, dx in ends:
        for _ in range(4 * h * w):  # a ray caught between walls bounces for ever
            if blocked[y + dy + 1, x + dx + 1]:
                # A wall beside the ray flips its sideways step, one ahead of it its up or down step; a wall's
                # corner or tip sends it straight back.
                beside, ahead = blocked[y + 1, x + dx + 1], blocked[y + dy + 1, x + 1]
                dy, dx = (dy, -dx) if beside and not ahead else (-dy, dx) if ahead and not beside else (-dy, -dx)
                if blocked[y + dy + 1, x + dx + 1]:
                    break
            y, x = y + dy, x + dx
            if not (0 <= y < h and 0 <= x < w):
                break
            out[y, x] = c
    if (out == g).all():
        raise ValueError("no ray has room")
    return out
