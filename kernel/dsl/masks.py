"""Masks and overlays: combine the parts of a divided grid cell by cell."""

from __future__ import annotations

import numpy as np

from .colors import most_common_color
from .cropping import bbox, blocks, split_cells
from .limits import MAX_SIDE, TooLarge
from .objects import objects

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


def overlay_corners(g: np.ndarray, h: int, w: int, bg: int = 0) -> np.ndarray:
    """The four h x w windows in the grid's corners, laid over each other (they may overlap in the grid)."""
    if not (0 < h <= g.shape[0] and 0 < w <= g.shape[1]):
        raise ValueError("the windows do not fit")
    out = g[:h, :w].copy()
    for win in (g[:h, -w:], g[-h:, :w], g[-h:, -w:]):
        out = overlay(out, win, bg)
    return out


def _color_crops(g: np.ndarray, bg: int) -> list[np.ndarray]:
    """Each non-background color's cells alone, cut to their box (other cells `bg`)."""
    crops = []
    for c in np.unique(g).tolist():
        if c != bg:
            t, l, b, r = bbox(g == c)
            crops.append(np.where(g[t:b, l:r] == c, c, bg))
    return crops


def _lay(out: np.ndarray, piece: np.ndarray, y: int, x: int, bg: int) -> bool:
    """Paint `piece`'s cells into `out` at (y, x) unless one would cover a cell already painted."""
    spot = out[y:y + piece.shape[0], x:x + piece.shape[1]]
    if ((spot != bg) & (piece != bg)).any():
        return False
    spot[piece != bg] = piece[piece != bg]
    return True


