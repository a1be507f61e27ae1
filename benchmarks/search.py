#!/usr/bin/env python3
"""DSL search benchmark: official score, CPU seconds per task and false positives on the
public sets, at a given per-task budget. Prints a table (no assertions).

The answers are first the outputs of programs that passed all train pairs in the sandbox. The search
trusts some of them (they go ahead of every grid prediction) and emits the rest as guesses, which
vote; a false positive is a trusted program whose test output is wrong. Near misses (chains that fit
every train pair but one) come last, where nothing else took an attempt; they are counted apart.

    python benchmarks/search.py [--budget 10] [--workers 2] [--limit N] [--sets a,b,c] [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kernel.trace import read_trace  # noqa: E402

SETS = ("arc-agi-1/training", "arc-agi-1/evaluation", "arc-agi-2/evaluation")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    ap.add_argument("--budget", type=float, default=10.0, help="search CPU seconds per task (default 10)")
    ap.add_argument("--workers", type=int, default=2, help="search and sandbox processes (default 2)")
    ap.add_argument("--limit", type=int, help="only the first N tasks of each set")
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated public sets")
    ap.add_argument("--out", default="runs/bench-search", help="where each set's run goes")
    args = ap.parse_args()

    rows = []
    for name in args.sets.split(","):
        out = Path(args.out) / name.replace("/", "_")
        # The path `run` takes: the orchestrator with the search stage alone, in a process of its own.
        cmd = [sys.executable, "-m", "kernel", "search", "--dataset", name, "--budget-per-task", f"{args.budget:g}s",
               "--workers", str(args.workers), "--out", str(out), "--fresh"]
        if args.limit:
            cmd += ["--limit", str(args.limit)]
        t0 = time.monotonic()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=Path(__file__).resolve().parents[1])
        wall = time.monotonic() - t0
        m = json.loads((out / "metrics.json").read_text())
        cpu = [e["cpu_s"] for e in read_trace(out / "trace.jsonl") if e["event"] == "task_done"]
        rows.append({
            "set": name, "tasks": m["tasks"], "score": m["score"], "solved": m["tasks_solved"],
            "cpu_s_per_task": sum(cpu) / len(cpu) if cpu else 0.0, "cpu_s_max": max(cpu, default=0.0),
            "passed_train": m["programs_passed_train"],
            "trusted": m.get("programs_trusted", m["programs_passed_train"]),
            "guesses": m.get("guesses", 0), "guesses_wrong": m.get("guesses_wrong", 0),
            "false_positives": m["false_positives"],
            "near": m.get("near_attempts", 0), "near_right": m.get("near_right", 0),
            "fp_rate": m["false_positive_rate"], "wall_s": round(wall, 1),
        })
        print(f"{name}: score {m['score']:.4f}, {wall:.0f} s", file=sys.stderr, flush=True)

    print(f"\nDSL search through the orchestrator (`python -m kernel search`), budget {args.budget:g} CPU-s per task, "
          f"{args.workers} workers; {datetime.date.today()}, {os.cpu_count()} CPUs, {platform.machine()}, "
          f"Python {platform.python_version()}\n")
    print("| set | tasks | score | tasks solved | CPU-s/task (mean / max) | programs passing train "
          "| of them trusted | false positives (rate of trusted) | guesses (wrong) | near-miss attempts (right) "
          "| wall s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['set']} | {r['tasks']} | {r['score']:.2%} | {r['solved']:g} | {r['cpu_s_per_task']:.2f} / "
              f"{r['cpu_s_max']:.2f} | {r['passed_train']} | {r['trusted']} | {r['false_positives']} "
              f"({r['fp_rate']:.1%}) | {r['guesses']} ({r['guesses_wrong']}) | {r['near']} ({r['near_right']}) "
              f"| {r['wall_s']:.0f} |")
    (Path(args.out) / "summary.json").write_text(json.dumps({"budget_s": args.budget, "workers": args.workers,
                                                             "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
