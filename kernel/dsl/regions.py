"""Regions: enclosed areas, holes, outlines, halos. Results mark cells with a color (the
placeholder by default, which a later recolor turns into the right one)."""

from __future__ import annotations

import numpy as np

from .colors import pair_keys
from .objects import PLACEHOLDER, has_hole, objects, reachable_from_border


def fill_enclosed(g: np.ndarray, bg: int = 0, color: int = PLACEHOLDER) -> np.ndarray:
    """Background cells that cannot reach the border through background become `color`."""
    free = g == bg
    enclosed = free & ~reachable_from_border(free)
    if not enclosed.any():
        raise ValueError("nothing enclosed")
    return np.where(enclosed, color, g)


def fill_empty_lines(g: np.ndarray, bg: int = 0, color: int = PLACEHOLDER, inside: bool = False) -> np.ndarray:
    """Rows and columns that are all background become `color` (`inside`: all but their end cells, inside a frame)."""
    if inside:
        if min(g.shape) < 3:
            raise ValueError("no inside to a grid this thin")
        out = g.copy()
        out[1:-1, 1:-1] = fill_empty_lines(g[1:-1, 1:-1], bg, color)
        return out
    empty = g == bg
    lines = empty.all(axis=1)[:, None] | empty.all(axis=0)[None, :]
    if not lines.any():
        raise ValueError("no empty row or column")
    return np.where(lines, color, g)


def fill_boxes(g: np.ndarray, bg: int = 0, color: int = PLACEHOLDER) -> np.ndarray:
    """Background cells inside the bounding box of an object become `color`."""
    out = g.copy()
    for o in objects(g, 8, True, bg):
        box = out[o.top:o.bottom + 1, o.left:o.right + 1]
        box[g[o.top:o.bottom + 1, o.left:o.right + 1] == bg] = color
    if (out == g).all():
        raise ValueError("no holes in any bounding box")
    return out


def frame_objects(g: np.ndarray, bg: int = 0, color: int = PLACEHOLDER) -> np.ndarray:
    """Background cells on the rectangle one cell around each object's bounding box become `color`."""
    out = g.copy()
    h, w = g.shape
    for o in objects(g, 8, True, bg):
        t, l, b, r = o.top - 1, o.left - 1, o.bottom + 1, o.right + 1
        ring = np.zeros((h + 2, w + 2), dtype=bool)  # one cell of margin: a frame may leave the grid
        ring[t + 1:b + 2, l + 1:r + 2] = True
        ring[t + 2:b + 1, l + 2:r + 1] = False
        ring = ring[1:-1, 1:-1] & (g == bg)
        out[ring] = color
    if (out == g).all():
        raise ValueError("no room for a frame")
    return out


def hollow(g: np.ndarray, bg: int = 0, color: int = PLACEHOLDER) -> np.ndarray:
    """Cells with non-background on all four sides become `color` (outlines stay)."""
    nb = g != bg
    p = np.pad(nb, 1, constant_values=False)
    inner = nb & p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:]
    if not inner.any():
        raise ValueError("no interior cells")
    return np.where(inner, color, g)


def halo(g: np.ndarray, bg: int = 0, color: int = PLACEHOLDER, diagonal: bool = True) -> np.ndarray:
    """Background cells next to an object (8-neighbourhood when `diagonal`) become `color`."""
    nb = np.pad(g != bg, 1, constant_values=False)
    near = nb[:-2, 1:-1] | nb[2:, 1:-1] | nb[1:-1, :-2] | nb[1:-1, 2:]
    if diagonal:
        near |= nb[:-2, :-2] | nb[:-2, 2:] | nb[2:, :-2] | nb[2:, 2:]
    mark = near & (g == bg)
    if not mark.any():
        raise ValueError("no background next to objects")
    return np.where(mark, color, g)


