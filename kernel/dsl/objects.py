"""Connected objects: find them, select them, recolor them by what they are.

An object is a connected set of non-background cells: of one color, or of any colors
(`multicolor`), with 4- or 8-neighbourhood. Placeholder colors >= 10 mark cells for a
later `recolor`, which lets one step say "where" and another "which color"."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PLACEHOLDER = 10  # first color outside ARC's 0..9; the search maps it to a real color afterwards

_N4 = ((-1, 0), (1, 0), (0, -1), (0, 1))
_N8 = _N4 + ((-1, -1), (-1, 1), (1, -1), (1, 1))


@dataclass(frozen=True)
class Obj:
    cells: tuple[tuple[int, int], ...]
    colors: tuple[int, ...]           # color of each cell, same order
    top: int
    left: int
    bottom: int                       # inclusive
    right: int

    @property
    def size(self) -> int:
        return len(self.cells)

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1

    @property
    def width(self) -> int:
        return self.right - self.left + 1

    @property
    def color(self) -> int:
        """The most frequent color of the object."""
        values, counts = np.unique(self.colors, return_counts=True)
        return int(values[np.argmax(counts)])

    def mask(self, shape: tuple[int, int]) -> np.ndarray:
        m = np.zeros(shape, dtype=bool)
        ys, xs = zip(*self.cells)
        m[list(ys), list(xs)] = True
        return m

    def shape_key(self) -> tuple:
        """The object's cells relative to its corner (its shape, colors ignored)."""
        return tuple(sorted((y - self.top, x - self.left) for y, x in self.cells))

    def patch(self, bg: int = 0) -> np.ndarray:
        """The object alone, cropped to its bounding box, other cells `bg`."""
        out = np.full((self.height, self.width), bg, dtype=np.int64)
        for (y, x), c in zip(self.cells, self.colors):
            out[y - self.top, x - self.left] = c
        return out


_cache: dict = {}


def objects(g: np.ndarray, connectivity: int = 4, multicolor: bool = False, bg: int | None = 0) -> list[Obj]:
    """Connected objects in reading order of their first cell; `bg=None` counts every color."""
    key = (g.shape, g.tobytes(), g.dtype.str, connectivity, multicolor, bg)
    hit = _cache.get(key)
    if hit is not None:
        return hit
    h, w = g.shape
    rows = g.tolist()
    seen = [[False] * w for _ in range(h)]
    steps = _N8 if connectivity == 8 else _N4
    found = []
    for y0 in range(h):
        for x0 in range(w):
            c0 = rows[y0][x0]
            if seen[y0][x0] or c0 == bg:
                continue
            seen[y0][x0] = True
            stack, cells = [(y0, x0)], []
            while stack:
                y, x = stack.pop()
                cells.append((y, x))
                for dy, dx in steps:
                    ny, nx = y + dy, x + dx
                    if 0 <= ny < h and 0 <= nx < w and not seen[ny][nx]:
                        c = rows[ny][nx]
                        if c != bg and (multicolor or c == c0):
                            seen[ny][nx] = True
                            stack.append((ny, nx))
            cells.sort()
            ys = [c[0] for c in cells]
            xs = [c[1] for c in cells]
            found.append(Obj(tuple(cells), tuple(rows[y][x] for y, x in cells), min(ys), min(xs), max(ys), max(xs)))
    if len(_cache) > 4096:
        _cache.clear()
    _cache[key] = found
    return found


def lone_cells(g: np.ndarray, connectivity: int = 8, multicolor: bool = True,
               bg: int = 0) -> tuple[list[tuple[int, int, int]], np.ndarray]:
    """The one-cell objects as (y, x, color), and a mask of the cells of the bigger ones."""
    lone, bigger = [], np.zeros(g.shape, dtype=bool)
    for o in objects(g, connectivity, multicolor, bg):
        if o.size == 1:
            lone.append((*o.cells[0], o.colors[0]))
        else:
            bigger[o.mask(g.shape)] = True
    return lone, bigger


