"""Cell rules: each output cell is a function of a few features of the input cell
(its color, its neighbours' colors, the first color seen in a direction, parities, and what
the object it belongs to is: its size, rank, colors, holes, whether it touches the border or
has a shape no other object has), given as a lookup table learned from examples."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

OUTSIDE = 11   # feature value for "beyond the edge" / "nothing in that direction"

_OFFSETS = {"n": (-1, 0), "s": (1, 0), "w": (0, -1), "e": (0, 1),
            "nw": (-1, -1), "ne": (-1, 1), "sw": (1, -1), "se": (1, 1)}

CELL_FEATURES = ("self", "n", "s", "w", "e", "nw", "ne", "sw", "se",
                 "ray_n", "ray_s", "ray_w", "ray_e", "row_parity", "col_parity", "n4", "n8",
                 "row_color", "col_color")
# Features of the object a cell belongs to (non-background cells, 8-connected, any colors;
# "size4" is the cell's one-color 4-connected part). Background cells read 0, except for
# "enclosed", which is about background: 1 where it cannot reach the border, 0 where it
# can, 2 on objects.
OBJECT_FEATURES = ("size4", "obj_size", "obj_rank", "obj_colors", "obj_major", "obj_minor", "holes",
                   "touches_border", "unique_shape", "enclosed")
# Where a cell sits in a repeat of three, or of two counted from the bottom or right edge: learned only
# together with the cell's own color (see search.finishers._rule_combos), as every third cell recolored.
POSITION_FEATURES = ("row_mod3", "col_mod3", "row_parity_b", "col_parity_r")
# Learned only together with the cell's own color too:
# "in_box": the color whose cells' bounding box holds the cell (the smallest such box, of a color not the cell's
#   own), as the cells inside a marked rectangle recolored;
# "depth", "depth_parity": how many rings deep the cell lies in its one-color area (1 on its rim: a cell of
#   another color or the grid's edge among its eight neighbours), and whether that is odd, as rings drawn inside
#   frames.
# "n4_same", "n8_same": how many of the cell's four (eight) neighbours share its color, as a rectangle's
#   corners, sides and inside told apart.
REGION_FEATURES = ("in_box", "depth", "depth_parity", "n4_same", "n8_same")
FEATURES = CELL_FEATURES + OBJECT_FEATURES + POSITION_FEATURES + REGION_FEATURES


def _ray(g: np.ndarray, dy: int, dx: int, bg: int) -> np.ndarray:
    """Color of the first non-background cell strictly beyond each cell in direction (dy, dx)."""
    h, w = g.shape
    out = np.full((h, w), OUTSIDE, dtype=np.int64)
    ys = range(h - 1, -1, -1) if dy > 0 else range(h)
    xs = range(w - 1, -1, -1) if dx > 0 else range(w)
    if dy:
        for y in ys:
            prev_y = y + dy
            if 0 <= prev_y < h:
                out[y] = np.where(g[prev_y] != bg, g[prev_y], out[prev_y])
    else:
        for x in xs:
            prev_x = x + dx
            if 0 <= prev_x < w:
                out[:, x] = np.where(g[:, prev_x] != bg, g[:, prev_x], out[:, prev_x])
    return out


def _framed(g: np.ndarray, value: int) -> np.ndarray:
    """`g` inside a one-cell frame of `value` (np.pad's result, without its cost per call: features
    frame every grid the search meets)."""
    out = np.full((g.shape[0] + 2, g.shape[1] + 2), value, dtype=np.result_type(g.dtype, np.min_scalar_type(value)))
    out[1:-1, 1:-1] = g
    return out


def _line_color(g: np.ndarray, bg: int, axis: int) -> np.ndarray:
    """The one non-background color of a row (axis=1) or column (axis=0); OUTSIDE if none or several."""
    fg = g != bg
    values = np.unique(g[fg])
    if not len(values):
        return np.full(g.shape, OUTSIDE, dtype=np.int64)
    present = ((g[..., None] == values) & fg[..., None]).any(axis=axis)  # per line, which colors it has
    color = np.where(present.sum(axis=1) == 1, values[present.argmax(axis=1)], OUTSIDE).astype(np.int64)
    return np.broadcast_to(color[:, None] if axis == 1 else color[None, :], g.shape).copy()


def _labels(g: np.ndarray, connectivity: int, multicolor: bool, bg: int) -> tuple[np.ndarray, int]:
    """Each cell's index among objects(g, ...) (-1 on background), and how many there are."""
    from .objects import objects
    found = objects(g, connectivity, multicolor, bg)
    label = np.full(g.shape, -1, dtype=np.int64)
    for i, o in enumerate(found):
        ys, xs = zip(*o.cells)
        label[list(ys), list(xs)] = i
    return label, len(found)


