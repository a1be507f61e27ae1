"""Gravity: non-background cells fall in a direction until they meet the edge or each other."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from .geometry import rot90, rot180, rot270
from .objects import PLACEHOLDER, lone_cells, objects

_TO_DOWN = {"down": (lambda g: g, lambda g: g), "up": (rot180, rot180),
            "left": (rot90, rot270), "right": (rot270, rot90)}


def gravity(g: np.ndarray, direction: str = "down", bg: int = 0) -> np.ndarray:
    """Every non-background cell falls toward `direction` (down, up, left, right), keeping order."""
    there, back = _TO_DOWN[direction]
    a = there(g)
    out = np.full_like(a, bg)
    h = a.shape[0]
    for x in range(a.shape[1]):
        col = a[:, x][a[:, x] != bg]
        if len(col):
            out[h - len(col):, x] = col
    return back(out)


def object_gravity(g: np.ndarray, direction: str = "down", bg: int = 0) -> np.ndarray:
    """Objects (8-connected, any colors) fall as rigid wholes, the nearest to the edge first."""
    there, back = _TO_DOWN[direction]
    a = there(g)
    h = a.shape[0]
    objs = sorted(objects(a, 8, True, bg), key=lambda o: -o.bottom)
    out = np.full_like(a, bg)
    for o in objs:
        d = 0
        while True:
            nxt = d + 1
            if any(y + nxt >= h or out[y + nxt, x] != bg for y, x in o.cells):
                break
            d = nxt
        for (y, x), c in zip(o.cells, o.colors):
            out[y + d, x] = c
    return back(out)


def attract(g: np.ndarray, anchor: int, bg: int = 0) -> np.ndarray:
    """Objects not of color `anchor` slide toward it (straight, or diagonally) until they touch it or a moved object."""
    target = g == anchor
    if not target.any():
        raise ValueError("no anchor cells")
    ty, tx = np.nonzero(target)
    out = np.where(target, g, bg)
    h, w = g.shape
    moving = []
    for o in objects(g, 8, True, bg):
        # The side of the anchor the object is on decides the direction; it must face the anchor.
        # An object touching the anchor already is one with it, and stays.
        if anchor in o.colors:
            for (y, x), c in zip(o.cells, o.colors):
                out[y, x] = c
        elif o.bottom < ty.min() and (tx >= o.left).any() and (tx <= o.right).any():
            moving.append((ty.min() - o.bottom, (1, 0), o))
        elif o.top > ty.max() and (tx >= o.left).any() and (tx <= o.right).any():
            moving.append((o.top - ty.max(), (-1, 0), o))
        elif o.right < tx.min() and (ty >= o.top).any() and (ty <= o.bottom).any():
            moving.append((tx.min() - o.right, (0, 1), o))
        elif o.left > tx.max() and (ty >= o.top).any() and (ty <= o.bottom).any():
            moving.append((o.left - tx.max(), (0, -1), o))
        elif (o.bottom < ty.min() or o.top > ty.max()) and (o.right < tx.min() or o.left > tx.max()):
            # Off both the anchor's rows and columns: diagonally, if that ends beside it (below).
            dy, dx = (1 if o.bottom < ty.min() else -1), (1 if o.right < tx.min() else -1)
            gap_y = ty.min() - o.bottom if dy > 0 else o.top - ty.max()
            gap_x = tx.min() - o.right if dx > 0 else o.left - tx.max()
            moving.append((max(gap_y, gap_x), (dy, dx), o))
        else:
            for (y, x), c in zip(o.cells, o.colors):
                out[y, x] = c
    # Nearest first, so an object behind another stops on it: objects stack against the anchor.
    moved = False
    for _, (dy, dx), o in sorted(moving, key=lambda m: m[0]):
        d = 0
        while True:
            n = d + 1
            cells = [(y + n * dy, x + n * dx) for y, x in o.cells]
            if any(not (0 <= y < h and 0 <= x < w) or out[y, x] != bg for y, x in cells):
                break
            d = n
        ends = [(y + d * dy, x + d * dx) for y, x in o.cells]
        if dy and dx and not any(target[max(0, y - 1):y + 2, max(0, x - 1):x + 2].any() for y, x in ends):
            d = 0  # a diagonal slide that passes the anchor by: the object stays
        moved |= d > 0
        for (y, x), c in zip(o.cells, o.colors):
            out[y + d * dy, x + d * dx] = c
    if not moved:
        raise ValueError("nothing moved")
    return out


def dots_to_lines(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Each lone cell jumps along its row or column to the nearest bigger object of its color; a cell with none goes."""
    out = g.copy()
    lone, owner = lone_cells(g, 8, True, bg)
    if not lone or not owner.any():
        raise ValueError("no lone cells, or nothing bigger")
    for y, x, _ in lone:
        out[y, x] = bg
    for y, x, c in lone:
        best = None
        for axis in (0, 1):
            line = g[y, :] if axis == 1 else g[:, x]
            hits = np.flatnonzero((line == c) & (owner[y, :] if axis == 1 else owner[:, x]))
            here = x if axis == 1 else y
            for p in hits.tolist():
                stop = p - 1 if p > here else p + 1  # the cell before the object, on the dot's side
                if best is None or abs(p - here) < best[0]:
                    best = (abs(p - here), (y, stop) if axis == 1 else (stop, x))
        if best is not None and out[best[1]] == bg:
            out[best[1]] = c
    return out


