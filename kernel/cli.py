"""Command line: `python -m kernel COMMAND --help`.

Exit codes: 0 done, 2 bad arguments or unusable input (the message says which file and why).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .config import ConfigError, load_config
from .scoring import parse_solutions, score_submission
from .submission import expected_entries
from .tasks import DATASETS, InputFileError, TaskSet, guess_solutions_path, load_tasks, read_json

log = logging.getLogger("kernel")


class UsageError(Exception):
    """Bad input the user can fix; printed as one line, exit code 2."""


def _add_config_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="TOML file overriding kernel/default.toml")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="override one setting, e.g. --set sandbox.timeout_s=2 (repeatable)")


def _bounded(kind: type, low: float, high: float):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {kind.__name__}") from None
        if not low <= value <= high:  # also rejects nan
            raise argparse.ArgumentTypeError(f"must be between {low:g} and {high:g}")
        return value
    return parse


_timeout_s = _bounded(float, 0.001, 3600)
_memory_mb = _bounded(int, 16, 1 << 20)
_positive_int = _bounded(int, 1, 1 << 30)


def _duration(text: str) -> float:
    """'10', '10s', '500ms', '2m' -> seconds (0 < s <= 86400)."""
    t = text.strip().lower()
    scale = 1.0
    for suffix, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)):
        if t.endswith(suffix):
            t, scale = t[: -len(suffix)], factor
            break
    try:
        value = float(t) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 10s, 500ms or 2m") from None
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 24h")
    return value


def _add_dataset_args(p: argparse.ArgumentParser, datasets: str) -> None:
    p.add_argument("--dataset", metavar="NAME|FILE|DIR",
                   help=f"a public set ({datasets}), a challenges file, a task file or a folder (default from config)")
    p.add_argument("--solutions", metavar="FILE",
                   help="solutions file (default: the ..._solutions.json beside a ..._challenges.json)")
    p.add_argument("--limit", type=_positive_int, metavar="N", help="only the first N tasks")


def _add_search_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--budget-per-task", type=_duration, metavar="DURATION",
                   help="search CPU time per task, e.g. 10s, 500ms (default from config: search.budget_s)")
    p.add_argument("--workers", type=_positive_int, help="search and sandbox processes (default from config)")


def _stage_budget(text: str) -> tuple[str | None, float | str]:
    """'30m' -> the whole run; 'sample_code=3h' or 'search=0.5' -> one stage."""
    from .orchestrator.budget import STAGES, stage_seconds

    name, _, value = text.rpartition("=")
    if name and name not in STAGES:
        raise argparse.ArgumentTypeError(f"unknown stage {name!r} (known: {', '.join(STAGES)})")
    parsed: float | str = value
    try:
        parsed = float(value)
    except ValueError:
        pass
    if not name:
        return None, _duration(value)
    try:
        stage_seconds(parsed, 1.0)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return name, parsed


def _fault(text: str) -> tuple[str, str]:
    from .orchestrator.budget import STAGES
    from .orchestrator.stages import FAULTS

    stage, _, kind = text.partition(":")
    if stage == "select" and kind == "crash":
        return stage, kind
    if stage not in STAGES or kind not in FAULTS:
        raise argparse.ArgumentTypeError(f"expected STAGE:KIND with STAGE in {', '.join(STAGES)} and KIND in "
                                         f"{', '.join(FAULTS)} (or select:crash)")
    return stage, kind


def _add_run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", metavar="DIR", help="model folder for the sampling stages (without it they are skipped)")
    p.add_argument("--adapter", metavar="DIR", help="LoRA adapter (peft) served with the model")
    p.add_argument("--engine", choices=("vllm", "hf", "replay"), help="sampling engine (default from config)")
    p.add_argument("--replay", metavar="FILE.jsonl", action="append", default=[],
                   help="recorded candidates or a trace for --engine replay (repeatable)")
    p.add_argument("--profile", choices=("t4x2", "l4x4", "h100", "cpu"),
                   help="hardware profile applied before --config (kernel/profiles.toml)")
    p.add_argument("--budget", type=_stage_budget, action="append", default=[], metavar="DURATION|STAGE=VALUE",
                   help="the whole run (e.g. 30m; run.total, with no margin in a dry run) or one stage: "
                        "sample_code=3h, search=0.5 (a fraction of the run); repeatable")
    p.add_argument("--stages", metavar="A,B", help="stages in order (default from config: run.stages)")
    p.add_argument("--inject-fault", type=_fault, action="append", default=[], metavar="STAGE:hang|crash|exit",
                   help="fault drill: the stage hangs, crashes or exits at its first candidate (repeatable; "
                        "also select:crash). The run must still end with a valid submission")
    p.add_argument("--fresh", action="store_true", help="ignore the trace of an earlier run in the output folder")


def build_parser() -> argparse.ArgumentParser:
    datasets = ", ".join(DATASETS)
    parser = argparse.ArgumentParser(
        prog="python -m kernel",
        description="ARC Prize submission kernel: sample programs and grids from a model, search DSL programs, "
                    "verify programs in a sandbox, build submission.json, score it.",
        epilog="Run 'python -m kernel COMMAND --help' for the options of each command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("verify", help="run one program on one task in the sandbox; prints one JSON object",
                       description="Run PROGRAM.py (defining transform(grid)) on the task's train pairs in the "
                                   "sandbox; if it reproduces every train output, also on the test inputs. Prints "
                                   '{"passed": bool, "train": [{"status", "detail"}, ...], "test": [grid or null, ...]} '
                                   "on stdout and exits 0 whatever the program did. Statuses: ok, wrong, error, "
                                   "timeout, memory, invalid.")
    p.add_argument("--task", required=True, metavar="TASK.json",
                   help="a single task file, or a challenges file together with --task-id")
    p.add_argument("--task-id", help="which task of a challenges file")
    p.add_argument("--code", required=True, metavar="PROGRAM.py", help="Python source defining transform(grid)")
    p.add_argument("--timeout-s", type=_timeout_s, help="wall-clock limit per transform call, 0.001..3600 (default from config)")
    p.add_argument("--memory-mb", type=_memory_mb, help="memory limit of the program, 16..1048576 (default from config)")
    _add_config_args(p)

    p = sub.add_parser("score", help="official ARC Prize score of a submission.json",
                       description="A test input counts if attempt_1 or attempt_2 equals the solution; a task "
                                   "scores the mean over its test inputs; the score is the mean over the tasks "
                                   "of the solutions.")
    p.add_argument("--submission", required=True, metavar="FILE")
    p.add_argument("--solutions", required=True, metavar="FILE|DATASET",
                   help=f"a {{task_id: [grid, ...]}} file, or a public set: {datasets}")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")

    p = sub.add_parser("tasks", help="load and validate tasks; report malformed ones",
                       description="Load a dataset and print one line per malformed task, then a summary.")
    p.add_argument("--dataset", required=True, metavar="NAME|FILE|DIR",
                   help=f"a public set ({datasets}), a challenges file, a task file or a folder of them")
    p.add_argument("--solutions", metavar="FILE", help="a solutions file to attach")

    p = sub.add_parser("dry-run", help="run the orchestrator locally on a dataset with known solutions and score it",
                       description="The same orchestrator as `run`, on a local dataset: writes a fallback "
                                   "submission at once, runs the stages under their budgets (the CPU search "
                                   "alongside; programs from --programs; code and output sampling when a --model "
                                   "is given), selects two attempts per test input after each stage, and writes "
                                   "submission.json, trace.jsonl, metrics.json (official score and seed "
                                   "metrics, per stage and overall) and report.html to --out. Prints each stage's "
                                   "time against its budget. Rerun with the same --out to resume.")
    _add_dataset_args(p, datasets)
    p.add_argument("--programs", metavar="FILE.jsonl",
                   help='candidate programs, one {"task_id": ..., "code": ...} per line (or a `sample` output)')
    p.add_argument("--search", action=argparse.BooleanOptionalAction, default=None,
                   help="run the DSL program search (default: only when no --programs are given)")
    _add_search_args(p)
    _add_run_args(p)
    p.add_argument("--out", required=True, metavar="DIR",
                   help="where submission.json, trace.jsonl and metrics.json go")
    _add_config_args(p)

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
    _add_config_args(p)

    p = sub.add_parser("search", help="solve tasks with the CPU program search over the DSL; writes submission.json",
                       description="Search chains of kernel.dsl functions for programs that reproduce every train "
                                   "pair, verify them in the sandbox, answer each test input with the outputs of "
                                   "the simplest, best-agreed programs, and write submission.json, programs.jsonl "
                                   "(every program found, with its verdict) and metrics.json to --out. Prints the "
                                   "official score when solutions are known.")
    _add_dataset_args(p, datasets)
    _add_search_args(p)
    p.add_argument("--out", required=True, metavar="DIR", help="where submission.json, programs.jsonl and metrics.json go")
    _add_config_args(p)

    p = sub.add_parser("make-demo-model", help="build a tiny random Qwen2 model to smoke-test the pipeline",
                       description="Write a tiny random Qwen2 model (about 2 MB) with its own BPE tokenizer and a "
                                   "ChatML chat template to DIR. It loads in vLLM and transformers like any Hugging "
                                   "Face model and writes garbage: enough to try sampling, parsing, the sandbox, "
                                   "LoRA and the Kaggle bundle without a real model or a download.")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--seed", type=int, default=0, help="weight initialisation seed (default 0)")

    p = sub.add_parser("sample", help="sample programs or output grids from a model; writes candidates JSONL",
                       description="Build one prompt per task (programs) or per test input (grids) from a prompt "
                                   "template, sample --n completions each with the chosen engine, parse them "
                                   "(code or grid; garbage is recorded as unanswered) and write one JSON line per "
                                   "completion to --out as requests finish. A program candidates file can be "
                                   "verified and scored with `dry-run --programs FILE`.")
    p.add_argument("--model", metavar="DIR", help="Hugging Face model folder (needed by vllm and hf, and by replay "
                                                   "to render the same prompts; without it replay matches by prompt id)")
    _add_dataset_args(p, datasets)
    p.add_argument("--prompt", default="code-from-examples", metavar="NAME|FILE.toml",
                   help="prompt template: code-from-examples, code-from-examples-dsl, output-from-examples, or "
                        "a template file (default: code-from-examples)")
    p.add_argument("--engine", choices=("vllm", "hf", "replay"), help="default from config: sampling.engine")
    p.add_argument("--n", type=_positive_int, help="samples per prompt (default from config: sampling.n)")
    p.add_argument("--temperature", type=_bounded(float, 0, 10), help="default from config")
    p.add_argument("--max-tokens", type=_positive_int,
                   help="per completion (default from config: sampling.max_tokens_code / max_tokens_output)")
    p.add_argument("--adapter", metavar="DIR", help="LoRA adapter saved by peft, served with the model")
    p.add_argument("--replay", metavar="FILE.jsonl", action="append", default=[],
                   help="recorded candidates for --engine replay (repeatable)")
    p.add_argument("--devices", metavar="SPEC", help="vLLM engines: auto, cpu, cpu*2, or GPU ids like 0,1 "
                                                     "(default from config: vllm.devices)")
    p.add_argument("--budget", type=_duration, metavar="DURATION",
                   help="stop sampling after this long, keeping what finished (e.g. 20m)")
    p.add_argument("--out", required=True, metavar="CANDIDATES.jsonl")
    _add_config_args(p)

    p = sub.add_parser("ttft", help="test-time fine-tuning: LoRA adapters trained on the tasks' own train pairs",
                       description="Train LoRA adapters (peft) on the tasks' train pairs: each pair in turn is the "
                                   "target of an output-from-examples prompt with the other pairs as examples, under "
                                   "rotations/flips, color permutations and shuffled example order (settings in "
                                   "[ttft]). Stops at --budget keeping the last saved adapter, and writes the "
                                   "adapters and adapters.json (which adapter serves which task) to --out. One "
                                   "training process per GPU, each on its share of the tasks.")
    p.add_argument("--model", required=True, metavar="DIR", help="Hugging Face model folder")
    _add_dataset_args(p, datasets)
    p.add_argument("--budget", type=_duration, default=1200.0, metavar="DURATION", help="training time (default 20m)")
    p.add_argument("--devices", metavar="SPEC", help="auto, cpu, cpu*2, or GPU ids like 0,1 (default: ttft.devices)")
    p.add_argument("--mode", choices=("shared", "per_task"), help="one adapter per training process, or one per task "
                                                                  "(default: ttft.mode)")
    p.add_argument("--merge", action="store_true", help="also save the base weights with the adapter merged in "
                                                        "(needs exactly one adapter)")
    p.add_argument("--trace", metavar="TRACE.jsonl", help="a run's trace: programs verified there become "
                                                          "code-from-examples targets")
    p.add_argument("--out", required=True, metavar="ADAPTER_DIR")
    _add_config_args(p)

    p = sub.add_parser("tune", help="replay a recorded run under other budgets; recommend each stage's budget",
                       description="Replay the candidates of a run's trace.jsonl under a grid of per-stage budgets for "
                                   "the target run (a candidate counts only if its stage's clock, at the target's "
                                   "speed, had reached its time), print the official score and seed metrics of the "
                                   "best splits, and write the best as a config file that run and dry-run take with "
                                   "--config. Speeds are the recorded ones unless --speed says the target is faster.")
    p.add_argument("--trace", required=True, metavar="DIR/trace.jsonl", help="a dry run's trace (with solutions known)")
    p.add_argument("--dataset", metavar="NAME|FILE|DIR", help="the run's tasks (default: from metrics.json beside the trace)")
    p.add_argument("--solutions", metavar="FILE", help="a solutions file to attach")
    p.add_argument("--target-hours", type=_bounded(float, 0.001, 1000), default=12.0,
                   help="the target run's length before run.margin is taken off (default 12)")
    p.add_argument("--profile", choices=("t4x2", "l4x4", "h100", "cpu"), help="hardware profile of the target")
    p.add_argument("--speed", action="append", default=[], metavar="STAGE=FACTOR",
                   help="the target runs STAGE FACTOR times as fast as the recording (repeatable; default 1)")
    p.add_argument("--step", type=_bounded(float, 0.01, 1), default=0.1,
                   help="grid step, as a fraction of the run (default 0.1)")
    p.add_argument("--out", metavar="FILE.toml", help="where the recommended config goes (default: tuned.toml beside "
                                                     "the trace)")
    _add_config_args(p)

    p = sub.add_parser("report", help="write report.html for a run folder (summary, plots, every task's grids)",
                       description="Write DIR/report.html from a run's trace.jsonl, metrics.json and submission.json: "
                                   "the summary table, score-against-time and timeline plots, and for each task its "
                                   "train pairs, test inputs, the two attempts and the solution in the ARC palette, "
                                   "with the program behind an answer and its verification; filters for solved, "
                                   "unsolved and wrong-but-verified tasks. One file, no network needed to open it.")
    p.add_argument("dir", metavar="DIR", help="a dry-run or run output folder")
    p.add_argument("--dataset", metavar="NAME|FILE|DIR", help="the run's tasks (default: from metrics.json)")
    p.add_argument("--solutions", metavar="FILE", help="a solutions file to attach")
    return parser


def _config(args: argparse.Namespace, **cli: object):
    """Config file and --set overrides, then the command's own flags on top (they name
    `section__key`, or a sandbox key)."""
    overrides = list(args.overrides)
    for k, v in cli.items():
        if v is not None:
            section, _, key = k.rpartition("__")
            overrides.append(f"{section or 'sandbox'}.{key}={v}")
    return load_config(args.config, overrides)


def _report_problems(ts: TaskSet) -> None:
    for m in ts.malformed:
        log.warning("%s", m.report())
    for w in ts.warnings:
        log.warning("%s", w)


def cmd_verify(args: argparse.Namespace) -> int:
    from .sandbox import SandboxLimits
    from .verify import verify_once

    cfg = _config(args, timeout_s=args.timeout_s, memory_mb=args.memory_mb)
    ts = load_tasks(args.task)
    if args.task_id is not None:
        if args.task_id not in ts.order:
            raise UsageError(f"{args.task}: no task {args.task_id!r}")
        ts = TaskSet(ts.source, [args.task_id], [t for t in ts.tasks if t.id == args.task_id],
                     [m for m in ts.malformed if m.id == args.task_id])
    elif len(ts.order) != 1:
        raise UsageError(f"{args.task} holds {len(ts.order)} tasks; pick one with --task-id")
    if ts.malformed:
        raise UsageError(f"{args.task}: {ts.malformed[0].report()}")
    try:
        code = Path(args.code).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"{args.code}: cannot read program: {e}") from None
    task = ts.tasks[0]
    result = verify_once(task, code, SandboxLimits(cfg.sandbox.timeout_s, cfg.sandbox.memory_mb),
                         cfg.sandbox.preload)
    sys.stdout.write(json.dumps(result.to_json()) + "\n")
    return 0


def _load_solutions(spec: str) -> dict:
    if spec in DATASETS:
        return load_tasks(spec).solutions()
    try:
        sols, problems = parse_solutions(read_json(spec))
    except ValueError as e:
        raise UsageError(f"{spec}: {e}") from None
    for p in problems:
        log.warning("%s", p)
    return sols


def cmd_score(args: argparse.Namespace) -> int:
    sub = read_json(args.submission)
    if not isinstance(sub, dict):
        raise UsageError(f"{args.submission}: expected an object {{task_id: [attempts, ...]}}")
    report = score_submission(sub, _load_solutions(args.solutions))
    for p in report.problems:
        log.warning("%s", p)
    if args.json:
        sys.stdout.write(json.dumps(report.to_json(), indent=1) + "\n")
        return 0
    for t in report.tasks:
        marks = " ".join("ok" if c else "--" for c in t.correct)
        print(f"{t.task_id}  {t.score:.2f}  {marks}")
    if report.missing:
        print(f"missing from the submission (scored 0): {len(report.missing)} tasks")
    print(f"score: {report.score:.4f} ({report.solved:g} of {len(report.tasks)} tasks)")
    return 0


def cmd_tasks(args: argparse.Namespace) -> int:
    ts = load_tasks(args.dataset, args.solutions)
    for m in ts.malformed:
        print(m.report())
    for w in ts.warnings:
        print(w)
    n_test = sum(len(t.test) for t in ts.tasks)
    print(f"{ts.source}: {len(ts.order)} tasks, {len(ts.tasks)} valid with {n_test} test inputs, "
          f"{len(ts.malformed)} malformed; solutions {'known' if ts.has_solutions else 'unknown'}")
    return 0


def _search_config(args: argparse.Namespace):
    """Config for the commands that may search: --workers sets both the search and the sandbox."""
    return _config(args, workers=args.workers, search__workers=args.workers, search__budget_s=args.budget_per_task)


def _load_dataset(args: argparse.Namespace, cfg) -> TaskSet:
    dataset = args.dataset or cfg.dry_run.dataset
    solutions = args.solutions
    if solutions is None and dataset not in DATASETS and Path(dataset).is_file():
        guessed = guess_solutions_path(Path(dataset))
        solutions = str(guessed) if guessed else None
    ts = load_tasks(dataset, solutions).limit(args.limit)
    _report_problems(ts)
    return ts


def _print_result(result) -> None:
    m = result.metrics
    print(f"dataset {m['dataset']}: {m['tasks']} tasks ({len(m['malformed'])} malformed), "
          f"{m['candidates']} candidate programs, {m['programs_passed_train']} passed their train pairs")
    if "search" in m:
        se = m["search"]
        print(f"search: programs for {se['tasks_with_programs']} of {se['tasks']} tasks, "
              f"{se['cpu_s_per_task_mean']:.2f} CPU-s per task (max {se['cpu_s_per_task_max']:.2f}, "
              f"budget {se['budget_s']:g}), {se['nodes']} nodes")
    for s in result.stages:
        print(f"  stage {s.name:<17} {s.seconds:8.2f} s")
    if "score" in m:
        pm = m["program_metrics"]
        print(f"score: {m['score']:.4f} ({m['tasks_solved']:g} of {m['tasks']} tasks); "
              f"program predictions: accuracy {pm['accuracy']:.3f}, pass@n {pm['pass_n']:.3f}, "
              f"vote@1 {pm['vote_1']:.3f}, vote@2 {pm['vote_2']:.3f}, unanswered {pm['unanswered']:.3f}; "
              f"false positives {m['false_positives']} (rate {m['false_positive_rate']:.3f})")
    else:
        print("no solutions known: score not computed")
    print(f"wrote {result.submission_path} and {result.submission_path.with_name('metrics.json')}")


def _run_options(args: argparse.Namespace, cfg, out: Path, stages: list[str], dry_run: bool):
    from .durations import parse_duration
    from .orchestrator.runner import RunOptions

    total = next((v for name, v in args.budget if name is None), None)
    budgets = cfg.budgets.as_dict()
    budgets.update({name: v for name, v in args.budget if name is not None})
    if args.model is not None and not Path(args.model, "config.json").is_file():
        raise UsageError(f"{args.model}: not a Hugging Face model folder (no config.json)")
    if args.adapter is not None and not Path(args.adapter, "adapter_config.json").is_file():
        raise UsageError(f"{args.adapter}: not a peft adapter folder (no adapter_config.json)")
    r = cfg.run
    return RunOptions(
        out=out, stages=stages,
        total_s=total if total is not None else parse_duration(r.total),
        margin_s=0.0 if dry_run else parse_duration(r.margin),  # the margin is for Kaggle's own start-up
        finish_reserve_s=parse_duration(r.finish_reserve), stop_grace_s=parse_duration(r.stop_grace),
        budgets=budgets, model=args.model, adapter=args.adapter, replay=tuple(args.replay),
        programs_file=args.programs, faults=dict(args.inject_fault), resume=not args.fresh, verbose=args.verbose)


def _run_config(args: argparse.Namespace):
    return load_config(args.config, list(args.overrides) + [
        f"{k}={v}" for k, v in (("search.workers", getattr(args, "workers", None)),
                                ("sandbox.workers", getattr(args, "workers", None)),
                                ("search.budget_s", getattr(args, "budget_per_task", None)),
                                ("sampling.engine", args.engine)) if v is not None], profile=args.profile)


def _stages(args: argparse.Namespace, cfg, search_default: bool) -> list[str]:
    from .orchestrator.budget import STAGES

    stages = [s.strip() for s in args.stages.split(",")] if args.stages else list(cfg.run.stages)
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise UsageError(f"--stages: unknown {unknown} (known: {', '.join(STAGES)})")
    search = args.search if getattr(args, "search", None) is not None else search_default
    if not search:
        stages = [s for s in stages if s != "search"]
    elif "search" not in stages:
        stages.append("search")
    if args.programs and "programs" not in stages:
        stages.insert(0, "programs")
    return stages


def _print_run(result, plan_total: float) -> None:
    m = result.metrics
    print(f"dataset {m['dataset']}: {m['tasks']} tasks ({len(m['malformed'])} malformed); "
          f"{m['wall_s']:.1f} s of {plan_total:.0f} s")
    print(f"  {'stage':<14} {'status':<9} {'used s':>9} {'budget s':>9}  candidates")
    for name, st in m["stages"].items():
        cands = f"{st.get('programs', 0)} programs ({st.get('programs_passed_train', 0)} pass train), {st.get('grids', 0)} grids"
        score = f", score {st['score']:.4f}" if "score" in st else ""
        detail = f"  [{st['detail']}]" if st.get("detail") else ""
        print(f"  {name:<14} {st['status']:<9} {st['seconds']:9.1f} {st['budget_s']:9.1f}  {cands}{score}{detail}")
    print(f"  orchestration {m['orchestration_overhead_s']:.2f} s outside the stages")
    if "score" in m:
        pm = m["metrics"]
        print(f"score: {m['score']:.4f} ({m['tasks_solved']:g} of {m['tasks']} tasks); predictions: accuracy "
              f"{pm['accuracy']:.3f}, pass@n {pm['pass_n']:.3f}, vote@1 {pm['vote_1']:.3f}, vote@2 {pm['vote_2']:.3f}, "
              f"unanswered {pm['unanswered']:.3f}; false positives {m['false_positives']} "
              f"(rate {m['false_positive_rate']:.3f})")
    else:
        print("no solutions known: score not computed")
    print(f"wrote {result.submission_path}, trace.jsonl and metrics.json")


def cmd_dry_run(args: argparse.Namespace) -> int:
    from .orchestrator.budget import BudgetError
    from .orchestrator.runner import Orchestrator

    cfg = _run_config(args)
    ts = _load_dataset(args, cfg)
    if args.programs and not Path(args.programs).is_file():
        raise UsageError(f"{args.programs}: no such programs file")
    search_default = {"on": True, "off": False}.get(cfg.dry_run.search, not args.programs)
    opts = _run_options(args, cfg, Path(args.out), _stages(args, cfg, search_default), dry_run=True)
    try:
        result = Orchestrator(ts, cfg, opts).run()
    except BudgetError as e:
        raise UsageError(f"budget: {e}") from None
    _print_run(result, opts.total_s - opts.margin_s)
    try:
        from .tuning.report import write_report

        print(f"report: {write_report(Path(args.out), ts)}")
    except Exception as e:  # the run's files are written; a report that fails costs only itself
        log.warning("report.html not written: %s: %s", type(e).__name__, e)
    return 0


def _kaggle_challenges(args: argparse.Namespace) -> Path:
    if args.challenges:
        return Path(args.challenges)
    root = Path(os.environ.get("ARC_KAGGLE_INPUT", "/kaggle/input"))
    found = sorted(root.glob("**/*test_challenges.json")) or sorted(root.glob("**/*evaluation_challenges.json"))
    if not found:
        raise UsageError(f"no *test_challenges.json under {root}; attach the competition data or pass --challenges")
    return found[0]


def cmd_run(args: argparse.Namespace) -> int:
    from .orchestrator.runner import Orchestrator
    from .submission import validate_submission

    cfg = _run_config(args)
    challenges = _kaggle_challenges(args)
    out = Path(args.out or os.environ.get("ARC_KAGGLE_WORKING", "/kaggle/working"))
    ts = load_tasks(challenges)  # no solutions: this is the real thing
    _report_problems(ts)
    args.search = None
    opts = _run_options(args, cfg, out, _stages(args, cfg, True), dry_run=False)
    try:
        result = Orchestrator(ts, cfg, opts).run()
        _print_run(result, opts.total_s - opts.margin_s)
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


def cmd_search(args: argparse.Namespace) -> int:
    from .dry_run import run_dry_run

    cfg = _search_config(args)
    ts = _load_dataset(args, cfg)
    _print_result(run_dry_run(ts, [], Path(args.out), cfg, search=True))
    return 0


def cmd_make_demo_model(args: argparse.Namespace) -> int:
    from .demo_model import make_demo_model

    out = make_demo_model(args.dir, seed=args.seed)
    size = sum(f.stat().st_size for f in out.iterdir())
    print(f"wrote a random demo model to {out} ({size / 1e6:.1f} MB)")
    return 0


def _renderer(model: str | None):
    from .prompting.builder import CharRenderer, TokenizerRenderer

    if model is None:
        return CharRenderer()
    from transformers import AutoTokenizer

    try:
        return TokenizerRenderer(AutoTokenizer.from_pretrained(model))
    except (OSError, ValueError) as e:
        raise UsageError(f"{model}: cannot load the tokenizer: {e}") from None


def cmd_sample(args: argparse.Namespace) -> int:
    import time

    from .engines import Adapter, EngineError, Sampling, make_engine
    from .prompting import TemplateError, load_template
    from .sampling import sample_candidates

    cfg = _config(args, sampling__engine=args.engine, sampling__n=args.n, sampling__temperature=args.temperature,
                  vllm__devices=None if args.devices is None else f'"{args.devices}"')
    try:
        template = load_template(args.prompt)
    except TemplateError as e:
        raise UsageError(str(e)) from None
    ts = _load_dataset(args, cfg)
    sa = cfg.sampling
    if sa.temperature == 0 and sa.n > 1:
        raise UsageError("temperature 0 (greedy) gives one sample per prompt: use --n 1, or a temperature above 0")
    max_tokens = args.max_tokens or (sa.max_tokens_code if template.kind == "code-from-examples" else sa.max_tokens_output)
    adapter = None
    if args.adapter:
        if not Path(args.adapter, "adapter_config.json").is_file():
            raise UsageError(f"{args.adapter}: not a peft adapter folder (no adapter_config.json)")
        adapter = Adapter(Path(args.adapter).name, str(Path(args.adapter).resolve()))
    if sa.engine != "replay" and args.model is None:
        raise UsageError(f"--model is needed with the {sa.engine} engine")
    if args.model is not None and not Path(args.model, "config.json").is_file():
        raise UsageError(f"{args.model}: not a Hugging Face model folder (no config.json); make one with "
                         "`python -m kernel make-demo-model DIR` to try the pipeline")
    renderer = _renderer(args.model)
    max_len = cfg.vllm.max_model_len
    deadline = time.monotonic() + args.budget if args.budget else None
    try:
        engine = make_engine(sa.engine, cfg, args.model, args.replay, lora=adapter is not None)
    except EngineError as e:
        raise UsageError(str(e)) from None
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with engine, open(out, "w", encoding="utf-8") as f:
        report = sample_candidates(ts.tasks, template, renderer, engine, Sampling(sa.n, sa.temperature, sa.top_p,
                                   max_tokens, sa.seed), max_len, f, adapter, deadline)
    r = report
    print(f"{template.version_id} via {sa.engine}: {r.prompts} prompts ({r.skipped} skipped as too long), "
          f"{r.requests_done} done, {r.requests_failed} failed{', stopped at the budget' if r.stopped_early else ''}")
    print(f"{r.completions} completions, {r.answered} parsed as {'programs' if template.kind.startswith('code') else 'grids'}"
          + (f", {r.correct} grids correct" if template.kind == "output-from-examples" and ts.has_solutions else ""))
    print(f"tokens: {r.prompt_tokens} prompt, {r.output_tokens} generated in {r.seconds:.1f} s ({r.tokens_per_s:.0f} tok/s)")
    print(f"wrote {out}")
    return 0


def cmd_ttft(args: argparse.Namespace) -> int:
    import time

    from .orchestrator.answers import verified_programs
    from .orchestrator.trace import read_trace
    from .ttft import read_manifest, run_ttft
    from .ttft.train import TTFTError

    start = time.monotonic()
    cfg = _config(args, ttft__devices=None if args.devices is None else f'"{args.devices}"',
                  ttft__mode=None if args.mode is None else f'"{args.mode}"', ttft__merge="true" if args.merge else None)
    if not Path(args.model, "config.json").is_file():
        raise UsageError(f"{args.model}: not a Hugging Face model folder (no config.json); make one with "
                         "`python -m kernel make-demo-model DIR` to try the pipeline")
    ts = _load_dataset(args, cfg)
    programs: dict[str, list[str]] = {}
    if args.trace:
        if not Path(args.trace).is_file():
            raise UsageError(f"{args.trace}: no such trace file")
        programs = verified_programs(read_trace(args.trace))
    try:
        report = run_ttft(args.model, ts.tasks, cfg, args.out, start + args.budget, programs)
    except (TTFTError, ValueError) as e:
        raise UsageError(str(e)) from None
    for part in report["parts"]:
        print(f"{part['adapter']}: {part['tasks']} tasks, {part['samples_available']} samples, {part['steps']} steps, "
              f"{part['tokens']} tokens in {part['seconds']:.1f} s ({part['tokens_per_s']:.0f} tok/s), loss "
              f"{part['first_loss']} -> {part['last_loss']}" + (f", stopped at {part['stopped']}" if part["stopped"] else ""))
    manifest = read_manifest(args.out)
    if manifest is None:
        print("error: no adapter was trained (tasks need two train pairs that fit in ttft.max_seq_len)", file=sys.stderr)
        return 1
    print(f"wrote {len(manifest.adapters)} adapter(s) for {len(manifest.tasks)} tasks to {args.out}"
          + (f" and merged weights to {Path(args.out, manifest.merged)}" if manifest.merged else ""))
    return 0


def _recorded_run(folder: Path, trace: Path, dataset: str | None, solutions: str | None, need_solutions: bool):
    """A run's recording (from its trace) and the tasks it was made on, or a usage error."""
    from .orchestrator.trace import read_trace
    from .tuning.recorded import recorded_tasks
    from .tuning.replay import load_recording

    try:
        rec = load_recording(read_trace(trace))
        return rec, recorded_tasks(folder, rec.events[0], dataset, solutions, need_solutions)
    except ValueError as e:
        raise UsageError(f"{trace}: {e}") from None


