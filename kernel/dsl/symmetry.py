"""Symmetry: make a grid symmetric, or restore the cells a mask color hides from the
symmetries that the visible cells obey."""

from __future__ import annotations

import numpy as np

from .cropping import bbox


def symmetrize(g: np.ndarray, kind: str, bg: int = 0) -> np.ndarray:
    """Background cells take the color of their mirror image (kind: lr, ud, both, rot, rot180, diag)."""
    views = {"lr": [g[:, ::-1]], "ud": [g[::-1]], "both": [g[:, ::-1], g[::-1], g[::-1, ::-1]],
             "rot180": [g[::-1, ::-1]],
             "rot": [np.rot90(g, k) for k in (1, 2, 3)] if g.shape[0] == g.shape[1] else None,
             "diag": [g.T] if g.shape[0] == g.shape[1] else None}[kind]
    if views is None:
        raise ValueError("grid is not square")
    out = g.copy()
    for v in views:
        out = np.where(out == bg, v, out)
    return out


def symmetrize_content(g: np.ndarray, kind: str, bg: int = 0) -> np.ndarray:
    """symmetrize inside the bounding box of the non-background cells (a shape completed about its own center)."""
    t, l, b, r = bbox(g != bg)
    out = g.copy()
    out[t:b, l:r] = symmetrize(g[t:b, l:r], kind, bg)
    return out


def _candidate_maps(h: int, w: int):
    ys, xs = np.mgrid[0:h, 0:w]
    for a in range(1, 2 * w - 2):                      # column j <-> a - j
        yield ys, a - xs
    for b in range(1, 2 * h - 2):                      # row i <-> b - i
        yield b - ys, xs
    for b in range(max(1, h - 7), min(2 * h - 2, h + 6)):   # half turn about (b/2, a/2), near the middle
        for a in range(max(1, w - 7), min(2 * w - 2, w + 6)):
            yield b - ys, a - xs
    for d in range(-(h - 2), w - 1):                   # diagonal: (y, x) <-> (x - d, y + d)
        yield xs - d, ys + d
    for s in range(1, h + w - 2):                      # anti-diagonal: (y, x) <-> (s - x, s - y)
        yield s - xs, s - ys


_maps_cache: dict = {}


