"""The commands that run the orchestrator: dry-run (locally, scored), run (the Kaggle entry)
and search (the orchestrator with the search stage alone)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ..config import Config, ConfigError, check_budget
from ..durations import parse_duration
from ..pipeline import FAULTS, STAGE_NAMES, STAGES
from ..submission import expected_entries
from ..tasks import TaskSet, load_tasks
from .common import (UsageError, add_config_args, add_dataset_args, add_prompt_arg, add_setting, check_adapter_folder,
                     check_model_folder, config_from, duration, load_dataset, log, model_dir, positive_int,
                     report_problems)


def _stage_budget(text: str) -> tuple[str | None, float | str]:
    """'30m' -> the whole run; 'sample_code=3h' or 'search=0.5' -> one stage."""
    name, _, value = text.rpartition("=")
    if not name:
        return None, duration(value)
    parsed: float | str = value
    try:
        parsed = float(value)
    except ValueError:
        pass
    try:
        return name, check_budget(name, parsed)
    except ConfigError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _fault(text: str) -> tuple[str, str]:
    stage, _, kind = text.partition(":")
    if stage == "select" and kind == "crash":
        return stage, kind
    if stage not in STAGES or kind not in FAULTS:
        raise argparse.ArgumentTypeError(f"expected STAGE:KIND with STAGE in {', '.join(STAGE_NAMES)} and KIND in "
                                         f"{', '.join(FAULTS)} (or select:crash)")
    return stage, kind


def _add_search_args(p: argparse.ArgumentParser) -> None:
    add_setting(p, "--budget-per-task", "search.budget_s", convert=duration, metavar="DURATION")
    add_setting(p, "--workers", "search.workers", "sandbox.workers", convert=positive_int, metavar="N")


def _add_budget_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--budget", type=_stage_budget, action="append", default=[], metavar="DURATION|STAGE=VALUE",
                   help="the whole run (e.g. 30m; default setting run.total, with no margin in a dry run) or one "
                        "stage: sample_code=3h, search=0.5 (a fraction of the run); repeatable")
    p.add_argument("--fresh", action="store_true", help="ignore the trace of an earlier run in the output folder")


def _add_run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", type=model_dir, metavar="DIR",
                   help="model folder for the model stages (without it they are skipped), or `reference` (the "
                        "reference model trained here)")
    p.add_argument("--adapter", metavar="DIR", help="LoRA adapter (peft) served with the model")
    add_prompt_arg(p)
    add_setting(p, "--engine", "sampling.engine")
    p.add_argument("--replay", metavar="FILE.jsonl", action="append", default=[],
                   help="recorded candidates or a trace for --engine replay (repeatable)")
    _add_budget_args(p)
    p.add_argument("--stages", metavar="A,B", help=f"stages in order, of {', '.join(STAGE_NAMES)} "
                                                   "(default: setting run.stages)")
    p.add_argument("--inject-fault", type=_fault, action="append", default=[], metavar="STAGE:hang|crash|exit",
                   help="fault drill: the stage hangs, crashes or exits at its first candidate (repeatable; "
                        "also select:crash). The run must still end with a valid submission")


def register(sub) -> None:
    p = sub.add_parser("dry-run", help="run the orchestrator locally on a dataset with known solutions and score it",
                       description="The orchestrator of `run`, on a local dataset: a fallback submission at once, "
                                   "then the stages under their budgets (see --stages), selection after each, and "
                                   "submission.json, trace.jsonl, metrics.json and report.html in --out. Rerun with "
                                   "the same --out to resume (on the same tasks; settings are not compared: --fresh "
                                   "starts over).")
    add_dataset_args(p)
    p.add_argument("--programs", metavar="FILE.jsonl",
                   help='candidate programs, one {"task_id": ..., "code": ...} per line (or a `sample` output)')
    p.add_argument("--search", action=argparse.BooleanOptionalAction, default=None,
                   help="run the DSL program search (default: setting dry_run.search)")
    _add_search_args(p)
    _add_run_args(p)
    p.add_argument("--out", required=True, metavar="DIR", help="where the run's files go")
    add_config_args(p)
    p.set_defaults(func=cmd_dry_run)

    p = sub.add_parser("run", help="the Kaggle entry: solve the competition's test tasks within the time limit",
                       description="Find the competition's test challenges (under /kaggle/input unless --challenges "
                                   "is given; ARC_KAGGLE_INPUT overrides the folder), write a fallback "
                                   "/kaggle/working/submission.json at once (--out or ARC_KAGGLE_WORKING overrides), "
                                   "then run the stages under the global deadline (run.total minus run.margin) and "
                                   "rewrite the submission after each. Exits 0 whenever a valid submission was "
                                   "written, whatever a stage did.")
    p.add_argument("--challenges", metavar="FILE", help="challenges JSON (default: found under the input folder)")
    p.add_argument("--out", metavar="DIR", help="output folder (default /kaggle/working)")
    p.add_argument("--programs", metavar="FILE.jsonl", help="candidate programs to verify as well")
    _add_run_args(p)
    add_config_args(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("search", help="the orchestrator with the CPU program search alone (dry-run --stages search)",
                       description="Search chains of kernel.dsl functions for programs that reproduce every train "
                                   "pair, verify them in the sandbox, and answer each test input with the outputs of "
                                   "the best-agreed, simplest programs: the orchestrator with the search stage alone, "
                                   "so the same files as dry-run go to --out and tune and report read them. Rerun with "
                                   "the same --out to resume (settings are not compared: --fresh starts over).")
    add_dataset_args(p)
    _add_search_args(p)
    _add_budget_args(p)
    p.add_argument("--out", required=True, metavar="DIR", help="where the run's files go")
    add_config_args(p)
    p.set_defaults(func=cmd_search)


def _stages(args: argparse.Namespace, cfg: Config, search: bool) -> list[str]:
    stages = [s.strip() for s in args.stages.split(",")] if getattr(args, "stages", None) else list(cfg.run.stages)
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise UsageError(f"--stages: unknown {unknown} (known: {', '.join(STAGE_NAMES)})")
    if not search:
        stages = [s for s in stages if s != "search"]
    elif "search" not in stages:
        stages.append("search")
    if getattr(args, "programs", None) and "programs" not in stages:
        stages.insert(0, "programs")
    return stages


def _options(args: argparse.Namespace, cfg: Config, out: Path, stages: list[str], dry_run: bool):
    from ..orchestrator.runner import RunOptions

    total = next((v for name, v in args.budget if name is None), None)
    budgets = dict(cfg.budgets)
    budgets.update({name: v for name, v in args.budget if name is not None})
    check_model_folder(getattr(args, "model", None))
    check_adapter_folder(getattr(args, "adapter", None))
    r = cfg.run
    return RunOptions(
        out=out, stages=stages,
        total_s=total if total is not None else parse_duration(r.total),
        margin_s=0.0 if dry_run else parse_duration(r.margin),  # the margin is for Kaggle's own start-up
        finish_reserve_s=parse_duration(r.finish_reserve), stop_grace_s=parse_duration(r.stop_grace),
        budgets=budgets, model=getattr(args, "model", None), adapter=getattr(args, "adapter", None),
        replay=tuple(getattr(args, "replay", ())), programs_file=getattr(args, "programs", None),
        faults=dict(getattr(args, "inject_fault", ())), resume=not args.fresh, verbose=args.verbose)


def _orchestrate(ts: TaskSet, cfg: Config, opts, report: bool) -> int:
    from ..orchestrator.budget import BudgetError
    from ..orchestrator.metrics import summary_lines
    from ..orchestrator.runner import Orchestrator

    try:
        result = Orchestrator(ts, cfg, opts).run()
    except BudgetError as e:
        raise UsageError(f"budget: {e}") from None
    print("\n".join(summary_lines(result.metrics)))
    print(f"wrote {result.submission_path}, trace.jsonl and metrics.json")
    if report:
        try:
            from ..tuning.report import write_report

            print(f"report: {write_report(opts.out, ts)}")
        except Exception as e:  # the run's files are written; a report that fails costs only itself
            log.warning("report.html not written: %s: %s", type(e).__name__, e)
    return 0


def cmd_dry_run(args: argparse.Namespace) -> int:
    cfg = config_from(args)
    ts = load_dataset(args, cfg)
    if args.programs and not Path(args.programs).is_file():
        raise UsageError(f"{args.programs}: no such programs file")
    search = args.search if args.search is not None else {"on": True, "off": False}.get(cfg.dry_run.search,
                                                                                         not args.programs)
    opts = _options(args, cfg, Path(args.out), _stages(args, cfg, search), dry_run=True)
    return _orchestrate(ts, cfg, opts, report=True)


def cmd_search(args: argparse.Namespace) -> int:
    cfg = config_from(args)
    ts = load_dataset(args, cfg)
    opts = _options(args, cfg, Path(args.out), ["search"], dry_run=True)
    return _orchestrate(ts, cfg, opts, report=True)


def _kaggle_challenges(args: argparse.Namespace) -> Path:
    if args.challenges:
        return Path(args.challenges)
    root = Path(os.environ.get("ARC_KAGGLE_INPUT", "/kaggle/input"))
    found = sorted(root.glob("**/*test_challenges.json")) or sorted(root.glob("**/*evaluation_challenges.json"))
    if not found:
        raise UsageError(f"no *test_challenges.json under {root}; attach the competition data or pass --challenges")
    return found[0]


def cmd_run(args: argparse.Namespace) -> int:
    from ..orchestrator.metrics import summary_lines
    from ..orchestrator.runner import Orchestrator
    from ..submission import validate_submission

    cfg = config_from(args)
    challenges = _kaggle_challenges(args)
    out = Path(args.out or os.environ.get("ARC_KAGGLE_WORKING", "/kaggle/working"))
    ts = load_tasks(challenges)  # no solutions: this is the real thing
    report_problems(ts)
    opts = _options(args, cfg, out, _stages(args, cfg, True), dry_run=False)
    try:
        print("\n".join(summary_lines(Orchestrator(ts, cfg, opts).run().metrics)))
    except Exception:  # the fallback is already on disk: a broken orchestrator must not fail the notebook
        log.exception("the orchestrator failed")
    sub = out / "submission.json"
    try:
        problems = validate_submission(json.loads(sub.read_text()), expected_entries(ts))
    except (OSError, ValueError) as e:
        problems = [str(e)]
    if problems:
        print(f"error: no valid submission at {sub}: {problems[0]}", file=sys.stderr)
        return 1
    return 0
