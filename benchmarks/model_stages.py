#!/usr/bin/env python3
"""The measuring stick of the model stages: with the reference model (or --model DIR), on the same
arc-mini tasks and seed, the official score and time of each stage alone and of all together,
each a dry run through the orchestrator (the path `run` takes). Prints a table (no assertions).

    output, 1 view        sample_output with run.augmentations = 1
    output, N views       sample_output with the configured views, then score_output; the same
                          candidates ranked by each selection method (votes, votes+logprob,
                          product-of-experts, votes-minus-nll), each a replay of that run's trace
    code + sandbox        sample_code, programs verified on the train pairs
    model stages          sample_code and sample_output, no search
    DSL search            the search alone (no model), 2 CPU-s per task
    all stages            search, sample_code and sample_output together
    unseen, before TTFT   sample_output on arc-mini/unseen (families never trained on)
    unseen, after TTFT    ttft then sample_output on arc-mini/unseen, the same sampling budget

    python benchmarks/model_stages.py [--model reference] [--limit 70] [--budget 6m] [--out runs/bench-model]
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kernel import arc_mini  # noqa: E402
from kernel.config import SELECTION_METHODS  # noqa: E402
from kernel.scoring import score_submission  # noqa: E402
from kernel.trace import read_trace  # noqa: E402
from kernel.tuning.replay import load_recording, replay  # noqa: E402


def rows(limit: int, unseen_limit: int, budget: str) -> list[tuple[str, str, int, bool, list[str]]]:
    """(name, dataset, tasks, with the model, dry-run arguments)."""
    ev, un = "arc-mini/evaluation", "arc-mini/unseen"
    model_only = ["--no-search"]
    return [
        ("output, 1 view", ev, limit, True, model_only + ["--stages", "sample_output", "--set", "run.augmentations=1"]),
        ("output, 4 views + scoring", ev, limit, True, model_only + ["--stages", "sample_output,score_output"]),
        ("code + sandbox", ev, limit, True, model_only + ["--stages", "sample_code"]),
        ("model stages, no search", ev, limit, True, model_only + ["--stages", "sample_code,sample_output"]),
        ("DSL search", ev, limit, False, ["--stages", "search"]),
        ("all stages", ev, limit, True, ["--stages", "search,sample_code,sample_output"]),
        ("unseen, before TTFT", un, unseen_limit, True, model_only + ["--stages", "sample_output"]),
        ("unseen, after TTFT", un, unseen_limit, True, model_only + ["--stages", "ttft,sample_output",
                                                                      "--budget", f"ttft={budget}"]),
    ]


def per_family(out: Path, dataset: str, limit: int) -> dict[str, float]:
    ts = arc_mini.load(dataset).limit(limit)
    sub = json.loads((out / "submission.json").read_text())
    report = score_submission(sub, ts.solutions())
    by = collections.defaultdict(list)
    for t in report.tasks:
        by[arc_mini.family_of(t.task_id)].append(t.score)
    return {f: sum(v) / len(v) for f, v in sorted(by.items())}


def method_scores(out: Path, dataset: str, limit: int) -> dict[str, float]:
    """Each selection method's score on one run's candidates: its trace replayed with its own budgets."""
    rec = load_recording(read_trace(out / "trace.jsonl"))
    ts = arc_mini.load(dataset).limit(limit)
    return {m: replay(rec, ts, rec.budgets_s, rec.total_s, method=m).score or 0.0 for m in SELECTION_METHODS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    ap.add_argument("--model", default="reference", help="model folder, or reference (default)")
    ap.add_argument("--limit", type=int, default=70, help="arc-mini/evaluation tasks (default 70: 5 per family)")
    ap.add_argument("--unseen-limit", type=int, default=30, help="arc-mini/unseen tasks (default 30)")
    ap.add_argument("--budget", default="6m", help="each model stage's budget, and test-time fine-tuning's")
    ap.add_argument("--engine", default="vllm", help="sampling engine (default vllm: the CPU build here)")
    ap.add_argument("--out", default="runs/bench-model", help="where each run goes")
    ap.add_argument("--only", help="comma-separated row numbers (from 1) to run")
    args = ap.parse_args()

    import torch
    import transformers
    import vllm

    print(f"# {datetime.date.today()}  {platform.node()}  {platform.machine()}; Python {platform.python_version()}, "
          f"torch {torch.__version__}, transformers {transformers.__version__}, vllm {vllm.__version__}; "
          f"model {args.model}; engine {args.engine}; stage budgets {args.budget}")
    table, families, methods = [], {}, []
    chosen = {int(i) for i in args.only.split(",")} if args.only else None
    for k, (name, dataset, limit, with_model, extra) in enumerate(rows(args.limit, args.unseen_limit, args.budget), 1):
        if chosen and k not in chosen:
            continue
        out = Path(args.out) / f"{k}-{name.split(',')[0].replace(' ', '-')}"
        # arc-mini answers are at most 15x15 (about 250 tokens) and programs one line of DSL
        cmd = [sys.executable, "-m", "kernel", "dry-run", "--dataset", dataset, "--limit", str(limit),
               "--engine", args.engine, "--out", str(out), "--fresh", "--budget", "1h", "--profile", "cpu",
               "--budget-per-task", "2s", "--set", "sampling.max_tokens_output=256",
               "--set", "sampling.max_tokens_code=128"]
        for stage in ("sample_output", "score_output", "sample_code", "search"):
            cmd += ["--budget", f"{stage}={args.budget}"]
        if with_model:
            cmd += ["--model", args.model]
        t0 = time.monotonic()
        subprocess.run(cmd + extra, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        wall = time.monotonic() - t0
        m = json.loads((out / "metrics.json").read_text())
        stages = {s: round(v.get("seconds", 0.0), 1) for s, v in m.get("stages", {}).items() if v.get("status") != "skipped"}
        table.append((k, name, dataset, limit, m["score"], m.get("tasks_solved", 0), wall, stages,
                      m["stages"].get("sample_code", {}).get("programs_passed_train")))
        families[name] = per_family(out, dataset, limit)
        print(f"{k}. {name}: score {m['score']:.4f} in {wall:.0f} s", flush=True)
        if "score_output" in stages:
            methods.append((k, limit, stages, method_scores(out, dataset, limit)))

    print("\n| # | run | tasks | score | solved | wall s | stage seconds |\n|---|---|---|---|---|---|---|")
    for k, name, dataset, limit, score, solved, wall, stages, _ in table:
        st = ", ".join(f"{s} {v:g}" for s, v in stages.items())
        print(f"| {k} | {name} | {limit} of {dataset} | {100 * score:.1f} % | {solved:g} | {wall:.0f} | {st} |")
    for k, limit, stages, scores in methods:
        per_task = stages["score_output"] / limit
        print(f"\nSelection methods on the candidates of run {k} (the scoring stage: {stages['score_output']:g} s, "
              f"{per_task:.2f} s per task):\n\n| method | score | extra s per task |\n|---|---|---|")
        for method, score in scores.items():
            extra = per_task if method in ("product-of-experts", "votes-minus-nll") else 0.0
            print(f"| {method} | {100 * score:.1f} % | {extra:.2f} |")
    names = list(families)
    all_fams = sorted({f for v in families.values() for f in v})
    print("\nScore per family (%):\n\n| family | " + " | ".join(names) + " |\n|---|" + "---|" * len(names))
    for f in all_fams:
        print(f"| {f} | " + " | ".join("" if f not in families[n] else f"{100 * families[n][f]:.0f}" for n in names) + " |")


if __name__ == "__main__":
    main()
