"""Pieces: split a grid into cells (between separator lines) or objects, work on each piece,
and assemble an output from them: the same layout with every piece changed, one color per
cell, the pieces side by side, or the changes of several chains of steps laid together; and
one chain run over the grid's colors renamed by frequency rank. This is where a search spends
one step on what would otherwise take a chain of crops and pastes."""

from __future__ import annotations

import numpy as np

from .colors import recolor
from .cropping import blocks, select_cell, separator_lines, spans_between
from .geometry import apply_symmetry
from .objects import PLACEHOLDER, objects

CELL_SUMMARIES = ("majority", "minority", "filled", "empty", "count")
OBJECT_ORDERS = ("reading", "size", "size_desc", "left", "top")


def _dsl_function(name: str):
    """A DSL function by name: a piece step is any grid step (imported late, as the package imports this module)."""
    from .. import dsl
    return getattr(dsl, name)


def cell_boxes(g: np.ndarray) -> list[list[tuple[int, int, int, int]]]:
    """The (top, bottom, left, right) box of every cell between separator lines, by rows of cells."""
    rows, cols, _ = separator_lines(g)
    if not (rows or cols):
        raise ValueError("no separator lines")
    boxes = [[(a, b, c, d) for c, d in spans_between(cols, g.shape[1])] for a, b in spans_between(rows, g.shape[0])]
    if sum(len(r) for r in boxes) < 2:
        raise ValueError("fewer than two cells")
    return boxes


def each_cell(g: np.ndarray, fn: str, *args) -> np.ndarray:
    """Apply the DSL function `fn` (with `args`) to every cell between separator lines, in place."""
    step = _dsl_function(fn)
    out = g.copy()
    for row in cell_boxes(g):
        for a, b, c, d in row:
            piece = np.asarray(step(g[a:b, c:d].copy(), *args))
            if piece.shape != (b - a, d - c):
                raise ValueError(f"{fn} changed a cell's shape")
            out[a:b, c:d] = piece
    return out


def transform_cells(g: np.ndarray, ops: tuple) -> np.ndarray:
    """Cell i between separator lines becomes the first cell under symmetry ops[i] (see SYMMETRIES); None keeps it."""
    boxes = [box for row in cell_boxes(g) for box in row]
    if len(ops) != len(boxes):
        raise ValueError(f"{len(ops)} ops for {len(boxes)} cells")
    a, b, c, d = boxes[0]
    first = g[a:b, c:d]
    out = g.copy()
    for (a, b, c, d), op in zip(boxes, ops):
        if op is not None:
            piece = apply_symmetry(first, op)
            if piece.shape != (b - a, d - c):
                raise ValueError(f"{op} of the first cell does not fit cell {(a, c)}")
            out[a:b, c:d] = piece
    return out


def _filled_cells(g: np.ndarray, boxes, bg: int, sep: int | None) -> list[int]:
    """How many cells of each box are neither background nor the separator's color."""
    return [int(((g[a:b, c:d] != bg) & (g[a:b, c:d] != sep)).sum()) for a, b, c, d in boxes]


def _summary(cell: np.ndarray, how: str, bg: int, sep: int | None) -> int:
    fg = cell[(cell != bg) & (cell != sep)] if sep is not None else cell[cell != bg]
    if how == "filled":
        return int(fg.size > 0)
    if how == "empty":
        return int(fg.size == 0)
    if how == "count":
        return PLACEHOLDER + fg.size  # a label for a recolor to name
    if fg.size == 0:
        return bg
    values, counts = np.unique(fg, return_counts=True)
    pick = np.argmax(counts) if how == "majority" else np.argmin(counts)
    if (counts == counts[pick]).sum() > 1:
        raise ValueError(f"no single {how} color in a cell")
    return int(values[pick])


def cell_colors(g: np.ndarray, how: str = "majority", bg: int = 0) -> np.ndarray:
    """One cell per cell between separator lines: its majority or minority color, 1 if filled/empty, or 10 + count."""
    _, _, sep = separator_lines(g)
    boxes = cell_boxes(g)
    return np.array([[_summary(g[a:b, c:d], how, bg, sep) for a, b, c, d in row] for row in boxes],
                    dtype=np.int64)


def paint_cells(g: np.ndarray, how: str = "majority", bg: int = 0) -> np.ndarray:
    """Fill each cell between separator lines with its majority or minority color (fullest: only the fullest cells)."""
    _, _, sep = separator_lines(g)
    out = g.copy()
    boxes = [box for row in cell_boxes(g) for box in row]
    if how == "fullest":
        fill = _filled_cells(g, boxes, bg, sep)
        for (a, b, c, d), n in zip(boxes, fill):
            out[a:b, c:d] = _summary(g[a:b, c:d], "majority", bg, sep) if n == max(fill) else bg
        return out
    for a, b, c, d in boxes:
        out[a:b, c:d] = _summary(g[a:b, c:d], how, bg, sep)
    return out


