"""Stage processes. Each stage runs in a process of its own (spawned, in its own process
group) so the orchestrator can stop it at its deadline, cooperatively with SIGTERM and then
with SIGKILL to the whole group (vLLM engines, sandbox servers, search workers included).

A stage writes every candidate to the trace as it is produced, so what it made before a stop,
crash or kill is kept, and a restarted run skips what is already there (`StageContext.done`)."""

from __future__ import annotations

import logging
import os
import resource
import signal
import sys
import threading
import time
from concurrent.futures import Future, wait as wait_futures
from dataclasses import dataclass
from typing import Callable

from ..config import Config
from ..grids import to_lists
from ..tasks import Task
from ..verify import Verification
from .trace import TraceWriter

log = logging.getLogger(__name__)

FAULTS = ("hang", "crash", "exit")
MODEL_STAGES = ("ttft", "sample_code", "sample_output")
FIRES_ON = ("candidate", "ttft_step")  # a fault drill fires at the first of these a stage writes


@dataclass(frozen=True)
class StageContext:
    name: str
    tasks: tuple[Task, ...]
    cfg: Config
    trace_path: str
    deadline: float            # time.monotonic(); the orchestrator kills the stage a grace period later
    model: str | None = None
    adapter: str | None = None
    replay: tuple[str, ...] = ()
    programs_file: str | None = None
    fault: str | None = None   # a drill: hang | crash | exit, at the stage's first candidate
    done: frozenset[str] = frozenset()  # work finished in an earlier run: task ids or prompt ids
    verbose: bool = False
    adapters: str | None = None  # a folder with test-time fine-tuned adapters and their manifest


class StageTrace(TraceWriter):
    """The stage's trace writer; also where a fault drill fires (after the first candidate, so
    the drill shows that what came before is kept)."""

    def __init__(self, path: str, stage: str, fault: str | None) -> None:
        super().__init__(path, stage)
        self.fault = fault

    def write(self, event: str, **fields) -> dict:
        rec = super().write(event, **fields)
        if event in FIRES_ON and self.fault:
            fire(self.fault)
        return rec


def fire(fault: str) -> None:
    """Works from any thread (candidates may be written from verification callbacks)."""
    log.warning("fault drill: %s", fault)
    if fault == "hang":
        os.kill(os.getpid(), signal.SIGSTOP)  # frozen: deaf to SIGTERM, only SIGKILL ends it
    elif fault == "crash":
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.kill(os.getpid(), signal.SIGSEGV)  # as a native library (CUDA, a kernel) would crash
    elif fault == "exit":
        os._exit(3)  # quits early, as a library calling sys.exit would


def program_event(trace: TraceWriter, task: Task, code: str | None, v: Verification | None, **extra) -> None:
    fields = dict(task_id=task.id, kind="program", code=code, passed=bool(v and v.passed),
                  failed_at=None if v is None or v.passed else next(
                      (f"train[{i}] {p.status}" for i, p in enumerate(v.train) if p.status != "ok"), None),
                  test=[None if g is None else to_lists(g) for g in v.test] if v and v.passed else None)
    fields.update(extra)
    trace.write("candidate", **fields)


def _sandbox(cfg: Config):
    from ..sandbox import Sandbox, SandboxLimits

    return Sandbox(cfg.sandbox.workers, SandboxLimits(cfg.sandbox.timeout_s, cfg.sandbox.memory_mb), cfg.sandbox.preload)


# --- the stages ---------------------------------------------------------------------------------

def run_search(ctx: StageContext, trace: TraceWriter, stop: threading.Event) -> dict:
    from ..progress import Progress
    from ..search.engine import SearchLimits
    from ..search.parallel import search_many
    from ..verify import Verifier

    se = ctx.cfg.search
    tasks = {t.id: t for t in ctx.tasks if t.id not in ctx.done}
    found = 0
    # Lines, not a bar: the search runs beside the sampling stages, whose bars would collide with it.
    with _sandbox(ctx.cfg) as sandbox, Verifier(sandbox) as verifier, \
            Progress(len(tasks), "search", every_s=60.0, lines=True) as bar:
        for r in search_many(tasks.values(), SearchLimits(se.budget_s, se.max_depth, se.max_programs, se.rule_depth),
                             se.workers, deadline=ctx.deadline, stop=stop.is_set):
            task = tasks[r.task_id]
            for code in r.programs:
                program_event(trace, task, code, verifier.verify(task, code), source="search")
            found += bool(r.programs)
            trace.write("task_done", task_id=r.task_id, programs=len(r.programs), cpu_s=round(r.cpu_s, 3),
                        nodes=r.nodes, stopped=r.stopped)
            bar.update(note=f"{found} with a program")
    return {"tasks": len(tasks), "tasks_with_programs": found}


