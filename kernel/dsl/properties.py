"""What an object is, as a value a table can be keyed on: its size, its shape (as drawn, or up to
rotation and reflection), whether it is a solid box, how it ranks by size, how many objects share
its shape or color. `recolor_by_property` recolors whole objects by such a table, with a default
for values no example showed (e.g. "objects of six cells red, every other blue"); `recolor_areas`
does the same for background areas, and `crop_by_property` crops to the one object with a value."""

from __future__ import annotations

from functools import lru_cache
from typing import Mapping

import numpy as np

from .objects import Obj, has_hole, is_symmetric, objects, reachable_from_border

PROPERTIES = ("size_extreme", "size", "height", "width", "shape", "shape_class", "solid_box", "bends", "size_rank",
              "size_rank_up", "shape_count", "color_count", "twin", "holes", "touches_border", "symmetric", "n_colors",
              "color")


def _shape(o: Obj) -> tuple:
    return (o.height, o.width) + o.shape_key()


def _shape_class(o: Obj) -> tuple:
    return _class_of(_shape(o))


def _bends(o: Obj) -> int:
    """How many cells turn a corner: a neighbour above or below and one beside (a line 0, an L 1, a U 2)."""
    cells = set(o.cells)
    n = sum(((y - 1, x) in cells or (y + 1, x) in cells) and ((y, x - 1) in cells or (y, x + 1) in cells)
            for y, x in o.cells)
    return min(n, 4)


def _holes(o: Obj) -> bool:
    if min(o.height, o.width) < 3 or o.size == o.height * o.width:
        return False  # nothing can be enclosed: most objects, and the check is a flood fill
    return _holed(_shape(o))


@lru_cache(maxsize=4096)
def _holed(shape: tuple) -> bool:
    h, w = shape[:2]
    return has_hole(Obj(shape[2:], (1,) * len(shape[2:]), 0, 0, h - 1, w - 1))


@lru_cache(maxsize=4096)
def _class_of(shape: tuple) -> tuple:
    """The shape up to the eight rotations and reflections (the smallest of their encodings)."""
    m = np.zeros(shape[:2], dtype=np.int8)
    for y, x in shape[2:]:
        m[y, x] = 1
    forms = []
    for k in range(4):
        r = np.rot90(m, k)
        for f in (r, r[:, ::-1]):
            forms.append(f.shape + tuple(np.flatnonzero(f).tolist()))
    return min(forms)


def property_values(g: np.ndarray, prop: str, connectivity: int = 4, multicolor: bool = False,
                    bg: int = 0) -> list[tuple[Obj, object]]:
    """Each object of `g` with its value of `prop` (one of PROPERTIES, or two joined by "+": a pair of values)."""
    if "+" in prop:
        first, second = prop.split("+")
        return [(o, (a, b)) for (o, a), (_, b) in zip(property_values(g, first, connectivity, multicolor, bg),
                                                      property_values(g, second, connectivity, multicolor, bg))]
    objs = objects(g, connectivity, multicolor, bg)
    h, w = g.shape
    if prop == "size_extreme":
        sizes = [o.size for o in objs]
        return [(o, "largest" if o.size == max(sizes) else "smallest" if o.size == min(sizes) else "between")
                for o in objs]
    if prop in ("size_rank", "size_rank_up"):
        sizes = sorted({o.size for o in objs}, reverse=prop == "size_rank")
        return [(o, sizes.index(o.size)) for o in objs]
    if prop == "twin":  # another object of another color has this one's shape
        shapes: dict = {}
        for o in objs:
            shapes.setdefault(_shape(o), set()).add(o.color)
        return [(o, len(shapes[_shape(o)]) > 1) for o in objs]
    if prop in ("shape_count", "color_count"):
        keys = [_shape(o) if prop == "shape_count" else o.color for o in objs]
        return [(o, min(keys.count(k), 3)) for o, k in zip(objs, keys)]
    one = {
        "size": lambda o: o.size,
        "height": lambda o: o.height,
        "width": lambda o: o.width,
        "shape": _shape,
        "shape_class": _shape_class,
        "solid_box": lambda o: o.size == o.height * o.width,
        "bends": _bends,
        "holes": _holes,
        "touches_border": lambda o: o.top == 0 or o.left == 0 or o.bottom == h - 1 or o.right == w - 1,
        "symmetric": lambda o: is_symmetric(o.patch(-1)),
        "n_colors": lambda o: len(set(o.colors)),
        "color": lambda o: o.color,
    }[prop]
    return [(o, one(o)) for o in objs]


