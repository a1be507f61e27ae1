"""Selection: from the candidates in a trace to ranked answers per test input; the one
ranking every command, tuning and the report use.

Verified programs come first (an answer more distinct programs agree on wins, then the
shortest program's), except those their source marked untrusted (the search's guesses: thin
evidence, or an answer it disagrees with itself about), which vote as grid predictions do;
grid predictions follow, ranked by one of the methods of
`selection.method`: votes alone, votes with the samples' log-probability as tie-break (arc24),
the mean log-likelihood under augmented views (the ARChitects' product of experts), or votes
minus the mean negative log-likelihood (NVARC). The likelihood methods use a test input's
scores only when the score_output stage finished it, else its votes. Last come the search's
near misses (chains that fit every train pair but one), in the order the search ranked them."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from ..grids import Grid, GridError, parse_grid
from ..verify import program_key


def _grid(obj) -> Grid | None:
    try:
        return parse_grid(obj) if obj is not None else None
    except GridError:
        return None


@dataclass
class Collected:
    # task -> test index -> {answer: (distinct program keys, shortest code length)}
    program_support: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(dict)))
    grid_votes: dict = field(default_factory=lambda: defaultdict(Counter))  # (task, test index) -> Counter
    # (task, test index) -> {grid: [each sample's log-probability]}
    grid_logprobs: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    # (task, test index) -> {grid: mean log-likelihood over the views it was scored under}
    scores: dict = field(default_factory=dict)
    predictions: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    near: dict = field(default_factory=lambda: defaultdict(list))  # (task, test index) -> near-miss grids
    passed_outputs: list = field(default_factory=list)  # (task id, test outputs) of every trusted passing program
    guessed_outputs: list = field(default_factory=list)  # the same for passing programs marked untrusted
    programs: int = 0
    programs_passed: int = 0   # trusted or not
    grids: int = 0


def collect(events: Iterable[dict], n_tests: Mapping[str, int], stages: set[str] | None = None) -> Collected:
    """`n_tests[task_id]`: test inputs per task; candidates of other tasks are ignored."""
    c = Collected()
    for e in events:
        if e.get("event") != "candidate" or (stages is not None and e.get("stage") not in stages):
            continue
        task_id = e.get("task_id")
        if task_id not in n_tests:
            continue
        if e.get("kind") == "program":
            c.programs += 1
            code, outputs = e.get("code"), e.get("test") or []
            passed = bool(e.get("passed")) and isinstance(code, str)
            c.programs_passed += passed
            trusted = e.get("trusted", True) is not False
            key = program_key(code) if passed else None
            if passed:
                (c.passed_outputs if trusted else c.guessed_outputs).append((task_id, [_grid(g) for g in outputs]))
            for i in range(n_tests[task_id]):
                g = _grid(outputs[i]) if passed and i < len(outputs) else None
                c.predictions[task_id][i].append(g)
                if g is not None and not trusted:
                    c.grid_votes[(task_id, i)][g] += 1
                elif g is not None:
                    keys, shortest = c.program_support[task_id][i].get(g, (set(), len(code)))
                    keys.add(key)
                    c.program_support[task_id][i][g] = (keys, min(shortest, len(code)))
        elif e.get("kind") == "grid":
            i = e.get("test_index")
            if not isinstance(i, int) or not 0 <= i < n_tests[task_id]:
                continue
            c.grids += 1
            g = _grid(e.get("grid"))
            c.predictions[task_id][i].append(g)
            if g is not None:
                c.grid_votes[(task_id, i)][g] += 1
                if isinstance(e.get("logprob"), (int, float)):
                    c.grid_logprobs[(task_id, i)][g].append(float(e["logprob"]))
        elif e.get("kind") == "near":
            i, g = e.get("test_index"), _grid(e.get("grid"))
            if isinstance(i, int) and 0 <= i < n_tests[task_id] and g is not None:
                c.near[(task_id, i)].append(g)
        elif e.get("kind") == "score":
            i = e.get("test_index")
            if isinstance(i, int) and 0 <= i < n_tests[task_id]:
                scored = {}
                for g, lps in zip(e.get("grids") or [], e.get("logprobs") or []):
                    g, lps = _grid(g), [x for x in lps or [] if isinstance(x, (int, float))]
                    if g is not None and lps:
                        scored[g] = sum(lps) / len(lps)
                c.scores[(task_id, i)] = scored
    return c


def _mean(xs) -> float:
    return sum(xs) / len(xs) if xs else float("-inf")


def rank_grids(votes: Counter, logprobs: Mapping, scores: Mapping | None, method: str) -> list[Grid]:
    """The grids of one test input, best first. `scores`: mean log-likelihood per grid, None when
    the test input was not scored (the likelihood methods then rank by votes)."""
    if method == "votes+logprob":
        return sorted(votes, key=lambda g: (-votes[g], -_mean(logprobs.get(g, ()))))
    if method in ("product-of-experts", "votes-minus-nll") and scores:
        def key(g):
            if g not in scores:   # not among the scored (fewer votes than every scored grid)
                return (1, -votes[g], 0.0)
            lik = scores[g] if method == "product-of-experts" else votes[g] + scores[g]
            return (0, -lik, -votes[g])
        return sorted(votes, key=key)
    return [g for g, _ in sorted(votes.items(), key=lambda kv: -kv[1])]


def ranked_answers(c: Collected, n_tests: Mapping[str, int], method: str = "votes") -> dict[str, list[list[Grid]]]:
    out: dict[str, list[list[Grid]]] = {}
    for task_id, n in n_tests.items():
        per_test = []
        for i in range(n):
            support = c.program_support.get(task_id, {}).get(i, {})
            ranked = [g for g, _ in sorted(support.items(), key=lambda kv: (-len(kv[1][0]), kv[1][1]))]
            key = (task_id, i)
            votes = c.grid_votes.get(key, Counter())
            ranked += [g for g in rank_grids(votes, c.grid_logprobs.get(key, {}), c.scores.get(key), method)
                       if g not in support]
            ranked += [g for g in dict.fromkeys(c.near.get(key, ())) if g not in ranked]
            per_test.append(ranked)
        if any(per_test):
            out[task_id] = per_test
    return out
