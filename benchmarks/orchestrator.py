#!/usr/bin/env python3
"""Orchestrator benchmark: its own overhead as a share of a run, and how far a run overshoots
its deadline under each fault drill. Prints tables (no assertions).

Every run is a real `python -m kernel dry-run` process, timed from launch to exit.

Overhead is the run's wall time outside the stages' own work: Python start-up, loading the
tasks, the fallback, spawning each stage process until it writes `stage_begin`, supervision,
selection after each stage, metrics. A stage's work is counted from its `stage_begin` to the
last event it wrote (engine start-up, sampling, sandbox and search are all work).

Overshoot is the process's wall time minus the budget given with --budget; negative means the
run ended before its deadline. Goal: <= max(1 % of the budget, 5 s).

    python benchmarks/orchestrator.py [--limit 20] [--budget 120s] [--fault-budget 60s]
                                      [--model DIR | --model demo] [--set KEY=VALUE ...]
                                      [--out runs/bench-orchestrator]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kernel.durations import parse_duration  # noqa: E402
from kernel.orchestrator.runner import union_length  # noqa: E402
from kernel.trace import read_trace  # noqa: E402

FAULTS = ("hang", "crash", "exit")


def stage_work(events: list[dict]) -> dict[str, tuple[float, float]]:
    """Per stage: from its process's first event to the last event that process wrote."""
    spans: dict[str, list[float]] = {}
    for e in events:
        stage = e.get("stage")
        if stage is None or e["event"] in ("stage_start", "stage_stop", "stage_end"):
            continue  # those are the orchestrator's own lines about the stage
        if e["event"] == "stage_begin":
            spans[stage] = [e["t"], e["t"]]
        elif stage in spans:
            spans[stage][1] = max(spans[stage][1], e["t"])
    return {k: (a, b) for k, (a, b) in spans.items()}


def dry_run(args, out: Path, budget: str, extra: list[str]) -> tuple[float, float, int, dict, list[dict], str, str]:
    cmd = [sys.executable, "-m", "kernel", "dry-run", "--dataset", args.dataset, "--limit", str(args.limit),
           "--budget", budget, "--budget-per-task", args.budget_per_task, "--workers", str(args.workers),
           "--fresh", "--out", str(out), "--set", f"run.stop_grace={args.stop_grace}",
           "--set", f"run.finish_reserve={args.finish_reserve}", *[x for kv in args.set for x in ("--set", kv)],
           *extra]
    if args.model:
        cmd += ["--model", args.model]
    t0 = time.time()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.time() - t0
    metrics = json.loads((out / "metrics.json").read_text()) if (out / "metrics.json").exists() else {}
    return t0, wall, p.returncode, metrics, list(read_trace(out / "trace.jsonl")), p.stdout, p.stderr


def submission_valid(out: Path, metrics: dict) -> bool:
    from kernel.submission import validate_submission

    try:
        sub = json.loads((out / "submission.json").read_text())
    except (OSError, ValueError):
        return False
    return len(sub) == metrics.get("tasks") and validate_submission(sub, {t: len(v) for t, v in sub.items()}) == []


def overhead(args, out: Path) -> dict:
    launched, wall, rc, metrics, events, summary, log = dry_run(args, out, args.budget, [])
    if rc != 0:
        sys.exit(f"dry run failed (exit {rc}):\n{log[-3000:]}")
    work = stage_work(events)
    busy = union_length(list(work.values()))
    first_begin = min(a for a, _ in work.values()) if work else 0.0
    return {"wall_s": wall, "work_s": busy, "overhead_s": wall - busy, "share": (wall - busy) / wall,
            "to_first_stage_s": first_begin - launched, "selection_s": metrics.get("selection_s", 0.0),
            "stages": {k: round(b - a, 2) for k, (a, b) in work.items()}, "score": metrics.get("score"),
            "summary": summary.splitlines()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    ap.add_argument("--dataset", default="arc-agi-1/evaluation")
    ap.add_argument("--limit", type=int, default=20, help="tasks per run (default 20)")
    ap.add_argument("--budget", default="120s", help="the overhead run's whole budget (default 120s)")
    ap.add_argument("--fault-budget", default="60s", help="each fault drill's whole budget (default 60s)")
    ap.add_argument("--budget-per-task", default="4s", help="search CPU time per task (default 4s)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--stop-grace", default="5s", help="run.stop_grace for these short runs (default 5s)")
    ap.add_argument("--finish-reserve", default="3s", help="run.finish_reserve for these short runs (default 3s)")
    ap.add_argument("--model", help="model folder, or 'demo' to build the tiny demo model: adds the sampling stages")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                    help="config overrides passed to every run (repeatable)")
    ap.add_argument("--out", default="runs/bench-orchestrator")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.model == "demo":
        args.model = str(out / "demo-model")
        if not Path(args.model, "config.json").exists():
            subprocess.run([sys.executable, "-m", "kernel", "make-demo-model", args.model], cwd=ROOT, check=True)

    o = overhead(args, out / "overhead")
    print(f"\nOverhead: {args.limit} tasks of {args.dataset}, budget {args.budget}, "
          f"{'model ' + args.model if args.model else 'no model (search only)'}\n")
    print("\n".join("    " + line for line in o["summary"]))
    print(f"\n| run wall s | stage work s | overhead s | overhead share | launch to first stage at work s "
          f"| selection s |\n|---|---|---|---|---|---|\n| {o['wall_s']:.1f} | {o['work_s']:.1f} | "
          f"{o['overhead_s']:.2f} | {o['share']:.2%} | {o['to_first_stage_s']:.2f} "
          f"| {o['selection_s']:.2f} |")

    budget_s = parse_duration(args.fault_budget)
    stages = ["search"] + (["sample_code", "sample_output"] if args.model else [])
    rows = []
    for stage in stages:
        for fault in FAULTS:
            d = out / f"fault-{stage}-{fault}"
            extra = ["--inject-fault", f"{stage}:{fault}"]
            if stage != "search":  # the fault lands on a model stage; the search still runs alongside
                extra += ["--budget", "search=0.5"]
            _, wall, rc, metrics, _, _, _ = dry_run(args, d, args.fault_budget, extra)
            status = metrics.get("stages", {}).get(stage, {}).get("status", "?")
            rows.append((stage, fault, status, wall, wall - budget_s, rc, submission_valid(d, metrics)))
            print(f"{stage}:{fault} -> {status}, {wall:.1f} s", file=sys.stderr, flush=True)
    goal = max(0.01 * budget_s, 5.0)
    print(f"\nDeadline under fault drills: budget {budget_s:g} s each, goal overshoot <= {goal:g} s\n")
    print("| drill | stage status | wall s | overshoot s | exit | valid submission |\n|---|---|---|---|---|---|")
    for stage, fault, status, wall, over, rc, valid in rows:
        print(f"| {stage}:{fault} | {status} | {wall:.1f} | {over:+.1f} | {rc} | {'yes' if valid else 'NO'} |")
    (out / "summary.json").write_text(json.dumps({"overhead": {k: v for k, v in o.items() if k != "summary"},
                                                  "faults": rows, "goal_overshoot_s": goal}, indent=1))


if __name__ == "__main__":
    main()