def halo_by_key(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Each shape's box, one cell wider all round, is filled around it in its color's partner in keys of color pairs."""
    partner: dict[int, int] = {}
    keyed = np.zeros(g.shape, dtype=bool)
    for o, pairs in pair_keys(g, bg):
        keyed |= o.mask(g.shape)
        for a, b in pairs.tolist():
            if a != b and partner.setdefault(a, b) != b:
                raise ValueError(f"the keys give color {a} two partners")
    if not partner:
        raise ValueError("no key of color pairs")
    h, w = g.shape
    out = g.copy()
    for o in objects(np.where(keyed, bg, g), 8, False, bg):
        if o.color not in partner:
            raise ValueError(f"color {o.color} is not in the keys")
        t, b, l, r = max(o.top - 1, 0), min(o.bottom + 1, h - 1), max(o.left - 1, 0), min(o.right + 1, w - 1)
        # Reached from the box's rim around the shape: the shape's enclosed holes stay background.
        around = reachable_from_border(~o.mask(g.shape)[t:b + 1, l:r + 1])
        out[t:b + 1, l:r + 1][around & (g[t:b + 1, l:r + 1] == bg)] = partner[o.color]
    if (out == g).all():
        raise ValueError("no shape has room for a halo")
    return out


def label_by_holes(g: np.ndarray, connectivity: int = 4, bg: int = 0) -> np.ndarray:
    """Objects that enclose background cells become the placeholder color."""
    out = g.copy()
    for o in objects(g, connectivity, True, bg):
        if has_hole(o):
            out[o.mask(g.shape)] = PLACEHOLDER
    return out


def draw_border(g: np.ndarray, color: int = PLACEHOLDER) -> np.ndarray:
    """Paint the outermost ring of cells."""
    out = g.copy()
    out[0, :] = out[-1, :] = color
    out[:, 0] = out[:, -1] = color
    return out


def flood_touching(g: np.ndarray, color: int, bg: int = 0) -> np.ndarray:
    """Background areas (4-connected) that touch a cell of `color` become `color`."""
    h, w = g.shape
    free = (g == bg).tolist()
    src = g.tolist()
    out = g.copy()
    seen = [[False] * w for _ in range(h)]
    stack = []
    for y in range(h):
        for x in range(w):
            if src[y][x] == color:
                for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                    if 0 <= ny < h and 0 <= nx < w and free[ny][nx] and not seen[ny][nx]:
                        seen[ny][nx] = True
                        stack.append((ny, nx))
    if not stack:
        raise ValueError(f"no background touches color {color}")
    while stack:
        y, x = stack.pop()
        out[y, x] = color
        for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
            if 0 <= ny < h and 0 <= nx < w and free[ny][nx] and not seen[ny][nx]:
                seen[ny][nx] = True
                stack.append((ny, nx))
    return out


def fill_color_boxes(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Each color paints the background of the bounding box of all its cells (rarest colors on top)."""
    out = g.copy()
    values, counts = np.unique(g[g != bg], return_counts=True)
    if len(values) == 0:
        raise ValueError("only background")
    for c in values[np.argsort(-counts, kind="stable")].tolist():
        ys, xs = np.nonzero(g == c)
        box = out[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        box[g[ys.min():ys.max() + 1, xs.min():xs.max() + 1] == bg] = c
    if (out == g).all():
        raise ValueError("every color fills its box already")
    return out


def mark_largest_rectangle(g: np.ndarray, bg: int = 0, color: int = PLACEHOLDER, min_side: int = 1) -> np.ndarray:
    """The largest rectangle of background cells (one alone of its area; sides `min_side` or more) becomes `color`."""
    h, w = g.shape
    heights = [0] * w
    best, boxes = 0, []
    free = (g == bg).tolist()
    for y in range(h):
        heights = [heights[x] + 1 if free[y][x] else 0 for x in range(w)]
        # A largest rectangle ending on this row is as tall as one of its columns' runs of free
        # cells: each run, widened while the columns beside are as tall, is a candidate.
        for x in range(w):
            top_h = heights[x]
            if top_h == 0:
                continue
            left = x
            while left > 0 and heights[left - 1] >= top_h:
                left -= 1
            right = x
            while right < w - 1 and heights[right + 1] >= top_h:
                right += 1
            if top_h < min_side or right - left + 1 < min_side:
                continue
            area = top_h * (right - left + 1)
            box = (y - top_h + 1, y + 1, left, right + 1)
            if area > best:
                best, boxes = area, [box]
            elif area == best and box not in boxes:
                boxes.append(box)
    if best < 2 or len(boxes) != 1:
        raise ValueError("no single largest background rectangle")
    t, b, l, r = boxes[0]
    out = g.copy()
    out[t:b, l:r] = color
    return out


def reverse_rings(g: np.ndarray) -> np.ndarray:
    """Concentric one-color rings (a cell's ring: its distance to the edge) take their colors in reverse order."""
    h, w = g.shape
    ys, xs = np.indices(g.shape)
    ring = np.minimum(np.minimum(ys, xs), np.minimum(h - 1 - ys, w - 1 - xs))
    n = int(ring.max()) + 1
    colors = []
    for k in range(n):
        values = np.unique(g[ring == k])
        if len(values) != 1:
            raise ValueError(f"ring {k} has {len(values)} colors")
        colors.append(int(values[0]))
    if n < 2 or len(set(colors)) < 2:
        raise ValueError("fewer than two ring colors")
    return np.array(colors[::-1], dtype=g.dtype)[ring]


# How label_enclosed tells enclosed areas apart: by shape (square, other rectangle, any other
# shape) or by whether they have an even number of cells, each its own placeholder.
ENCLOSED_LABELS = ("shape", "parity")


def label_enclosed(g: np.ndarray, how: str = "shape", bg: int = 0) -> np.ndarray:
    """Enclosed background areas marked by "shape" (10 square, 11 rectangle, 12 other) or "parity" (10 even size)."""
    free = g == bg
    enclosed = free & ~reachable_from_border(free)
    if not enclosed.any():
        raise ValueError("nothing enclosed")
    marked = np.where(enclosed, 1, 0)
    out = g.copy()
    for area in objects(marked, 4, False, 0):
        if how == "parity":
            label = PLACEHOLDER + area.size % 2
        elif area.size == area.height * area.width:
            label = PLACEHOLDER + (area.height != area.width)
        else:
            label = PLACEHOLDER + 2
        out[area.mask(g.shape)] = label
    return out


def label_areas(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Background areas (4-connected) marked by size: the largest 10, the smallest 11 (every one of that size)."""
    areas = objects(np.where(g == bg, 1, 0), 4, False, 0)
    sizes = sorted({a.size for a in areas})
    if len(sizes) < 2:
        raise ValueError("fewer than two sizes of background area")
    out = g.copy()
    for a in areas:
        if a.size in (sizes[0], sizes[-1]):
            out[a.mask(g.shape)] = PLACEHOLDER + (a.size == sizes[0])
    return out


def bridge_objects(g: np.ndarray, inset: int = 0, bg: int = 0, color: int = PLACEHOLDER) -> np.ndarray:
    """Empty gaps between objects facing each other across rows or columns become `color` (shared span less `inset`)."""
    objs = objects(g, 8, True, bg)
    out = g.copy()
    if len(objs) >= 2:
        top, left, bottom, right = (np.array([getattr(o, k) for o in objs]) for k in ("top", "left", "bottom", "right"))
        # Every ordered pair at once: [i, j] is object i above (or left of) object j, with the columns (or rows)
        # they share; only pairs with a gap and a shared span are looked at cell by cell.
        for vertical in (True, False):
            near, far = (bottom, top) if vertical else (right, left)
            lo, hi = (left, right) if vertical else (top, bottom)
            gap0, gap1 = np.broadcast_arrays(near[:, None] + 1, far[None, :] - 1)
            span0 = np.maximum(lo[:, None], lo[None, :]) + inset
            span1 = np.minimum(hi[:, None], hi[None, :]) - inset
            for i, j in zip(*np.nonzero((gap0 <= gap1) & (span0 <= span1))):
                across, along = slice(gap0[i, j], gap1[i, j] + 1), slice(span0[i, j], span1[i, j] + 1)
                area = (across, along) if vertical else (along, across)
                if (g[area] == bg).all():
                    out[area] = color
    if (out == g).all():
        raise ValueError("no two objects face each other across empty cells")
    return out


def fill_empty_squares(g: np.ndarray, size: int = 2, bg: int = 0, color: int = PLACEHOLDER,
                       disjoint: bool = False) -> np.ndarray:
    """Paint background cells a `size`-square of background covers (`disjoint`: squares in reading order, apart)."""
    h, w = g.shape
    if size < 1 or size > min(h, w):
        raise ValueError("no square of that size fits")
    empty = np.pad((g == bg).astype(np.int64), ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    whole = (empty[size:, size:] - empty[:-size, size:] - empty[size:, :-size] + empty[:-size, :-size]) == size * size
    if disjoint:
        taken = np.zeros((h, w), dtype=bool)
        for y, x in zip(*np.nonzero(whole)):
            if not taken[y:y + size, x:x + size].any():
                taken[y:y + size, x:x + size] = True
        if not taken.any():
            raise ValueError("no empty square")
        return np.where(taken, color, g)
    cover = np.zeros((h + size, w + size), dtype=np.int64)  # each empty square's corners, summed back into areas
    ys, xs = np.nonzero(whole)
    np.add.at(cover, (ys, xs), 1)
    np.add.at(cover, (ys + size, xs), -1)
    np.add.at(cover, (ys, xs + size), -1)
    np.add.at(cover, (ys + size, xs + size), 1)
    covered = cover.cumsum(0).cumsum(1)[:h, :w] > 0
    if not covered.any():
        raise ValueError("no empty square")
    return np.where(covered, color, g)


def pour_boxes(g: np.ndarray, bg: int = 0, color: int = PLACEHOLDER) -> np.ndarray:
    """A frame with a gap in one side is filled, and what it holds runs out of the gap straight to the edge."""
    out = g.copy()
    h, w = g.shape
    for o in objects(g, 8, False, bg):
        if o.height < 3 or o.width < 3:
            continue
        box = np.zeros((o.height, o.width), dtype=bool)
        ys, xs = zip(*o.cells)
        box[np.array(ys) - o.top, np.array(xs) - o.left] = True
        rim = np.ones_like(box)
        rim[1:-1, 1:-1] = False
        if (box & ~rim).any():
            continue  # not a frame: cells inside
        region = g[o.top:o.bottom + 1, o.left:o.right + 1]
        gaps = rim & ~box
        if not gaps.any() or (region[gaps] != bg).any():
            continue
        gy, gx = np.nonzero(gaps)
        corner = np.isin(gy, (0, o.height - 1)) & np.isin(gx, (0, o.width - 1))
        sides = {(-1, 0) if y == 0 else (1, 0) if y == o.height - 1 else (0, -1) if x == 0 else (0, 1)
                 for y, x in zip(gy, gx)}
        if corner.any() or len(sides) != 1:
            continue  # the gaps must open one side, away from the corners
        dy, dx = sides.pop()
        inner = out[o.top + 1:o.bottom, o.left + 1:o.right]
        inner[inner == bg] = color
        for y, x in zip(gy + o.top, gx + o.left):
            while 0 <= y < h and 0 <= x < w and out[y, x] == bg:
                out[y, x] = color
                y, x = y + dy, x + dx
    if (out == g).all():
        raise ValueError("no frame with a gap")
    return out


def checker_rectangles(g: np.ndarray, parity: int = 0, bg: int = 0, color: int = PLACEHOLDER) -> np.ndarray:
    """Inside each solid one-color rectangle (3x3 or more), every other cell, from the corner's `parity`, is `color`."""
    out = g.copy()
    for o in objects(g, 4, False, bg):
        if o.height < 3 or o.width < 3 or o.size != o.height * o.width:
            continue
        ys, xs = np.mgrid[1:o.height - 1, 1:o.width - 1]
        inner = out[o.top + 1:o.bottom, o.left + 1:o.right]
        inner[(ys + xs) % 2 == parity] = color
    if (out == g).all():
        raise ValueError("no solid rectangle")
    return out


def keep_largest_box(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Only the largest solid one-color rectangle (one alone of its area, two cells across or more) is kept."""
    best, found = 0, None
    for c in np.unique(g).tolist():
        if c == bg:
            continue
        try:
            marked = mark_largest_rectangle(g, c, PLACEHOLDER, 2) == PLACEHOLDER
        except ValueError:
            continue
        if marked.sum() > best:
            best, found = int(marked.sum()), (marked, c)
        elif marked.sum() == best:
            found = None
    if found is None:
        raise ValueError("no one largest solid rectangle")
    return np.where(found[0], found[1], bg)


def flood_from_seeds(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Each seed (a cell of a color rarer than the two commonest) floods the area of its neighbours' color."""
    values, counts = np.unique(g, return_counts=True)
    common = set(values[np.argsort(-counts)[:2]].tolist()) | {bg}
    h, w = g.shape
    src = g.tolist()
    out = g.copy()
    owner = np.full(g.shape, -1)
    seeds = [(y, x) for y in range(h) for x in range(w) if src[y][x] not in common]
    if not seeds or len(seeds) > 30:
        raise ValueError("no seeds, or too many")
    for k, (y, x) in enumerate(seeds):
        near = [src[ny][nx] for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1))
                if 0 <= ny < h and 0 <= nx < w and src[ny][nx] in common]
        if not near:
            continue
        medium = max(set(near), key=near.count)
        stack = [(y, x)]
        while stack:
            cy, cx = stack.pop()
            for ny, nx in ((cy - 1, cx), (cy + 1, cx), (cy, cx - 1), (cy, cx + 1)):
                if 0 <= ny < h and 0 <= nx < w and src[ny][nx] == medium and owner[ny, nx] != k:
                    if owner[ny, nx] >= 0 and out[ny, nx] != src[y][x]:
                        raise ValueError("two seeds of different colors flood one area")
                    owner[ny, nx] = k
                    out[ny, nx] = src[y][x]
                    stack.append((ny, nx))
    if (out == g).all():
        raise ValueError("no seed floods anything")
    return out


def holes_across_bands(g: np.ndarray, hole: int = 0) -> np.ndarray:
    """A `hole` cell in a band of color (a part reaching two opposite edges) cuts across it, the short way."""
    h, w = g.shape
    ys, xs = np.nonzero(g == hole)
    if not len(ys) or len(ys) > h * w // 4:
        raise ValueError("no holes in bands")
    out = g.copy()
    for y, x in zip(ys.tolist(), xs.tolist()):
        around = [int(g[y + dy, x + dx]) for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1))
                  if 0 <= y + dy < h and 0 <= x + dx < w and g[y + dy, x + dx] != hole]
        if not around:
            continue
        band = max(set(around), key=around.count)
        part = next(o for o in objects(np.where(g == hole, band, g), 4, False, None) if (y, x) in o.cells)
        across = part.left == 0 and part.right == w - 1
        down = part.top == 0 and part.bottom == h - 1
        if across == down:
            continue  # no band, or one filling the grid: no short way
        inside = part.mask(g.shape)
        if across:
            out[:, x][inside[:, x]] = hole
        else:
            out[y][inside[y]] = hole
    if (out == g).all():
        raise ValueError("no holes in bands")
    return out


