"""Gravity: non-background cells fall in a direction until they meet the edge or each other."""

from __future__ import annotations

import numpy as np

from .geometry import rot90, rot180, rot270

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
    from .objects import objects
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
