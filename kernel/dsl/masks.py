"""Masks and overlays: combine the parts of a divided grid cell by cell."""

from __future__ import annotations

import numpy as np

from .cropping import split_cells

BOOLEAN_OPS = ("and", "or", "xor", "nor", "left_only", "right_only")


def _parts(g: np.ndarray) -> list[np.ndarray]:
    """The parts between separator lines, or else the two halves of the grid's longer side."""
    try:
        parts = split_cells(g)
    except ValueError:
        parts = []
    if len(parts) >= 2 and len({p.shape for p in parts}) == 1:
        return parts
    # No separator, or a line of one part's cells taken for one: two halves, split where the
    # grid is longer (a line between them if its length is odd).
    h, w = g.shape
    if h == w:
        raise ValueError("parts differ in shape, and a square grid has no longer side to halve")
    a = g if h > w else g.T
    n = a.shape[0]
    top, bottom = a[:n // 2], a[(n + 1) // 2:]
    return [top, bottom] if h > w else [top.T, bottom.T]


def combine_parts(g: np.ndarray, op: str, bg: int = 0, grid: tuple[int, int] | None = None) -> np.ndarray:
    """1 where a boolean op (see BOOLEAN_OPS) of the parts' (or `grid` blocks') non-background masks holds, else 0."""
    masks = [p != bg for p in (_parts(g) if grid is None else blocks(g, *grid))]
    if op == "and":
        m = np.logical_and.reduce(masks)
    elif op == "or":
        m = np.logical_or.reduce(masks)
    elif op == "xor":
        m = np.sum(masks, axis=0) == 1
    elif op == "nor":
        m = ~np.logical_or.reduce(masks)
    elif op == "left_only":
        m = masks[0] & ~np.logical_or.reduce(masks[1:])
    elif op == "right_only":
        m = masks[-1] & ~np.logical_or.reduce(masks[:-1])
    else:
        raise ValueError(f"unknown op {op}")
    return m.astype(np.int64)


def blocks(g: np.ndarray, ky: int, kx: int) -> list[np.ndarray]:
    """The grid cut into ky x kx equal blocks, or equal cells between separator lines, in reading order."""
    h, w = g.shape
    if h % ky == 0 and w % kx == 0:
        bh, bw = h // ky, w // kx
        return [g[y * bh:(y + 1) * bh, x * bw:(x + 1) * bw] for y in range(ky) for x in range(kx)]
    if (h + 1) % ky == 0 and (w + 1) % kx == 0:
        bh, bw = (h + 1) // ky - 1, (w + 1) // kx - 1
        return [g[y * (bh + 1):y * (bh + 1) + bh, x * (bw + 1):x * (bw + 1) + bw] for y in range(ky) for x in range(kx)]
    raise ValueError(f"a {h}x{w} grid does not cut into {ky}x{kx} equal blocks")


def overlay_parts(g: np.ndarray, bg: int = 0, reverse: bool = False, order: tuple[int, ...] | None = None,
                  grid: tuple[int, int] | None = None) -> np.ndarray:
    """Stack the parts of a divided grid (or its `grid` of equal blocks), later parts' non-background on top
    (earlier on top if `reverse`; `order`: part indices bottom to top)."""
    parts = _parts(g) if grid is None else blocks(g, *grid)
    if order is not None:
        if sorted(order) != list(range(len(parts))):
            raise ValueError(f"order {order} does not name each of {len(parts)} parts once")
        parts = [parts[i] for i in order]
    if reverse:
        parts = parts[::-1]
    out = parts[0].copy()
    for p in parts[1:]:
        out = np.where(p != bg, p, out)
    return out


def overlay(base: np.ndarray, top: np.ndarray, bg: int = 0) -> np.ndarray:
    """`top`'s non-background cells over `base` (same shapes)."""
    return np.where(top != bg, top, base)


def mask_with(g: np.ndarray, mask: np.ndarray, color: int, bg: int = 0) -> np.ndarray:
    """`color` where mask is true, `bg` elsewhere."""
    return np.where(mask, color, bg).astype(g.dtype)
