#!/usr/bin/env python3
"""The DSL search for development: score, false positives and CPU seconds on a public set or a
subset of it at a per-task budget, each task's programs saved, and the tasks gained and lost
against an earlier run. Prints figures (no assertions).

The search runs as in a run (one forked process per task, kernel.search.parallel), but its programs
are run here rather than in the sandbox (they are the DSL's own chains), and their answers go
through the run's selection and scoring (kernel.orchestrator). benchmarks/search.py measures the
orchestrator's path and gives the figures of record.

    python benchmarks/search_dev.py --set arc-agi-2/training --only agi2-new --budget 2 \\
        --out runs/dev/agi2-new.json [--compare runs/dev/before.json]

`--only agi2-new`: the set's tasks that are in neither ARC-AGI-1 set (of ARC-AGI-2 training, the
233 tasks ARC-AGI-2 added); `--only FILE`: the task ids in FILE (whitespace-separated).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from kernel.config import SearchConfig  # noqa: E402
from kernel.orchestrator.metrics import stage_figures  # noqa: E402
from kernel.orchestrator.selection import collect, ranked_answers  # noqa: E402
from kernel.scoring import score_submission  # noqa: E402
from kernel.search.parallel import search_many  # noqa: E402
from kernel.search.program import run_steps  # noqa: E402
from kernel.submission import build_submission  # noqa: E402
from kernel.tasks import TaskSet, load_tasks  # noqa: E402


def chosen_tasks(name: str, only: str | None, limit: int | None) -> TaskSet:
    ts = load_tasks(name)
    if only == "agi2-new":
        agi1 = {t.id for s in ("arc-agi-1/training", "arc-agi-1/evaluation") for t in load_tasks(s).tasks}
        keep = {t.id for t in ts.tasks} - agi1
    elif only:
        keep = set(Path(only).read_text().split())
    else:
        keep = set(ts.order)
    order = [i for i in ts.order if i in keep][:limit]
    picked = set(order)
    return TaskSet(ts.source, order, [t for t in ts.tasks if t.id in picked], [], list(ts.warnings))


def events_of(result, task) -> list[dict]:
    """The trace events a run's search stage writes for one task, its programs run here."""
    events = []
    tests = [np.array(g, dtype=np.int64) for g in task.test_inputs]
    for f in result.found:
        outs = []
        for t in tests:
            try:
                outs.append(run_steps(f.steps, t).tolist())
            except Exception:
                outs.append(None)
        events.append({"event": "candidate", "task_id": task.id, "kind": "program", "code": f.source,
                       "passed": True, "test": outs, "trusted": f.trusted})
    for m in result.near:
        events += [{"event": "candidate", "task_id": task.id, "kind": "near", "test_index": i, "grid": g}
                   for i, g in enumerate(m.outputs)]
    return events


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    ap.add_argument("--set", default="arc-agi-1/training", help="a public set (default arc-agi-1/training)")
    ap.add_argument("--only", help="a subset of the set: agi2-new (its tasks in neither ARC-AGI-1 set; of "
                                   "arc-agi-2/training, the 233 ARC-AGI-2 added) or a file of task ids")
    ap.add_argument("--limit", type=int, help="only the first N tasks (after --only)")
    ap.add_argument("--budget", type=float, default=2.0, help="search CPU seconds per task (default 2)")
    ap.add_argument("--workers", type=int, default=2, help="search processes (default 2)")
    ap.add_argument("--out", help="write the figures and each task's results to this JSON file")
    ap.add_argument("--compare", help="an earlier --out file: print the tasks gained and lost")
    args = ap.parse_args()

    if args.only not in (None, "agi2-new") and not Path(args.only).is_file():
        ap.error(f"--only {args.only}: neither agi2-new nor a file of task ids")
    if args.compare and not Path(args.compare).is_file():
        ap.error(f"--compare {args.compare}: no such file (an earlier run's --out)")
    taskset = chosen_tasks(args.set, args.only, args.limit)
    by_id = {t.id: t for t in taskset.tasks}
    limits = SearchConfig(budget_s=args.budget, workers=args.workers)
    events, per_task = [], {}
    t0 = time.monotonic()
    for r in search_many(taskset.tasks, limits, args.workers):
        events += events_of(r, by_id[r.task_id])
        per_task[r.task_id] = {"programs": [[f.source, f.trusted] for f in r.found],
                               "chains": [" | ".join(step.source() for step in f.steps) for f in r.found],
                               "near": len(r.near),
                               "cpu_s": round(r.cpu_s, 3), "nodes": r.nodes, "stopped": r.stopped, "error": r.error}
    wall = time.monotonic() - t0

    n_tests = {t.id: len(t.test) for t in taskset.tasks}
    collected = collect(events, n_tests)
    submission = build_submission(taskset, ranked_answers(collected, n_tests))
    solutions = taskset.solutions()
    figures = stage_figures(collected, submission, solutions)
    for s in score_submission(submission, solutions).tasks:
        per_task[s.task_id]["score"] = s.score
    cpu = [v["cpu_s"] for v in per_task.values()]
    figures.update(set=args.set, only=args.only, tasks=len(per_task), budget_s=args.budget, wall_s=round(wall, 1),
                   cpu_s_mean=round(sum(cpu) / max(1, len(cpu)), 2), cpu_s_max=max(cpu, default=0.0),
                   stopped=dict(Counter(v["stopped"] for v in per_task.values())),
                   python=platform.python_version(), cpus=os.cpu_count())

    print(f"{args.set}{' (' + args.only + ')' if args.only else ''}: {figures['tasks']} tasks at {args.budget:g} CPU-s, "
          f"{args.workers} workers, {wall:.0f} s")
    print(f"  score {figures['score']:.2%} ({figures['tasks_solved']:g} tasks); CPU-s per task "
          f"{figures['cpu_s_mean']} mean, {figures['cpu_s_max']} max")
    print(f"  programs passing train {figures['programs_passed_train']}: trusted {figures['programs_trusted']} "
          f"({figures['false_positives']} wrong), guesses {figures['guesses']} ({figures['guesses_wrong']} wrong); "
          f"near-miss attempts {figures['near_attempts']} ({figures['near_right']} right)")
    if args.compare:
        old = json.loads(Path(args.compare).read_text())["tasks"]
        for task_id in sorted(set(old) & set(per_task)):
            before, now = old[task_id].get("score", 0.0), per_task[task_id].get("score", 0.0)
            if before != now:
                chain = (per_task[task_id]["chains"] or [""])[0]
                print(f"  {'gained' if now > before else 'lost'} {task_id}: {before:g} -> {now:g}  {chain}".rstrip())
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps({"figures": figures, "tasks": per_task}, indent=1))


if __name__ == "__main__":
    main()
