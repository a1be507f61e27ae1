"""The trusted side of the sandbox: a pool of fork-server workers and a thread-safe `run`.

A worker that dies or stops answering is killed and replaced; the job it held comes back
as an `error` outcome, and the pool carries on.
"""

from __future__ import annotations

import logging
import queue
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # only for the annotation: the fork server imports this module and stays slim
    from ..config import SandboxConfig

from .protocol import FrameError, dumps, encode, frame, read_frame, write_all, write_frame

log = logging.getLogger(__name__)

_ROOT = str(Path(__file__).resolve().parents[2])
_SERVER_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from kernel.sandbox.server import main; main()"
# Thread pools in a child that may not create threads hang numpy; one thread each.
_SERVER_ENV = {
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}


class SandboxUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class SandboxLimits:
    timeout_s: float   # per call of transform(grid)
    memory_mb: int     # on top of what the warm worker already holds


@dataclass(frozen=True)
class Outcome:
    """One call of transform: status is ok, error, timeout, memory or invalid."""

    status: str
    grid: list[list[int]] | None = None
    detail: str = ""


@dataclass(frozen=True)
class JobResult:
    outcomes: tuple[Outcome, ...]  # a prefix of the inputs: the child is stopped at a failed train pair
    elapsed_s: float
    worker_failed: bool = False    # the sandbox failed, not the program: worth running again


def job_payload(code: str, inputs: Sequence, limits: "SandboxLimits") -> bytes:
    """The bytes handed to the sandbox child: the program, the inputs and the limits.

    Nothing about the expected outputs is in it, and nothing says which inputs are train
    inputs: two tasks with the same inputs in the same order give the same bytes."""
    return dumps({"code": code, "inputs": inputs, "timeout_s": limits.timeout_s, "memory_mb": limits.memory_mb})


class _Worker:
    def __init__(self, preload: Sequence[str], modules: dict[str, str]) -> None:
        self.workdir = tempfile.mkdtemp(prefix="arc-sandbox-")
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-c", _SERVER_BOOT, _ROOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=_SERVER_ENV,
            cwd=self.workdir,
            close_fds=True,
            start_new_session=True,  # a Ctrl-C in the terminal is for the parent to handle
        )
        self.w = self.proc.stdin.fileno()
        self.r = self.proc.stdout.fileno()
        try:
            write_frame(self.w, {"preload": list(preload), "modules": modules})
            self.hello = self._read(timeout=120)
        except Exception as e:
            self.close()
            raise SandboxUnavailable(f"sandbox worker failed to start: {e}") from e

    def _read(self, timeout: float) -> dict:
        ready, _, _ = select.select([self.r], [], [], timeout)
        if not ready:
            raise TimeoutError(f"no answer within {timeout:.0f} s")
        return read_frame(self.r)

    def request(self, header: dict, payload: bytes, expected: Sequence[list], timeout: float) -> tuple[list[dict], dict]:
        """Send one job and read its results as they stream in, judging each train result
        against `expected` here, in the trusted process: at the first one that is not the
        expected grid the child is stopped, and nothing after it is kept."""
        write_all(self.w, encode(header) + frame(payload))
        results: list[dict] = []
        failed = False
        deadline = time.monotonic() + timeout
        while True:
            msg = self._read(max(0.0, deadline - time.monotonic()))
            if not isinstance(msg, dict):
                raise FrameError("malformed frame from the sandbox server")
            if msg.get("done") is True:
                return results, msg
            if failed:
                continue  # sent before the stop reached the server
            result = msg.get("result")
            if not isinstance(result, dict):
                raise FrameError("malformed result frame from the sandbox server")
            results.append(result)
            i = len(results) - 1
            if i < len(expected) and (result.get("status") != "ok" or result.get("grid") != expected[i]):
                failed = True
                write_frame(self.w, {"stop": True})

    def close(self) -> None:
        # End of input lets the server kill and reap its own children first; a server that
        # does not go within moments (wedged, or mid-job) is killed outright.
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except Exception:
                pass
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


