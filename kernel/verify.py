"""Verification: run a program on a task's train pairs in the sandbox, trust it only if it
reproduces every train output, then keep its test outputs.

Nothing derived from the expected outputs reaches the sandbox: the trusted side compares
each result as it streams in and stops the program at the first wrong train output.
"""

from __future__ import annotations

import ast
import hashlib
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from .grids import Grid, GridError, describe_difference, parse_grid, to_lists
from .sandbox import JobResult, Sandbox, SandboxLimits
from .tasks import Task

STATUSES = ("ok", "wrong", "error", "timeout", "memory", "invalid")
MAX_CODE_CHARS = 100_000


@dataclass(frozen=True)
class PairResult:
    status: str  # one of STATUSES
    detail: str = ""


@dataclass(frozen=True)
class Verification:
    task_id: str
    program_key: str
    passed: bool
    train: tuple[PairResult, ...]   # up to and including the first failing pair
    test: tuple[Grid | None, ...]   # one per test input; all None unless passed
    elapsed_s: float = 0.0

    def to_json(self) -> dict:
        return {
            "passed": self.passed,
            "train": [{"status": p.status, "detail": p.detail} for p in self.train],
            "test": [to_lists(g) if g is not None else None for g in self.test],
        }


def program_key(code: str) -> str:
    """Programs that differ only in comments or layout share a key (and run once)."""
    try:
        if len(code) > MAX_CODE_CHARS:
            raise ValueError("too long to parse here")  # never parse huge hostile text in the parent
        canonical = ast.dump(ast.parse(code))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        canonical = code.strip()
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def judge(task: Task, key: str, result: JobResult) -> Verification:
    """Pure: turn the sandbox's raw outcomes into per-pair statuses and trusted test outputs."""
    outcomes = result.outcomes
    train: list[PairResult] = []
    for i, pair in enumerate(task.train):
        if i >= len(outcomes):
            train.append(PairResult("error", "no result for this pair"))
            break
        o = outcomes[i]
        if o.status != "ok":
            train.append(PairResult(o.status if o.status in STATUSES else "error", o.detail))
            break
        try:
            grid = parse_grid(o.grid)
        except GridError as e:
            train.append(PairResult("invalid", str(e)))
            break
        if grid != pair.output:
            train.append(PairResult("wrong", describe_difference(pair.output, grid)))
            break
        train.append(PairResult("ok"))
    passed = len(train) == len(task.train) and all(p.status == "ok" for p in train)
    test: list[Grid | None] = [None] * len(task.test)
    if passed:
        for j in range(len(task.test)):
            k = len(task.train) + j
            if k < len(outcomes) and outcomes[k].status == "ok":
                try:
                    test[j] = parse_grid(outcomes[k].grid)
                except GridError:
                    pass
    return Verification(task.id, key, passed, tuple(train), tuple(test), result.elapsed_s)


def _rejected(task: Task, key: str, detail: str) -> Verification:
    return Verification(task.id, key, False, (PairResult("error", detail),), (None,) * len(task.test))


class Verifier:
    """Verifies programs against tasks through one sandbox, running each distinct
    (task, program) once however often it is submitted, in parallel over the sandbox's workers."""

    def __init__(self, sandbox: Sandbox, limits: SandboxLimits | None = None) -> None:
        self.sandbox = sandbox
        self.limits = limits or sandbox.limits
        self._cache: dict[tuple[str, str], Future] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=sandbox.workers, thread_name_prefix="verify")
        self.cache_hits = 0

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> "Verifier":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _run(self, task: Task, code: str, key: str) -> Verification:
        if len(code) > MAX_CODE_CHARS:
            return _rejected(task, key, f"program is {len(code)} characters, over the {MAX_CODE_CHARS} limit")
        inputs = [p.input for p in task.train] + list(task.test_inputs)
        result = self.sandbox.run(code, inputs, [p.output for p in task.train], self.limits)
        if result.worker_failed:
            with self._lock:  # the program deserves another run when it comes again
                self._cache.pop((task.fingerprint, key), None)
        return judge(task, key, result)

    def submit(self, task: Task, code: str) -> Future:
        key = program_key(code)
        cache_key = (task.fingerprint, key)
        with self._lock:
            fut = self._cache.get(cache_key)
            if fut is not None:
                self.cache_hits += 1
                return fut
            fut = self._pool.submit(self._run, task, code, key)
            self._cache[cache_key] = fut
            return fut

    def verify(self, task: Task, code: str) -> Verification:
        return self.submit(task, code).result()

    def verify_many(self, items: Iterable[tuple[Task, str]],
                    on_done: Callable[[Verification], None] | None = None) -> list[Verification]:
        """Verify all (task, code) pairs; results in input order. `on_done` sees each as it finishes."""
        futures = [self.submit(task, code) for task, code in items]
        if on_done is not None:
            for fut in futures:
                fut.add_done_callback(lambda f: on_done(f.result()))
        return [f.result() for f in futures]


def verify_once(task: Task, code: str, limits: SandboxLimits, preload: Sequence[str]) -> Verification:
    """One-off verification with a private single-worker sandbox."""
    with Sandbox(1, limits, preload) as sb, Verifier(sb) as v:
        return v.verify(task, code)
