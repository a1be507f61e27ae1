"""What the commands share: the usage error, config assembly, flags that are settings, the
dataset and model-folder checks. Written once here, used by every command module."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Callable, Sequence

from ..config import (Config, ConfigError, check_value, describe_range, field_of, load_config, parse_value,
                      profile_names, toml_value)
from ..durations import parse_duration
from ..folders import adapter_folder_problem, model_folder_problem
from ..tasks import DATASETS, TaskSet, guess_solutions_path, load_tasks

log = logging.getLogger("kernel")
DATASET_NAMES = ", ".join([*DATASETS, "arc-mini/training", "arc-mini/evaluation", "arc-mini/unseen"])


class UsageError(Exception):
    """Bad input the user can fix; printed as one line, exit code 2."""


# --- value types -----------------------------------------------------------------------------------

def bounded(kind: type, low: float, high: float) -> Callable[[str], float]:
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {kind.__name__}") from None
        if not low <= value <= high:  # also rejects nan
            raise argparse.ArgumentTypeError(f"must be between {low:g} and {high:g}")
        return value
    return parse


positive_int = bounded(int, 1, 1 << 30)


def duration_up_to(most_s: float | None) -> Callable[[str], float]:
    """An argument type: '10', '10s', '500ms', '2m', '1h30m' -> seconds, more than 0 (and at
    most `most_s` unless None)."""
    def parse(text: str) -> float:
        try:
            value = parse_duration(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
        if most_s is None and not value > 0:
            raise argparse.ArgumentTypeError("must be more than 0")
        if most_s is not None and not 0 < value <= most_s:
            raise argparse.ArgumentTypeError("must be more than 0 and at most 24h")
        return value
    return parse


duration = duration_up_to(86400)  # a stage's or a command's time: at most a day


# --- flags that are settings -------------------------------------------------------------------------

class _SetSettings(argparse.Action):
    """Records `key=value` for each setting the flag stands for; applied after --config and
    before --set, so a flag is exactly a --set written another way."""

    def __init__(self, *args, keys: Sequence[str] = (), **kwargs) -> None:
        self.keys = tuple(keys)
        super().__init__(*args, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        value = True if self.nargs == 0 else values
        flags = list(getattr(namespace, "setting_flags", None) or [])
        flags += [(key, value) for key in self.keys]
        namespace.setting_flags = flags


def add_setting(p: argparse.ArgumentParser, flag: str, key: str, *also: str,
                convert: Callable[[str], object] | None = None, metavar: str | None = None, switch: bool = False) -> None:
    """A flag for the setting `key` (and `also` others taking the same value): its type,
    range, choices and help come from the setting's definition in kernel/config.py."""
    f = field_of(key)
    meta = f.metadata

    default_convert = {"str": str, "int": int, "float": float}.get(str(f.type), parse_value)

    def parse(text: str):
        try:
            raw = (convert or default_convert)(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a valid {str(f.type)}") from None
        try:
            check_value(key, raw)
        except ConfigError as e:
            raise argparse.ArgumentTypeError(str(e).split(": ", 1)[-1]) from None
        return raw

    rng = describe_range(meta)
    help_text = (f"{meta['help']}" + (f" [{rng}]" if rng and not meta.get("choices") else "")
                 + f" (setting {' and setting '.join((key, *also))}, default {toml_value(f.default)})")
    kwargs: dict = dict(action=_SetSettings, keys=(key, *also), help=help_text, dest="setting_flags", default=None)
    if switch:
        kwargs["nargs"] = 0
    else:
        kwargs["type"] = parse
        kwargs["metavar"] = metavar or key.split(".")[1].upper()
        if meta.get("choices"):
            kwargs["choices"] = meta["choices"]
            kwargs.pop("metavar")
            kwargs["type"] = str
    p.add_argument(flag, **kwargs)


class _SetPrompt(argparse.Action):
    """--prompt NAME: a preset's kind says which setting it is, prompts.output or prompts.code."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from ..prompting import TemplateError, load_template

        try:
            kind = load_template(values).kind
        except TemplateError as e:
            raise argparse.ArgumentError(self, str(e)) from None
        key = "prompts.code" if kind == "code-from-examples" else "prompts.output"
        namespace.setting_flags = list(getattr(namespace, "setting_flags", None) or []) + [(key, values)]


def add_prompt_arg(p: argparse.ArgumentParser) -> None:
    from ..prompting.templates import builtin_names

    p.add_argument("--prompt", action=_SetPrompt, dest="setting_flags", default=None, metavar="NAME|FILE.toml",
                   help="the prompt preset of the model's format, one of " + ", ".join(builtin_names())
                        + ", or a preset file; sets setting prompts.output or prompts.code by its kind "
                          "(repeatable: an output preset and a code preset)")


def add_config_args(p: argparse.ArgumentParser, profile: bool = True) -> None:
    if profile:
        p.add_argument("--profile", choices=profile_names(),
                       help="hardware profile applied first (kernel/profiles.toml)")
    p.add_argument("--config", metavar="FILE", help="TOML file of settings (same layout as `python -m kernel config`)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="override one setting, e.g. --set sandbox.timeout_s=2 (repeatable)")


def config_from(args: argparse.Namespace) -> Config:
    """Defaults, then --profile, --config, the command's own setting flags, then --set."""
    flags = [f"{key}={toml_value(value)}" for key, value in (getattr(args, "setting_flags", None) or [])]
    return load_config(args.config, flags + list(args.overrides), profile=getattr(args, "profile", None))


# --- datasets and model folders --------------------------------------------------------------------

def add_dataset_args(p: argparse.ArgumentParser, required: bool = False) -> None:
    p.add_argument("--dataset", metavar="NAME|FILE|DIR", required=required,
                   help=f"a public set ({DATASET_NAMES}), a challenges file, a task file or a folder"
                        + ("" if required else " (default: setting dry_run.dataset)"))
    p.add_argument("--solutions", metavar="FILE",
                   help="solutions file (default: the ..._solutions.json beside a ..._challenges.json)")
    p.add_argument("--limit", type=positive_int, metavar="N", help="only the first N tasks")


def report_problems(ts: TaskSet) -> None:
    for m in ts.malformed:
        log.warning("%s", m.report())
    for w in ts.warnings:
        log.warning("%s", w)


def open_dataset(dataset: str, solutions: str | None = None) -> TaskSet:
    """A public set, an arc-mini set, a challenges file (its solutions found beside it), a task file
    or a folder."""
    if dataset.startswith("arc-mini/"):
        from .. import arc_mini

        if dataset not in arc_mini.SPLITS:
            raise UsageError(f"{dataset}: no such arc-mini set (known: {', '.join(arc_mini.SPLITS)})")
        return arc_mini.load(dataset)
    if solutions is None and dataset not in DATASETS and Path(dataset).is_file():
        guessed = guess_solutions_path(Path(dataset))
        solutions = str(guessed) if guessed else None
    return load_tasks(dataset, solutions)


def load_dataset(args: argparse.Namespace, cfg: Config) -> TaskSet:
    ts = open_dataset(args.dataset or cfg.dry_run.dataset, args.solutions).limit(getattr(args, "limit", None))
    report_problems(ts)
    return ts


def model_dir(text: str) -> str:
    """--model DIR, or `reference`: the reference model trained here (kernel/reference/)."""
    if text == "reference":
        from ..reference_model import REFERENCE_DIR

        return str(REFERENCE_DIR)
    return text


def check_model_folder(path: str | None) -> None:
    problem = model_folder_problem(path) if path is not None else None
    if problem:
        raise UsageError(problem)


def check_adapter_folder(path: str | None) -> None:
    problem = adapter_folder_problem(path) if path is not None else None
    if problem:
        raise UsageError(problem)
