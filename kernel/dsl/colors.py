"""Colors: mapping, replacing, filtering and ranking colors."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from .objects import objects


def recolor(g: np.ndarray, mapping: Mapping[int, int]) -> np.ndarray:
    """Map colors through `mapping`; colors not in it stay as they are."""
    lut = np.arange(max(16, int(g.max()) + 1, max(mapping, default=0) + 1))
    for a, b in mapping.items():
        lut[a] = b
    return lut[g]


def replace_color(g: np.ndarray, old: int, new: int) -> np.ndarray:
    """Replace every cell of color `old` with `new`."""
    return np.where(g == old, new, g)


def keep_color(g: np.ndarray, color: int, bg: int = 0) -> np.ndarray:
    """Keep only the cells of `color`; everything else becomes `bg`."""
    return np.where(g == color, g, bg)


def remove_color(g: np.ndarray, color: int, bg: int = 0) -> np.ndarray:
    """Turn the cells of `color` into `bg`."""
    return np.where(g == color, bg, g)


def color_counts(g: np.ndarray) -> dict[int, int]:
    """Number of cells of each color present."""
    values, counts = np.unique(g, return_counts=True)
    return {int(v): int(c) for v, c in zip(values, counts)}


def colors_by_count(g: np.ndarray, bg: int | None = 0) -> list[int]:
    """Colors present (except `bg`), most frequent first, ties by color value."""
    counts = color_counts(g)
    counts.pop(bg, None)
    return sorted(counts, key=lambda c: (-counts[c], c))


def most_common_color(g: np.ndarray, bg: int | None = 0) -> int:
    """The most frequent color other than `bg` (bg itself if nothing else is there)."""
    ranked = colors_by_count(g, bg)
    return ranked[0] if ranked else (bg if bg is not None else 0)


def least_common_color(g: np.ndarray, bg: int | None = 0) -> int:
    """The least frequent color other than `bg` (bg itself if nothing else is there)."""
    ranked = colors_by_count(g, bg)
    return ranked[-1] if ranked else (bg if bg is not None else 0)


def keep_most_common(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Keep only the most frequent non-background color."""
    return keep_color(g, most_common_color(g, bg), bg)


def keep_least_common(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Keep only the least frequent non-background color."""
    return keep_color(g, least_common_color(g, bg), bg)


def swap_most_least(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Exchange the most and the least frequent non-background colors."""
    a, b = most_common_color(g, bg), least_common_color(g, bg)
    return np.where(g == a, b, np.where(g == b, a, g))


def binarize(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """1 where a cell is not `bg`, 0 elsewhere."""
    return (g != bg).astype(g.dtype)


def paint_nonzero(g: np.ndarray, color: int, bg: int = 0) -> np.ndarray:
    """Every non-background cell becomes `color`."""
    return np.where(g != bg, color, bg).astype(g.dtype)


def unify_colors(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Every non-background cell takes the most frequent non-background color."""
    return paint_nonzero(g, most_common_color(g, bg), bg)


def recolor_from_lines(g: np.ndarray, axis: int = 1, bg: int = 0, per_object: bool = False) -> np.ndarray:
    """Cells or objects of the commonest non-background color take the one other color of their rows (or columns)."""
    ranked = colors_by_count(g, bg)
    if len(ranked) < 2:
        raise ValueError("fewer than two non-background colors")
    target = ranked[0]
    out = g.copy()
    if per_object:
        for o in objects(g, 4, False, bg):
            if o.color != target:
                continue
            span = g[o.top:o.bottom + 1, :] if axis == 1 else g[:, o.left:o.right + 1]
            others = set(np.unique(span).tolist()) - {bg, target}
            if len(others) == 1:
                out[o.mask(g.shape)] = others.pop()
    else:
        lines = out if axis == 1 else out.T  # a view: painting it paints `out`
        for line in lines:
            others = set(np.unique(line).tolist()) - {bg, target}
            if len(others) == 1:
                line[line == target] = others.pop()
    if (out == g).all():
        raise ValueError("no line has a single other color")
    return out


def complement_lines(g: np.ndarray, axis: int = 1, bg: int = 0) -> np.ndarray:
    """Each row (axis 1) or column swaps figure and ground: its commonest color where it was not, `bg` where it was."""
    out = np.full_like(g, bg)
    lines, painted = (g, out) if axis == 1 else (g.T, out.T)  # `painted` is a view: painting it paints `out`
    for line, target in zip(lines, painted):
        values = line[line != bg]
        if values.size == 0:
            raise ValueError("a line without color")
        commonest = int(np.bincount(values).argmax())
        target[line != commonest] = commonest
    return out


def pair_keys(g: np.ndarray, bg: int = 0) -> list:
    """Keys of color pairs: full blocks two cells wide (or tall), as (object, rows of (first, second) colors)."""
    keys = []
    for o in objects(g, 4, True, bg):
        if o.size != o.height * o.width or min(o.height, o.width) != 2:
            continue
        block = g[o.top:o.bottom + 1, o.left:o.right + 1]
        pairs = block if o.width == 2 else block.T  # a 2x2 key reads by rows
        if (pairs[:, 0] != pairs[:, 1]).any():
            keys.append((o, pairs))
    return keys


def recolor_by_pairs(g: np.ndarray, bg: int | None = 0) -> np.ndarray:
    """A key of color pairs (a full block two cells wide, or tall) recolors the rest: each first color to its second."""
    if bg is None:  # the grid's own background: a task's grids need not share one
        bg = most_common_color(g, None)
    keys = pair_keys(g, bg)
    if len(keys) != 1:
        raise ValueError("not exactly one key of color pairs")
    o, pairs = keys[0]
    rest = ~o.mask(g.shape)
    out = g.copy()
    for a, b in pairs.tolist():  # in turn, so that pairs can chain (a to b, then b to c)
        out[rest & (out == a)] = b
    return out
