#!/usr/bin/env python3
"""DSL search benchmark: official score, CPU seconds per task and false positives on the
public sets, at a given per-task budget. Prints a table (no assertions).

Every answer counted is a program's output that passed all train pairs in the sandbox; a
false positive is such a program whose test output is wrong.

    python benchmarks/search.py [--budget 10] [--workers 2] [--limit N] [--sets a,b,c] [--out DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kernel.config import load_config  # noqa: E402
from kernel.dry_run import run_dry_run  # noqa: E402
from kernel.tasks import load_tasks  # noqa: E402

SETS = ("arc-agi-1/training", "arc-agi-1/evaluation", "arc-agi-2/evaluation")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=10.0, help="search CPU seconds per task (default 10)")
    ap.add_argument("--workers", type=int, default=2, help="search and sandbox processes (default 2)")
    ap.add_argument("--limit", type=int, help="only the first N tasks of each set")
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated public sets")
    ap.add_argument("--out", default="runs/bench-search", help="where each set's run goes")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")

    cfg = load_config(overrides=[f"search.budget_s={args.budget}", f"search.workers={args.workers}",
                                 f"sandbox.workers={args.workers}"])
    rows = []
    for name in args.sets.split(","):
        ts = load_tasks(name).limit(args.limit)
        t0 = time.monotonic()
        result = run_dry_run(ts, [], Path(args.out) / name.replace("/", "_"), cfg, search=True)
        wall = time.monotonic() - t0
        m = result.metrics
        se = m["search"]
        rows.append({
            "set": name, "tasks": m["tasks"], "score": m["score"], "solved": m["tasks_solved"],
            "cpu_s_per_task": se["cpu_s_per_task_mean"], "cpu_s_max": se["cpu_s_per_task_max"],
            "passed_train": m["programs_passed_train"], "false_positives": m["false_positives"],
            "fp_rate": m["false_positive_rate"], "wall_s": round(wall, 1),
        })
        print(f"{name}: score {m['score']:.4f}, {wall:.0f} s", file=sys.stderr, flush=True)

    print(f"\nDSL search, budget {args.budget:g} CPU-s per task, {args.workers} workers\n")
    print("| set | tasks | score | tasks solved | CPU-s/task (mean / max) | programs passing train "
          "| false positives (rate) | wall s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['set']} | {r['tasks']} | {r['score']:.2%} | {r['solved']:g} | {r['cpu_s_per_task']:.2f} / "
              f"{r['cpu_s_max']:.2f} | {r['passed_train']} | {r['false_positives']} ({r['fp_rate']:.1%}) "
              f"| {r['wall_s']:.0f} |")
    out = Path(args.out) / "summary.json"
    out.write_text(json.dumps({"budget_s": args.budget, "workers": args.workers, "rows": rows,
                               "config": dataclasses.asdict(cfg.search)}, indent=1))


if __name__ == "__main__":
    main()
