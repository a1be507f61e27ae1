"""Cell rules: each output cell is a function of a few features of the input cell
(its color, its neighbours' colors, the first color seen in a direction, parities),
given as a lookup table learned from examples."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

OUTSIDE = 11   # feature value for "beyond the edge" / "nothing in that direction"

_OFFSETS = {"n": (-1, 0), "s": (1, 0), "w": (0, -1), "e": (0, 1),
            "nw": (-1, -1), "ne": (-1, 1), "sw": (1, -1), "se": (1, 1)}

FEATURES = ("self", "n", "s", "w", "e", "nw", "ne", "sw", "se",
            "ray_n", "ray_s", "ray_w", "ray_e", "row_parity", "col_parity", "n4", "n8",
            "row_color", "col_color")


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


def _line_color(g: np.ndarray, bg: int, axis: int) -> np.ndarray:
    """The one non-background color of a row (axis=1) or column (axis=0); OUTSIDE if none or several."""
    h, w = g.shape
    out = np.full((h, w), OUTSIDE, dtype=np.int64)
    n = h if axis == 1 else w
    for i in range(n):
        line = g[i] if axis == 1 else g[:, i]
        colors = set(np.unique(line[line != bg]).tolist())
        if len(colors) == 1:
            if axis == 1:
                out[i, :] = colors.pop()
            else:
                out[:, i] = colors.pop()
    return out


def feature(g: np.ndarray, name: str, bg: int = 0) -> np.ndarray:
    """One feature (see FEATURES) of every cell, as a grid of small integers."""
    h, w = g.shape
    if name == "self":
        return g.astype(np.int64)
    if name in _OFFSETS:
        dy, dx = _OFFSETS[name]
        p = np.pad(g.astype(np.int64), 1, constant_values=OUTSIDE)
        return p[1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
    if name.startswith("ray_"):
        dy, dx = _OFFSETS[name[4:]]
        return _ray(g, dy, dx, bg)
    if name == "row_parity":
        return np.repeat((np.arange(h) % 2)[:, None], w, axis=1)
    if name == "col_parity":
        return np.repeat((np.arange(w) % 2)[None, :], h, axis=0)
    if name in ("n4", "n8"):
        nb = np.pad(g != bg, 1, constant_values=False).astype(np.int64)
        total = nb[:-2, 1:-1] + nb[2:, 1:-1] + nb[1:-1, :-2] + nb[1:-1, 2:]
        if name == "n8":
            total = total + nb[:-2, :-2] + nb[:-2, 2:] + nb[2:, :-2] + nb[2:, 2:]
        return total
    if name == "row_color":
        return _line_color(g, bg, 1)
    if name == "col_color":
        return _line_color(g, bg, 0)
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
