"""The local dry run: tasks -> candidate programs -> sandbox verification -> selection ->
submission -> score, with the time each stage took. Candidate programs come from a JSONL
file (`{"task_id": ..., "code": ...}` per line) and from the DSL search; model sampling
plugs in as a further source."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .progress import Progress
from .search import SearchLimits, SearchResult, search_many
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
    """Read a programs JSONL file (or the candidates file of `sample`); bad lines and unknown
    task ids are reported and skipped. Candidate records without a program (unparsable
    responses, grid predictions, failed requests) are skipped quietly."""
    candidates, problems = [], []
    with open(path, encoding="utf-8", errors="replace") as f:  # a bad byte spoils one line, not the file
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                if isinstance(obj, dict) and "kind" in obj and obj.get("code") is None:
                    continue
                task_id, code = obj["task_id"], obj["code"]
                if not isinstance(task_id, str) or not isinstance(code, str):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                problems.append(f"{path}:{n}: expected {{\"task_id\": str, \"code\": str}}; skipped")
                continue
            if task_id not in known:
                problems.append(f"{path}:{n}: task {task_id} is not in the dataset; skipped")
                continue
            candidates.append(Candidate(task_id, code, str(obj.get("source", obj.get("prompt_version", "file")))))
    return candidates, problems


def search_limits(cfg: Config) -> SearchLimits:
    se = cfg.search
    return SearchLimits(se.budget_s, se.max_depth, se.max_programs, se.rule_depth)


def run_search_stage(tasks: list[Task], cfg: Config) -> tuple[list[Candidate], dict]:
    """Search every task on cfg.search.workers processes; returns the programs found as
    candidates, and figures for metrics.json."""
    results: list[SearchResult] = []
    candidates: list[Candidate] = []
    with_programs = 0
    with Progress(len(tasks), "searching") as bar:
        for r in search_many(tasks, search_limits(cfg), cfg.search.workers):
            results.append(r)
            with_programs += bool(r.found)
            candidates.extend(Candidate(r.task_id, code, "search") for code in r.programs)
            bar.update(note=f"{with_programs} tasks with programs")
    cpu = [r.cpu_s for r in results]
    stats = {
        "tasks": len(results),
        "tasks_with_programs": with_programs,
        "programs": len(candidates),
        "cpu_s_total": round(sum(cpu), 2),
        "cpu_s_per_task_mean": round(sum(cpu) / len(cpu), 3) if cpu else 0.0,
        "cpu_s_per_task_max": round(max(cpu), 3) if cpu else 0.0,
        "budget_s": cfg.search.budget_s,
        "stopped": {k: sum(r.stopped == k for r in results) for k in ("solved", "exhausted", "budget", "failed")},
        "nodes": sum(r.nodes for r in results),
    }
    return candidates, stats


def run_dry_run(taskset: TaskSet, candidates: list[Candidate], out: Path, cfg: Config,
                search: bool = False) -> DryRunResult:
    """`search`: also run the DSL search and verify its programs with the given candidates."""
    out.mkdir(parents=True, exist_ok=True)
    stages: list[StageTime] = []
    expected = expected_entries(taskset)
    sub_path = out / "submission.json"

    t = time.monotonic()
    write_submission(sub_path, build_submission(taskset), expected)  # valid from the first second
    stages.append(StageTime("fallback", time.monotonic() - t))

    search_stats = None
    if search:
        t = time.monotonic()
        found, search_stats = run_search_stage(taskset.tasks, cfg)
        candidates = list(candidates) + found
        stages.append(StageTime("search", time.monotonic() - t))

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
    solutions = taskset.solutions()
    if candidates:
        _write_programs(out / "programs.jsonl", candidates, results, solutions)

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
    if search_stats is not None:
        metrics["search"] = search_stats
    if solutions:
        report = score_submission(json.loads(sub_path.read_text()), solutions)
        predictions = {tid: [[v.test[i] for v, _ in vs] for i in range(len(by_id[tid].test))]
                       for tid, vs in verified.items()}
        metrics["score"] = report.score
        metrics["tasks_solved"] = report.solved
        metrics["program_metrics"] = prediction_metrics(predictions, solutions).to_json()
        metrics["false_positives"] = sum(
            1 for tid, vs in verified.items() for v, _ in vs if v.passed and _wrong_on_test(v, solutions.get(tid)))
        passed = metrics["programs_passed_train"]
        metrics["false_positive_rate"] = round(metrics["false_positives"] / passed, 4) if passed else 0.0
        metrics["per_task"] = report.to_json()["per_task"]
    write_json_atomic(out / "metrics.json", metrics)
    return DryRunResult(sub_path, metrics, stages)


def _wrong_on_test(v: Verification, solution) -> bool:
    """A program that passed every train pair but gets some test output wrong (or none at all)."""
    return solution is not None and any(g != s for g, s in zip(v.test, solution))


def _write_programs(path: Path, candidates: list[Candidate], results: list[Verification], solutions: dict) -> None:
    """Every candidate with its verdict, so a competitor can read what was found and why it was kept."""
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for c, v in zip(candidates, results):
            row = {"task_id": c.task_id, "source": c.source, "passed": v.passed,
                   "failed_at": None if v.passed else next(
                       (f"train[{i}] {p.status}" for i, p in enumerate(v.train) if p.status != "ok"), None)}
            if v.passed and c.task_id in solutions:
                row["correct_on_test"] = not _wrong_on_test(v, solutions[c.task_id])
            row["code"] = c.code
            f.write(json.dumps(row) + "\n")
    tmp.replace(path)