def each_object(g: np.ndarray, fn: str, bg: int = 0) -> np.ndarray:
    """Apply the one-argument DSL function `fn` to every object's bounding box, in place (8-connected, any colors)."""
    step = _dsl_function(fn)
    out = g.copy()
    objs = objects(g, 8, True, bg)
    if not objs:
        raise ValueError("no objects")
    for o in objs:
        box = g[o.top:o.bottom + 1, o.left:o.right + 1]
        piece = np.asarray(step(box.copy()))
        if piece.shape != box.shape:
            raise ValueError(f"{fn} changed an object's shape")
        out[o.top:o.bottom + 1, o.left:o.right + 1] = piece
    return out


def stack_objects(g: np.ndarray, order: str = "reading", axis: int = 1, bg: int = 0) -> np.ndarray:
    """The objects' boxes side by side (axis 1) or stacked (axis 0) in `order` (see OBJECT_ORDERS)."""
    objs = objects(g, 8, True, bg)
    if len(objs) < 2:
        raise ValueError("fewer than two objects")
    key = {"reading": lambda o: (o.top, o.left), "size": lambda o: o.size, "size_desc": lambda o: -o.size,
           "left": lambda o: (o.left, o.top), "top": lambda o: (o.top, o.left)}[order]
    boxes = [g[o.top:o.bottom + 1, o.left:o.right + 1] for o in sorted(objs, key=key)]
    if len({b.shape[1 - axis] for b in boxes}) != 1:
        raise ValueError("objects do not line up")
    return np.concatenate(boxes, axis=axis)


_TO_BOTTOM = {"bottom": 0, "top": 2, "left": 1, "right": -1}  # quarter turns that bring an edge to the bottom


def stack_part_bands(g: np.ndarray, bg: int = 0, first_at: str = "bottom") -> np.ndarray:
    """The cells between separator lines, each cut to its band of content rows (or columns), piled up from `first_at`."""
    k = _TO_BOTTOM[first_at]
    parts = [np.rot90(g[a:b, c:d], k) for row in cell_boxes(g) for a, b, c, d in row]
    if len({p.shape for p in parts}) != 1:
        raise ValueError("the cells differ in shape")
    bands = []
    for p in parts:
        rows = np.flatnonzero((p != bg).any(axis=1))
        if len(rows):
            bands.append(p[rows[0]:rows[-1] + 1])
    height = sum(len(b) for b in bands)
    if not bands or height > len(parts[0]):
        raise ValueError("no bands, or more than a cell can hold")
    pile = np.concatenate([np.full((len(parts[0]) - height, parts[0].shape[1]), bg, g.dtype)] + bands[::-1])
    return np.rot90(pile, -k).copy()


def combine_changes(g: np.ndarray, chains: tuple) -> np.ndarray:
    """Run each chain of DSL steps (a tuple of (fn, args) pairs) on `g` and keep every cell it changed, later chains on top."""
    out = g.copy()
    for chain in chains:
        r = g
        for fn, args in chain:
            r = np.asarray(_dsl_function(fn)(r, *args))
        if r.shape != g.shape:
            raise ValueError(f"chain {chain} changed the grid's shape")
        changed = r != g
        out[changed] = r[changed]
    return out


def color_ranks(g: np.ndarray) -> dict[int, int]:
    """Each color of `g` to its rank by count (most frequent 0, ties by first cell in reading order)."""
    flat = g.ravel()
    values, first, counts = np.unique(flat, return_index=True, return_counts=True)
    order = sorted(range(len(values)), key=lambda i: (-counts[i], first[i]))
    return {int(values[i]): rank for rank, i in enumerate(order)}


# In rank space, a color the chain names outright (the same in every pair, whatever the ranks)
# is FIXED + that color, clear of the ranks (0-9) and of PLACEHOLDER (10). A size label of
# label_by_size can reach 20 and up; a chain that left one unnamed would have fitted the train
# outputs with it, so naming it back as a color is what the pairs showed.
FIXED = 20


def in_color_ranks(g: np.ndarray, chain: tuple) -> np.ndarray:
    """Run a chain of (fn, args) DSL steps on `g` recolored by color_ranks, then name colors back (FIXED + c is c)."""
    ranks = color_ranks(g)
    r = recolor(g, ranks)
    for fn, args in chain:
        r = np.asarray(_dsl_function(fn)(r, *args))
    back = {rank: color for color, rank in ranks.items()} | {FIXED + c: c for c in range(10)}
    if not set(np.unique(r).tolist()) <= back.keys():
        raise ValueError("the chain made a color rank the grid does not have")
    return recolor(r, back)


