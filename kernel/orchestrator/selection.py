"""Selection: from the candidates in a trace to ranked answers per test input; the one
ranking every command, tuning and the report use.

Verified programs come first (an answer more distinct programs agree on wins, then the
shortest program's); grid predictions follow by votes."""

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
    predictions: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    passed_outputs: list = field(default_factory=list)  # (task id, test outputs) of every passing program
    programs: int = 0
    programs_passed: int = 0
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
            key = program_key(code) if passed else None
            if passed:
                c.passed_outputs.append((task_id, [_grid(g) for g in outputs]))
            for i in range(n_tests[task_id]):
                g = _grid(outputs[i]) if passed and i < len(outputs) else None
                c.predictions[task_id][i].append(g)
                if g is not None:
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
    return c


def ranked_answers(c: Collected, n_tests: Mapping[str, int]) -> dict[str, list[list[Grid]]]:
    out: dict[str, list[list[Grid]]] = {}
    for task_id, n in n_tests.items():
        per_test = []
        for i in range(n):
            support = c.program_support.get(task_id, {}).get(i, {})
            ranked = [g for g, _ in sorted(support.items(), key=lambda kv: (-len(kv[1][0]), kv[1][1]))]
            votes = c.grid_votes.get((task_id, i), Counter())
            ranked += [g for g, _ in sorted(votes.items(), key=lambda kv: -kv[1]) if g not in support]
            per_test.append(ranked)
        if any(per_test):
            out[task_id] = per_test
    return out
