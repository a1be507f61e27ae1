"""Depth-first sampling over a toy model whose every probability is known, checked against
enumerating every sequence."""

import itertools
import math

from kernel.engines.dfs import dfs

EOS = 0


def toy(prefix: tuple[int, ...]) -> list[float]:
    """Next-token probabilities over {0: end, 1, 2, 3}, depending on the prefix."""
    if len(prefix) >= 3:
        return [0.9, 0.05, 0.03, 0.02]
    k = (sum(prefix) + len(prefix)) % 3
    return [[0.1, 0.6, 0.25, 0.05], [0.5, 0.1, 0.3, 0.1], [0.3, 0.35, 0.2, 0.15]][k]


def walk(min_prob, max_tokens=8, max_steps=10_000):
    fed = []

    def candidates(prefix, bound):
        return [(t, math.log(p)) for t, p in enumerate(toy(prefix)) if math.log(p) >= bound]

    def step(depth, token, bound):
        prefix = (fed[:depth] if depth else []) + [token]
        fed[:] = prefix
        return candidates(tuple(prefix), bound)

    return dfs(lambda bound: candidates((), bound), step, EOS, min_prob, max_tokens, max_steps)


def every_sequence(max_tokens):
    for length in range(1, max_tokens + 1):
        for body in itertools.product((1, 2, 3), repeat=length - 1):
            seq, lp = body + (EOS,), 0.0
            for i, t in enumerate(seq):
                lp += math.log(toy(seq[:i])[t])
            yield seq, lp


def test_dfs_finds_exactly_the_completions_at_least_min_prob_probable():
    for min_prob in (0.02, 0.05, 0.17):
        found, _ = walk(min_prob)
        want = {seq: lp for seq, lp in every_sequence(8) if lp >= math.log(min_prob)}
        assert {f.tokens: f.logprob for f in found}.keys() == want.keys()
        for f in found:
            assert math.isclose(f.logprob, want[f.tokens])


def test_dfs_finds_the_greedy_completion_first():
    found, _ = walk(0.01)
    greedy, prefix = [], ()
    while not greedy or greedy[-1] != EOS:
        p = toy(prefix)
        greedy.append(p.index(max(p)))
        prefix = tuple(greedy)
    assert found[0].tokens == tuple(greedy)


def test_dfs_stops_after_its_step_bound_and_keeps_what_it_found():
    found, steps = walk(0.001, max_steps=5)
    assert steps == 5 and found and all(f.tokens[-1] == EOS for f in found)
