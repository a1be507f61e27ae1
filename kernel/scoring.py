"""The official ARC Prize score of a submission, and the seed experiment's metrics over
many candidate predictions per test input."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping, Sequence

from .grids import Grid, GridError, parse_grid


@dataclass(frozen=True)
class TaskScore:
    task_id: str
    score: float                 # mean over the task's test inputs
    correct: tuple[bool, ...]    # per test input: either attempt equals the solution


@dataclass
class ScoreReport:
    score: float                 # mean over the tasks of the solutions file
    tasks: list[TaskScore]
    missing: list[str] = field(default_factory=list)    # solved tasks absent from the submission
    problems: list[str] = field(default_factory=list)   # malformed entries, counted as wrong

    @property
    def solved(self) -> float:
        return sum(t.score for t in self.tasks)

    def to_json(self) -> dict:
        return {
            "score": self.score,
            "tasks_total": len(self.tasks),
            "tasks_solved": self.solved,
            "missing": self.missing,
            "problems": self.problems,
            "per_task": {t.task_id: {"score": t.score, "correct": list(t.correct)} for t in self.tasks},
        }


def _attempt(entry: Any, name: str) -> Grid | None:
    try:
        return parse_grid(entry[name])
    except (GridError, KeyError, TypeError):
        return None


def score_submission(sub: Mapping[str, Any], solutions: Mapping[str, Sequence[Grid]]) -> ScoreReport:
    """A test input counts if attempt_1 or attempt_2 equals its solution exactly; a task scores
    the mean over its test inputs; the total is the mean over the tasks in `solutions`."""
    tasks, missing, problems = [], [], []
    for task_id, sols in solutions.items():
        entries = sub.get(task_id)
        if not isinstance(entries, list):
            missing.append(task_id)
            entries = []
        correct = []
        for i, sol in enumerate(sols):
            entry = entries[i] if i < len(entries) else None
            attempts = [_attempt(entry, n) for n in ("attempt_1", "attempt_2")] if entry is not None else []
            if entry is not None and None in attempts:
                problems.append(f"{task_id}[{i}]: an attempt is missing or not a valid grid")
            correct.append(any(a is not None and a == sol for a in attempts))
        tasks.append(TaskScore(task_id, sum(correct) / len(correct) if correct else 0.0, tuple(correct)))
    total = sum(t.score for t in tasks) / len(tasks) if tasks else 0.0
    return ScoreReport(total, tasks, missing, problems)


def parse_solutions(obj: Any) -> tuple[dict[str, list[Grid]], list[str]]:
    """Read a `{task_id: [grid, ...]}` object; bad entries are reported and left out."""
    if not isinstance(obj, dict):
        raise ValueError(f"solutions is a {type(obj).__name__}, expected an object of task ids")
    sols, problems = {}, []
    for task_id, grids in obj.items():
        try:
            if not isinstance(grids, list) or not grids:
                raise GridError("expected a non-empty list of grids")
            sols[task_id] = [parse_grid(g) for g in grids]
        except GridError as e:
            problems.append(f"solutions for {task_id}: {e}; task left out")
    return sols, problems


def ranked_by_votes(predictions: Sequence[Grid | None]) -> list[tuple[Grid, int]]:
    """Distinct answered predictions, most votes first; ties keep first-seen order."""
    counts = Counter(p for p in predictions if p is not None)
    return sorted(counts.items(), key=lambda kv: -kv[1])  # sorted() is stable


@dataclass(frozen=True)
class Metrics:
    accuracy: float     # share of all predictions that are correct
    pass_n: float       # share of test inputs where any prediction is correct
    vote_1: float       # share of test inputs whose most voted prediction is correct
    vote_2: float       # share of test inputs where one of the two most voted is correct
    unanswered: float   # share of predictions with no answer
    n_predictions: int
    n_inputs: int

    def to_json(self) -> dict:
        return asdict(self)


def prediction_metrics(predictions: Mapping[str, Sequence[Sequence[Grid | None]]],
                       solutions: Mapping[str, Sequence[Grid]]) -> Metrics:
    """`predictions[task_id][i]` holds every prediction for test input i (None = unanswered).
    Test inputs of `solutions` with no predictions count as inputs, with nothing correct."""
    n_pred = n_correct = n_none = n_inputs = n_pass = n_v1 = n_v2 = 0
    for task_id, sols in solutions.items():
        task_preds = predictions.get(task_id, ())
        for i, sol in enumerate(sols):
            preds = task_preds[i] if i < len(task_preds) else ()
            n_inputs += 1
            n_pred += len(preds)
            n_none += sum(p is None for p in preds)
            hits = sum(p == sol for p in preds if p is not None)
            n_correct += hits
            n_pass += hits > 0
            top = [g for g, _ in ranked_by_votes(preds)[:2]]
            n_v1 += bool(top) and top[0] == sol
            n_v2 += sol in top
    share = lambda a, b: a / b if b else 0.0  # noqa: E731
    return Metrics(share(n_correct, n_pred), share(n_pass, n_inputs), share(n_v1, n_inputs),
                   share(n_v2, n_inputs), share(n_none, n_pred), n_pred, n_inputs)
