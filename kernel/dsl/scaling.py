"""Scaling and tiling."""

from __future__ import annotations

import numpy as np

from .geometry import apply_symmetry
from .limits import MAX_SIDE, TooLarge
from .objects import objects


def upscale(g: np.ndarray, ky: int, kx: int) -> np.ndarray:
    """Each cell becomes a ky-by-kx block."""
    return np.kron(g, np.ones((ky, kx), dtype=g.dtype))


def downscale(g: np.ndarray, ky: int, kx: int) -> np.ndarray:
    """Each ky-by-kx block becomes one cell (its most frequent color)."""
    h, w = g.shape
    if h % ky or w % kx:
        raise ValueError("size is not a multiple of the factor")
    blocks = g.reshape(h // ky, ky, w // kx, kx).transpose(0, 2, 1, 3).reshape(h // ky, w // kx, ky * kx)
    out = np.empty((h // ky, w // kx), dtype=g.dtype)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            v, c = np.unique(blocks[i, j], return_counts=True)
            out[i, j] = v[np.argmax(c)]
    return out


def shrink_repeats(g: np.ndarray) -> np.ndarray:
    """Collapse runs of identical adjacent rows and of identical adjacent columns into one."""
    keep_r = [0] + [i for i in range(1, g.shape[0]) if not (g[i] == g[i - 1]).all()]
    g = g[keep_r]
    keep_c = [0] + [j for j in range(1, g.shape[1]) if not (g[:, j] == g[:, j - 1]).all()]
    return g[:, keep_c].copy()


def _run_gcd(g: np.ndarray) -> int:
    """The gcd of the lengths of the runs of identical adjacent rows."""
    starts = [0] + [i for i in range(1, g.shape[0]) if not (g[i] == g[i - 1]).all()] + [g.shape[0]]
    return int(np.gcd.reduce(np.diff(starts)))


def unscale(g: np.ndarray) -> np.ndarray:
    """Undo an upscale: the largest factors whose blocks are each one color, each block one cell."""
    ky, kx = _run_gcd(g), _run_gcd(g.T)
    if ky == kx == 1:
        raise ValueError("not an upscaled grid")
    return g[::ky, ::kx].copy()


def tile(g: np.ndarray, ry: int, rx: int) -> np.ndarray:
    """Repeat the grid ry times down and rx times across."""
    return np.tile(g, (ry, rx))


def tile_layout(g: np.ndarray, layout: tuple[tuple[str, ...], ...]) -> np.ndarray:
    """Rows of blocks, each the grid under a named symmetry or "blank", e.g. (("identity", "flip_lr"),)."""
    rows = []
    for names in layout:
        blocks = [np.zeros_like(g) if n == "blank" else apply_symmetry(g, n) for n in names]
        if len({b.shape for b in blocks}) != 1:
            raise ValueError("blocks of different shapes")
        rows.append(np.concatenate(blocks, axis=1))
    return np.concatenate(rows, axis=0)


def self_kron(g: np.ndarray, bg: int = 0, invert: bool = False, color: int | str | None = None) -> np.ndarray:
    """Fractal: the grid at each non-background cell (background: invert; `color`; "majority"; "same": its color's)."""
    if color == "majority":
        color = int(np.argmax(np.bincount(g.ravel())))
    same = color == "same"
    mask = (g == g) if same else (g == color) if color is not None else (g == bg) if invert else (g != bg)
    h, w = g.shape
    if h * h > MAX_SIDE or w * w > MAX_SIDE:
        raise TooLarge("result larger than 30x30")
    out = np.full((h * h, w * w), bg, dtype=g.dtype)
    for y, x in zip(*np.nonzero(mask)):
        out[y * h:(y + 1) * h, x * w:(x + 1) * w] = np.where(g == g[y, x], g, bg) if same else g
    return out


def _axis_period(g: np.ndarray, known: np.ndarray) -> int:
    """The smallest p such that rows p apart agree wherever both are known."""
    h = g.shape[0]
    for p in range(1, h + 1):
        a, b, ka, kb = g[p:], g[:h - p], known[p:], known[:h - p]
        if not ((a != b) & ka & kb).any():
            return p
    return h


def edge_filler(g: np.ndarray) -> int | None:
    """The color of a one-color edge line (the last row, last column, first row or first column, in that order):
    a filler strip beside a pattern, maybe of another color in each grid. None if no edge line is of one color."""
    for line in (g[-1], g[:, -1], g[0], g[:, 0]):
        if (line == line[0]).all():
            return int(line[0])
    return None


def _unknown(g: np.ndarray, unknown: int | str | None) -> int | None:
    """The color standing for unknown cells: `unknown` itself, or for "edge" the grid's edge_filler."""
    if unknown != "edge":
        return unknown
    filler = edge_filler(g)
    if filler is None:
        raise ValueError("no edge of one color")
    return filler


def smallest_period(g: np.ndarray, unknown: int | str | None = None) -> tuple[int, int]:
    """The smallest (py, px) tile that every cell (but those of color `unknown`) repeats, every tile cell seen."""
    unknown = _unknown(g, unknown)
    known = g != unknown if unknown is not None else np.ones_like(g, dtype=bool)
    py, px = _axis_period(g, known), _axis_period(g.T, known.T)
    h, w = g.shape
    ys, xs = np.nonzero(known)
    key = (ys % py) * px + xs % px
    # Rows and columns agreeing pairwise can still disagree through an unknown cell, or leave a
    # tile cell never seen: checked on the tile itself.
    if len(np.unique(key)) != py * px or len(np.unique(key * 16 + g[ys, xs])) != py * px:
        raise ValueError("no repeating tile")
    return py, px


def continue_pattern(g: np.ndarray, ky: int, kx: int, bg: int | str | None = None, fixed: bool = False,
                     phase: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Repeat the smallest tile (`bg` cells unknown) over ky x kx times the size (cells: `fixed`), shifted by phase."""
    bg = _unknown(g, bg)
    py, px = smallest_period(g, bg)
    H, W = (ky, kx) if fixed else (g.shape[0] * ky, g.shape[1] * kx)
    if H > MAX_SIDE or W > MAX_SIDE:
        raise TooLarge("pattern larger than 30 cells")
    tile_ = np.empty((py, px), dtype=g.dtype)
    known = g != bg if bg is not None else np.ones_like(g, dtype=bool)
    ys, xs = np.nonzero(known)
    # smallest_period saw every tile cell, and every known cell of one agree: any of them will do.
    tile_[ys % py, xs % px] = g[ys, xs]
    tile_ = np.roll(tile_, (-phase[0], -phase[1]), axis=(0, 1))
    return np.tile(tile_, (H // py + 1, W // px + 1))[:H, :W]


def _drift(g: np.ndarray, bg: int) -> tuple[int, int]:
    """The smallest (dy, dx): each row from dy on is the row dy above it shifted dx to the right, `bg` shifted in."""
    h, w = g.shape
    for dy in range(1, h // 2 + 1):
        for dx in sorted(range(-(w - 1), w), key=lambda d: (abs(d), -d)):
            src = np.full((h - dy, w), bg, dtype=g.dtype)
            if dx >= 0:
                src[:, dx:] = g[:h - dy, :w - dx]
            else:
                src[:, :w + dx] = g[:h - dy, -dx:]
            if (g[dy:] == src).all():
                return dy, dx
    raise ValueError("no drifting period")


def continue_drift(g: np.ndarray, ky: int, kx: int, fixed: bool = False, bg: int = 0) -> np.ndarray:
    """Continue down rows that repeat every dy rows shifted dx columns, over ky x kx times the size (cells: `fixed`)."""
    dy, dx = _drift(g, bg)
    H, W = (ky, kx) if fixed else (g.shape[0] * ky, g.shape[1] * kx)
    h, w = g.shape
    if H > MAX_SIDE or W > MAX_SIDE:
        raise TooLarge("pattern larger than 30 cells")
    if H < h or W < w:
        raise ValueError("pattern smaller than the grid")
    out = np.full((H, W), bg, dtype=g.dtype)
    out[:h, :w] = g
    for y in range(h, H):
        if dx >= 0:
            out[y, dx:] = out[y - dy, :W - dx]
        else:
            out[y, :W + dx] = out[y - dy, -dx:]
    return out


def upscale_by_colors(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Each cell becomes a k-by-k block, k the number of non-background colors."""
    k = len(set(np.unique(g).tolist()) - {bg})
    if k < 2:
        raise ValueError("fewer than two colors")
    if max(g.shape) * k > MAX_SIDE:
        raise TooLarge("result larger than 30 cells")
    return upscale(g, k, k)


def repeat_band(g: np.ndarray, axis: int = 0, bg: int = 0) -> np.ndarray:
    """The span of non-background rows (axis 0) or columns (axis 1), repeated over the whole grid from where it is."""
    a = g if axis == 0 else g.T
    used = np.flatnonzero((a != bg).any(axis=1))
    if len(used) == 0 or used[-1] + 1 - used[0] == a.shape[0]:
        raise ValueError("no band, or the band fills the grid")
    top, height = int(used[0]), int(used[-1] + 1 - used[0])
    out = a[top + (np.arange(a.shape[0]) - top) % height]
    return out if axis == 0 else out.T


def repeat_runs(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Each row or column whose non-background cells form one run of two or more repeats that run along its length."""
    out = g.copy()
    for a, o in ((g, out), (g.T, out.T)):
        for line, line_out in zip(a, o):
            cells = np.flatnonzero(line != bg)
            if len(cells) < 2 or cells[-1] - cells[0] + 1 != len(cells):
                continue
            start, n = int(cells[0]), len(cells)
            line_out[:] = line[start + (np.arange(len(line)) - start) % n]
    if (out == g).all():
        raise ValueError("no run to repeat")
    return out


def repeat_around_border(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """The one run of colored cells on the border repeats around it, each copy a run's length after the last."""
    h, w = g.shape
    if h < 2 or w < 2:
        raise ValueError("no border ring")
    ring = ([(0, x) for x in range(w)] + [(y, w - 1) for y in range(1, h)] +
            [(h - 1, x) for x in range(w - 2, -1, -1)] + [(y, 0) for y in range(h - 2, 0, -1)])
    ys, xs = np.array(ring).T
    values = g[ys, xs]
    on = values != bg
    starts = np.flatnonzero(on & ~np.roll(on, 1))
    n, size = len(ring), int(on.sum())
    if len(starts) != 1 or n % (2 * size):
        raise ValueError("not one run on the border, or its copies do not fit around it")
    phase = (np.arange(n) - starts[0]) % (2 * size)
    out = g.copy()
    out[ys, xs] = np.where(phase < size, values[(starts[0] + phase) % n], bg)
    if (out == g).all():
        raise ValueError("the run already repeats")
    return out


def crop_to_tile(g: np.ndarray) -> np.ndarray:
    """The smallest tile the grid repeats (see smallest_period), at its top left."""
    py, px = smallest_period(g)
    if (py, px) == g.shape:
        raise ValueError("the grid repeats no smaller tile")
    return g[:py, :px].copy()


def repeat_seeds(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Evenly spaced seed cells become lines across the grid's short side, repeated in turn to the far edge."""
    a = g if g.shape[0] >= g.shape[1] else g.T  # seeds follow each other along the long side
    ys, xs = np.nonzero(a != bg)
    order = np.argsort(ys, kind="stable")
    ys, colors = ys[order], a[ys[order], xs[order]]
    steps = np.diff(ys)
    if len(ys) < 2 or steps[0] == 0 or (steps != steps[0]).any():
        raise ValueError("no evenly spaced seeds, one to a line")
    out = np.full_like(a, bg)
    rows = np.arange(ys[0], a.shape[0], steps[0])
    out[rows] = colors[np.arange(len(rows)) % len(colors)][:, None]
    return out if a is g else out.T


def complete_like_full_line(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Lines begun but unfinished continue the pattern of the one full line, its colors mapped as their start shows."""
    for a in (g, g.T):
        full = [i for i, line in enumerate(a) if (line != bg).all()]
        if len(full) != 1:
            continue
        model = a[full[0]]
        out = a.copy()
        for i, line in enumerate(a):
            seen = np.flatnonzero(line != bg)
            if i == full[0] or len(seen) == 0 or len(seen) == len(line):
                continue
            mapping: dict = {}
            for x in seen:
                if mapping.setdefault(int(model[x]), int(line[x])) != line[x]:
                    raise ValueError("a line's start does not map the model's colors one way")
            missing = set(model.tolist()) - set(mapping)
            if missing:
                raise ValueError("a line's start does not show every color of the model")
            out[i] = [mapping[int(c)] for c in model]
        if (out == a).all():
            raise ValueError("no line to complete")
        return out if a is g else out.T
    raise ValueError("no one full line")


def continue_objects(g: np.ndarray, bg: int = 0, color: int | None = None) -> np.ndarray:
    """Copies of one object at one steady offset continue to the grid's edge (new copies in `color`, if given)."""
    objs = objects(g, 8, True, bg)
    if len(objs) < 2:
        raise ValueError("fewer than two objects")
    patch = objs[0].patch(-1)
    if any(o.patch(-1).shape != patch.shape or (o.patch(-1) != patch).any() for o in objs[1:]):
        raise ValueError("the objects differ")
    tops = sorted((o.top, o.left) for o in objs)
    dy, dx = tops[1][0] - tops[0][0], tops[1][1] - tops[0][1]
    if any((b[0] - a[0], b[1] - a[1]) != (dy, dx) for a, b in zip(tops, tops[1:])):
        raise ValueError("the objects are not evenly spaced")
    h, w = g.shape
    out = g.copy()
    ys, xs = np.nonzero(patch >= 0)
    for sign, (y, x) in ((1, tops[-1]), (-1, tops[0])):
        while True:
            y, x = y + sign * dy, x + sign * dx
            ty, tx = ys + y, xs + x
            ok = (ty >= 0) & (ty < h) & (tx >= 0) & (tx < w)
            if not ok.any():
                break
            out[ty[ok], tx[ok]] = patch[ys[ok], xs[ok]] if color is None else color
    if (out == g).all():
        raise ValueError("no room to continue")
    return out


def scale_into_frame(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """The one-color rectangular frame cropped, with the other object scaled up to fill its inside."""
    objs = objects(g, 8, True, bg)
    frames = [o for o in objs if len(set(o.colors)) == 1 and o.height >= 3 and o.width >= 3
              and o.size == 2 * (o.height + o.width) - 4
              and (o.patch(-1)[[0, -1]] >= 0).all() and (o.patch(-1)[:, [0, -1]] >= 0).all()]
    if len(frames) != 1 or len(objs) != 2:
        raise ValueError("no one frame and one object to fit in it")
    frame = frames[0]
    piece = next(o for o in objs if o is not frame).patch(bg)
    inner_h, inner_w = frame.height - 2, frame.width - 2
    if inner_h % piece.shape[0] or inner_w % piece.shape[1]:
        raise ValueError("the object does not scale to the frame's inside")
    out = g[frame.top:frame.bottom + 1, frame.left:frame.right + 1].copy()
    out[1:-1, 1:-1] = upscale(piece, inner_h // piece.shape[0], inner_w // piece.shape[1])
    return out
