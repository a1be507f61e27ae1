"""submission.json: `{task_id: [{"attempt_1": grid, "attempt_2": grid}, ...]}`, one entry
per test input, every task id of the challenges file present, written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Mapping, Sequence

from .grids import Grid, GridError, parse_grid, to_lists
from .tasks import TaskSet

EMPTY: Grid = ((0,),)


class SubmissionError(ValueError):
    pass


def expected_entries(taskset: TaskSet) -> dict[str, int]:
    """How many test entries each task id needs. A task whose test list is unreadable still
    gets one entry, so the id is present."""
    counts = {t.id: len(t.test) for t in taskset.tasks}
    counts.update({m.id: max(1, len(m.test_inputs)) for m in taskset.malformed})
    return {tid: counts[tid] for tid in taskset.order}


def _test_inputs(taskset: TaskSet) -> dict[str, Sequence[Grid | None]]:
    inputs: dict[str, Sequence[Grid | None]] = {t.id: t.test_inputs for t in taskset.tasks}
    inputs.update({m.id: m.test_inputs for m in taskset.malformed})
    return inputs


def two_attempts(ranked: Sequence[Grid], test_input: Grid | None) -> tuple[Grid, Grid]:
    """The two best distinct answers, padded with fallbacks: the test input itself (right
    more often than any constant), then a 1x1 grid, repeated if nothing else is left."""
    picks: list[Grid] = []
    for g in list(ranked) + [g for g in (test_input, EMPTY) if g is not None]:
        if g not in picks:
            picks.append(g)
        if len(picks) == 2:
            return picks[0], picks[1]
    return picks[0], picks[0]


def build_submission(taskset: TaskSet, answers: Mapping[str, Sequence[Sequence[Grid]]] | None = None) -> dict:
    """`answers[task_id][i]` is a ranked list of distinct grids for test input i (may be empty)."""
    answers = answers or {}
    inputs = _test_inputs(taskset)
    sub: dict[str, list[dict]] = {}
    for task_id, count in expected_entries(taskset).items():
        task_answers = answers.get(task_id, ())
        entries = []
        for i in range(count):
            test_input = inputs[task_id][i] if i < len(inputs[task_id]) else None
            ranked = task_answers[i] if i < len(task_answers) else ()
            a1, a2 = two_attempts(ranked, test_input)
            entries.append({"attempt_1": to_lists(a1), "attempt_2": to_lists(a2)})
        sub[task_id] = entries
    return sub


def validate_submission(sub: Any, expected: Mapping[str, int] | None = None) -> list[str]:
    """Every problem found, one line each; an empty list means the file is valid."""
    if not isinstance(sub, dict):
        return [f"submission is a {type(sub).__name__}, expected an object of task ids"]
    problems = []
    for task_id, entries in sub.items():
        if not isinstance(entries, list) or not entries:
            problems.append(f"{task_id}: expected a non-empty list of attempts")
            continue
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or set(entry) != {"attempt_1", "attempt_2"}:
                problems.append(f"{task_id}[{i}]: expected exactly attempt_1 and attempt_2")
                continue
            for name in ("attempt_1", "attempt_2"):
                try:
                    parse_grid(entry[name])
                except GridError as e:
                    problems.append(f"{task_id}[{i}].{name}: {e}")
    if expected is not None:
        for task_id, count in expected.items():
            if task_id not in sub:
                problems.append(f"{task_id}: missing")
            elif isinstance(sub[task_id], list) and len(sub[task_id]) != count:
                problems.append(f"{task_id}: {len(sub[task_id])} entries, expected {count} (one per test input)")
        problems += [f"{tid}: not a task of the challenges file" for tid in sub if tid not in expected]
    return problems


def write_json_atomic(path: str | os.PathLike, obj: Any) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it: a reader sees
    the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(obj, f, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_submission(path: str | os.PathLike, sub: dict, expected: Mapping[str, int] | None = None) -> None:
    problems = validate_submission(sub, expected)
    if problems:
        raise SubmissionError("refusing to write an invalid submission: " + "; ".join(problems[:5]))
    write_json_atomic(path, sub)
