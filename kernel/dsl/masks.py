"""Masks and overlays: combine the parts of a divided grid cell by cell."""

from __future__ import annotations

import numpy as np

from .cropping import blocks, split_cells
from .limits import MAX_SIDE, TooLarge

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


def overlay_parts(g: np.ndarray, bg: int = 0, reverse: bool = False, order: tuple[int, ...] | None = None,
                  grid: tuple[int, int] | None = None, priority: tuple[int, ...] | None = None) -> np.ndarray:
    """Stack the parts (or `grid` blocks), later ones on top (see `reverse`, `order` bottom up, color `priority`)."""
    parts = _parts(g) if grid is None else blocks(g, *grid)
    if priority is not None:
        rank = np.full(max(int(g.max()), *priority) + 1, len(priority))
        rank[list(priority)] = np.arange(len(priority))
        stack = np.stack(parts)
        top = np.take_along_axis(stack, rank[stack].argmin(axis=0)[None], axis=0)[0]
        return np.where(np.isin(top, priority), top, bg)
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


def kron_parts(g: np.ndarray, bg: int = 0, shape_inside: bool = False) -> np.ndarray:
    """Of two parts, the other copied at each cell of the one-color one (`shape_inside`: its shape at the other's)."""
    parts = _parts(g)
    if len(parts) != 2:
        raise ValueError(f"{len(parts)} parts, not two")
    one_color = [len(set(np.unique(p).tolist()) - {bg}) == 1 for p in parts]
    if one_color.count(True) != 1:
        raise ValueError("not exactly one part of one color")
    mask, template = (parts[0], parts[1]) if one_color[0] else (parts[1], parts[0])
    h, w = mask.shape[0] * template.shape[0], mask.shape[1] * template.shape[1]
    if max(h, w) > MAX_SIDE:
        raise TooLarge("the copies take more than 30 cells")
    if shape_inside:
        return np.where(np.kron(template != bg, mask != bg), np.kron(template, np.ones_like(mask)), bg)
    return np.where(np.kron(mask != bg, np.ones_like(template, dtype=bool)), np.tile(template, mask.shape), bg)


def overlay_around(g: np.ndarray, anchor: int, radius: int = 1, bg: int = 0) -> np.ndarray:
    """The square windows of `radius` centered on each `anchor` cell, laid over each other (non-background on top)."""
    ys, xs = np.nonzero(g == anchor)
    if len(ys) < 2:
        raise ValueError(f"fewer than two cells of color {anchor}")
    padded = np.pad(g, radius, constant_values=bg)
    size = 2 * radius + 1
    out = np.full((size, size), bg, dtype=g.dtype)
    for y, x in zip(ys, xs):
        out = overlay(out, padded[y:y + size, x:x + size], bg)
    return out
