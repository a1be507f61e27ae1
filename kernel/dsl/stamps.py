"""Stamps: a small pattern, one per marker color, drawn around every cell of that color
(the pattern is learned from the train pairs by the search's `infer_stamp` finisher); and a
template object copied onto marker objects."""

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
    objs = objects(g, 4 if placement == "shape" else 8, True, bg)
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
