"""Composition: an output made of the changes of several chains, each of which changes only
cells the way the output does (icecuber's assembly from partial pieces, for outputs of the
input's shape). No chain alone reproduces every pair; laid together they cover every changed cell."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..dsl.colors import recolor
from .program import Step

MAX_PARTS = 3


def sound_part(inputs: Sequence[np.ndarray], states: Sequence[np.ndarray], outputs: Sequence[np.ndarray],
               test_inputs: Sequence[np.ndarray], test_states: Sequence[np.ndarray]) -> tuple[np.ndarray, dict] | None:
    """The cells (all train pairs, flattened) `states` change as the outputs do, and the recolor
    of placeholder colors (10 and up) that makes them so; None when a change is wrong, a shape
    differs, nothing changes, or a test state has a placeholder the train pairs never named."""
    mapping: dict[int, int] = {}
    for s, o in zip(states, outputs):
        if s.shape != o.shape:
            return None
        marked = s >= 10
        for code in np.unique(s[marked] * 10 + o[marked]).tolist():
            value, color = divmod(code, 10)
            if mapping.setdefault(value, color) != color:
                return None
    for t, ti in zip(test_states, test_inputs):
        if t.shape != ti.shape or not set(np.unique(t[t >= 10]).tolist()) <= mapping.keys():
            return None
    gains = []
    for i, s, o in zip(inputs, states, outputs):
        r = recolor(s, mapping) if mapping else s
        changed = r != i
        if (r[changed] != o[changed]).any():
            return None
        gains.append(changed.ravel())
    gain = np.concatenate(gains)
    return (gain, mapping) if gain.any() else None


def cover(gains: Sequence[np.ndarray], needed: np.ndarray) -> list[int] | None:
    """Greedily, at most MAX_PARTS of `gains` whose union is `needed`, each adding cells; None if none found."""
    if not gains or not needed.any():
        return None
    matrix = np.stack(gains)
    left = needed.copy()
    chosen: list[int] = []
    while left.any() and len(chosen) < MAX_PARTS:
        adds = (matrix & left).sum(axis=1)
        best = int(np.argmax(adds))
        if adds[best] == 0:
            return None
        chosen.append(best)
        left &= ~matrix[best]
    return chosen if not left.any() and len(chosen) > 1 else None


def combined(parts: Sequence[tuple[tuple[Step, ...], dict]]) -> Step:
    """The one step laying the chains' changes together (dsl.combine_changes), each chain with
    the recolor of its placeholders."""
    chains = []
    for steps, mapping in parts:
        chain = tuple((s.fn, s.args) for s in steps)
        chains.append(chain + ((("recolor", (mapping,)),) if mapping else ()))
    return Step("combine_changes", (tuple(chains),))
