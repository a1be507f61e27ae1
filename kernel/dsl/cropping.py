"""Cropping and splitting: bounding boxes, halves, and grids divided by separator lines."""

from __future__ import annotations

import numpy as np

from .objects import objects


def bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) of the True cells, bottom/right exclusive; ValueError if none."""
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        raise ValueError("empty mask")
    return int(ys.min()), int(xs.min()), int(ys.max()) + 1, int(xs.max()) + 1


def crop_to_content(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Crop to the bounding box of all non-background cells."""
    t, l, b, r = bbox(g != bg)
    return g[t:b, l:r].copy()


def crop_to_color(g: np.ndarray, color: int) -> np.ndarray:
    """Crop to the bounding box of the cells of one color."""
    t, l, b, r = bbox(g == color)
    return g[t:b, l:r].copy()


def crop_inside_color(g: np.ndarray, color: int) -> np.ndarray:
    """Crop to what lies strictly inside the bounding box of a color (e.g. inside a frame)."""
    t, l, b, r = bbox(g == color)
    if b - t < 3 or r - l < 3:
        raise ValueError("nothing inside")
    return g[t + 1:b - 1, l + 1:r - 1].copy()


def crop_inside_frame(g: np.ndarray, bg: int = 0, inside: bool = True) -> np.ndarray:
    """Crop to the largest one-color rectangular frame (3x3 or more): what it encloses, or all of it if not `inside`."""
    best = None
    for o in objects(g, 4, False, bg):
        if o.height < 3 or o.width < 3:
            continue
        t, l, b, r = o.top, o.left, o.bottom + 1, o.right + 1
        c = o.colors[0]
        rim = np.concatenate([g[t, l:r], g[b - 1, l:r], g[t:b, l], g[t:b, r - 1]])
        if (rim == c).all():
            area = (b - t) * (r - l)
            if best is None or area > best[0]:
                best = (area, (t, l, b, r), False)
            elif area == best[0]:
                best = (area, best[1], True)
    if best is None:
        raise ValueError("no rectangular frame")
    if best[2]:
        raise ValueError("two largest frames")
    t, l, b, r = best[1]
    return g[t + 1:b - 1, l + 1:r - 1].copy() if inside else g[t:b, l:r].copy()


def split_part(g: np.ndarray, k: int, i: int, axis: int = 1) -> np.ndarray:
    """Part `i` of `k` equal parts across the columns (axis 1) or rows (axis 0), one-cell separator lines dropped."""
    n = g.shape[axis]
    if n % k == 0:
        size, gap = n // k, 0
    elif (n - (k - 1)) % k == 0 and n > k:
        size, gap = (n - (k - 1)) // k, 1
    else:
        raise ValueError(f"{n} cells do not split into {k} equal parts")
    start = i * (size + gap)
    return (g[:, start:start + size] if axis == 1 else g[start:start + size]).copy()


def compress(g: np.ndarray, color: int = 0) -> np.ndarray:
    """Remove every row and column made of `color` alone (content gathered, separator lines dropped)."""
    rows = ~(g == color).all(axis=1)
    cols = ~(g == color).all(axis=0)
    if not rows.any() or not cols.any() or (rows.all() and cols.all()):
        raise ValueError(f"nothing to remove, or nothing but {color}")
    return g[rows][:, cols].copy()


def trim_border(g: np.ndarray) -> np.ndarray:
    """Remove the outermost row and column on every side."""
    if g.shape[0] < 3 or g.shape[1] < 3:
        raise ValueError("grid too small")
    return g[1:-1, 1:-1].copy()


