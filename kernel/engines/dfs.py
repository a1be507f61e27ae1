"""Depth-first sampling (the ARChitects' DFS): every completion whose probability is at least
`min_prob`, found by walking the tree of continuations highest-probability child first, so the
greedy completion comes first. A branch is cut as soon as its probability falls below
`min_prob` (probabilities only shrink along a path), which bounds the children of any node by
1 / min_prob. One key-value cache serves the whole walk: going back up the tree crops it to the
branch point, so each step feeds one token."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Found:
    tokens: tuple[int, ...]   # the end token included
    logprob: float


Children = list[tuple[int, float]]   # (token, its log-probability), only those at least a bound


def dfs(first: Callable[[float], Children], step: Callable[[int, int, float], Children], eos: int,
        min_prob: float, max_tokens: int, max_steps: int) -> tuple[list[Found], int]:
    """(completions in the order found, steps taken). `first(bound)`: the first token's
    candidates with log-probability at least `bound`; `step(depth, token, bound)` feeds `token`
    at `depth` (the cache then holds the prompt and the `depth` tokens before it) and returns the
    next token's candidates the same way. Stops after `max_steps` calls of `step`; completions
    longer than `max_tokens` tokens are dropped."""
    floor = math.log(min_prob)
    found: list[Found] = []
    steps = 0

    def children(candidates: Children, cum: float) -> Children:
        """Highest last (popped first)."""
        return sorted(((t, cum + lp) for t, lp in candidates if cum + lp >= floor), key=lambda x: x[1])

    # each frame: (depth, the tokens before it, its children still to visit)
    stack = [(0, (), children(first(floor), 0.0))]
    while stack:
        depth, prefix, todo = stack[-1]
        if not todo:
            stack.pop()
            continue
        token, cum = todo.pop()
        if token == eos:
            found.append(Found(prefix + (token,), cum))
            continue
        if depth + 1 >= max_tokens or steps >= max_steps:
            continue
        steps += 1
        stack.append((depth + 1, prefix + (token,), children(step(depth, token, floor - cum), cum)))
    return found, steps