_object_cache: dict = {}


def _remember(key: tuple, value):
    """Keep a grid's costly features for the next call on the same grid, within a bound."""
    if len(_object_cache) > 1024:
        _object_cache.clear()
    _object_cache[key] = value
    return value


def _object_features(g: np.ndarray, bg: int) -> dict[str, np.ndarray]:
    """Every OBJECT_FEATURES grid of `g` at once (they share the labelling), cached per grid."""
    key = (g.shape, g.tobytes(), bg)
    hit = _object_cache.get(key)
    if hit is not None:
        return hit
    h, w = g.shape
    fg = g != bg
    part, _ = _labels(g, 4, False, bg)
    sizes = np.bincount(part[fg], minlength=1) if fg.any() else np.zeros(1, np.int64)
    out = {"size4": np.where(fg, np.minimum(sizes[np.maximum(part, 0)], 15), 0)}
    obj, n = _labels(g, 8, True, bg)
    outside, _ = _labels(fg.astype(np.int64), 4, False, 1)  # the background's own parts
    border_bg = set(np.unique(np.concatenate([outside[0], outside[-1], outside[:, 0], outside[:, -1]])).tolist())
    enclosed_bg = (~fg) & ~np.isin(outside, list(border_bg))
    feats = {f: np.zeros(n, dtype=np.int64) for f in OBJECT_FEATURES[1:-1]}
    obj_sizes = np.bincount(obj[fg], minlength=n) if n else np.zeros(0, np.int64)
    shapes = []
    for i in range(n):
        m = obj == i
        ys, xs = np.nonzero(m)
        colors, counts = np.unique(g[m], return_counts=True)
        feats["obj_size"][i] = min(int(obj_sizes[i]), 15)
        feats["obj_colors"][i] = len(colors)
        feats["obj_major"][i] = int(colors[np.argmax(counts)])
        feats["obj_minor"][i] = int(colors[np.argmin(counts)])
        t, b, l, r = ys.min(), ys.max(), xs.min(), xs.max()
        feats["touches_border"][i] = int(t == 0 or l == 0 or b == h - 1 or r == w - 1)
        box = m[t:b + 1, l:r + 1]
        # A box under three cells across, or with no free cell, has no hole: most objects, and
        # the labelling below is the costliest part of the features.
        if min(box.shape) >= 3 and not box.all():
            rim = _framed(~box, True)
            _, free_parts = _labels(rim.astype(np.int64), 4, False, 0)
            feats["holes"][i] = min(free_parts - 1, 15)  # all but the part outside the object
        shapes.append(box.tobytes() + bytes(box.shape))
    if n:
        big, small = obj_sizes.max(), obj_sizes.min()
        feats["obj_rank"] = np.where(obj_sizes == big, 1, np.where(obj_sizes == small, 2, 3))
        feats["unique_shape"] = np.array([int(shapes.count(s) == 1) for s in shapes], dtype=np.int64)
    for f, per_obj in feats.items():
        out[f] = np.where(fg, per_obj[np.maximum(obj, 0)] if n else 0, 0)
    out["enclosed"] = np.where(fg, 2, enclosed_bg.astype(np.int64))
    return _remember(key, out)