def spread_cell(g: np.ndarray, bg: int = 0, in_separator_color: bool = False) -> np.ndarray:
    """Copy the fullest cell between separator lines onto every cell's background (or its mask in the lines' color)."""
    _, _, sep = separator_lines(g)
    if in_separator_color and sep is None:
        raise ValueError("the separator lines have no one color")
    boxes = [box for row in cell_boxes(g) for box in row]
    fill = _filled_cells(g, boxes, bg, sep)
    best = max(fill)
    fullest = {g[a:b, c:d].tobytes() + bytes(g[a:b, c:d].shape) for (a, b, c, d), n in zip(boxes, fill) if n == best}
    if best == 0 or len(fullest) > 1:
        raise ValueError("no one fullest cell")
    a0, b0, c0, d0 = boxes[fill.index(best)]
    src = g[a0:b0, c0:d0]
    out = g.copy()
    for a, b, c, d in boxes:
        if (b - a, d - c) == src.shape:
            piece = out[a:b, c:d]
            blank = (piece == bg) & (src != bg)
            piece[blank] = sep if in_separator_color else src[blank]
    if (out == g).all():
        raise ValueError("no cell gains anything")
    return out


def spread_cell_to_marked(g: np.ndarray) -> np.ndarray:
    """The cell between separator lines with the most odd cells is copied over each cell with one odd cell only."""
    boxes = [box for row in cell_boxes(g) for box in row]
    if len({(b - a, d - c) for a, b, c, d in boxes}) != 1:
        raise ValueError("cells of different sizes")
    # The cells' own background, which the lines' color may not be.
    plain = int(np.bincount(np.concatenate([g[a:b, c:d].ravel() for a, b, c, d in boxes])).argmax())
    odd = [int((g[a:b, c:d] != plain).sum()) for a, b, c, d in boxes]
    top = max(odd)
    if top < 2 or odd.count(top) != 1 or 1 not in odd or any(1 < n < top for n in odd):
        raise ValueError("not one pattern cell, marked cells and plain ones")
    a0, b0, c0, d0 = boxes[odd.index(top)]
    out = g.copy()
    for (a, b, c, d), n in zip(boxes, odd):
        if n == 1:
            out[a:b, c:d] = g[a0:b0, c0:d0]
    return out