class Sandbox:
    """Run untrusted programs on grids. Use as a context manager; safe to call from threads."""

    def __init__(self, workers: int, limits: SandboxLimits, preload: Sequence[str],
                 modules: dict[str, str] | None = None) -> None:
        """`preload`: the modules programs may import, numpy's lazily loaded parts included
        (`SandboxConfig.preload` lists them; `Sandbox.from_config` takes all three from there).
        `modules`: {name: source} of modules that exist nowhere on disk the sandbox could read
        (a model's own DSL, like BARC's `common`), compiled into the worker before any fork."""
        self.workers = workers
        if self.workers < 1:
            raise ValueError("workers must be >= 1")
        self.limits = limits
        self.preload = tuple(preload)
        self.modules = dict(modules or {})
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self.jobs_run = 0
        self.hello: dict = {}

    @classmethod
    def from_config(cls, sc: "SandboxConfig", modules: dict[str, str] | None = None) -> "Sandbox":
        return cls(sc.workers, SandboxLimits(sc.timeout_s, sc.memory_mb), sc.preload, modules)

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        if self._all:
            return
        for _ in range(self.workers):
            worker = self._spawn()
            self._idle.put(worker)
        self.hello = self._all[0].hello
        if not self.hello.get("seccomp"):
            log.warning("sandbox runs without a seccomp filter (%s): programs can still be "
                        "killed on time and memory, but file and process isolation is weaker",
                        self.hello.get("detail"))
        missing = self.hello.get("missing_preload") or []
        if missing:
            own = [m for m in missing if m.split(" ")[0] in self.modules]
            log.log(logging.WARNING if own else logging.INFO, "modules not available to programs: %s", ", ".join(missing))

    def _spawn(self) -> _Worker:
        worker = _Worker(self.preload, self.modules)
        with self._lock:
            self._all.append(worker)
        return worker

    def _replace(self, worker: _Worker) -> _Worker | None:
        worker.close()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        try:
            return self._spawn()
        except SandboxUnavailable as e:
            log.error("%s", e)
            return None

    def close(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), []
        for w in workers:
            w.close()

    def run(self, code: str, inputs: Sequence, expected: Sequence = (),
            limits: SandboxLimits | None = None) -> JobResult:
        """Run `code` on each input grid in one fresh child.

        `expected` holds the expected outputs of the first len(expected) inputs (the train
        pairs). They never leave this process: each result is compared here as it arrives,
        and the child is killed at the first mismatch, so a failing program costs one pair.
        The outcomes end at that pair; the caller judges them again in full.
        """
        if not self._all:
            self.start()
        lim = limits or self.limits
        # The server reads only the small header and hands the payload to the child as it is.
        header = {"n": len(inputs), "timeout_s": lim.timeout_s}
        payload = job_payload(code, inputs, lim)  # tuples encode as JSON lists
        expected_lists = [[list(row) for row in grid] for grid in expected]
        # The server enforces the real limits; this only catches a wedged server.
        watchdog = lim.timeout_s * max(1, len(inputs)) + 10
        worker = self._idle.get()
        try:
            results, reply = worker.request(header, payload, expected_lists, watchdog)
        except (OSError, EOFError, FrameError, TimeoutError) as e:
            log.warning("sandbox worker failed (%s); restarting it", e)
            replacement = self._replace(worker)
            if replacement is not None:
                self._idle.put(replacement)
            elif not self._all:
                raise SandboxUnavailable("no sandbox worker could be restarted") from e
            return JobResult((Outcome("error", None, f"sandbox worker failed: {e}"),), 0.0, worker_failed=True)
        self._idle.put(worker)
        with self._lock:
            self.jobs_run += 1
        outcomes = tuple(
            Outcome(str(r.get("status")), r.get("grid"), str(r.get("detail", "")))
            for r in results
        )
        if not outcomes:
            detail = reply.get("error", "sandbox returned no result")
            return JobResult((Outcome("error", None, detail),), 0.0, worker_failed=True)
        return JobResult(outcomes, float(reply.get("elapsed_s", 0.0)))