def run_programs(ctx: StageContext, trace: TraceWriter, stop: threading.Event) -> dict:
    """Programs given in a file (--programs), verified like any other."""
    from pathlib import Path

    from ..dry_run import read_candidates
    from ..progress import Progress
    from ..verify import Verifier

    by_id = {t.id: t for t in ctx.tasks}
    candidates, problems = read_candidates(Path(ctx.programs_file), set(by_id))
    for p in problems:
        log.warning("%s", p)
    with _sandbox(ctx.cfg) as sandbox, Verifier(sandbox) as verifier, \
            Progress(len(candidates), "verifying programs") as bar:
        for c in candidates:
            if stop.is_set() or time.monotonic() >= ctx.deadline:
                break
            program_event(trace, by_id[c.task_id], c.code, verifier.verify(by_id[c.task_id], c.code), source=c.source)
            bar.update()
    return {"programs": len(candidates)}


def _serving(ctx: StageContext):
    """The model folder and the adapter(s) the sampling stages use: a user's --adapter, and
    test-time fine-tuned adapters per task on top (or their merged weights)."""
    from pathlib import Path

    from ..engines import Adapter, AdapterSet
    from ..ttft import read_manifest

    user = Adapter(Path(ctx.adapter).name, str(Path(ctx.adapter).resolve())) if ctx.adapter else None
    manifest = read_manifest(ctx.adapters) if ctx.adapters else None
    if manifest is None:
        return ctx.model, user
    if manifest.merged:
        return str(Path(ctx.adapters, manifest.merged)), None
    folder = Path(ctx.adapters).resolve()
    by_task = {}
    for task_id in manifest.tasks:
        name, sub = manifest.adapter_for(task_id)
        by_task[task_id] = Adapter(name, str(folder / sub))
    return ctx.model, AdapterSet(by_task, user)


def _engine_and_renderer(ctx: StageContext, stop: threading.Event):
    from ..engines import make_engine
    from ..prompting.builder import CharRenderer, TokenizerRenderer

    model, adapter = _serving(ctx)
    engine = make_engine(ctx.cfg.sampling.engine, ctx.cfg, model, ctx.replay, lora=adapter is not None)
    _on_stop.append(engine.stop)
    if stop.is_set():
        engine.stop()
    if model is None:
        return engine, CharRenderer(), adapter
    from transformers import AutoTokenizer

    return engine, TokenizerRenderer(AutoTokenizer.from_pretrained(model)), adapter


def _sampling(ctx: StageContext, max_tokens: int):
    from ..engines import Sampling

    sa = ctx.cfg.sampling
    return Sampling(sa.n, sa.temperature, sa.top_p, max_tokens, sa.seed)


def _sample_fields(rec) -> dict:
    return dict(prompt_id=rec.prompt_id, prompt_digest=rec.prompt_digest, prompt_version=rec.prompt_version,
                text=rec.text, engine=rec.engine, worker=rec.worker, prompt_tokens=rec.prompt_tokens,
                output_tokens=rec.output_tokens, t_start=rec.t_start, t_end=rec.t_end, error=rec.error,
                parse_error=rec.parse_error, adapter=rec.adapter)


def run_sample_code(ctx: StageContext, trace: TraceWriter, stop: threading.Event) -> dict:
    """Programs from the model, verified in the sandbox while the rest are still sampled."""
    from ..prompting import load_template
    from ..sampling import sample_candidates
    from ..verify import Verifier

    template = load_template(ctx.cfg.prompts.code)
    tasks = [t for t in ctx.tasks if f"{t.id}/all/{template.name}" not in ctx.done]
    by_id = {t.id: t for t in tasks}
    pending: list[Future] = []
    engine, renderer, adapter = _engine_and_renderer(ctx, stop)
    with engine, _sandbox(ctx.cfg) as sandbox, Verifier(sandbox) as verifier:
        def on_record(rec) -> None:
            task = by_id[rec.task_id]
            if rec.code is None:
                program_event(trace, task, None, None, **_sample_fields(rec))
                return
            fut = verifier.submit(task, rec.code)
            fut.add_done_callback(lambda f: program_event(trace, task, rec.code, f.result(), **_sample_fields(rec)))
            pending.append(fut)

        report = sample_candidates(tasks, template, renderer, engine, _sampling(ctx, ctx.cfg.sampling.max_tokens_code),
                                   ctx.cfg.vllm.max_model_len, None, adapter, ctx.deadline, on_record=on_record)
        wait_futures(pending, timeout=max(0.0, ctx.deadline - time.monotonic()))
    return report.to_json()


