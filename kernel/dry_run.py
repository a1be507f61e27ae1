"""The local dry run: tasks -> candidate programs -> sandbox verification -> selection ->
submission -> score, with the time each stage took. Candidate programs come from a JSONL
file for now (`{"task_id": ..., "code": ...}` per line); search and model sampling plug in
as further sources of candidates."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .progress import Progress
from .sandbox import Sandbox, SandboxLimits
from .scoring import prediction_metrics, score_submission
from .selection import rank_program_answers
from .submission import build_submission, expected_entries, write_json_atomic, write_submission
from .tasks import Task, TaskSet
from .verify import Verification, Verifier

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    task_id: str
    code: str
    source: str = "file"


@dataclass
class StageTime:
    name: str
    seconds: float


@dataclass
class DryRunResult:
    submission_path: Path
    metrics: dict
    stages: list[StageTime] = field(default_factory=list)


def read_candidates(path: Path, known: set[str]) -> tuple[list[Candidate], list[str]]:
    """Read a programs JSONL file; bad lines and unknown task ids are reported and skipped."""
    candidates, problems = [], []
    with open(path, encoding="utf-8", errors="replace") as f:  # a bad byte spoils one line, not the file
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                task_id, code = obj["task_id"], obj["code"]
                if not isinstance(task_id, str) or not isinstance(code, str):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                problems.append(f"{path}:{n}: expected {{\"task_id\": str, \"code\": str}}; skipped")
                continue
            if task_id not in known:
                problems.append(f"{path}:{n}: task {task_id} is not in the dataset; skipped")
                continue
            candidates.append(Candidate(task_id, code, str(obj.get("source", "file"))))
    return candidates, problems


def run_dry_run(taskset: TaskSet, candidates: list[Candidate], out: Path, cfg: Config) -> DryRunResult:
    out.mkdir(parents=True, exist_ok=True)
    stages: list[StageTime] = []
    expected = expected_entries(taskset)
    sub_path = out / "submission.json"

    t = time.monotonic()
    write_submission(sub_path, build_submission(taskset), expected)  # valid from the first second
    stages.append(StageTime("fallback", time.monotonic() - t))

    t = time.monotonic()
    by_id: dict[str, Task] = {task.id: task for task in taskset.tasks}
    verified: dict[str, list[tuple[Verification, str]]] = {tid: [] for tid in by_id}
    if candidates:
        limits = SandboxLimits(cfg.sandbox.timeout_s, cfg.sandbox.memory_mb)
        with Sandbox(cfg.sandbox.workers, limits, cfg.sandbox.preload) as sandbox, \
                Verifier(sandbox) as verifier, Progress(len(candidates), "verifying programs") as bar:
            passed = 0

            def on_done(v: Verification) -> None:
                nonlocal passed
                passed += v.passed
                bar.update(note=f"{passed} passed train")

            results = verifier.verify_many(((by_id[c.task_id], c.code) for c in candidates), on_done)
        for c, v in zip(candidates, results):
            verified[c.task_id].append((v, c.code))
    stages.append(StageTime("verify", time.monotonic() - t))

    t = time.monotonic()
    answers = {tid: rank_program_answers(vs, len(by_id[tid].test)) for tid, vs in verified.items()}
    write_submission(sub_path, build_submission(taskset, answers), expected)
    stages.append(StageTime("select_and_write", time.monotonic() - t))

    metrics: dict = {
        "dataset": taskset.source,
        "tasks": len(taskset.order),
        "malformed": [m.report() for m in taskset.malformed],
        "candidates": len(candidates),
        "programs_passed_train": sum(v.passed for vs in verified.values() for v, _ in vs),
        "stages": {s.name: round(s.seconds, 3) for s in stages},
    }
    solutions = taskset.solutions()
    if solutions:
        report = score_submission(json.loads(sub_path.read_text()), solutions)
        predictions = {tid: [[v.test[i] for v, _ in vs] for i in range(len(by_id[tid].test))]
                       for tid, vs in verified.items()}
        metrics["score"] = report.score
        metrics["tasks_solved"] = report.solved
        metrics["program_metrics"] = prediction_metrics(predictions, solutions).to_json()
        metrics["false_positives"] = sum(
            1 for tid, vs in verified.items() for v, _ in vs
            if v.passed and any(g is not None and g != s for g, s in zip(v.test, solutions.get(tid, ())))
        )
        metrics["per_task"] = report.to_json()["per_task"]
    write_json_atomic(out / "metrics.json", metrics)
    return DryRunResult(sub_path, metrics, stages)
