"""Stamps: a small pattern, one per marker color, drawn around every cell of that color
(the pattern is learned from the train pairs by the search's `infer_stamp` finisher); a
template object copied onto marker objects; partial copies of templates completed; and pieces
grown into a template at their own scale."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from .objects import objects


def stamp(g: np.ndarray, patterns: Mapping[int, Mapping[tuple[int, int], int]], bg: int = 0) -> np.ndarray:
    """Around every cell of color c, paint patterns[c] ({(dy, dx): color}) on background cells ((0, 0): on the cell)."""
    out = g.copy()
    h, w = g.shape
    for c, pattern in patterns.items():
        ys, xs = np.nonzero(g == c)
        for (dy, dx), color in pattern.items():
            ty, tx = ys + dy, xs + dx
            ok = (ty >= 0) & (ty < h) & (tx >= 0) & (tx < w)
            ty, tx = ty[ok], tx[ok]
            free = g[ty, tx] == bg if (dy, dx) != (0, 0) else np.ones(len(ty), dtype=bool)
            out[ty[free], tx[free]] = color
    return out


TEMPLATE_PLACEMENTS = ("center", "fill", "anchor", "shape")


def copy_template(g: np.ndarray, placement: str = "center", bg: int = 0, erase: bool = False) -> np.ndarray:
    """The object of most colors copied onto one-color markers (centered, over a box or shape like it, or by color)."""
    # Shapes are matched cell for cell, so a template touching a marker at a corner is still two objects.
    # A separator line (a full row or column of one color) is not part of the template it borders.
    lines = np.zeros(g.shape, dtype=bool)
    lines[[y for y in range(g.shape[0]) if g[y, 0] != bg and (g[y] == g[y, 0]).all()], :] = True
    lines[:, [x for x in range(g.shape[1]) if g[0, x] != bg and (g[:, x] == g[0, x]).all()]] = True
    objs = objects(np.where(lines, bg, g), 4 if placement == "shape" else 8, True, bg)
    if len(objs) < 2:
        raise ValueError("no template and marker")
    ranked = sorted(objs, key=lambda o: (-len(set(o.colors)), -o.size))
    template = ranked[0]
    if placement != "anchor" and (len(set(ranked[1].colors)), ranked[1].size) == (len(set(template.colors)),
                                                                                   template.size):
        raise ValueError("two candidate templates")
    patch = template.patch(-1)
    th, tw = patch.shape
    multicolored = [o for o in objs if len(set(o.colors)) > 1]  # "anchor": each marker finds its own
    out = g.copy()
    h, w = g.shape
    placed = 0
    for o in objs:
        if len(set(o.colors)) != 1:
            continue
        if placement == "center":
            if th % 2 == 0 or tw % 2 == 0 or o.size != 1:
                continue
            top, left = o.top - th // 2, o.left - tw // 2
        elif placement == "fill":
            if (o.height, o.width) != (th, tw) or o.size != th * tw:
                continue
            top, left = o.top, o.left
        elif placement == "shape":
            if (o.height, o.width) != (th, tw) or not ((o.patch(-1) >= 0) == (patch >= 0)).all():
                continue
            top, left = o.top, o.left
        else:
            fits = [t for t in multicolored if t.colors.count(o.colors[0]) == 1]
            if len(fits) != 1 or o.size != 1:
                continue
            patch = fits[0].patch(-1)
            y, x = fits[0].cells[fits[0].colors.index(o.colors[0])]
            top, left = o.top - (y - fits[0].top), o.left - (x - fits[0].left)
        out[tuple(np.array(o.cells).T)] = bg  # the marker gives way to the template
        for (y, x), c in np.ndenumerate(patch):
            if c >= 0 and 0 <= top + y < h and 0 <= left + x < w:
                out[top + y, left + x] = c
        placed += 1
    if not placed:
        raise ValueError("no marker fits the template")
    if erase:
        out[tuple(np.array(template.cells).T)] = bg
    return out


_TURNS = ((1, 0, 0, 1), (0, 1, -1, 0), (-1, 0, 0, -1), (0, -1, 1, 0),
          (-1, 0, 0, 1), (1, 0, 0, -1), (0, 1, 1, 0), (0, -1, -1, 0))  # (a, b, c, d): (y, x) -> (a*y+b*x, c*y+d*x)
_MAX_TEMPLATE = 400  # cells: a bigger multicolored object is a picture, not a template to copy
_MAX_PIECES = 40  # more objects than this, or more than 12 multicolored, is noise, not templates and copies


def _turned(t, k: int) -> np.ndarray:
    """The template's cells turned by _TURNS[k], as rows (y, x, color)."""
    a, b, c, d = _TURNS[k]
    cells = np.array(t.cells)
    return np.column_stack([a * cells[:, 0] + b * cells[:, 1], c * cells[:, 0] + d * cells[:, 1], t.colors])


def _placements(turned: list[np.ndarray], y0: int, x0: int, color: int):
    """Every placement of a (turned) template that puts a cell of `color` on (y0, x0)."""
    for cells in turned:
        for y, x in cells[cells[:, 2] == color, :2]:
            yield cells + (y0 - y, x0 - x, 0)


def _keys(cells: np.ndarray) -> np.ndarray:
    """Rows (y, x, color) as one integer each, for set tests in numpy."""
    return ((cells[:, 0] + 64) * 256 + cells[:, 1] + 64) * 64 + cells[:, 2]  # placeholders reach past 15


def _anchor(o, turned: list[np.ndarray]) -> tuple[int, int, int]:
    """The cell of `o` (y, x, color) whose color the templates have fewest of: the fewest placements to try."""
    counts = np.bincount(np.concatenate([t[:, 2] for t in turned]), minlength=16) if turned else np.zeros(16)
    k = min(range(o.size), key=lambda i: counts[o.colors[i]])
    return o.cells[k][0], o.cells[k][1], o.colors[k]


