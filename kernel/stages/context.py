"""What every stage is given (`StageContext`) and the helpers stages share: the trace writer
where fault drills fire, program events, and the model being served."""

from __future__ import annotations

import logging
import os
import resource
import signal
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..config import Config
from ..grids import to_lists
from ..tasks import Task
from ..trace import TraceWriter
from ..verify import Verification

log = logging.getLogger(__name__)

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


# A stage's runner: (context, trace, stop event) -> figures for the trace's stage_done event.
Runner = Callable[[StageContext, TraceWriter, threading.Event], dict]

# Called on SIGTERM, from the signal handler: engines register their stop here.
on_stop: list[Callable[[], None]] = []


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


def serving(ctx: StageContext):
    """The model folder and the adapter(s) the sampling stages use: a user's --adapter, and
    test-time fine-tuned adapters per task on top (or their merged weights)."""
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


def start_engine(start: Callable[[str | None, bool], object], model: str | None, adapter,
                 merge: Callable[[object], str]):
    """(engine, model, adapter, note). `start(model, lora)` starts an engine. LoRA serving is
    unverified on Turing GPUs: when an engine with adapters fails to start, it is tried once more,
    on the merged weights when one adapter serves every task, else without adapters; `note` says so."""
    from ..engines import AdapterSet, EngineError

    try:
        return start(model, adapter is not None), model, adapter, None
    except EngineError as e:
        if adapter is None:
            raise
        why = str(e).splitlines()[0]
    log.error("the engine did not start with LoRA adapters (%s): retrying once", why)
    served = set(adapter.by_task.values()) | {adapter.default} if isinstance(adapter, AdapterSet) else {adapter}
    if len(served) == 1 and None not in served:
        (one,) = served
        try:
            merged = merge(one)
        except Exception as e:  # a failed merge still leaves the base weights
            log.error("merging adapter %s failed: %s: %s", one.name, type(e).__name__, e)
        else:
            return start(merged, False), merged, None, (f"LoRA serving failed ({why}); sampled from the merged "
                                                        f"weights of adapter {one.name}")
    return start(model, False), model, None, f"LoRA serving failed ({why}); sampled without adapters"


def engine_and_renderer(ctx: StageContext, stop: threading.Event, trace: TraceWriter):
    """(engine, renderer, adapter, note): `note` is set when the engine had to start without
    LoRA serving (also written to the trace as an engine_fallback event)."""
    from ..engines import make_engine
    from ..prompting.builder import CharRenderer, TokenizerRenderer
    from ..ttft.merge import merge_adapter

    def start(model, lora):
        return make_engine(ctx.cfg.sampling.engine, ctx.cfg, model, ctx.replay, lora=lora)

    def merge(adapter) -> str:
        return str(merge_adapter(ctx.model, adapter.path, Path(ctx.trace_path).parent / f"merged-{adapter.name}"))

    model, adapter = serving(ctx)
    engine, model, adapter, note = start_engine(start, model, adapter, merge)
    if note:
        trace.write("engine_fallback", note=note)
    on_stop.append(engine.stop)
    if stop.is_set():
        engine.stop()
    if model is None:
        return engine, CharRenderer(), adapter, note
    from transformers import AutoTokenizer

    return engine, TokenizerRenderer(AutoTokenizer.from_pretrained(model)), adapter, note


def program_modules(ctx: StageContext) -> dict[str, str]:
    """{name: source} of the module the code template's programs import (BARC's `common`),
    read from the model folder, for the sandbox to preload; {} when the template names none."""
    from ..prompting import load_template

    module = load_template(ctx.cfg.prompts.code).program.module
    if not module:
        return {}
    if ctx.model is None:
        log.warning("prompt %s names module %s, but there is no model folder to read %s.py from: programs that "
                    "import it will fail", ctx.cfg.prompts.code, module, module)
        return {}
    path = Path(ctx.model, *module.split(".")).with_suffix(".py")
    try:
        return {module: path.read_text(encoding="utf-8")}
    except OSError as e:
        raise FileNotFoundError(f"prompt {ctx.cfg.prompts.code} names module {module}: put {path.name} in the model "
                                f"folder {ctx.model} ({e.strerror})") from None


def sampling(ctx: StageContext, max_tokens: int, output: bool = False):
    """The sampling of a stage; `output`: grids, which follow sampling.mode (dfs or not)."""
    from ..sampling import sampling_of

    return sampling_of(ctx.cfg.sampling, max_tokens, output)


def sample_fields(rec) -> dict:
    return dict(prompt_id=rec.prompt_id, prompt_digest=rec.prompt_digest, prompt_version=rec.prompt_version,
                text=rec.text, engine=rec.engine, worker=rec.worker, prompt_tokens=rec.prompt_tokens,
                output_tokens=rec.output_tokens, t_start=rec.t_start, t_end=rec.t_end, error=rec.error,
                parse_error=rec.parse_error, adapter=rec.adapter, logprob=rec.logprob, mean_logprob=rec.mean_logprob)
