"""Commands over a recorded run: tune (replay under other budgets) and report (report.html)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..durations import parse_duration
from .common import UsageError, add_config_args, bounded, config_from, duration_up_to


def register(sub) -> None:
    p = sub.add_parser("tune", help="replay a recorded run under other budgets; recommend each stage's budget",
                       description="Replay the candidates of a run's trace.jsonl under a grid of per-stage budgets for "
                                   "the target run (a candidate counts only if its stage's clock, at the target's "
                                   "speed, had reached its time), print the score and prediction metrics of the best "
                                   "splits, and write the best as a config file that run and dry-run take with "
                                   "--config. Speeds are the recorded ones unless --speed says the target is faster.")
    p.add_argument("--trace", required=True, metavar="DIR/trace.jsonl", help="a dry run's trace (with solutions known)")
    p.add_argument("--dataset", metavar="NAME|FILE|DIR", help="the run's tasks (default: from metrics.json beside the trace)")
    p.add_argument("--solutions", metavar="FILE", help="a solutions file to attach")
    p.add_argument("--target", type=duration_up_to(None), metavar="DURATION",
                   help="the target run's length before run.margin is taken off (default: setting run.total)")
    p.add_argument("--speed", action="append", default=[], metavar="STAGE=FACTOR",
                   help="the target runs STAGE FACTOR times as fast as the recording (repeatable; default 1)")
    p.add_argument("--step", type=bounded(float, 0.01, 1), default=0.1,
                   help="grid step, as a fraction of the run (default 0.1)")
    p.add_argument("--out", metavar="FILE.toml", help="where the recommended config goes (default: tuned.toml beside "
                                                     "the trace)")
    add_config_args(p)
    p.set_defaults(func=cmd_tune)

    p = sub.add_parser("report", help="write report.html for a run folder (summary, plots, every task's grids)",
                       description="Write DIR/report.html from a run's trace.jsonl, metrics.json and submission.json: "
                                   "the summary, score-against-time and timeline plots, and each task's pairs, test "
                                   "inputs, attempts and solution, with the program behind an answer; filters for "
                                   "solved, unsolved and wrong-but-verified tasks. One file, no network needed.")
    p.add_argument("dir", metavar="DIR", help="a dry-run, search or run output folder")
    p.add_argument("--dataset", metavar="NAME|FILE|DIR", help="the run's tasks (default: from metrics.json)")
    p.add_argument("--solutions", metavar="FILE", help="a solutions file to attach")
    p.set_defaults(func=cmd_report)


def _recorded_run(folder: Path, trace: Path, dataset: str | None, solutions: str | None, need_solutions: bool):
    """A run's recording (from its trace) and the tasks it was made on, or a usage error."""
    from ..trace import read_trace
    from ..tuning.recorded import recorded_tasks
    from ..tuning.replay import load_recording

    try:
        rec = load_recording(read_trace(trace))
        return rec, recorded_tasks(folder, rec.events[0], dataset, solutions, need_solutions)
    except ValueError as e:
        raise UsageError(f"{trace}: {e}") from None


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:g}h"


def cmd_tune(args: argparse.Namespace) -> int:
    from ..tuning.tune import format_curves, format_table, tune, write_config

    trace = Path(args.trace)
    if not trace.is_file():
        raise UsageError(f"{trace}: no such trace file")
    cfg = config_from(args)
    target = args.target if args.target is not None else parse_duration(cfg.run.total)
    target_s = target - parse_duration(cfg.run.margin)
    if target_s <= 0:
        raise UsageError(f"--target {_hours(target)} leaves nothing after run.margin {cfg.run.margin}")
    rec, ts = _recorded_run(trace.parent, trace, args.dataset, args.solutions, need_solutions=True)
    speed = {}
    for item in args.speed:
        stage, _, factor = item.partition("=")
        stage = stage.strip()
        try:
            speed[stage] = float(factor)
        except ValueError:
            raise UsageError(f"--speed {item!r}: expected STAGE=FACTOR, e.g. sample_code=12") from None
        if stage not in rec.stages or not speed[stage] > 0:
            raise UsageError(f"--speed {item!r}: the run has stages {', '.join(rec.stages)}; the factor must be > 0")
    result = tune(rec, ts, target_s, speed, args.step)
    try:
        recorded_score = json.loads((trace.parent / "metrics.json").read_text()).get("score", "?")
    except (OSError, ValueError):
        recorded_score = "?"
    print(f"replay of {trace} at its own budgets: score {result.own.score:.4f} "
          f"(the run's metrics.json says {recorded_score})")
    print(f"target: {_hours(target)} minus run.margin {cfg.run.margin} = {target_s:.0f} s; "
          f"{len(result.grid)} split{'s' if len(result.grid) != 1 else ''} tried, best first:\n")
    print(format_table(result))
    print("\nscore by one stage's budget (fraction of the target; the other stages as recommended):\n")
    print(format_curves(result))
    print("\nnotes:")
    for note in result.notes:
        print(f"  - {note}")
    out = Path(args.out) if args.out else trace.parent / "tuned.toml"
    write_config(result, out, str(trace), _hours(target))
    print("\nrecommended: " + ", ".join(f"{s} {b / 3600:.2f} h" for s, b in result.best.budgets.items())
          + f" (score {result.best.score:.4f}); wrote {out}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from ..tuning.report import write_report

    folder = Path(args.dir)
    missing = [f for f in ("trace.jsonl", "metrics.json", "submission.json") if not (folder / f).is_file()]
    if missing:
        raise UsageError(f"{folder}: not a run folder (no {', '.join(missing)})")
    _, ts = _recorded_run(folder, folder / "trace.jsonl", args.dataset, args.solutions, need_solutions=False)
    print(f"wrote {write_report(folder, ts)}")
    return 0