def align_objects(g: np.ndarray, anchor: int, axis: int = 0, bg: int = 0) -> np.ndarray:
    """Move every object straight so its top (axis 0) or left edge lines up with the `anchor`-colored object's."""
    objs = objects(g, 8, True, bg)
    anchors = [o for o in objs if anchor in o.colors]
    if len(anchors) != 1 or len(objs) < 2:
        raise ValueError("not exactly one anchor object, or nothing to align")
    edge = anchors[0].top if axis == 0 else anchors[0].left
    out = np.full_like(g, bg)
    for o in objs:
        d = edge - (o.top if axis == 0 else o.left)
        for (y, x), c in zip(o.cells, o.colors):
            ty, tx = (y + d, x) if axis == 0 else (y, x + d)
            if not (0 <= ty < g.shape[0] and 0 <= tx < g.shape[1]):
                raise ValueError("an object would leave the grid")
            out[ty, tx] = c
    return out


def move_by_size(g: np.ndarray, direction: str = "up", bg: int = 0, cells: bool = False) -> np.ndarray:
    """Objects move toward `direction` by their height or width (or, one-colored, by their cell count), off the edge."""
    dy, dx = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}[direction]
    objs = objects(g, 4, False, bg) if cells else objects(g, 8, True, bg)
    if not objs:
        raise ValueError("no objects")
    out = np.full_like(g, bg)
    h, w = g.shape
    for o in objs:
        sy, sx = (dy * o.size, dx * o.size) if cells else (dy * o.height, dx * o.width)
        if cells and (o.width == w if dy else o.height == h):
            sy = sx = 0  # a wall across the grid is what the others move along, not one of them
        for (y, x), c in zip(o.cells, o.colors):
            if 0 <= y + sy < h and 0 <= x + sx < w:
                out[y + sy, x + sx] = c
    return out


def nudge(g: np.ndarray, anchor: int, bg: int = 0) -> np.ndarray:
    """Objects not of color `anchor` move one cell toward the nearest `anchor` cell (straight or diagonally)."""
    ty, tx = np.nonzero(g == anchor)
    if not len(ty):
        raise ValueError("no anchor cells")
    out = np.where(g == anchor, g, bg)
    h, w = g.shape
    moved = False
    for o in objects(g, 8, True, bg):
        if anchor in o.colors:
            continue
        cy, cx = (o.top + o.bottom) / 2, (o.left + o.right) / 2
        i = int(np.argmin(np.abs(ty - cy) + np.abs(tx - cx)))
        sy, sx = int(np.sign(ty[i] - cy)), int(np.sign(tx[i] - cx))
        for (y, x), c in zip(o.cells, o.colors):
            if not (0 <= y + sy < h and 0 <= x + sx < w):
                raise ValueError("an object would leave the grid")
            out[y + sy, x + sx] = c
        moved |= (sy, sx) != (0, 0)
    if not moved:
        raise ValueError("nothing moved")
    return out


