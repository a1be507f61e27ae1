"""Geometry: the eight symmetries of the square, and shifts."""

from __future__ import annotations

import numpy as np

from .limits import MAX_SIDE, TooLarge
from .objects import PLACEHOLDER


def rot90(g: np.ndarray) -> np.ndarray:
    """Rotate a quarter turn counter-clockwise."""
    return np.rot90(g, 1).copy()


def rot180(g: np.ndarray) -> np.ndarray:
    """Rotate a half turn."""
    return np.rot90(g, 2).copy()


def rot270(g: np.ndarray) -> np.ndarray:
    """Rotate a quarter turn clockwise."""
    return np.rot90(g, 3).copy()


def flip_lr(g: np.ndarray) -> np.ndarray:
    """Mirror left to right."""
    return g[:, ::-1].copy()


def flip_ud(g: np.ndarray) -> np.ndarray:
    """Mirror top to bottom."""
    return g[::-1, :].copy()


def transpose(g: np.ndarray) -> np.ndarray:
    """Mirror along the main diagonal."""
    return g.T.copy()


def anti_transpose(g: np.ndarray) -> np.ndarray:
    """Mirror along the anti-diagonal."""
    return np.rot90(g, 2).T.copy()


SYMMETRIES = {
    "identity": lambda g: g.copy(),
    "rot90": rot90, "rot180": rot180, "rot270": rot270,
    "flip_lr": flip_lr, "flip_ud": flip_ud, "transpose": transpose, "anti_transpose": anti_transpose,
}


def apply_symmetry(g: np.ndarray, name: str) -> np.ndarray:
    """Apply one of the eight symmetries by name (identity, rot90, ..., anti_transpose)."""
    return SYMMETRIES[name](g)


def shift(g: np.ndarray, dy: int, dx: int, fill: int = 0) -> np.ndarray:
    """Move the whole grid by (dy, dx) cells; cells that enter are `fill`."""
    out = np.full_like(g, fill)
    h, w = g.shape
    ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[yd, xd] = g[ys, xs]
    return out


def skew(g: np.ndarray, down: bool = True, fill: int = 10) -> np.ndarray:
    """Shear: row i moves right by i cells (`down`) or by h-1-i, widening the grid; new cells are `fill`."""
    h, w = g.shape
    if w + h - 1 > MAX_SIDE:
        raise TooLarge("skewed grid wider than 30 cells")
    out = np.full((h, w + h - 1), fill, dtype=g.dtype)
    for i in range(h):
        at = i if down else h - 1 - i
        out[i, at:at + w] = g[i]
    return out


def pad_edge(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """One more row and column on every side, each a copy of the edge cell beside it; the four corners `bg`."""
    out = np.pad(g, 1, mode="edge")
    out[0, 0] = out[0, -1] = out[-1, 0] = out[-1, -1] = bg
    return out


def grow_canvas(g: np.ndarray, k: int = 2, bg: int = 0) -> np.ndarray:
    """The grid at the top left of a canvas `k` times its size, the rest `bg` (room for what grows out of it)."""
    h, w = g.shape
    if h * k > MAX_SIDE or w * k > MAX_SIDE:
        raise TooLarge("canvas larger than 30 cells")
    out = np.full((h * k, w * k), bg, dtype=g.dtype)
    out[:h, :w] = g
    return out


def split_apart(g: np.ndarray, axis: int = 0, fill: int = PLACEHOLDER) -> np.ndarray:
    """The grid's halves (rows for axis 0, columns for 1) pulled one cell apart diagonally, the gap `fill`."""
    h, w = g.shape
    k = g.shape[axis] // 2
    if g.shape[axis] % 2 or k == 0:
        raise ValueError("no even split")
    if max(h, w) + 1 > MAX_SIDE:
        raise TooLarge("no room to pull apart")
    out = np.full((h + 1, w + 1), fill, dtype=g.dtype)
    if axis == 0:
        out[:k, :w], out[k + 1:, 1:] = g[:k], g[k:]
    else:
        out[:h, :k], out[1:, k + 1:] = g[:, :k], g[:, k:]
    return out


def _marker_at(line: np.ndarray) -> int | None:
    """Where the one odd cell of a line otherwise of one color is; None if the line is not like that."""
    colors, counts = np.unique(line, return_counts=True)
    if len(colors) != 2 or counts.min() != 1 or len(line) < 3:
        return None
    return int(np.nonzero(line == colors[np.argmin(counts)])[0][0])


def roll_to_marker(g: np.ndarray) -> np.ndarray:
    """Cut off the edge row and/or column holding one odd marker cell; roll the rest so its start lands there."""
    h, w = g.shape
    best = None
    # a row line and a column line share a corner cell, which belongs to neither
    for r in (None, 0, h - 1):
        for c in (None, 0, w - 1):
            if r is None and c is None:
                continue
            rows = [y for y in range(h) if y != r]
            cols = [x for x in range(w) if x != c]
            dy = _marker_at(g[rows, c]) if c is not None else 0
            dx = _marker_at(g[r, cols]) if r is not None else 0
            if dy is None or dx is None:
                continue
            lines = (r is not None) + (c is not None)
            if best is None or lines > best[0]:
                best = (lines, np.roll(g[np.ix_(rows, cols)], (dy, dx), axis=(0, 1)))
    if best is None:
        raise ValueError("no edge line with one marker cell")
    return best[1].copy()


def roll_alternate_rows(g: np.ndarray, step: int = 1) -> np.ndarray:
    """Every second row, counted from the first row of more than one color, rolled cyclically by `step` cells."""
    varied = np.flatnonzero((g != g[:, :1]).any(axis=1))
    if len(varied) == 0:
        raise ValueError("no row of more than one color")
    out = g.copy()
    # The first varied row keeps its place; the rows one off it in parity are the ones offset.
    rows = np.arange(int(varied[0]) + 1, g.shape[0], 2)
    out[rows] = np.roll(g[rows], step, axis=1)
    if (out == g).all():
        raise ValueError("rolling changes nothing")
    return out