def half(g: np.ndarray, which: str) -> np.ndarray:
    """One half of the grid: top, bottom, left or right (a middle row/column is dropped)."""
    h, w = g.shape
    if which in ("top", "bottom"):
        if h < 2:
            raise ValueError("too short")
        return g[:h // 2].copy() if which == "top" else g[(h + 1) // 2:].copy()
    if w < 2:
        raise ValueError("too narrow")
    return g[:, :w // 2].copy() if which == "left" else g[:, (w + 1) // 2:].copy()


def separator_lines(g: np.ndarray) -> tuple[list[int], list[int], int | None]:
    """Rows and columns of one color all the way across, and their color (the best-dividing color)."""
    h, w = g.shape
    values, counts = np.unique(g, return_counts=True)
    dominant = int(values[np.argmax(counts)])
    best, best_score = ([], [], None), None
    for color in values.tolist():
        same = g == color
        rows = np.flatnonzero(same.all(axis=1)).tolist()
        cols = np.flatnonzero(same.all(axis=0)).tolist()
        if not (rows or cols) or len(rows) == h or len(cols) == w:
            continue
        if color == dominant and not (rows and cols):
            continue  # empty background rows are not dividers unless lines cross
        parts = [(b - a, d - c) for a, b in spans_between(rows, h) for c, d in spans_between(cols, w)]
        if len(parts) < 2:
            continue  # lines along the edge divide nothing
        score = (len(set(parts)) == 1, color != dominant, len(rows) + len(cols))
        if best_score is None or score > best_score:
            best, best_score = (rows, cols, int(color)), score
    return best


def spans_between(lines: list[int], n: int) -> list[tuple[int, int]]:
    """The (start, end) spans of 0..n-1 left between the given line indices."""
    cuts, start = [], 0
    for i in sorted(lines) + [n]:
        if i > start:
            cuts.append((start, i))
        start = i + 1
    return cuts


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


def split_cells(g: np.ndarray) -> list[np.ndarray]:
    """Parts between separator lines in reading order; without lines, equal squares along the long side."""
    rows, cols, _ = separator_lines(g)
    h, w = g.shape
    squares = None
    if w > h and w % h == 0:
        squares = [b.copy() for b in blocks(g, 1, w // h)]
    elif h > w and h % w == 0:
        squares = [b.copy() for b in blocks(g, h // w, 1)]
    if rows or cols:
        parts = [g[a:b, c:d].copy() for a, b in spans_between(rows, h) for c, d in spans_between(cols, w)]
        # One-color rows inside square blocks laid end to end are not separators.
        if squares is not None and len({p.shape for p in parts}) > 1:
            parts = squares
    elif squares is not None:
        parts = squares
    else:
        raise ValueError("no separators and no equal split")
    if len(parts) < 2:
        raise ValueError("fewer than two parts")
    return parts


def select_cell(g: np.ndarray, selector: str, bg: int = 0) -> np.ndarray:
    """The one part of split_cells that `selector` (see CELL_SELECTORS) picks; ValueError on a tie."""
    parts = split_cells(g)
    if selector == "unique":
        keys = [p.tobytes() + bytes(p.shape) for p in parts]
        picks = [p for p, k in zip(parts, keys) if keys.count(k) == 1]
    elif selector == "asymmetric":
        picks = [p for p in parts if not (p == p[:, ::-1]).all() and not (p == p[::-1]).all()
                 and not (p.shape[0] == p.shape[1] and (p == p.T).all())]
    elif selector == "odd_color":
        keys = [tuple(sorted(set(np.unique(p).tolist()) - {bg})) for p in parts]
        picks = [p for p, k in zip(parts, keys) if keys.count(k) == 1]
    else:
        score = {
            "most_filled": lambda p: -(p != bg).sum(),
            "least_filled": lambda p: (p != bg).sum(),
            "most_colors": lambda p: -len(set(np.unique(p).tolist()) - {bg}),
            "least_colors": lambda p: len(set(np.unique(p).tolist()) - {bg}),
        }[selector]
        values = [score(p) for p in parts]
        best = min(values)
        picks = [p for p, v in zip(parts, values) if v == best]
    if len(picks) != 1:
        raise ValueError(f"{len(picks)} parts match {selector}")
    return picks[0]


CELL_SELECTORS = ("most_filled", "least_filled", "most_colors", "least_colors", "unique", "odd_color", "asymmetric")


WINDOW_ANCHORS = ("top_left", "top_right", "bottom_left", "bottom_right", "center")


def window(g: np.ndarray, anchor: str, h: int, w: int) -> np.ndarray:
    """The h x w window at a corner or the center of the grid (see WINDOW_ANCHORS)."""
    H, W = g.shape
    if h > H or w > W:
        raise ValueError("window larger than the grid")
    y = {"top_left": 0, "top_right": 0, "bottom_left": H - h, "bottom_right": H - h}.get(anchor)
    x = {"top_left": 0, "top_right": W - w, "bottom_left": 0, "bottom_right": W - w}.get(anchor)
    if anchor == "center":
        if (H - h) % 2 or (W - w) % 2:
            raise ValueError("no exact center")
        y, x = (H - h) // 2, (W - w) // 2
    elif y is None:
        raise ValueError(f"unknown anchor {anchor}")
    return g[y:y + h, x:x + w].copy()


def keep_middle(g: np.ndarray, axis: int = 1, bg: int = 0) -> np.ndarray:
    """Keep only the middle column (axis 1) or row (axis 0) of an odd width (or height); the rest becomes `bg`."""
    n = g.shape[axis]
    if n % 2 == 0 or n < 3:
        raise ValueError("no middle line")
    out = np.full_like(g, bg)
    if axis == 1:
        out[:, n // 2] = g[:, n // 2]
    else:
        out[n // 2] = g[n // 2]
    return out
