"""Stamps: a small pattern, one per marker color, drawn around every cell of that color
(the pattern is learned from the train pairs by the search's `infer_stamp` finisher)."""

from __future__ import annotations

from typing import Mapping

import numpy as np


def stamp(g: np.ndarray, patterns: Mapping[int, Mapping[tuple[int, int], int]], bg: int = 0) -> np.ndarray:
    """Around every cell of color c, paint patterns[c] ({(dy, dx): color}) on background cells ((0, 0): on the cell)."""
    out = g.copy()
    h, w = g.shape
    for c, pattern in patterns.items():
        ys, xs = np.nonzero(g == c)
        for (dy, dx), color in pattern.items():
            ty, tx = ys + dy, xs + dx
            ok = (ty >= 0) & (ty < h) & (tx >= 0) & (tx < w)
            ty, tx = ty[ok], tx[ok]
            free = g[ty, tx] == bg if (dy, dx) != (0, 0) else np.ones(len(ty), dtype=bool)
            out[ty[free], tx[free]] = color
    return out