def flood_alternating(g: np.ndarray, medium: int = 0) -> np.ndarray:
    """A seed of the two colors rarer than the two commonest floods the `medium` color, the two taking turns."""
    values, counts = np.unique(g, return_counts=True)
    pair = sorted(values[np.argsort(-counts, kind="stable")].tolist()[2:])
    if len(pair) != 2 or medium in pair:
        raise ValueError("the seed needs two colors of its own")
    h, w = g.shape
    out = g.copy()
    frontier = list(zip(*np.nonzero(np.isin(g, pair))))
    if len(frontier) > 20:
        raise ValueError("too many seed cells")
    flooded = False
    while frontier:
        nxt = []
        for y, x in frontier:
            turn = pair[1] if out[y, x] == pair[0] else pair[0]
            for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                if 0 <= ny < h and 0 <= nx < w and out[ny, nx] == medium:
                    out[ny, nx] = turn
                    nxt.append((ny, nx))
                    flooded = True
        frontier = nxt
    if not flooded:
        raise ValueError("the seed touches no cell to flood")
    return out


def corner_ticks(g: np.ndarray, bg: int = 0, color: int = PLACEHOLDER, square: bool = True) -> np.ndarray:
    """Box outlines (objects covering their box's border; `square` boxes only) get the two cells outside each corner."""
    h, w = g.shape
    out = g.copy()
    for o in objects(g, 4, False, bg):
        if min(o.height, o.width) < 2 or (square and o.height != o.width):
            continue
        box = g[o.top:o.bottom + 1, o.left:o.right + 1] == o.color
        if not (box[0].all() and box[-1].all() and box[:, 0].all() and box[:, -1].all()):
            continue
        for y, x, dy, dx in ((o.top, o.left, -1, -1), (o.top, o.right, -1, 1), (o.bottom, o.left, 1, -1),
                             (o.bottom, o.right, 1, 1)):
            for ty, tx in ((y + dy, x), (y, x + dx)):
                if 0 <= ty < h and 0 <= tx < w and g[ty, tx] == bg:
                    out[ty, tx] = color
    if (out == g).all():
        raise ValueError("no box outline with room for ticks")
    return out