def run_sample_output(ctx: StageContext, trace: TraceWriter, stop: threading.Event) -> dict:
    """Output grids from the model, each test input seen under several augmentations; every
    predicted grid is mapped back before it is recorded (and later voted on)."""
    from ..grids import Grid
    from ..prompting import load_template
    from ..sampling import sample_candidates
    from ..augment import augmentations

    template = load_template(ctx.cfg.prompts.output)
    augs = augmentations(ctx.cfg.run.augmentations, ctx.cfg.sampling.seed)
    originals: dict[str, tuple[Task, object]] = {}
    aug_tasks = []
    for t in ctx.tasks:
        for a in augs:
            at = a.task(t)
            if all(f"{at.id}/{i}/{template.name}" in ctx.done for i in range(len(t.test))):
                continue
            originals[at.id] = (t, a)
            aug_tasks.append(at)
    engine, renderer, adapter = _engine_and_renderer(ctx, stop)

    def on_record(rec) -> None:
        task, aug = originals[rec.task_id]
        grid: Grid | None = None
        if rec.grid is not None:
            try:
                grid = aug.undo(rec.grid)
            except (IndexError, ValueError):  # a color outside the permutation cannot be mapped back
                grid = None
        trace.write("candidate", task_id=task.id, kind="grid", test_index=rec.test_index,
                    grid=None if grid is None else to_lists(grid), augmentation=aug.name, **_sample_fields(rec))

    with engine:
        report = sample_candidates(aug_tasks, template, renderer, engine,
                                   _sampling(ctx, ctx.cfg.sampling.max_tokens_output), ctx.cfg.vllm.max_model_len,
                                   None, adapter, ctx.deadline, on_record=on_record)
    return report.to_json()


def run_ttft_stage(ctx: StageContext, trace: TraceWriter, stop: threading.Event) -> dict:
    """LoRA adapters for the tasks (kernel.ttft), saved into ctx.adapters; programs verified so
    far in this run (by the search, already running) become code targets."""
    from ..ttft import run_ttft
    from .answers import verified_programs
    from .trace import read_trace

    programs = verified_programs(read_trace(ctx.trace_path), per_task=4)
    return run_ttft(ctx.model, ctx.tasks, ctx.cfg, ctx.adapters, ctx.deadline, programs, trace=trace, stop=stop.is_set)


RUNNERS: dict[str, Callable[[StageContext, TraceWriter, threading.Event], dict]] = {
    "ttft": run_ttft_stage, "search": run_search, "programs": run_programs, "sample_code": run_sample_code,
    "sample_output": run_sample_output,
}
_on_stop: list[Callable[[], None]] = []


def stage_main(ctx: StageContext) -> None:
    """Entry point of a stage process."""
    stop = threading.Event()

    def on_term(signum, frame) -> None:
        stop.set()
        for callback in _on_stop:
            callback()

    # First, before the stage leads a process group the orchestrator can signal: a stop that
    # comes this early then ends the stage's work cleanly instead of killing it mid-start.
    signal.signal(signal.SIGTERM, on_term)
    os.setsid()
    from ..engines.vllm_worker import _die_with_parent

    _die_with_parent()
    logging.basicConfig(level=logging.DEBUG if ctx.verbose else logging.INFO,
                        format=f"%(levelname)s [{ctx.name}] %(message)s")
    trace = StageTrace(ctx.trace_path, ctx.name, ctx.fault)
    trace.write("stage_begin", pid=os.getpid())  # from here on the stage does its own work
    try:
        stats = RUNNERS[ctx.name](ctx, trace, stop)
        if ctx.fault:
            fire(ctx.fault)  # a drill on a stage that produced nothing still fires
        trace.write("stage_done", stats=stats, stopped=stop.is_set() or time.monotonic() >= ctx.deadline)
    finally:
        trace.close()
    # Engines and sandboxes are shut down and the trace is on disk: skip the interpreter's
    # teardown of torch and vLLM, which takes over a second of the run's time.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