def _rank_key(selector: str):
    return {
        "largest": lambda o: -o.size,
        "smallest": lambda o: o.size,
        "tallest": lambda o: -o.height,
        "widest": lambda o: -o.width,
        "biggest_box": lambda o: -o.height * o.width,
        "most_colors": lambda o: -len(set(o.colors)),
        "topmost": lambda o: o.top,
        "bottommost": lambda o: -o.bottom,
        "leftmost": lambda o: o.left,
        "rightmost": lambda o: -o.right,
        "densest": lambda o: -o.size / (o.height * o.width),
        "sparsest": lambda o: o.size / (o.height * o.width),
        # the most cells off the object's own main color (e.g. the box with the most dots)
        "most_minority": lambda o: -(o.size - o.colors.count(o.color)),
    }[selector]


SELECTORS = ("largest", "smallest", "tallest", "widest", "biggest_box", "most_colors", "topmost",
             "bottommost", "leftmost", "rightmost", "densest", "sparsest", "most_minority",
             "unique_color", "unique_shape", "common_shape", "symmetric", "asymmetric", "holed", "solid")


def select_object(objs: list[Obj], selector: str) -> Obj:
    """The one object `selector` picks; ValueError when none or a tie makes it ambiguous."""
    if not objs:
        raise ValueError("no objects")
    if selector in ("unique_color", "unique_shape", "common_shape"):
        keyf = (lambda o: o.color) if selector == "unique_color" else (lambda o: o.shape_key())
        groups: dict = {}
        for o in objs:
            groups.setdefault(keyf(o), []).append(o)
        if selector == "common_shape":
            best = max(groups.values(), key=len)
            if sum(len(v) == len(best) for v in groups.values()) > 1:
                raise ValueError("no single most common shape")
            return best[0]
        singles = [v[0] for v in groups.values() if len(v) == 1]
        if len(singles) != 1:
            raise ValueError(f"{len(singles)} objects with a unique {selector[7:]}")
        return singles[0]
    if selector in ("symmetric", "asymmetric", "holed", "solid"):
        want = selector in ("symmetric", "holed")
        test = (lambda o: is_symmetric(o.patch(-1))) if selector.endswith("symmetric") else has_hole
        picked = [o for o in objs if test(o) == want]
        if len(picked) != 1:
            raise ValueError(f"{len(picked)} {selector} objects")
        return picked[0]
    key = _rank_key(selector)
    ranked = sorted(objs, key=key)
    if len(ranked) > 1 and key(ranked[0]) == key(ranked[1]):
        raise ValueError(f"tie for {selector}")
    return ranked[0]


def reachable_from_border(free: np.ndarray) -> np.ndarray:
    """The cells of `free` that reach the grid's border through `free` cells (4-connected)."""
    h, w = free.shape
    seen = np.zeros_like(free)
    stack = [(y, x) for y in range(h) for x in (0, w - 1) if free[y, x]]
    stack += [(y, x) for x in range(w) for y in (0, h - 1) if free[y, x]]
    for y, x in stack:
        seen[y, x] = True
    while stack:
        y, x = stack.pop()
        for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
            if 0 <= ny < h and 0 <= nx < w and free[ny, nx] and not seen[ny, nx]:
                seen[ny, nx] = True
                stack.append((ny, nx))
    return seen


def has_hole(o: Obj) -> bool:
    """Whether the object encloses cells that are not its own."""
    free = np.pad(o.patch(-1) == -1, 1, constant_values=True)  # outside the object, with a free rim
    return bool((free & ~reachable_from_border(free)).any())


def is_symmetric(p: np.ndarray) -> bool:
    """Whether a patch reads the same mirrored left to right or top to bottom."""
    return bool((p == p[:, ::-1]).all() or (p == p[::-1, :]).all())


def crop_object(g: np.ndarray, selector: str, connectivity: int = 4, multicolor: bool = True,
                bg: int = 0) -> np.ndarray:
    """Crop the grid to the bounding box of the object `selector` picks."""
    o = select_object(objects(g, connectivity, multicolor, bg), selector)
    return g[o.top:o.bottom + 1, o.left:o.right + 1].copy()