def _templates(objs: list, turns: bool) -> tuple[list, list]:
    """Split objects into full templates (multicolored, and no larger template covers them) and partial copies."""
    templates, partial, turned = [], [], []
    for o in sorted(objs, key=lambda o: -o.size):
        want = _keys(np.column_stack([np.array(o.cells), o.colors]))
        covered = any(np.isin(want, _keys(placed)).all() for placed in _placements(turned, *_anchor(o, turned)))
        if len(set(o.colors)) > 1 and not covered:
            if o.size > _MAX_TEMPLATE:
                raise ValueError("a template too big to place cell by cell")
            templates.append(o)
            turned += [_turned(o, k) for k in range(8 if turns else 1)]
            if len(templates) > 4:
                raise ValueError("too many templates")
        else:
            partial.append(o)
    return templates, partial


def complete_copies(g: np.ndarray, turns: bool = False, bg: int = 0, erase: bool = False) -> np.ndarray:
    """Partial copies of multicolored templates completed (turned or mirrored if `turns`) where one fit is best."""
    objs = objects(g, 8, True, bg)
    multicolored = sum(len(set(o.colors)) > 1 for o in objs)
    if len(objs) > _MAX_PIECES or not 0 < multicolored <= 12:
        raise ValueError("no template among a few objects")
    templates, partial = _templates(objs, turns)
    if not partial:
        raise ValueError("no partial copy")
    h, w = g.shape
    owner = np.full(g.shape, -1)
    for i, o in enumerate(objs):
        owner[tuple(np.array(o.cells).T)] = i
    in_template = {objs.index(t) for t in templates}
    turned = [_turned(t, k) for t in templates for k in range(8 if turns else 1)]
    out = g.copy()
    if erase:  # the templates move onto their copies
        for t in templates:
            out[tuple(np.array(t.cells).T)] = bg
    tried = 0
    for o in partial:
        best, fits = 0, set()
        for placed in _placements(turned, *_anchor(o, turned)):
            tried += 1
            if tried > 4000:
                raise ValueError("too many ways to place the templates")
            py, px, pc = placed.T
            if py.min() < 0 or px.min() < 0 or py.max() >= h or px.max() >= w:
                continue
            there = g[py, px]
            if ((there != bg) & (there != pc)).any():
                continue
            hit = there != bg
            touched = set(owner[py[hit], px[hit]].tolist())
            if touched & in_template:
                continue
            footprint = set(zip(py.tolist(), px.tolist()))
            if not all(set(objs[i].cells) <= footprint for i in touched):
                continue
            n, key = int(hit.sum()), tuple(sorted(map(tuple, placed.tolist())))
            if n > best:
                best, fits = n, {key}
            elif n == best:
                fits.add(key)
        if len(fits) == 1:
            for py, px, pc in next(iter(fits)):
                out[py, px] = pc
    if (out == g).all():
        raise ValueError("no partial copy has one best fit")
    return out


def _anchor_colors(o) -> tuple[int, int] | None:
    """(anchor, body) when the object has two colors and one of them on a single cell."""
    values, counts = np.unique(o.colors, return_counts=True)
    if len(values) != 2 or sorted(counts)[0] != 1 or o.size < 3:
        return None
    return (int(values[0]), int(values[1])) if counts[0] == 1 else (int(values[1]), int(values[0]))


def grow_from_anchor(g: np.ndarray, bg: int = 0) -> np.ndarray:
    """Pieces holding the template's one-cell color grow into the template, scaled to that block, in their color."""
    objs = objects(g, 8, True, bg)
    marked = [o for o in objs if _anchor_colors(o)]
    if not marked:
        raise ValueError("no template with a one-cell color")
    top = max(o.size for o in marked)
    templates = [o for o in marked if o.size == top]
    h, w = g.shape
    out = g.copy()
    for piece in objs:
        if piece in templates or len(set(piece.colors)) != 2:
            continue
        patch = piece.patch(-1)
        for t in templates:
            anchor, body = _anchor_colors(t)
            if anchor not in piece.colors:
                continue
            ay, ax = np.nonzero(patch == anchor)
            k = int(ay.max() - ay.min() + 1)
            if len(ay) != k * k or ax.max() - ax.min() + 1 != k or ay.min() % k or ax.min() % k \
                    or patch.shape[0] % k or patch.shape[1] % k:
                continue
            small = patch[::k, ::k]
            if not (np.kron(small, np.ones((k, k), dtype=small.dtype)) == patch).all():
                continue
            color = next(c for c in piece.colors if c != anchor)
            tpatch = t.patch(-1)
            oy = int(ay.min()) // k - int(np.argwhere(tpatch == anchor)[0][0])
            ox = int(ax.min()) // k - int(np.argwhere(tpatch == anchor)[0][1])
            want = np.where(tpatch == body, color, tpatch)
            if not all(0 <= y - oy < want.shape[0] and 0 <= x - ox < want.shape[1] and want[y - oy, x - ox] == c
                       for (y, x), c in np.ndenumerate(small) if c >= 0):
                continue
            for (y, x), c in np.ndenumerate(want):
                if c < 0:
                    continue
                y0, x0 = piece.top + (y + oy) * k, piece.left + (x + ox) * k
                block = out[max(y0, 0):max(min(y0 + k, h), 0), max(x0, 0):max(min(x0 + k, w), 0)]
                block[block == bg] = c
            break
    if (out == g).all():
        raise ValueError("no piece grows into the template")
    return out