def fill_to_corner(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Each of a few (1-4) colored cells fills, in its color, the rectangle between it and its nearest grid corner."""
    h, w = g.shape
    out = g.copy()
    ys, xs = np.nonzero(g != bg)
    if len(ys) == 0 or len(ys) > 4:
        raise ValueError("not a few lone cells")
    for y, x in zip(ys.tolist(), xs.tolist()):
        # The nearest corner along each axis alone; a cell on a middle line has no nearest corner.
        if 2 * y == h - 1 or 2 * x == w - 1:
            raise ValueError("cell on a middle line")
        t, b = (0, y + 1) if 2 * y < h - 1 else (y, h)
        l, r = (0, x + 1) if 2 * x < w - 1 else (x, w)
        out[t:b, l:r] = np.where(out[t:b, l:r] == bg, g[y, x], out[t:b, l:r])
    return out


def spread_rings(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Each ring of cells (a cell's ring: its distance to the edge) takes the one non-background color on it."""
    h, w = g.shape
    ys, xs = np.indices(g.shape)
    ring = np.minimum(np.minimum(ys, xs), np.minimum(h - 1 - ys, w - 1 - xs))
    out = g.copy()
    spread = False
    for k in range(int(ring.max()) + 1):
        on = ring == k
        values = np.unique(g[on & (g != bg)])
        if len(values) > 1:
            raise ValueError(f"ring {k} holds {len(values)} colors")
        if len(values) == 1:
            out[on] = values[0]
            spread = True
    if not spread:
        raise ValueError("no color on any ring")
    return out


def paint_quadrant(g: np.ndarray, color: int, bg: int = 0) -> np.ndarray:
    """The quadrant (of the grid cut in 2x2) holding `color` painted with it, every other cell with bg."""
    h, w = g.shape
    if h % 2 or w % 2:
        raise ValueError("grid does not split into quadrants")
    hy, hx = h // 2, w // 2
    held = [(y, x) for y in (0, hy) for x in (0, hx) if (g[y:y + hy, x:x + hx] == color).any()]
    if len(held) != 1:
        raise ValueError(f"{len(held)} quadrants hold the color")
    out = np.full_like(g, bg)
    y, x = held[0]
    out[y:y + hy, x:x + hx] = color
    return out