def cmd_tune(args: argparse.Namespace) -> int:
    from .durations import parse_duration
    from .tuning.tune import format_curves, format_table, tune, write_config

    trace = Path(args.trace)
    if not trace.is_file():
        raise UsageError(f"{trace}: no such trace file")
    cfg = load_config(args.config, list(args.overrides), profile=args.profile)
    target_s = args.target_hours * 3600 - parse_duration(cfg.run.margin)
    if target_s <= 0:
        raise UsageError(f"--target-hours {args.target_hours:g} leaves nothing after run.margin {cfg.run.margin}")
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
    print(f"target: {args.target_hours:g} h minus run.margin {cfg.run.margin} = {target_s:.0f} s; "
          f"{len(result.grid)} split{'s' if len(result.grid) != 1 else ''} tried, best first:\n")
    print(format_table(result))
    print("\nscore by one stage's budget (fraction of the target; the other stages as recommended):\n")
    print(format_curves(result))
    print("\nnotes:")
    for note in result.notes:
        print(f"  - {note}")
    out = Path(args.out) if args.out else trace.parent / "tuned.toml"
    write_config(result, out, str(trace), f"{args.target_hours:g}h")
    print("\nrecommended: " + ", ".join(f"{s} {b / 3600:.2f} h" for s, b in result.best.budgets.items())
          + f" (score {result.best.score:.4f}); wrote {out}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .tuning.report import write_report

    folder = Path(args.dir)
    missing = [f for f in ("trace.jsonl", "metrics.json", "submission.json") if not (folder / f).is_file()]
    if missing:
        raise UsageError(f"{folder}: not a run folder (no {', '.join(missing)})")
    _, ts = _recorded_run(folder, folder / "trace.jsonl", args.dataset, args.solutions, need_solutions=False)
    print(f"wrote {write_report(folder, ts)}")
    return 0


COMMANDS = {"verify": cmd_verify, "score": cmd_score, "tasks": cmd_tasks, "dry-run": cmd_dry_run,
            "search": cmd_search, "make-demo-model": cmd_make_demo_model, "sample": cmd_sample, "run": cmd_run,
            "ttft": cmd_ttft, "tune": cmd_tune, "report": cmd_report}


def main(argv: Sequence[str] | None = None) -> int:
    # Kaggle runs with the internet off: never let transformers or vLLM try a model hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(message)s", stream=sys.stderr)
    try:
        return COMMANDS[args.command](args)
    except (InputFileError, ConfigError, UsageError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
