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


def attract(g: np.ndarray, anchor: int, bg: int = 0) -> np.ndarray:
    """Objects not of color `anchor` slide straight toward the `anchor`-colored cells until they touch them."""
    from .objects import objects
    target = g == anchor
    if not target.any():
        raise ValueError("no anchor cells")
    ty, tx = np.nonzero(target)
    out = np.where(target, g, bg)
    moved = False
    for o in objects(g, 8, True, bg):
        if anchor in o.colors:
            continue
        # The side of the anchor the object is on decides the direction; it must face the anchor.
        if o.bottom < ty.min() and (tx >= o.left).any() and (tx <= o.right).any():
            dy, dx = 1, 0
        elif o.top > ty.max() and (tx >= o.left).any() and (tx <= o.right).any():
            dy, dx = -1, 0
        elif o.right < tx.min() and (ty >= o.top).any() and (ty <= o.bottom).any():
            dy, dx = 0, 1
        elif o.left > tx.max() and (ty >= o.top).any() and (ty <= o.bottom).any():
            dy, dx = 0, -1
        else:
            for (y, x), c in zip(o.cells, o.colors):
                out[y, x] = c
            continue
        d = 0
        h, w = g.shape
        while True:
            n = d + 1
            cells = [(y + n * dy, x + n * dx) for y, x in o.cells]
            if any(not (0 <= y < h and 0 <= x < w) or target[y, x] for y, x in cells):
                break
            d = n
            if d > max(h, w):
                raise ValueError("object never meets the anchor")
        moved |= d > 0
        for (y, x), c in zip(o.cells, o.colors):
            out[y + d * dy, x + d * dx] = c
    if not moved:
        raise ValueError("nothing moved")
    return out


def dots_to_lines(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Each lone cell jumps along its row or column to the nearest bigger object of its color; a cell with none goes."""
    from .objects import objects
    out = g.copy()
    owner = np.zeros(g.shape, dtype=bool)  # cells of objects bigger than one cell
    lone = []
    for o in objects(g, 8, True, bg):
        if o.size == 1:
            lone.append((*o.cells[0], o.colors[0]))
        else:
            owner[o.mask(g.shape)] = True
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
