"""Counting and majority: small summary grids."""

from __future__ import annotations

import numpy as np

from .colors import color_counts, colors_by_count
from .limits import MAX_SIDE, TooLarge
from .objects import objects


def majority_cell(g: np.ndarray, bg: int | None = 0) -> np.ndarray:
    """A 1x1 grid of the most frequent non-background color (`bg=None`: of any color)."""
    ranked = colors_by_count(g, bg)
    if not ranked:
        raise ValueError("only background")
    return np.array([[ranked[0]]])


def color_ranking_column(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """The non-background colors as one column, most frequent first."""
    ranked = colors_by_count(g, bg)
    if not ranked:
        raise ValueError("only background")
    return np.array([[c] for c in ranked])


def count_objects_row(g: np.ndarray, bg: int = 0, connectivity: int = 4) -> np.ndarray:
    """A 1xN row of the most frequent object color, N the number of one-color objects."""
    objs = objects(g, connectivity, False, bg)
    if not objs or len(objs) > 30:
        raise ValueError("no objects, or more than fit in a row")
    return np.full((1, len(objs)), colors_by_count(g, bg)[0])


def majority_vote_cells(g: np.ndarray, mark: int | None = None) -> np.ndarray:
    """For a grid in equal parts (see split_cells), each cell's commonest color across parts (`mark` if they differ)."""
    from .cropping import split_cells
    parts = split_cells(g)
    if len({p.shape for p in parts}) != 1:
        raise ValueError("parts differ in shape")
    stack = np.stack(parts)
    out = np.empty(parts[0].shape, dtype=g.dtype)
    for y in range(out.shape[0]):
        for x in range(out.shape[1]):
            v, c = np.unique(stack[:, y, x], return_counts=True)
            out[y, x] = v[np.argmax(c)] if mark is None or len(v) == 1 else mark
    if mark is not None and not (out == mark).any():
        raise ValueError("the parts all agree")
    return out


def line_majority(g: np.ndarray, axis: int | None = 1) -> np.ndarray:
    """Each row (axis 1), column (axis 0) or more uniform of the two (None) painted its most frequent color."""
    # ties go to the lowest color; None suits stripes cleaned of noise, whichever way they run
    if axis is None:
        share = [np.mean([np.bincount(line, minlength=10).max() / len(line) for line in lines]) for lines in (g.T, g)]
        axis = int(share[1] >= share[0])
    lines = g if axis == 1 else g.T
    colors = np.array([np.bincount(line, minlength=10).argmax() for line in lines])
    out = np.repeat(colors[:, None], lines.shape[1], axis=1)
    return out if axis == 1 else out.T


def count_cells_row(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """A 1xN row of the one non-background color, N its number of cells."""
    colors = colors_by_count(g, bg)
    if len(colors) != 1:
        raise ValueError("not exactly one non-background color")
    n = int((g == colors[0]).sum())
    if n > 30:
        raise ValueError("more cells than fit in a row")
    return np.full((1, n), colors[0], dtype=g.dtype)


def color_histogram(g: np.ndarray, bg: int | None = None) -> np.ndarray:
    """One column per color (except `bg`), most frequent first, filled from the top for as many cells as it has."""
    ranked = colors_by_count(g, bg)
    counts = [int((g == c).sum()) for c in ranked]
    if not ranked or max(counts) > 30 or len(ranked) > 30 or len(set(counts)) != len(counts):
        raise ValueError("no colors, too many cells, or colors tied in count")
    out = np.zeros((max(counts), len(ranked)), dtype=g.dtype)
    for x, (c, n) in enumerate(zip(ranked, counts)):
        out[:n, x] = c
    return out


def largest_colors(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """The colors of the largest objects (tied), left to right, as columns as tall as those objects are big."""
    objs = objects(g, 8, False, bg)
    if not objs:
        raise ValueError("no objects")
    size = max(o.size for o in objs)
    picked = sorted((o for o in objs if o.size == size), key=lambda o: (o.left, o.top))
    if size > 30 or len(picked) > 30:
        raise TooLarge("more than 30 cells")
    return np.tile(np.array([o.colors[0] for o in picked], dtype=g.dtype), (size, 1))


# What draw_count counts: "objects" (8-connected, any colors), "objects4" (one-color, 4-connected), "colors"
# (non-background), or per color c: "objects_of:c", "blocks_of:c" (of two cells or more), "cells_of:c".
COUNT_SOURCES = ("objects", "objects4", "colors")
COUNT_SOURCES_PER_COLOR = ("objects_of", "blocks_of", "cells_of")
# How draw_count draws n: an n x n diagonal, a 1 x n row, an n x 1 column, an n x n square, or ("fill", h, w):
# the first n cells of an h x w grid in reading order.
COUNT_FORMS = ("diag", "row", "column", "square")


def count_of(g: np.ndarray, source: str, bg: int = 0) -> int:
    """How many of `source` (see COUNT_SOURCES) the grid has."""
    if source == "colors":
        return len(colors_by_count(g, bg))
    if source in ("objects", "objects4"):
        return len(objects(g, 8 if source == "objects" else 4, source == "objects", bg))
    kind, _, color = source.partition(":")
    c = int(color)
    if kind == "cells_of":
        return int((g == c).sum())
    objs = [o for o in objects(g, 4, False, bg) if o.colors[0] == c]
    return len(objs) if kind == "objects_of" else sum(o.size > 1 for o in objs)


def draw_count(g: np.ndarray, source: str, form, color: int, bg: int = 0, out_bg: int = 0) -> np.ndarray:
    """Draws n, the grid's count of `source`, in `color` as `form` (see COUNT_FORMS) on `out_bg`."""
    n = count_of(g, source, bg)
    if form in ("diag", "row", "column", "square") and not 1 <= n <= 30:
        raise ValueError(f"a count of {n} cannot be drawn as a {form}")
    if form == "diag":
        return np.where(np.eye(n, dtype=bool), color, out_bg).astype(g.dtype)
    if form in ("row", "column", "square"):
        shape = {"row": (1, n), "column": (n, 1), "square": (n, n)}[form]
        return np.full(shape, color, dtype=g.dtype)
    _, h, w = form
    if n > h * w:
        raise ValueError(f"a count of {n} does not fit in {h}x{w}")
    out = np.full(h * w, out_bg, dtype=g.dtype)
    out[:n] = color
    return out.reshape(h, w)


def lookup(g: np.ndarray, table) -> np.ndarray:
    """The grid `table` ({grid as nested tuples: output as nested tuples}) gives for this grid; ValueError if none."""
    key = tuple(map(tuple, g.tolist()))
    if key not in table:
        raise ValueError("grid not in the table")
    return np.array(table[key], dtype=np.int64)


def color_bands(g: np.ndarray, bg: int | None = None) -> np.ndarray:
    """The colors in the order their bands lie across the grid: a row if they lie side by side, else a column."""
    colors = [c for c in np.unique(g).tolist() if c != bg]
    if len(colors) < 2:
        raise ValueError("fewer than two colors")
    ys, xs = np.indices(g.shape)
    cy = np.array([ys[g == c].mean() for c in colors])
    cx = np.array([xs[g == c].mean() for c in colors])
    across = cx.std() >= cy.std()
    order = np.argsort(cx if across else cy, kind="stable")
    line = np.array(colors, dtype=g.dtype)[order]
    return line[None, :] if across else line[:, None]


def gather_dots(g: np.ndarray, h: int, w: int, by: str = "column", snake: bool = False, bg: int = 0) -> np.ndarray:
    """The cells' colors read by column or by row, laid row after row in an h x w grid (`snake`: turning back)."""
    ys, xs = np.nonzero(g != bg)
    if len(ys) > h * w or len(ys) == 0:
        raise ValueError("more cells than the grid holds, or none")
    order = np.lexsort((ys, xs)) if by == "column" else np.lexsort((xs, ys))
    cells = np.full(h * w, bg, dtype=g.dtype)
    cells[:len(ys)] = g[ys[order], xs[order]]
    out = cells.reshape(h, w)
    if snake:
        out[1::2] = out[1::2, ::-1]
    return out


def nest_colors(g: np.ndarray, bg: int = 0, order_by: str = "count") -> np.ndarray:
    """Concentric square rings, one per color, outermost the one with most cells (or the bottom layer: "layer")."""
    if order_by == "layer":
        order = np.array(_layers(g, bg))
    else:
        colors, counts = np.unique(g[g != bg], return_counts=True)
        if len(set(counts.tolist())) != len(counts):
            raise ValueError("colors of equal counts leave no order")
        order = colors[np.argsort(-counts)]
    if len(order) < 2:
        raise ValueError("needs two or more colors")
    n = len(order)
    if 2 * n - 1 > MAX_SIDE:
        raise TooLarge("too many rings")
    y, x = np.mgrid[:2 * n - 1, :2 * n - 1]
    depth = np.minimum(np.minimum(y, x), np.minimum(2 * n - 2 - y, 2 * n - 2 - x))
    return order[depth].astype(g.dtype)


def _layers(g: np.ndarray, bg: int) -> list[int]:
    """The non-background colors from the bottom layer up: a color on the edge of another's box lies above it."""
    colors = [int(c) for c in np.unique(g) if c != bg]
    above: dict[int, set[int]] = {}
    for c in colors:
        ys, xs = np.nonzero(g == c)
        y0, y1, x0, x1 = ys.min(), ys.max(), xs.min(), xs.max()
        edge = np.concatenate([g[y0, x0:x1 + 1], g[y1, x0:x1 + 1], g[y0:y1 + 1, x0], g[y0:y1 + 1, x1]])
        above[c] = {int(d) for d in np.unique(edge)} - {bg, c}
    # two shapes woven through each other (each above the other somewhere) are ordered by the rest
    above = {c: {d for d in ds if c not in above[d]} for c, ds in above.items()}
    order: list[int] = []
    while len(order) < len(colors):
        # the next layer lies above nothing left; a choice between two means the order is not determined
        free = [c for c in colors if c not in order and not any(c in above[d] for d in colors if d not in order)]
        if len(free) != 1:
            raise ValueError("the shapes' layers are not in one order")
        order.append(free[0])
    return order


def layer_colors(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """The colors of overlapping shapes as a column, the bottom layer first (a shape's box edge shows what is above)."""
    order = _layers(g, bg)
    if len(order) < 2:
        raise ValueError("needs two or more colors")
    return np.array(order, dtype=g.dtype)[:, None]


_LINE_STEPS = ((0, 1), (1, 0), (1, 1), (1, -1))  # row, column, diagonal, anti-diagonal


def line_layers(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """The colors of crossing straight lines (rows, columns or diagonals) as a row, the bottom line first."""
    colors = [int(c) for c in np.unique(g) if c != bg]
    if len(colors) < 2:
        raise ValueError("needs two or more lines")
    above: dict[int, set[int]] = {}
    for c in colors:
        ys, xs = np.nonzero(g == c)
        steps = [(dy, dx) for dy, dx in _LINE_STEPS if len(np.unique(ys * dx - xs * dy)) == 1]
        if len(steps) != 1:
            raise ValueError(f"color {c} is not one straight line")
        (dy, dx), t = steps[0], ys if steps[0][0] else xs
        i, run = int(np.argmin(t)), np.arange(t.max() - t.min() + 1)
        # another color on the line's way from end to end covers it there
        above[c] = set(np.unique(g[ys[i] + dy * run, xs[i] + dx * run]).tolist()) - {bg, c}
    if any(c in above[d] for c in colors for d in above[c]):
        raise ValueError("two lines cover each other")
    height: dict[int, int] = {}

    def chain(c: int, path: tuple = ()) -> int:
        if c in path:
            raise ValueError("the lines' layers form a cycle")
        if c not in height:
            height[c] = 1 + max((chain(d, path + (c,)) for d in above[c]), default=0)
        return height[c]

    cells = {c: int((g == c).sum()) for c in colors}
    order: list[int] = []
    left = set(colors)
    while left:
        # lines that never cross have no order of their own: each lies as low as the lines above it allow,
        # and the longer line goes lower
        free = sorted(((chain(c), cells[c]), c) for c in left if not any(c in above[d] for d in left))
        if not free or len(free) > 1 and free[-1][0] == free[-2][0]:
            raise ValueError("the lines' layers are not in one order")
        order.append(free[-1][1])
        left.remove(free[-1][1])
    return np.array([order], dtype=g.dtype)


def gather_to_middle(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """All colored cells gathered into one run, centered on the middle row of an otherwise empty grid."""
    h, w = g.shape
    values = g[g != bg]
    if h % 2 == 0 or len(values) == 0 or len(values) > w:
        raise ValueError("no middle row, or no run that fits it")
    if len(np.unique(values)) > 1:
        raise ValueError("cells of more than one color have no order in the run")
    out = np.full_like(g, bg)
    start = (w - len(values) + 1) // 2
    out[h // 2, start:start + len(values)] = values[0]
    return out


def sort_cells(g: np.ndarray, by: str = "column") -> np.ndarray:
    """All cells regrouped by color, most common first, poured up columns from the bottom left or in reading order."""
    ranked = colors_by_count(g, None)  # ties go to the lower color, so the order is fixed
    if len(ranked) < 2:
        raise ValueError("one color only")
    counts = color_counts(g)
    seq = np.repeat(np.array(ranked, dtype=g.dtype), [counts[c] for c in ranked])
    h, w = g.shape
    if by == "column":
        return seq.reshape(w, h).T[::-1].copy()
    return seq.reshape(h, w)