def fit_pieces(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Two pieces (one color each) joined, without turning, into the one full rectangle they make together."""
    crops = _color_crops(g, bg)
    if len(crops) != 2:
        raise ValueError("not two pieces")
    a, b = crops
    area = int((a != bg).sum() + (b != bg).sum())
    if area > 144:
        raise ValueError("pieces too big to try every fit")
    found = []
    for hh in range(max(a.shape[0], b.shape[0]), area + 1):
        if area % hh:
            continue
        ww = area // hh
        if ww < max(a.shape[1], b.shape[1]):
            continue
        for ay in range(hh - a.shape[0] + 1):
            for ax in range(ww - a.shape[1] + 1):
                for by in range(hh - b.shape[0] + 1):
                    for bx in range(ww - b.shape[1] + 1):
                        out = np.full((hh, ww), bg, dtype=g.dtype)
                        out[ay:ay + a.shape[0], ax:ax + a.shape[1]] = a
                        if _lay(out, b, by, bx, bg) and (out != bg).all():
                            found.append(out)
    if len(found) != 1:
        raise ValueError("the pieces make no rectangle, or more than one")
    return found[0]


def center_colors(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Each color's cells, cut to their box, laid centered in one canvas the size of the largest box."""
    crops = _color_crops(g, bg)
    if len(crops) < 2:
        raise ValueError("fewer than two colors")
    h, w = max(p.shape[0] for p in crops), max(p.shape[1] for p in crops)
    out = np.full((h, w), bg, dtype=g.dtype)
    for p in crops:
        dy, dx = h - p.shape[0], w - p.shape[1]
        if dy % 2 or dx % 2:
            raise ValueError("a box cannot be centered")
        if not _lay(out, p, dy // 2, dx // 2, bg):
            raise ValueError("two colors overlap")
    return out


def assemble_corners(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Four pieces of one box size put together, each in the corner of the whole that its own full corner shows."""
    pieces = objects(g, 8, False, bg)
    if len(pieces) != 4 or len({(o.height, o.width) for o in pieces}) != 1:
        raise ValueError("not four pieces of one size")
    h, w = pieces[0].height, pieces[0].width
    out = np.full((2 * h, 2 * w), bg, dtype=g.dtype)
    taken = set()
    for o in pieces:
        p = o.patch(bg)
        # The piece's corner is the one filled corner whose opposite corner is empty.
        corners = [(i, j) for i in (0, 1) for j in (0, 1)
                   if p[-i, -j] != bg and p[-(1 - i), -(1 - j)] == bg]
        if len(corners) != 1 or corners[0] in taken:
            raise ValueError("a piece shows no one corner, or two pieces the same")
        i, j = corners[0]
        taken.add((i, j))
        out[i * h:(i + 1) * h, j * w:(j + 1) * w] = p
    return out


def overlay_objects(g: np.ndarray, bg: int | None = 0) -> np.ndarray:
    """Lay the objects of one box size over each other, cells off each one's main color on top (bg None: commonest)."""
    if bg is None:
        bg = most_common_color(g, None)
    objs = [o for o in objects(g, 8, True, bg) if o.size > 1]
    if len(objs) < 2 or len({(o.height, o.width) for o in objs}) != 1:
        raise ValueError("needs two or more objects of one box size")
    first = objs[0].patch(bg)
    out = np.where(first != bg, objs[0].color, bg).astype(g.dtype)
    marked = np.zeros(out.shape, dtype=bool)
    for o in objs:
        p = o.patch(bg)
        odd = (p != o.color) & (p != bg)
        # two objects marking one cell in different colors leave no answer
        if (odd & marked & (out != p)).any():
            raise ValueError("the objects disagree on a cell")
        out[odd] = p[odd]
        marked |= odd
    if not marked.any():
        raise ValueError("no object has cells off its main color")
    return out


def _whole_shape(g: np.ndarray, c: int, bg: int) -> np.ndarray:
    """The cells of color c with those other colors hide, where its visible cells make a box or a diagonal line."""
    ys, xs = np.nonzero(g == c)
    shape = np.zeros(g.shape, dtype=bool)
    shape[ys.min():ys.max() + 1, xs.min():xs.max() + 1] = True
    if (g[shape] != bg).all():
        return shape
    for sign in (1, -1):
        d = ys - sign * xs
        if len(ys) > 1 and (d == d[0]).all():  # one diagonal: the segment between its ends
            line_y = np.arange(ys.min(), ys.max() + 1)
            line_x = sign * (line_y - d[0])
            if (g[line_y, line_x] != bg).all():
                shape[:] = False
                shape[line_y, line_x] = True
                return shape
    return g == c


def reverse_overlaps(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Boxes and diagonal lines of one color that cross: the hidden one comes on top (their stacking reversed)."""
    shapes = {c: _whole_shape(g, c, bg) for c in np.unique(g[g != bg]).tolist()}
    if len(shapes) < 2:
        raise ValueError("fewer than two colors to overlap")
    depth = sum(shapes.values())
    out = g.copy()
    for c, shape in shapes.items():
        for d, other in shapes.items():
            if c != d:
                # a cell under exactly these two shapes, showing c: d was hidden there
                out[shape & other & (depth == 2) & (g == c)] = d
    if (out == g).all():
        raise ValueError("no hidden part of a box or line")
    return out


def uncover_rects(g: np.ndarray, noise: int) -> np.ndarray:
    """Cells of the `noise` color take the color of the topmost box (another color's bounding box) over them."""
    hidden = g == noise
    if not hidden.any():
        raise ValueError("no noise cells")
    colors = [int(c) for c in np.unique(g) if c != noise]
    if not colors:
        raise ValueError("nothing under the noise")
    box = {}
    for c in colors:
        ys, xs = np.nonzero(g == c)
        box[c] = np.zeros(g.shape, dtype=bool)
        box[c][ys.min():ys.max() + 1, xs.min():xs.max() + 1] = True
    # A color showing inside another's box lies above it.
    above = {c: set(np.unique(g[box[c]]).tolist()) - {c, noise} for c in colors}
    # Noise cells under the same boxes are settled together: one bit per box.
    cover = sum(box[c].astype(np.int64) << i for i, c in enumerate(colors))
    out = g.copy()
    for key in np.unique(cover[hidden]).tolist():
        under = [c for i, c in enumerate(colors) if key >> i & 1]
        top = [c for c in under if not any(d in above[c] and c not in above[d] for d in under if d != c)]
        if len(top) != 1:
            raise ValueError("no one topmost box over a noise cell")
        out[hidden & (cover == key)] = top[0]
    return out
