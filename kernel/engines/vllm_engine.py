"""vLLM, one engine process per device, prompts spread data-parallel.

Each engine runs in its own process (kernel.engines.vllm_worker) so a hung or crashed engine
can be killed without losing the parent or what the other engines and it already produced.
The parent hands each engine at most `queue_depth` requests at a time (enough to keep its
continuous batching full, few enough that a dead engine loses little) and tops it up as
completions come back, so a fast engine takes more of the work."""

from __future__ import annotations

import collections
import logging
import multiprocessing as mp
import os
import queue
import shutil
import signal
import subprocess
import time
import weakref
from dataclasses import dataclass, field, replace
from typing import Iterator

from .base import Completion, Engine, EngineError, Request
from .vllm_worker import VLLMLaunch, serve

log = logging.getLogger(__name__)


def visible_gpus() -> list[str]:
    env = os.environ.get("CUDA_VISIBLE_DEVICES")
    if env is not None:
        return [d.strip() for d in env.split(",") if d.strip() and d.strip() != "-1"]
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [str(i) for i, line in enumerate(out.splitlines()) if line.startswith("GPU ")]


def resolve_devices(spec: str) -> list[str | None]:
    """"auto": one engine per visible GPU, else one on the CPU; "cpu" or "cpu*2": engines on
    the CPU (None); "0,1": those GPUs; a GPU named twice runs two engines on it."""
    spec = spec.strip().lower()
    if spec == "auto":
        gpus = visible_gpus()
        return list(gpus) if gpus else [None]
    if spec.startswith("cpu"):
        count = spec.partition("*")[2] or "1"
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"devices = {spec!r}: expected cpu or cpu*N")
        return [None] * int(count)
    ids = [d.strip() for d in spec.split(",")]
    if not all(d.isdigit() for d in ids):
        raise ValueError(f"devices = {spec!r}: expected auto, cpu, cpu*N or GPU ids like 0,1")
    return ids


@dataclass
class _Worker:
    wid: int
    device: str | None
    proc: mp.Process
    in_q: mp.Queue
    out_q: mp.Queue   # its own: a worker killed while writing would leave a shared queue's lock held
    alive: bool = False
    info: dict = field(default_factory=dict)
    inflight: set = field(default_factory=set)
    last_progress: float = 0.0


def _kill(proc: mp.Process) -> None:
    if proc.pid is None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the worker leads its own session: this reaches vLLM's children
    except (ProcessLookupError, PermissionError):
        pass
    proc.join(timeout=10)


def _shutdown(workers: list[_Worker]) -> None:
    for w in workers:
        if w.proc.is_alive():
            try:
                w.in_q.put(("quit",))
            except (ValueError, OSError):
                pass
    end = time.monotonic() + 10
    for w in workers:
        w.proc.join(timeout=max(0.0, end - time.monotonic()))
    for w in workers:
        _kill(w.proc)  # also reaps vLLM's engine-core children left behind
        w.alive = False