def _maps(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Every candidate map of an h x w grid as two (maps, cells) arrays, computed once per shape:
    whether a cell's image lies inside the grid, and the image's flat index (0 when outside).
    Stacked so that all maps are checked in a few array operations, not a Python loop each."""
    hit = _maps_cache.get((h, w))
    if hit is None:
        if len(_maps_cache) > 32:  # ~1 MB a shape
            _maps_cache.clear()
        inside, src = [], []
        for my, mx in _candidate_maps(h, w):
            ok = (my >= 0) & (my < h) & (mx >= 0) & (mx < w)
            inside.append(ok.ravel())
            src.append(np.where(ok, my * w + mx, 0).ravel())
        hit = (np.array(inside), np.array(src, dtype=np.int16))  # 30 x 30 cells at most
        _maps_cache[(h, w)] = hit
    return hit


def fill_symmetry(g: np.ndarray, mask_color: int) -> np.ndarray:
    """Masked cells take their mirror image's color, under every mirror or half turn the visible cells obey."""
    h, w = g.shape
    flat = g.ravel()
    unknown = flat == mask_color
    if not unknown.any():
        raise ValueError("no masked cells")
    if unknown.sum() * 2 > unknown.size:
        raise ValueError("the mask covers more than half the grid")  # then it is the picture, not a mask
    known = ~unknown
    inside, src = _maps(h, w)
    both = inside & known & known[src]
    fits = (both.sum(axis=1) >= max(4, int(known.sum()) // 3)) & ~((flat != flat[src]) & both).any(axis=1)
    if not fits.any():
        raise ValueError("no symmetry fits the visible cells")
    out = flat.copy()
    todo = unknown.copy()
    for _ in range(4):  # filled cells can fill others through another symmetry
        progressed = False
        for m in np.flatnonzero(fits):
            take = todo & inside[m] & ~todo[src[m]]
            if take.any():
                out[take] = out[src[m]][take]
                todo &= ~take
                progressed = True
        if not todo.any() or not progressed:
            break
    if todo.any():
        raise ValueError("some masked cells have no visible mirror image")
    return out.reshape(h, w)


def reveal_masked(g: np.ndarray, mask_color: int) -> np.ndarray:
    """What the mask hides: fill_symmetry, then crop to the mask's bounding box."""
    t, l, b, r = bbox(g == mask_color)
    return fill_symmetry(g, mask_color)[t:b, l:r].copy()


def _period_classes(h: int, w: int, py: int, px: int) -> np.ndarray:
    return (np.arange(h)[:, None] % py) * px + (np.arange(w)[None, :] % px)


def fill_periodic(g: np.ndarray, mask_color: int) -> np.ndarray:
    """Masked cells take the color of the smallest repeating tile that all visible cells agree with."""
    h, w = g.shape
    unknown = (g == mask_color).ravel()
    if not unknown.any():
        raise ValueError("no masked cells")
    flat = g.ravel()
    known = ~unknown.reshape(h, w)
    # Cells py rows apart share a class, so two visible ones must agree: a cheap test that
    # rules out most periods before the full one (it never rules out one that fits).
    rows_ok = [py == h or not ((g[py:] != g[:-py]) & known[py:] & known[:-py]).any() for py in range(1, h + 1)]
    cols_ok = [px == w or not ((g[:, px:] != g[:, :-px]) & known[:, px:] & known[:, :-px]).any()
               for px in range(1, w + 1)]
    periods = sorted(((py, px) for py in range(1, h + 1) for px in range(1, w + 1)
                      if py * px * 2 <= h * w and rows_ok[py - 1] and cols_ok[px - 1]),
                     key=lambda p: (p[0] * p[1], p))
    for py, px in periods:
        cls = _period_classes(h, w, py, px).ravel()
        kc, kv = cls[~unknown], flat[~unknown]
        n = py * px
        first = np.full(n, -1, dtype=np.int64)
        first[kc[::-1]] = kv[::-1]          # some visible color of each class
        if (first[kc] != kv).any():
            continue                         # two visible cells of a class disagree
        fill = first[cls[unknown]]
        if (fill < 0).any():
            continue                         # a masked cell whose class shows no visible cell
        out = flat.copy()
        out[unknown] = fill
        return out.reshape(h, w)
    raise ValueError("no repeating tile fits the visible cells")


def reveal_periodic(g: np.ndarray, mask_color: int) -> np.ndarray:
    """What the mask hides under the repeating tile: fill_periodic, then crop to the mask's bounding box."""
    t, l, b, r = bbox(g == mask_color)
    return fill_periodic(g, mask_color)[t:b, l:r].copy()


def _paint_images(g: np.ndarray, ys: np.ndarray, xs: np.ndarray, images, bg: int) -> np.ndarray:
    """`g` with each cell (ys, xs) copied to each of its mirror images (my, mx) that is background and in the grid."""
    h, w = g.shape
    out = g.copy()
    for my, mx in images:
        ok = (my >= 0) & (my < h) & (mx >= 0) & (mx < w)
        ty, tx, c = my[ok], mx[ok], g[ys[ok], xs[ok]]
        free = out[ty, tx] == bg
        out[ty[free], tx[free]] = c[free]
    return out


def symmetrize_around(g: np.ndarray, color: int, kind: str = "both", bg: int = 0) -> np.ndarray:
    """Mirror every other cell about the center of the `color` cells' box (kind: lr, ud, both) onto background."""
    t, l, b, r = bbox(g == color)
    cy2, cx2 = t + b - 1, l + r - 1  # twice the center: a cell (y, x) mirrors to (cy2 - y, cx2 - x)
    ys, xs = np.nonzero((g != bg) & (g != color))
    if len(ys) == 0:
        raise ValueError("nothing to mirror")
    images = {"lr": [(ys, cx2 - xs)], "ud": [(cy2 - ys, xs)],
              "both": [(ys, cx2 - xs), (cy2 - ys, xs), (cy2 - ys, cx2 - xs)]}[kind]
    return _paint_images(g, ys, xs, images, bg)


def fill_diagonal_periodic(g: np.ndarray, mask_color: int) -> np.ndarray:
    """Masked cells take the color of their diagonal stripe, stripes repeating with the smallest period that fits."""
    h, w = g.shape
    unknown = g == mask_color
    if not unknown.any():
        raise ValueError("no masked cells")
    ys, xs = np.mgrid[0:h, 0:w]
    for p in range(2, max(h, w)):
        for stripe in ((ys + xs) % p, (ys - xs) % p):
            first = np.full(p, -1, dtype=np.int64)
            first[stripe[~unknown][::-1]] = g[~unknown][::-1]   # some visible color of each stripe
            if (first[stripe[~unknown]] != g[~unknown]).any() or (first < 0).any():
                continue  # two visible cells of a stripe disagree, or a stripe shows none
            return np.where(unknown, first[stripe], g)
    raise ValueError("no repeating diagonal stripes fit the visible cells")


# Each symmetry as a map of offsets from the center, in doubled coordinates (so half-cell centers stay integers).
_OFFSET_MAPS = {"lr": lambda dy, dx: (dy, -dx), "ud": lambda dy, dx: (-dy, dx), "rot180": lambda dy, dx: (-dy, -dx),
                "rot90": lambda dy, dx: (dx, -dy), "rot270": lambda dy, dx: (-dx, dy),
                "transpose": lambda dy, dx: (dx, dy), "anti": lambda dy, dx: (-dx, -dy)}
COMPLETIONS = {"lr": ("lr",), "ud": ("ud",), "both": ("lr", "ud", "rot180"), "rot": ("rot90", "rot180", "rot270"),
               "d4": tuple(_OFFSET_MAPS)}


def _images(ys, xs, cy2, cx2, kind):
    dy, dx = 2 * ys - cy2, 2 * xs - cx2
    for name in COMPLETIONS[kind]:
        my, mx = _OFFSET_MAPS[name](dy, dx)
        yield (my + cy2) // 2, (mx + cx2) // 2


def complete_symmetry(g: np.ndarray, kind: str, bg: int = 0, paint: int | None = None) -> np.ndarray:
    """Complete the shapes to the symmetry (lr, ud, both, rot, d4) about the center most cells agree on."""
    ys, xs = np.nonzero(g != bg)
    if not 2 <= len(ys) <= 400:
        raise ValueError("no shape of a size to complete")
    cs = g[ys, xs]
    h, w = g.shape
    # Every same-colored pair votes for the center it would be mirrored about (a cell onto itself is no evidence).
    same = (cs[:, None] == cs[None, :]) & ~np.eye(len(cs), dtype=bool)
    i, j = np.nonzero(same)
    vy, vx = ys[i] + ys[j], xs[i] + xs[j]
    if kind == "lr":
        vy = np.zeros_like(vy)  # a mirror has an axis, not a center: pairs in any row vote for one column
    elif kind == "ud":
        vx = np.zeros_like(vx)
    keep = {"lr": ys[i] == ys[j], "ud": xs[i] == xs[j]}.get(kind, np.ones(len(i), dtype=bool))
    if kind in ("rot", "d4"):
        keep &= (vy + vx) % 2 == 0  # a quarter turn maps cells to cells only about a center of this parity
    if not keep.any():
        raise ValueError("no pair of cells to mirror")
    votes = np.bincount(vy[keep] * (2 * w) + vx[keep], minlength=4 * h * w)
    best = None
    for c in np.argsort(votes)[::-1][:6]:
        if votes[c] == 0:
            break
        cy2, cx2 = divmod(int(c), 2 * w)
        matched, whole, ok, fills = 0, np.ones(len(cs), dtype=bool), True, []
        if kind == "lr":
            cy2 = 2 * ys  # each cell keeps its row (or, for ud, its column)
        elif kind == "ud":
            cx2 = 2 * xs
        for my, mx in _images(ys, xs, cy2, cx2, kind):
            if ((my < 0) | (my >= h) | (mx < 0) | (mx >= w)).any():
                ok = False
                break
            there = g[my, mx]
            if ((there != bg) & (there != cs)).any():
                ok = False
                break
            matched += int(((there == cs) & ((my != ys) | (mx != xs))).sum())
            whole &= there == cs
            fills.append((my, mx))
        # A center that a whole symmetric part sits on (every image of each of its cells present) beats one that
        # only scattered pairs agree on.
        score = (int(whole.sum()), matched)
        if ok and matched and (best is None or score > best[0]):
            best = (score, fills)
    if best is None:
        raise ValueError("no center the shapes agree on")
    out = g.copy()
    for my, mx in best[1]:
        free = out[my, mx] == bg
        out[my[free], mx[free]] = cs[free] if paint is None else paint
    if (out == g).all():
        raise ValueError("the shapes are symmetric already")
    return out


def mirror_toward_marker(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """A shape is mirrored onto the side its marker cells (the rarer of two colors) touch; the marker gives way."""
    colors = [c for c in np.unique(g).tolist() if c != bg]
    if len(colors) != 2:
        raise ValueError("not one shape and one marker color")
    a, b = ((g == c).sum() for c in colors)
    shape, mark = (colors[0], colors[1]) if a > b else (colors[1], colors[0])
    sy, sx = np.nonzero(g == shape)
    my, mx = np.nonzero(g == mark)
    h, w = g.shape
    if mx.min() > sx.max() - 1 and my.min() >= sy.min() and my.max() <= sy.max():
        ty, tx = sy, 2 * sx.max() + 1 - sx
    elif mx.max() < sx.min() + 1 and my.min() >= sy.min() and my.max() <= sy.max():
        ty, tx = sy, 2 * sx.min() - 1 - sx
    elif my.min() > sy.max() - 1 and mx.min() >= sx.min() and mx.max() <= sx.max():
        ty, tx = 2 * sy.max() + 1 - sy, sx
    elif my.max() < sy.min() + 1 and mx.min() >= sx.min() and mx.max() <= sx.max():
        ty, tx = 2 * sy.min() - 1 - sy, sx
    else:
        raise ValueError("the marker lies on no one side of the shape")
    if ty.min() < 0 or tx.min() < 0 or ty.max() >= h or tx.max() >= w:
        raise ValueError("the mirror image leaves the grid")
    out = np.where(g == mark, bg, g)
    out[ty, tx] = shape
    return out


def mirror_across_lines(g: np.ndarray, bg: int = 0, color: int | None = None) -> np.ndarray:
    """Cells are mirrored onto background across the full row and/or column of one color (`color`, else any)."""
    if color is None:
        # The line's color changes from grid to grid: take the one non-background color that spans a line.
        full = {int(c) for c in g[(g == g[:, :1]).all(axis=1), 0]} | {int(c) for c in g[0, (g == g[:1]).all(axis=0)]}
        full.discard(bg)
        if len(full) != 1:
            raise ValueError("no single color of full lines")
        color = full.pop()
    rows = np.nonzero((g == color).all(axis=1))[0].tolist()
    cols = np.nonzero((g == color).all(axis=0))[0].tolist()
    if len(rows) > 1 or len(cols) > 1 or not (rows or cols):
        raise ValueError("not one line of each direction at most")
    ys, xs = np.nonzero((g != bg) & (g != color))
    if len(ys) == 0:
        raise ValueError("nothing to mirror")
    images = []
    if rows:
        images.append((2 * rows[0] - ys, xs))
    if cols:
        images.append((ys, 2 * cols[0] - xs))
    if rows and cols:
        images.append((2 * rows[0] - ys, 2 * cols[0] - xs))
    return _paint_images(g, ys, xs, images, bg)


def mirror_rarest_across_line(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """The rarest color's cells are mirrored onto background across the one edge-to-edge line (even diagonal)."""
    h, w = g.shape
    lines = []
    for r in np.nonzero((g == g[:, :1]).all(axis=1) & (g[:, 0] != bg))[0]:
        lines.append((int(g[r, 0]), lambda y, x, r=r: (2 * r - y, x)))
    for c in np.nonzero((g == g[:1]).all(axis=0) & (g[0] != bg))[0]:
        lines.append((int(g[0, c]), lambda y, x, c=c: (y, 2 * c - x)))
    flipped = g[:, ::-1]
    # a diagonal counts only if it runs corner-side to corner-side, at least three cells long
    for k in range(-(h - 3), w - 2):
        d = np.diagonal(g, k)
        if d[0] != bg and (d == d[0]).all():
            lines.append((int(d[0]), lambda y, x, k=k: (x - k, y + k)))
        a = np.diagonal(flipped, k)
        if a[0] != bg and (a == a[0]).all():
            s = w - 1 - k
            lines.append((int(a[0]), lambda y, x, s=s: (s - x, s - y)))
    if len(lines) != 1:
        raise ValueError("not exactly one edge-to-edge line")
    color, reflect = lines[0]
    values, counts = np.unique(g[(g != bg) & (g != color)], return_counts=True)
    if len(values) == 0 or (len(values) > 1 and np.sort(counts)[0] == np.sort(counts)[1]):
        raise ValueError("no single rarest color")
    rare = values[np.argmin(counts)]
    ys, xs = np.nonzero(g == rare)
    out = _paint_images(g, ys, xs, [reflect(ys, xs)], bg)
    if (out == g).all():
        raise ValueError("nothing lands on background")
    return out
