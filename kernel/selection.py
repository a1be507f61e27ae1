"""From verified programs to ranked answers per test input.

A program that reproduces every train output is almost never wrong, so its answers come
first; among them, an answer more distinct programs agree on wins, then the simplest
program's (shortest source)."""

from __future__ import annotations

from typing import Sequence

from .grids import Grid
from .verify import Verification


def rank_program_answers(verified: Sequence[tuple[Verification, str]], n_test: int) -> list[list[Grid]]:
    """`verified` holds (verification, source) pairs of one task; returns, per test input,
    the distinct answers of passing programs, best first."""
    ranked: list[list[Grid]] = []
    for i in range(n_test):
        support: dict[Grid, tuple[set[str], int]] = {}
        for v, code in verified:
            if not v.passed or v.test[i] is None:
                continue
            keys, shortest = support.get(v.test[i], (set(), len(code)))
            keys.add(v.program_key)
            support[v.test[i]] = (keys, min(shortest, len(code)))
        order = sorted(support.items(), key=lambda kv: (-len(kv[1][0]), kv[1][1]))
        ranked.append([grid for grid, _ in order])
    return ranked
