"""The entry point of a stage process: signals, the trace, the runner named in kernel.pipeline."""

from __future__ import annotations

import importlib
import logging
import os
import signal
import sys
import threading
import time

from ..pipeline import STAGES
from ..procs import die_with_parent
from .context import Runner, StageContext, StageTrace, fire, on_stop


def runner_of(name: str) -> Runner:
    module, _, function = STAGES[name].runner.partition(":")
    return getattr(importlib.import_module(module), function)


def stage_main(ctx: StageContext) -> None:
    stop = threading.Event()

    def on_term(signum, frame) -> None:
        stop.set()
        for callback in on_stop:
            callback()

    # First, before the stage leads a process group the orchestrator can signal: a stop that
    # comes this early then ends the stage's work cleanly instead of killing it mid-start.
    signal.signal(signal.SIGTERM, on_term)
    os.setsid()
    die_with_parent()
    logging.basicConfig(level=logging.DEBUG if ctx.verbose else logging.INFO,
                        format=f"%(levelname)s [{ctx.name}] %(message)s")
    trace = StageTrace(ctx.trace_path, ctx.name, ctx.fault)
    trace.write("stage_begin", pid=os.getpid())  # from here on the stage does its own work
    try:
        stats = runner_of(ctx.name)(ctx, trace, stop)
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