def _in_box(g: np.ndarray, bg: int) -> np.ndarray:
    out = np.full(g.shape, OUTSIDE, dtype=np.int64)
    area = np.full(g.shape, g.size + 1)
    fy, fx = np.nonzero(g != bg)
    for c in np.unique(g).tolist():
        if c == bg:
            continue
        ys, xs = np.nonzero(g == c)
        t, b, l, r = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        if (t, b, l, r) == (fy.min(), fy.max() + 1, fx.min(), fx.max() + 1):
            continue  # a color spread over everything (noise, a pattern) marks out no region
        size = (b - t) * (r - l)
        region = np.zeros(g.shape, dtype=bool)
        region[t:b, l:r] = True
        take = region & (g != c) & (size < area)
        out[take], area[take] = c, size
    return out


def _depth(g: np.ndarray) -> np.ndarray:
    key = (g.shape, g.tobytes(), "depth")
    hit = _object_cache.get(key)
    if hit is not None:
        return hit
    depth = np.ones(g.shape, dtype=np.int64)
    inner = np.ones(g.shape, dtype=bool)
    for _ in range(14):
        p = _framed(np.where(inner, g, -1), -1)
        # A cell stays inner while its eight neighbours are inner cells of its own color.
        inner = np.logical_and.reduce([p[1 + dy:1 + dy + g.shape[0], 1 + dx:1 + dx + g.shape[1]] == g
                                       for dy in (-1, 0, 1) for dx in (-1, 0, 1)])
        if not inner.any():
            break
        depth += inner
    return _remember(key, depth)


def feature(g: np.ndarray, name: str, bg: int = 0) -> np.ndarray:
    """One feature (see FEATURES) of every cell, as a grid of small integers."""
    h, w = g.shape
    if name == "self":
        return g.astype(np.int64)
    if name in _OFFSETS:
        dy, dx = _OFFSETS[name]
        p = _framed(g.astype(np.int64), OUTSIDE)
        return p[1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
    if name.startswith("ray_"):
        dy, dx = _OFFSETS[name[4:]]
        return _ray(g, dy, dx, bg)
    if name == "row_parity":
        return np.repeat((np.arange(h) % 2)[:, None], w, axis=1)
    if name == "col_parity":
        return np.repeat((np.arange(w) % 2)[None, :], h, axis=0)
    if name in POSITION_FEATURES:
        period = 3 if name.endswith("mod3") else 2
        rows, cols = np.indices((h, w))
        if name.endswith("_b") or name.endswith("_r"):
            rows, cols = h - 1 - rows, w - 1 - cols
        return (rows if name.startswith("row") else cols) % period
    if name in ("n4_same", "n8_same"):
        p = _framed(g.astype(np.int64), -1)
        offsets = list(_OFFSETS.values())[:4 if name == "n4_same" else 8]
        return sum((p[1 + dy:1 + dy + h, 1 + dx:1 + dx + w] == g).astype(np.int64) for dy, dx in offsets)
    if name in ("n4", "n8"):
        nb = _framed(g != bg, False).astype(np.int64)
        total = nb[:-2, 1:-1] + nb[2:, 1:-1] + nb[1:-1, :-2] + nb[1:-1, 2:]
        if name == "n8":
            total = total + nb[:-2, :-2] + nb[:-2, 2:] + nb[2:, :-2] + nb[2:, 2:]
        return total
    if name == "row_color":
        return _line_color(g, bg, 1)
    if name == "col_color":
        return _line_color(g, bg, 0)
    if name in OBJECT_FEATURES:
        return _object_features(g, bg)[name]
    if name == "in_box":
        return _in_box(g, bg)
    if name in ("depth", "depth_parity"):
        depth = _depth(g)
        return depth % 2 if name == "depth_parity" else depth
    raise ValueError(f"unknown feature {name}")


def cell_rule(g: np.ndarray, features: Sequence[str], table: Mapping[tuple, int], bg: int = 0) -> np.ndarray:
    """Each cell becomes table[(feature values...)]; a cell whose values are not in the table keeps its color."""
    cols = [feature(g, f, bg) for f in features]
    out = g.copy()
    h, w = g.shape
    for y in range(h):
        for x in range(w):
            v = table.get(tuple(int(c[y, x]) for c in cols))
            if v is not None:
                out[y, x] = v
    return out