def move_into_corners(g: np.ndarray, marker: int, bg: int = 0) -> np.ndarray:
    """Everything but the `marker` cells moves to the middle of the box the markers (its corners) span."""
    marks = g == marker
    rest = (g != bg) & ~marks
    if marks.sum() < 2 or not rest.any():
        raise ValueError("no markers, or nothing to move")
    my, mx = np.nonzero(marks)
    ry, rx = np.nonzero(rest)
    dy2 = (my.min() + my.max()) - (ry.min() + ry.max())  # twice the shift that centers the content
    dx2 = (mx.min() + mx.max()) - (rx.min() + rx.max())
    if dy2 % 2 or dx2 % 2:
        raise ValueError("the content cannot sit in the middle of the markers' box")
    out = np.where(rest, bg, g)
    ty, tx = ry + dy2 // 2, rx + dx2 // 2
    if (ty <= my.min()).any() or (ty >= my.max()).any() or (tx <= mx.min()).any() or (tx >= mx.max()).any():
        raise ValueError("the content does not fit inside the markers")
    out[ty, tx] = g[ry, rx]
    return out


def sort_bars(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Rows of content settle at the bottom, shortest on top and longest at the bottom, pushed to the right."""
    h, w = g.shape
    bars = [row[row != bg] for row in g if (row != bg).any()]
    bars.sort(key=len)
    out = np.full_like(g, bg)
    for i, bar in enumerate(bars):
        out[h - len(bars) + i, w - len(bar):] = bar
    if (out == g).all():
        raise ValueError("the bars are sorted already")
    return out


def stretch_to_marker(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """A box stretches toward the lone marker cell in line with it until its far side lies on it (the marker goes)."""
    objs = objects(g, 8, True, bg)
    marks = [o for o in objs if o.size == 1]
    boxes = [o for o in objs if o.height >= 2 and o.width >= 2]
    if len(marks) != 1 or len(boxes) != 1:
        raise ValueError("not one box and one marker")
    (my, mx), b = marks[0].cells[0], boxes[0]
    box = g[b.top:b.bottom + 1, b.left:b.right + 1]
    out = g.copy()
    out[my, mx] = bg
    if b.top <= my <= b.bottom and not b.left <= mx <= b.right:
        a = box if mx > b.right else box[:, ::-1]
        n = abs(mx - (b.right if mx > b.right else b.left)) + a.shape[1]
        grown = np.concatenate([a[:, :-1]] + [a[:, -2:-1]] * (n - a.shape[1]) + [a[:, -1:]], axis=1)
        grown = grown if mx > b.right else grown[:, ::-1]
        left = b.left if mx > b.right else mx
        out[b.top:b.bottom + 1, left:left + n] = grown
    elif b.left <= mx <= b.right and not b.top <= my <= b.bottom:
        a = box if my > b.bottom else box[::-1]
        n = abs(my - (b.bottom if my > b.bottom else b.top)) + a.shape[0]
        grown = np.concatenate([a[:-1]] + [a[-2:-1]] * (n - a.shape[0]) + [a[-1:]], axis=0)
        grown = grown if my > b.bottom else grown[::-1]
        top = b.top if my > b.bottom else my
        out[top:top + n, b.left:b.right + 1] = grown
    else:
        raise ValueError("the marker is not in line with the box")
    return out


def collapse_into_block(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """The lone cells around the one block jump onto its nearest cells, each to its own (the block's color goes)."""
    objs = sorted(objects(g, 8, True, bg), key=lambda o: -o.size)
    if len(objs) < 2 or objs[0].size < 2 or any(o.size != 1 for o in objs[1:]):
        raise ValueError("no one block among lone cells")
    block = objs[0]
    by, bx = np.array(block.cells).T
    out = np.where(block.mask(g.shape), g, bg)
    taken = set()
    for o in objs[1:]:
        (y, x), c = o.cells[0], o.colors[0]
        dist = (by - y) ** 2 + (bx - x) ** 2
        near = np.flatnonzero(dist == dist.min())
        if len(near) != 1 or int(near[0]) in taken:
            raise ValueError("a lone cell has no one nearest block cell of its own")
        taken.add(int(near[0]))
        out[by[near[0]], bx[near[0]]] = c
    return out


def pull_to_singletons(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Cells in line with a cell of a color seen once slide up against it (to the nearest such cell in line)."""
    values, counts = np.unique(g, return_counts=True)
    single = {int(v) for v, n in zip(values, counts) if n == 1 and v != bg}
    if not single:
        raise ValueError("no color is seen once")
    anchors = [(y, x) for y, x in zip(*np.nonzero(np.isin(g, list(single))))]
    out = np.where(np.isin(g, list(single)), g, bg)
    moved = False
    for y, x in zip(*np.nonzero((g != bg) & ~np.isin(g, list(single)))):
        line = [(abs(ay - y) + abs(ax - x), ay, ax) for ay, ax in anchors if ay == y or ax == x]
        if not line:
            out[y, x] = g[y, x]
            continue
        line.sort()
        if len(line) > 1 and line[0][0] == line[1][0]:
            raise ValueError("a cell is as near to two anchors")
        _, ay, ax = line[0]
        ty, tx = ay + int(np.sign(y - ay)), ax + int(np.sign(x - ax))
        if out[ty, tx] != bg:
            raise ValueError("two cells slide to one place")
        out[ty, tx] = g[y, x]
        moved = moved or (ty, tx) != (y, x)
    if not moved:
        raise ValueError("nothing slides")
    return out


def move_by_count(g: np.ndarray, marker: int, dy: int, dx: int, bg: int = 0) -> np.ndarray:
    """The marker cells go, and the rest moves (dy, dx) once per marker cell; lines running off an edge run on."""
    n = int((g == marker).sum())
    if not n or marker == bg:
        raise ValueError("no marker cells to count")
    rest = np.where(g == marker, bg, g)
    h, w = g.shape
    if n * abs(dy) >= h or n * abs(dx) >= w:
        raise ValueError("the move leaves the grid")
    # Edge cells are repeated into the cells that enter, so a line across the grid stays across it.
    padded = np.pad(rest, ((n * abs(dy),) * 2, (n * abs(dx),) * 2), mode="edge")
    top, left = n * abs(dy) - n * dy, n * abs(dx) - n * dx
    return padded[top:top + h, left:left + w]


def shift_colors(g: np.ndarray, moves: Mapping[int, tuple[int, int]], bg: int = 0) -> np.ndarray:
    """The cells of each color c in `moves` move by moves[c] = (dy, dx), lost off the edge; other cells stay."""
    h, w = g.shape
    out = np.where(np.isin(g, list(moves)), bg, g)
    for c, (dy, dx) in moves.items():
        ys, xs = np.nonzero(g == c)
        ys, xs = ys + dy, xs + dx
        keep = (ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)
        out[ys[keep], xs[keep]] = c
    return out


def fly_to_walls(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Each object slides straight toward the full edge line of its own color until it touches it or a moved object."""
    h, w = g.shape
    walls = {}
    for side, line, step in (("top", g[0], (-1, 0)), ("bottom", g[-1], (1, 0)),
                             ("left", g[:, 0], (0, -1)), ("right", g[:, -1], (0, 1))):
        c = int(line[0])
        if c != bg and (line == c).all():
            if c in walls:
                raise ValueError("two walls of one color")
            walls[c] = (side, step)
    if not walls:
        raise ValueError("no full edge line of one color")
    wall_cells = np.zeros(g.shape, bool)
    for c, (side, _) in walls.items():
        wall_cells[{"top": 0, "bottom": -1}.get(side, slice(None)),
                   {"left": 0, "right": -1}.get(side, slice(None))] = True
    out = np.where(wall_cells, g, bg)
    moving = []
    for o in objects(np.where(wall_cells, bg, g), 8, False, bg):
        c = o.colors[0]
        if c not in walls:
            for y, x in o.cells:
                out[y, x] = c
            continue
        side, (dy, dx) = walls[c]
        # Nearest to its wall first, so farther objects stack behind nearer ones.
        dist = {"top": o.top, "bottom": h - 1 - o.bottom, "left": o.left, "right": w - 1 - o.right}[side]
        moving.append((dist, dy, dx, o))
    if not moving:
        raise ValueError("no object of a wall's color")
    moved = False
    for _, dy, dx, o in sorted(moving, key=lambda m: m[0]):
        ys = np.array([y for y, _ in o.cells])
        xs = np.array([x for _, x in o.cells])
        d = 0
        while True:
            ny, nx = ys + (d + 1) * dy, xs + (d + 1) * dx
            if ny.min() < 0 or nx.min() < 0 or ny.max() >= h or nx.max() >= w or (out[ny, nx] != bg).any():
                break
            d += 1
        moved |= d > 0
        out[ys + d * dy, xs + d * dx] = o.colors[0]
    if not moved:
        raise ValueError("nothing moves")
    return out


def step_to_corner_marker(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Each shape steps one cell diagonally toward the lone other-colored cell on its corner, which joins it."""
    h, w = g.shape
    objs = objects(g, 4, False, bg)
    lab = np.full((h + 2, w + 2), -1)
    for i, o in enumerate(objs):
        if o.size > 1:
            ys, xs = zip(*o.cells)
            lab[np.array(ys) + 1, np.array(xs) + 1] = i
    found: dict[int, list] = {}
    for o in objs:
        if o.size != 1:
            continue
        y, x = o.cells[0]
        for i in {int(lab[y + 1 + dy, x + 1 + dx]) for dy, dx in ((0, 1), (1, 0), (0, -1), (-1, 0))} - {-1}:
            b = objs[i]
            if b.colors[0] == o.colors[0]:
                continue
            y0, y1, x0, x1 = min(b.top, y), max(b.bottom, y), min(b.left, x), max(b.right, x)
            if y in (y0, y1) and x in (x0, x1) and y0 < y1 and x0 < x1:
                found.setdefault(i, []).append(((y, x), (1 if y == y1 else -1, 1 if x == x1 else -1)))
    moves = [(objs[i], ps[0][0], ps[0][1]) for i, ps in found.items() if len(ps) == 1]
    if not moves:
        raise ValueError("no shape with a lone corner marker")
    out = g.copy()
    for o, p, _ in moves:
        for y, x in o.cells + (p,):
            out[y, x] = bg
    for o, p, (dy, dx) in moves:
        for y, x in o.cells + (p,):
            if 0 <= y + dy < h and 0 <= x + dx < w:
                out[y + dy, x + dx] = o.colors[0]
    return out


def repel_from_anchor(g: np.ndarray, anchor: int, bg: int = 0) -> np.ndarray:
    """Each one-color piece (4-connected) touching an `anchor` cell slides straight away from it to the grid's edge."""
    if anchor == bg or not (g == anchor).any():
        raise ValueError("no anchor cells")
    h, w = g.shape
    out = g.copy()
    moves = []
    for o in objects(np.where(g == anchor, bg, g), 4, False, bg):
        ys, xs = np.array(o.cells).T
        away = set()
        for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            # The anchor behind a cell, against the direction of travel.
            by, bx = ys - dy, xs - dx
            inside = (by >= 0) & (by < h) & (bx >= 0) & (bx < w)
            if (g[by[inside], bx[inside]] == anchor).any():
                away.add((dy, dx))
        if len(away) > 1:
            raise ValueError("a piece touches the anchor on more than one side")
        if away:
            dy, dx = away.pop()
            k = {(1, 0): h - 1 - o.bottom, (-1, 0): o.top, (0, 1): w - 1 - o.right, (0, -1): o.left}[(dy, dx)]
            moves.append((ys, xs, dy * k, dx * k, o.colors[0]))
    if not any(my or mx for _, _, my, mx, _ in moves):
        raise ValueError("nothing moves")
    for ys, xs, _, _, _ in moves:
        out[ys, xs] = bg
    for ys, xs, my, mx, c in moves:
        out[ys + my, xs + mx] = c
    return out


def attract_to_body(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Stray pieces of a color move to touch its largest piece: straight, or diagonally if off its rows and columns."""
    h, w = g.shape
    out = g.copy()
    moved = False
    by_color: dict[int, list] = {}
    for o in objects(g, 4, False, bg):
        by_color.setdefault(o.color, []).append(o)
    for c, pieces in by_color.items():
        if len(pieces) < 2:
            continue
        pieces.sort(key=lambda o: -o.size)
        body = pieces[0]
        if pieces[1].size == body.size:
            raise ValueError(f"color {c} has no one largest piece")

        def gap(o):
            return max(body.top - o.bottom, o.top - body.bottom, 0) + max(body.left - o.right, o.left - body.right, 0)

        # Nearest first, so that a farther stray can stop on one already moved.
        for o in sorted(pieces[1:], key=gap):
            dy = 1 if o.bottom < body.top else -1 if o.top > body.bottom else 0
            dx = 1 if o.right < body.left else -1 if o.left > body.right else 0
            if dy == dx == 0:
                raise ValueError("a stray lies within its body's box")
            ys, xs = np.array(o.cells).T
            out[ys, xs] = bg
            own = np.pad(out == c, 1)
            while not any(own[ys + 1 + ny, xs + 1 + nx].any() for ny, nx in ((1, 0), (-1, 0), (0, 1), (0, -1))):
                ys, xs = ys + dy, xs + dx
                if ys.min() < 0 or xs.min() < 0 or ys.max() >= h or xs.max() >= w or (out[ys, xs] != bg).any():
                    raise ValueError("a stray is blocked before it reaches its body")
                moved = True
            out[ys, xs] = c
    if not moved:
        raise ValueError("nothing moves")
    return out


def orbit_satellites(g: np.ndarray, anchor: int, satellite: int, turn: str = "ccw", bg: int = 0,
                     color: int = PLACEHOLDER) -> np.ndarray:
    """Each `satellite` cell turns (ccw, cw, half) about its own nearest `anchor` in line and lands as `color`."""
    if anchor == satellite or turn not in ("ccw", "cw", "half"):
        raise ValueError("bad parameters")
    anchors = list(zip(*np.nonzero(g == anchor)))
    sats = list(zip(*np.nonzero(g == satellite)))
    if not anchors or not sats or len(anchors) > 30 or len(sats) > 30:
        raise ValueError("no sparse anchor and satellite cells")
    # Each satellite's anchors in its row or column, nearest first.
    near = {}
    for s in sats:
        near[s] = sorted((abs(a[0] - s[0]) + abs(a[1] - s[1]), a) for a in anchors if a[0] == s[0] or a[1] == s[1])
        if not near[s]:
            raise ValueError("a satellite with no anchor in line")
    # One anchor each: the satellite closest to its nearest free anchor takes it first.
    paired, used = {}, set()
    while len(paired) < len(sats):
        best = None
        for s, cands in near.items():
            free = [(d, a) for d, a in cands if a not in used]
            if s in paired or len(free) > 1 and free[0][0] == free[1][0]:
                continue
            if not free:
                raise ValueError("a satellite left without an anchor")
            if best is None or free[0][0] < best[0]:
                best = (free[0][0], s, free[0][1])
        if best is None:
            raise ValueError("no satellite has one nearest anchor")
        paired[best[1]] = best[2]
        used.add(best[2])
    h, w = g.shape
    out = g.copy()
    for s in sats:
        out[s] = bg
    for (sy, sx), (ay, ax) in paired.items():
        oy, ox = int(sy - ay), int(sx - ax)  # the satellite's offset from its anchor, turned below
        dy, dx = (-oy, -ox) if turn == "half" else (-ox, oy) if turn == "ccw" else (ox, -oy)
        if 0 <= ay + dy < h and 0 <= ax + dx < w:  # one that lands off the grid is lost
            out[ay + dy, ax + dx] = color
    if (out == g).all():
        raise ValueError("nothing moves")
    return out