def minority_color(o: Obj) -> int:
    """The object's least frequent color (the first in reading order among equals)."""
    counts = {c: o.colors.count(c) for c in o.colors}
    return min(counts, key=counts.get)


def recolor_by_property(g: np.ndarray, prop: str, table: Mapping, default: int | str | None = None,
                        connectivity: int = 4, multicolor: bool = False, bg: int = 0) -> np.ndarray:
    """Each object becomes color table[its prop value], else `default`: None keeps it, "minor" its rarest color."""
    return _paint(g, property_values(g, prop, connectivity, multicolor, bg), table, default)


def recolor_areas(g: np.ndarray, prop: str, table: Mapping, default: int | None = None, bg: int = 0) -> np.ndarray:
    """Each background area (4-connected) becomes color table[its prop value], else `default` (None: stays)."""
    return _paint(g, property_values(np.where(g == bg, 1, 0), prop, 4, False, 0), table, default)


def _paint(g: np.ndarray, valued: list[tuple[Obj, object]], table: Mapping, default) -> np.ndarray:
    """`g` with each object's cells in table[its value], else `default` (None: untouched, "minor": its rarest color)."""
    out = g.copy()
    for o, value in valued:
        color = table[value] if value in table else default
        if color == "minor":
            color = minority_color(o)
        if color is not None:
            ys, xs = zip(*o.cells)
            out[list(ys), list(xs)] = color
    return out


def crop_by_property(g: np.ndarray, prop: str, value, connectivity: int = 8, multicolor: bool = True,
                     bg: int = 0) -> np.ndarray:
    """Crop to the bounding box of the one object whose `prop` is `value`; ValueError unless exactly one is."""
    picked = [o for o, v in property_values(g, prop, connectivity, multicolor, bg) if v == value]
    if len(picked) != 1:
        raise ValueError(f"{len(picked)} objects with {prop} {value!r}")
    o = picked[0]
    return g[o.top:o.bottom + 1, o.left:o.right + 1].copy()


GRID_TESTS = ("symmetric_lr", "symmetric_ud", "symmetric", "enclosed", "connected", "joined")


def holds(g: np.ndarray, test: str, bg: int = 0, color: int | None = None) -> np.ndarray:
    """[[1]] if the grid passes `test` (see GRID_TESTS; "joined": all `color` cells in one object), else [[0]]."""
    if test == "symmetric_lr":
        ok = (g == g[:, ::-1]).all()
    elif test == "symmetric_ud":
        ok = (g == g[::-1]).all()
    elif test == "symmetric":
        ok = (g == g[:, ::-1]).all() or (g == g[::-1]).all() or (g == g[::-1, ::-1]).all() \
            or (g.shape[0] == g.shape[1] and ((g == g.T).all() or (g == g[::-1, ::-1].T).all()))
    elif test == "enclosed":
        free = g == bg
        ok = (free & ~reachable_from_border(free)).any()
    elif test in ("connected", "joined"):
        objs = objects(g, 8, True, bg)
        if test == "connected":
            ok = len(objs) == 1
        else:
            holding = [o for o in objs if color in o.colors]
            if not holding:
                raise ValueError(f"no cell of color {color}")
            ok = len(holding) == 1
    else:
        raise ValueError(f"unknown test {test}")
    return np.array([[int(bool(ok))]], dtype=np.int64)
