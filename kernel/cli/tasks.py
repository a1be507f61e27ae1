"""Commands on single programs, tasks and submissions: verify, score, tasks."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..scoring import parse_solutions, score_submission
from ..tasks import DATASETS, TaskSet, load_tasks, read_json
from .common import DATASET_NAMES, UsageError, add_config_args, add_setting, config_from, log, open_dataset


def register(sub) -> None:
    p = sub.add_parser("verify", help="run one program on one task in the sandbox; prints one JSON object",
                       description="Run PROGRAM.py (defining transform(grid)) on the task's train pairs in the "
                                   "sandbox; if it reproduces every train output, also on the test inputs. Prints "
                                   '{"passed": bool, "train": [{"status", "detail"}, ...], "test": [grid or null, ...]} '
                                   "and exits 0 whatever the program did. Statuses: ok, wrong, error, timeout, "
                                   "memory, invalid.")
    p.add_argument("--task", required=True, metavar="TASK.json",
                   help="a single task file, or a challenges file together with --task-id")
    p.add_argument("--task-id", help="which task of a challenges file")
    p.add_argument("--code", required=True, metavar="PROGRAM.py", help="Python source defining transform(grid)")
    add_setting(p, "--timeout-s", "sandbox.timeout_s", metavar="S")
    add_setting(p, "--memory-mb", "sandbox.memory_mb", metavar="MB")
    add_config_args(p, profile=False)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("score", help="official ARC Prize score of a submission.json",
                       description="A test input counts if attempt_1 or attempt_2 equals the solution; a task "
                                   "scores the mean over its test inputs; the score is the mean over the tasks "
                                   "of the solutions.")
    p.add_argument("--submission", required=True, metavar="FILE")
    p.add_argument("--solutions", required=True, metavar="FILE|DATASET",
                   help=f"a {{task_id: [grid, ...]}} file, or a public set: {DATASET_NAMES}")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("tasks", help="load and validate tasks; report malformed ones",
                       description="Load a dataset and print one line per malformed task, then a summary.")
    p.add_argument("--dataset", required=True, metavar="NAME|FILE|DIR",
                   help=f"a public set ({DATASET_NAMES}), a challenges file, a task file or a folder of them")
    p.add_argument("--solutions", metavar="FILE", help="a solutions file to attach")
    p.set_defaults(func=cmd_tasks)


def cmd_verify(args: argparse.Namespace) -> int:
    from ..sandbox import SandboxLimits
    from ..verify import verify_once

    cfg = config_from(args)
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
    sc = cfg.sandbox
    result = verify_once(ts.tasks[0], code, SandboxLimits(sc.timeout_s, sc.memory_mb), sc.preload)
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
    ts = open_dataset(args.dataset, args.solutions)
    for m in ts.malformed:
        print(m.report())
    for w in ts.warnings:
        print(w)
    n_test = sum(len(t.test) for t in ts.tasks)
    print(f"{ts.source}: {len(ts.order)} tasks, {len(ts.tasks)} valid with {n_test} test inputs, "
          f"{len(ts.malformed)} malformed; solutions {'known' if ts.has_solutions else 'unknown'}")
    return 0