def crop_most_color(g: np.ndarray, color: int, bg: int = 0) -> np.ndarray:
    """Crop to the object (4-connected, any colors) with the most cells of `color`; ValueError on a tie."""
    objs = objects(g, 4, True, bg)
    counts = [o.colors.count(color) for o in objs]
    if not counts or max(counts) == 0 or counts.count(max(counts)) > 1:
        raise ValueError(f"no one object has the most cells of {color}")
    o = objs[counts.index(max(counts))]
    return g[o.top:o.bottom + 1, o.left:o.right + 1].copy()


def extract_object(g: np.ndarray, selector: str, connectivity: int = 4, multicolor: bool = True,
                   bg: int = 0) -> np.ndarray:
    """The picked object alone on `bg`, cropped to its bounding box (other objects' cells removed)."""
    o = select_object(objects(g, connectivity, multicolor, bg), selector)
    return o.patch(bg)


def keep_object(g: np.ndarray, selector: str, connectivity: int = 4, multicolor: bool = True,
                bg: int = 0) -> np.ndarray:
    """Keep only the picked object in place; everything else becomes `bg`."""
    o = select_object(objects(g, connectivity, multicolor, bg), selector)
    return np.where(o.mask(g.shape), g, bg)


def remove_object(g: np.ndarray, selector: str, connectivity: int = 4, multicolor: bool = True,
                  bg: int = 0) -> np.ndarray:
    """Remove the picked object; everything else stays."""
    o = select_object(objects(g, connectivity, multicolor, bg), selector)
    return np.where(o.mask(g.shape), bg, g)


def mark_object(g: np.ndarray, selector: str, connectivity: int = 4, multicolor: bool = False,
                bg: int = 0) -> np.ndarray:
    """Paint the picked object with the placeholder color, to be recolored later."""
    o = select_object(objects(g, connectivity, multicolor, bg), selector)
    return np.where(o.mask(g.shape), PLACEHOLDER, g)


def mark_half(g: np.ndarray, side: str, bg: int = 0) -> np.ndarray:
    """Each one-color object's `side` half (top, bottom, left, right; no odd middle line) becomes the placeholder."""
    out = g.copy()
    for o in objects(g, 4, False, bg):
        for y, x in o.cells:
            if side in ("top", "bottom"):
                k = o.height // 2
                inside = y < o.top + k if side == "top" else y > o.bottom - k
            else:
                k = o.width // 2
                inside = x < o.left + k if side == "left" else x > o.right - k
            if inside:
                out[y, x] = PLACEHOLDER
    if (out == g).all():
        raise ValueError("no object has two rows or columns")
    return out


def remove_noise(g: np.ndarray, max_size: int = 1, connectivity: int = 8, bg: int = 0) -> np.ndarray:
    """Remove objects (any colors together) of at most `max_size` cells."""
    out = g.copy()
    for o in objects(g, connectivity, True, bg):
        if o.size <= max_size:
            out[o.mask(g.shape)] = bg
    return out


def label_by_size(g: np.ndarray, connectivity: int = 4, bg: int = 0) -> np.ndarray:
    """Each one-color object's cells become PLACEHOLDER + its size (recolor by size later)."""
    out = g.copy()
    for o in objects(g, connectivity, False, bg):
        out[o.mask(g.shape)] = PLACEHOLDER + o.size
    return out


def label_by_size_rank(g: np.ndarray, connectivity: int = 4, bg: int = 0) -> np.ndarray:
    """Each object's cells become PLACEHOLDER + rank of its size (0 = largest; ties share a rank)."""
    objs = objects(g, connectivity, False, bg)
    sizes = sorted({o.size for o in objs}, reverse=True)
    out = g.copy()
    for o in objs:
        out[o.mask(g.shape)] = PLACEHOLDER + sizes.index(o.size)
    return out


def label_by_shape(g: np.ndarray, connectivity: int = 4, bg: int = 0) -> np.ndarray:
    """Objects with the same shape get the same placeholder color, numbered in reading order of first sight."""
    objs = objects(g, connectivity, True, bg)
    shapes: dict = {}
    out = g.copy()
    for o in objs:
        out[o.mask(g.shape)] = PLACEHOLDER + shapes.setdefault(o.shape_key(), len(shapes))
    return out


