"""Test-time fine-tuning: LoRA adapters for the tasks (kernel.ttft), saved into ctx.adapters;
programs verified so far in this run (by the search, already running) become code targets."""

from __future__ import annotations

import threading

from ..trace import TraceWriter, read_trace, verified_programs
from .context import StageContext


def run(ctx: StageContext, trace: TraceWriter, stop: threading.Event) -> dict:
    from ..ttft import run_ttft

    programs = verified_programs(read_trace(ctx.trace_path), per_task=4)
    return run_ttft(ctx.model, ctx.tasks, ctx.cfg, ctx.adapters, ctx.deadline, programs, trace=trace, stop=stop.is_set)
