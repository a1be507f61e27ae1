"""Line drawing: rays from cells, segments between cells of one color, crosses."""

from __future__ import annotations

import numpy as np

from .objects import objects

DIRECTIONS = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1),
              "up_left": (-1, -1), "up_right": (-1, 1), "down_left": (1, -1), "down_right": (1, 1)}
RAY_SETS = {"up": ("up",), "down": ("down",), "left": ("left",), "right": ("right",),
            "vertical": ("up", "down"), "horizontal": ("left", "right"),
            "orthogonal": ("up", "down", "left", "right"),
            "diagonal": ("up_left", "up_right", "down_left", "down_right")}


def extend_rays(g: np.ndarray, rays: str, bg: int = 0, through: bool = False, color: int | None = None) -> np.ndarray:
    """Each non-background cell paints background (its color, or `color`) toward `rays` (see RAY_SETS) until blocked."""
    h, w = g.shape
    out = g.copy()
    for y, x in zip(*np.nonzero(g != bg)):
        c = g[y, x] if color is None else color
        for name in RAY_SETS[rays]:
            dy, dx = DIRECTIONS[name]
            ny, nx = y + dy, x + dx
            while 0 <= ny < h and 0 <= nx < w:
                if g[ny, nx] != bg:
                    if not through:
                        break
                elif out[ny, nx] == bg:
                    out[ny, nx] = c
                ny, nx = ny + dy, nx + dx
    return out


def connect_same_color(g: np.ndarray, bg: int = 0, diagonal: bool = False, color: int | None = None) -> np.ndarray:
    """Join two cells of one color in a row or column (or diagonal) with a segment of that color (or `color`)."""
    out = g.copy()
    h, w = g.shape
    steps = [(0, 1), (1, 0)] + ([(1, 1), (1, -1)] if diagonal else [])
    for y, x in zip(*np.nonzero(g != bg)):
        c = g[y, x]
        for dy, dx in steps:
            ny, nx = y + dy, x + dx
            path = []
            while 0 <= ny < h and 0 <= nx < w and g[ny, nx] == bg:
                path.append((ny, nx))
                ny, nx = ny + dy, nx + dx
            if path and 0 <= ny < h and 0 <= nx < w and g[ny, nx] == c:
                for py, px in path:
                    out[py, px] = c if color is None else color
    return out


def draw_crosses(g: np.ndarray, bg: int = 0, diagonal: bool = False) -> np.ndarray:
    """Each single-cell object paints its row and column (or diagonals) over background."""
    h, w = g.shape
    out = g.copy()
    for o in objects(g, 8, False, bg):
        if o.size != 1:
            continue
        y, x = o.cells[0]
        c = o.colors[0]
        if diagonal:
            for dy, dx in DIRECTIONS.values():
                if dy and dx:
                    ny, nx = y + dy, x + dx
                    while 0 <= ny < h and 0 <= nx < w:
                        if out[ny, nx] == bg:
                            out[ny, nx] = c
                        ny, nx = ny + dy, nx + dx
        else:
            out[y, :] = np.where(out[y, :] == bg, c, out[y, :])
            out[:, x] = np.where(out[:, x] == bg, c, out[:, x])
    return out