class VLLMEngine(Engine):
    name = "vllm"

    def __init__(self, launch: VLLMLaunch, devices: list[str | None]) -> None:
        super().__init__()
        if not devices:
            raise EngineError("no devices to start vLLM on")
        v = launch.vllm
        self.queue_depth, self.stall_timeout_s, self.stop_grace_s = v.queue_depth, v.stall_timeout_s, v.stop_grace_s
        ctx = mp.get_context("spawn")  # vLLM and CUDA do not survive fork
        self.workers: list[_Worker] = []
        shares = collections.Counter(devices)
        for wid, device in enumerate(devices):
            # Engines sharing a GPU split its memory; vLLM counts the fraction of the whole card.
            s = launch if device is None else replace(launch, vllm=replace(
                v, gpu_memory_utilization=v.gpu_memory_utilization / shares[device]))
            in_q, out_q = ctx.Queue(), ctx.Queue()
            proc = ctx.Process(target=serve, args=(wid, device, s, in_q, out_q), name=f"vllm-{wid}")
            proc.start()
            self.workers.append(_Worker(wid, device, proc, in_q, out_q))
        self._finalizer = weakref.finalize(self, _shutdown, self.workers)
        self._wait_ready(v.start_timeout_s)

    def _wait_ready(self, timeout_s: float) -> None:
        end = time.monotonic() + timeout_s
        pending = {w.wid for w in self.workers}
        errors: list[str] = []
        while pending and time.monotonic() < end:
            try:
                kind, wid, payload = self._next(1.0)
            except queue.Empty:
                for w in self.workers:
                    if w.wid in pending and not w.proc.is_alive():
                        pending.discard(w.wid)
                        errors.append(f"engine {w.wid} exited with code {w.proc.exitcode} while starting")
                continue
            pending.discard(wid)
            if kind == "ready":
                self.workers[wid].alive, self.workers[wid].info = True, payload
                log.info("vLLM engine %d ready on %s (%s)", wid, payload["device"], payload["dtype"])
            elif kind == "failed":
                errors.append(f"engine {wid} failed to start:\n{payload.strip()}")
        for wid in pending:
            errors.append(f"engine {wid} did not start within {timeout_s:g} s")
            _kill(self.workers[wid].proc)
        for e in errors:
            log.error("%s", e)
        if not any(w.alive for w in self.workers):
            self.close()
            raise EngineError(f"no vLLM engine started ({_reason(errors[-1]) if errors else 'unknown reason'}); "
                              "check the model folder, devices and memory settings")

    def _next(self, timeout: float):
        """The next message from any worker, (kind, wid, payload); queue.Empty after `timeout`."""
        end = time.monotonic() + timeout
        while True:
            for w in self.workers:
                try:
                    return w.out_q.get_nowait()
                except queue.Empty:
                    continue
            if time.monotonic() >= end:
                raise queue.Empty
            time.sleep(0.005)

    @property
    def live(self) -> list[_Worker]:
        return [w for w in self.workers if w.alive]

    def _lose(self, w: _Worker, why: str) -> list[Completion]:
        """A worker is gone or hung: kill it; its unfinished requests fail with the reason."""
        log.error("vLLM engine %d %s; %d unfinished requests are lost", w.wid, why, len(w.inflight))
        w.alive = False
        _kill(w.proc)
        lost = [Completion(rid, worker=f"vllm:{w.wid}", error=f"engine {why}") for rid in sorted(w.inflight)]
        w.inflight.clear()
        return lost

    def _generate(self, requests: list[Request], deadline: float | None) -> Iterator[Completion]:
        for r in requests:
            if r.sampling.min_prob is not None and r.answer is None:
                # vLLM samples; its API has no way to walk the tree of continuations
                yield Completion(r.id, error="depth-first sampling (sampling.mode = dfs) runs on the hf engine: "
                                             "set sampling.engine = hf")
        requests = [r for r in requests if r.sampling.min_prob is None or r.answer is not None]
        pending = collections.deque(requests)
        checked = time.monotonic()
        try:
            while pending or any(w.inflight for w in self.live):
                now = time.monotonic()
                if self._stop.is_set() or (deadline is not None and now >= deadline):
                    return
                if not self.live:
                    while pending:
                        yield Completion(pending.popleft().id, error="no vLLM engine left")
                    return
                for w in self.live:
                    room = self.queue_depth - len(w.inflight)
                    batch = [pending.popleft() for _ in range(min(room, len(pending)))]
                    if batch:
                        if not w.inflight:
                            w.last_progress = now
                        w.in_q.put(("add", [r.to_dict() for r in batch]))
                        w.inflight.update(r.id for r in batch)
                wait = 0.2 if deadline is None else max(0.0, min(0.2, deadline - now))
                try:
                    kind, wid, payload = self._next(wait)
                except queue.Empty:
                    kind = None
                w = self.workers[wid] if kind else None
                if kind == "done" and payload["request_id"] in w.inflight:
                    w.inflight.discard(payload["request_id"])
                    w.last_progress = time.monotonic()
                    yield _to_completion(payload)
                elif kind == "failed" and w.alive:
                    for c in self._lose(w, f"crashed: {payload.strip().splitlines()[-1]}"):
                        yield c
                if time.monotonic() - checked >= 0.5:
                    checked = time.monotonic()
                    for w in self.live:
                        if not w.proc.is_alive():
                            lost = self._lose(w, f"died (exit code {w.proc.exitcode})")
                        elif w.inflight and checked - w.last_progress > self.stall_timeout_s:
                            lost = self._lose(w, f"made no progress for {self.stall_timeout_s:g} s")
                        else:
                            continue
                        for c in lost:
                            yield c
        finally:
            self._abort_inflight()

    def _abort_inflight(self) -> None:
        """Stop the work still running (deadline, stop(), or the caller stopped reading); an
        engine that does not acknowledge within the grace period is hung and is killed."""
        busy = {w.wid: w for w in self.live if w.inflight}
        for w in busy.values():
            w.in_q.put(("abort",))
        end = time.monotonic() + self.stop_grace_s
        while busy and time.monotonic() < end:
            try:
                kind, wid, _ = self._next(0.2)
            except queue.Empty:
                for w in list(busy.values()):
                    if not w.proc.is_alive():
                        busy.pop(w.wid)
                        self._lose(w, f"died (exit code {w.proc.exitcode})")
                continue
            if kind == "aborted" and wid in busy:
                busy.pop(wid).inflight.clear()
        for w in busy.values():
            self._lose(w, f"did not stop within {self.stop_grace_s:g} s")

    def close(self) -> None:
        self._finalizer()

    def pids(self) -> list[int]:
        return [w.proc.pid for w in self.live]


def _reason(error: str) -> str:
    """The line of an engine's start-up traceback that says what went wrong (vLLM's validation
    errors end with a link, not with the reason)."""
    lines = [ln.strip() for ln in error.strip().splitlines()
             if ln.strip() and not ln.strip().startswith("For further information")]
    errors = [ln for ln in lines if "rror" in ln]
    return (errors or lines or ["unknown reason"])[-1][:600]


def _to_completion(d: dict) -> Completion:
    return Completion(
        request_id=d["request_id"], texts=tuple(d.get("texts", ())), prompt_tokens=d.get("prompt_tokens", 0),
        output_tokens=tuple(d.get("output_tokens", ())), finish_reasons=tuple(d.get("finish_reasons", ())),
        t_start=d.get("t_start", 0.0), t_end=d.get("t_end", 0.0), worker=d.get("worker", ""), error=d.get("error"),
        logprobs=tuple(d.get("logprobs", ())),
    )