def label_by_symmetry(g: np.ndarray, bg: int | None = 0, connectivity: int = 8) -> np.ndarray:
    """Objects of 2+ cells become PLACEHOLDER + mirror bits (1 left-right, 2 top-bottom, 4 diagonal); lone cells bg."""
    if bg is None:  # the grid's own background: a task's grids need not share one
        bg = int(np.bincount(g.ravel()).argmax())
    objs = objects(g, connectivity, True, bg)
    if not any(o.size > 1 for o in objs):
        raise ValueError("no object of two or more cells")
    out = g.copy()
    for o in objs:
        ys, xs = np.array(o.cells).T
        if o.size == 1:  # a lone cell has every symmetry, so it tells nothing: noise
            out[ys, xs] = bg
            continue
        p = o.patch(-1)
        bits = int((p == p[:, ::-1]).all()) + 2 * int((p == p[::-1]).all())
        if p.shape[0] == p.shape[1] and ((p == p.T).all() or (p == p[::-1, ::-1].T).all()):
            bits += 4
        out[ys, xs] = PLACEHOLDER + bits
    return out


def label_by_touching_border(g: np.ndarray, connectivity: int = 4, bg: int = 0) -> np.ndarray:
    """Objects touching the grid's border become the placeholder color."""
    h, w = g.shape
    out = g.copy()
    for o in objects(g, connectivity, True, bg):
        if o.top == 0 or o.left == 0 or o.bottom == h - 1 or o.right == w - 1:
            out[o.mask(g.shape)] = PLACEHOLDER
    return out


def count_objects(g: np.ndarray, connectivity: int = 4, multicolor: bool = False, bg: int = 0) -> int:
    """Number of objects."""
    return len(objects(g, connectivity, multicolor, bg))