def paint_by_key(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """The largest one-color part, its regions painted by a key: a part without background, or the four corner cells."""
    rows, cols, _ = separator_lines(g)
    if not (rows or cols):
        raise ValueError("no separator lines")
    grid = [[g[a:b, c:d] for c, d in spans_between(cols, g.shape[1])] for a, b in spans_between(rows, g.shape[0])]
    parts = [p for line in grid for p in line]
    pattern = max(parts, key=lambda p: p.size)
    if sum(p.size == pattern.size for p in parts) > 1 or len(set(np.unique(pattern).tolist()) - {bg}) != 1:
        raise ValueError("no one largest part of one color")
    ph, pw = pattern.shape
    keys = [p for p in parts if p is not pattern and (p != bg).all() and ph % p.shape[0] == 0 and pw % p.shape[1] == 0]
    if len(keys) == 1:
        key = keys[0]
    else:
        corners = [grid[0][0], grid[0][-1], grid[-1][0], grid[-1][-1]]
        if len(grid) < 2 or len(grid[0]) < 2 or any(c.shape != (1, 1) or c[0, 0] == bg for c in corners):
            raise ValueError("no key part and no one-cell corners")
        key = np.array([[corners[0][0, 0], corners[1][0, 0]], [corners[2][0, 0], corners[3][0, 0]]])
    if ph % key.shape[0] or pw % key.shape[1]:
        raise ValueError("the key does not divide the pattern")
    colors = np.kron(key, np.ones((ph // key.shape[0], pw // key.shape[1]), dtype=g.dtype))
    return np.where(pattern != bg, colors, bg).astype(g.dtype)


def cells_from_cell(g: np.ndarray, selector: str, bg: int = 0) -> np.ndarray:
    """One cell, picked as select_cell does, drawn at the scale of the whole grid: each cell takes one of its colors."""
    boxes = cell_boxes(g)
    pick = select_cell(g, selector, bg)
    if pick.shape != (len(boxes), len(boxes[0])) or any(len(row) != len(boxes[0]) for row in boxes):
        raise ValueError("the picked cell has not one cell per cell of the grid")
    out = g.copy()
    for i, row in enumerate(boxes):
        for j, (a, b, c, d) in enumerate(row):
            out[a:b, c:d] = pick[i, j]
    return out


def paint_cells_at(g: np.ndarray, table: dict) -> np.ndarray:
    """Fill the cell in row i, column j of the cells between separator lines with table[(i, j)] (others unchanged)."""
    boxes = cell_boxes(g)
    out = g.copy()
    for (i, j), color in table.items():
        if i >= len(boxes) or j >= len(boxes[i]):
            raise ValueError("the grid has fewer cells than the table")
        a, b, c, d = boxes[i][j]
        out[a:b, c:d] = color
    return out


def at_cell_scale(g: np.ndarray, fn: str, *args) -> np.ndarray:
    """Apply the DSL function `fn` to the grid of the cells' colors (each cell between lines one color), painted back."""
    boxes = cell_boxes(g)
    if len({len(row) for row in boxes}) != 1:
        raise ValueError("the cells are not a full grid")
    small = np.zeros((len(boxes), len(boxes[0])), dtype=g.dtype)
    for i, row in enumerate(boxes):
        for j, (a, b, c, d) in enumerate(row):
            cell = g[a:b, c:d]
            if (cell != cell.flat[0]).any():
                raise ValueError("a cell has more than one color")
            small[i, j] = cell.flat[0]
    result = np.asarray(_dsl_function(fn)(small, *args))
    if result.shape != small.shape:
        raise ValueError(f"{fn} changed the cell grid's shape")
    out = g.copy()
    for i, row in enumerate(boxes):
        for j, (a, b, c, d) in enumerate(row):
            out[a:b, c:d] = result[i, j]
    return out


def fill_missing_color(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """In each cell between separator lines, the background cells take the one color it has fewer of than the rest."""
    _, _, sep = separator_lines(g)
    boxes = [box for row in cell_boxes(g) for box in row]
    counts = []
    for a, b, c, d in boxes:
        values, n = np.unique(g[a:b, c:d], return_counts=True)
        counts.append({int(v): int(k) for v, k in zip(values, n) if v != bg and v != sep})
    # the full set of colors, with multiplicity, is what the most complete cell holds of each
    full = {c: max(cnt.get(c, 0) for cnt in counts) for cnt in counts for c in cnt}
    out = g.copy()
    changed = False
    for (a, b, c, d), cnt in zip(boxes, counts):
        part = out[a:b, c:d]
        holes = int((part == bg).sum())
        if not holes:
            continue
        need = {k: v - cnt.get(k, 0) for k, v in full.items() if v > cnt.get(k, 0)}
        if len(need) != 1 or sum(need.values()) != holes:
            raise ValueError("a cell's holes do not match one missing color")
        part[part == bg] = next(iter(need))
        changed = True
    if not changed:
        raise ValueError("no cell has holes")
    return out


def _unique_majority(values: np.ndarray) -> int:
    """The one commonest value; ValueError on a tie or when there are none."""
    v, n = np.unique(values, return_counts=True)
    if len(v) == 0 or (n == n.max()).sum() > 1:
        raise ValueError("no single commonest color")
    return int(v[np.argmax(n)])


def fractal_from_cells(g: np.ndarray) -> np.ndarray:
    """k x k cells of k x k between (noisy) lines become their common pattern where it has a minor color, else solid."""
    h, w = g.shape
    k = next((k for k in range(2, 6) if k * k + k - 1 == h == w), None)
    if k is None:
        raise ValueError("not k x k cells of k x k between lines")
    line = np.zeros(g.shape, bool)
    line[k::k + 1, :] = line[:, k::k + 1] = True
    sep = _unique_majority(g[line])
    if (g[line] == sep).mean() < 0.6 or (g[~line] == sep).mean() > 0.1:
        raise ValueError("no separator lines")
    cells = np.stack([c.ravel() for c in blocks(g, k, k)])
    seen = ~np.isin(cells, g[line & (g != sep)])  # colors strewn over the lines are noise inside the cells too
    # solid cells show nothing of the pattern
    patterned = [len(np.unique(c[s])) > 1 for c, s in zip(cells, seen)]
    if not any(patterned):
        raise ValueError("every cell is solid")
    cells, seen = cells[patterned], seen[patterned]
    pattern = np.array([_unique_majority(cells[seen[:, q], q]) for q in range(k * k)], dtype=g.dtype).reshape(k, k)
    major = _unique_majority(pattern)
    if (pattern == major).all():
        raise ValueError("the pattern has one color")
    out = np.full_like(g, sep)
    for i in range(k):
        for j in range(k):
            out[i * (k + 1):i * (k + 1) + k, j * (k + 1):j * (k + 1) + k] = pattern if pattern[i, j] != major else major
    return out