def swap_object_colors(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Each object (8-connected) of exactly two colors has them exchanged."""
    out = g.copy()
    swapped = False
    for o in objects(g, 8, True, bg):
        pair = sorted(set(o.colors))
        if len(pair) != 2:
            continue
        ys, xs = np.array(o.cells).T
        out[ys, xs] = np.where(g[ys, xs] == pair[0], pair[1], pair[0])
        swapped = True
    if not swapped:
        raise ValueError("no object of two colors")
    return out


def take_nearest_color(g: np.ndarray, color: int, bg: int = 0) -> np.ndarray:
    """Each object of `color` takes the color of the nearest cell of another color (left alone on a tie)."""
    ys, xs = np.nonzero((g != bg) & (g != color))
    if len(ys) == 0:
        raise ValueError("no other color to take")
    out = g.copy()
    for o in objects(np.where(g == color, color, bg), 8, False, bg):
        cy, cx = np.array(o.cells).T
        dist = np.abs(cy[:, None] - ys[None, :]) + np.abs(cx[:, None] - xs[None, :])
        near = set(g[ys, xs][(dist == dist.min()).any(axis=0)].tolist())
        if len(near) == 1:
            out[cy, cx] = near.pop()
    if (out == g).all():
        raise ValueError("no object of that color has one nearest color")
    return out


def recolor_like_framed(g: np.ndarray, frame: int, to_frame: bool = False, closed: bool = False,
                        bg: int = 0) -> np.ndarray:
    """Objects shaped like one in the box of a `frame`-colored object (`closed`: shut in by it) take its color."""
    boxes = objects(np.where(g == frame, frame, bg), 8, False, bg)
    if not boxes:
        raise ValueError("no frame")
    shut_in = ~reachable_from_border(g != frame) if closed else None
    inside, outside = [], []
    for o in objects(np.where(g == frame, bg, g), 8, False, bg):
        if closed:
            held = bool(shut_in[o.cells[0]])
        else:
            held = any(b.top <= o.top and o.bottom <= b.bottom and b.left <= o.left and o.right <= b.right
                       for b in boxes)
        (inside if held else outside).append(o)
    shapes = {}
    for o in inside:
        shapes.setdefault((o.patch(-1) >= 0).tobytes() + bytes((o.height, o.width)), set()).add(o.colors[0])
    out = g.copy()
    for o in outside:
        colors = shapes.get((o.patch(-1) >= 0).tobytes() + bytes((o.height, o.width)))
        if colors and len(colors) == 1:
            ys, xs = np.array(o.cells).T
            out[ys, xs] = frame if to_frame else next(iter(colors))
    if (out == g).all():
        raise ValueError("no object shaped like a framed one")
    return out


def label_in_turn(g: np.ndarray, k: int = 2, bg: int = 0) -> np.ndarray:
    """Objects in a line (each row, or else each column, crossing one at most) take k placeholder colors in turn."""
    objs = objects(g, 8, True, bg)
    if len(objs) <= k:
        raise ValueError("too few objects to take the colors in turn")
    for lo, hi in (("top", "bottom"), ("left", "right")):
        ranked = sorted(objs, key=lambda o: getattr(o, lo))
        if all(getattr(a, hi) < getattr(b, lo) for a, b in zip(ranked, ranked[1:])):
            break
    else:
        raise ValueError("the objects share rows and columns: no line to follow")
    out = g.copy()
    for i, o in enumerate(ranked):
        out[o.mask(g.shape)] = PLACEHOLDER + i % k
    return out


def mark_contained(g: np.ndarray, bg: int = 0, color: int = PLACEHOLDER) -> np.ndarray:
    """Objects (one color, 8-connected) lying wholly in the box of an object of another color become `color`."""
    objs = objects(g, 8, False, bg)
    if len(objs) < 2:
        raise ValueError("fewer than two objects")
    # Boxes and colors as arrays: noisy grids have hundreds of objects, too many for a pairwise Python loop.
    t, l, b, r, c = np.array([(o.top, o.left, o.bottom, o.right, o.colors[0]) for o in objs]).T
    out = g.copy()
    for i, o in enumerate(objs):
        if ((t <= o.top) & (o.bottom <= b) & (l <= o.left) & (o.right <= r) & (c != c[i])).any():
            ys, xs = np.array(o.cells).T
            out[ys, xs] = color
    if (out == g).all():
        raise ValueError("no object lies inside another's box")
    return out


def turn_objects(g: np.ndarray, clockwise: bool = True, bg: int = 0) -> np.ndarray:
    """Each one-color object (4-connected) turns a quarter about its own center, which must fall on a cell or corner."""
    h, w = g.shape
    objs = objects(g, 4, False, bg)
    if not objs:
        raise ValueError("no objects")
    out = np.full_like(g, bg)
    for o in objs:
        if (o.height - o.width) % 2:
            raise ValueError("a center between lattice points: the turned object would straddle cells")
        ys, xs = np.array(o.cells).T
        # Doubled coordinates keep the center, and so the turn, in integers.
        cy2, cx2 = o.top + o.bottom, o.left + o.right
        dy2, dx2 = 2 * ys - cy2, 2 * xs - cx2
        ny, nx = ((cy2 + dx2) // 2, (cx2 - dy2) // 2) if clockwise else ((cy2 - dx2) // 2, (cx2 + dy2) // 2)
        if ny.min() < 0 or nx.min() < 0 or ny.max() >= h or nx.max() >= w:
            raise ValueError("a turned object leaves the grid")
        if ((out[ny, nx] != bg) & (out[ny, nx] != o.colors[0])).any():
            raise ValueError("turned objects collide")
        out[ny, nx] = o.colors[0]
    if (out == g).all():
        raise ValueError("every object looks the same turned")
    return out


def absorb_markers(g: np.ndarray, color: int, bg: int = 0) -> np.ndarray:
    """Each `color` object (4-connected) takes the color of the marker cells it touches, and every marker is erased."""
    if color == bg or not (g == color).any():
        raise ValueError("no object of that color")
    marker = (g != color) & (g != bg)
    if not marker.any():
        raise ValueError("no marker cells")
    h, w = g.shape
    out = np.where(marker, bg, g)
    absorbed = False
    for o in objects(np.where(marker, bg, g), 4, False, bg):
        touched = {int(g[y + dy, x + dx]) for y, x in o.cells for dy, dx in _N4
                   if 0 <= y + dy < h and 0 <= x + dx < w and marker[y + dy, x + dx]}
        if len(touched) > 1:
            raise ValueError("an object touches markers of two colors")
        if touched:
            ys, xs = np.array(o.cells).T
            out[ys, xs] = touched.pop()
            absorbed = True
    if not absorbed:
        raise ValueError("no object touches a marker")
    return out
