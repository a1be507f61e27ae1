"""Programs sampled from the model, verified in the sandbox while the rest are still sampled."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, wait as wait_futures

from ..prompting import load_template
from ..sampling import sample_candidates
from ..sandbox import Sandbox
from ..trace import TraceWriter
from ..verify import Verifier
from .context import StageContext, engine_and_renderer, program_event, program_modules, sample_fields, sampling


def run(ctx: StageContext, trace: TraceWriter, stop: threading.Event) -> dict:
    template = load_template(ctx.cfg.prompts.code)
    def prompt_ids(t):   # as the prompt builder names them
        return [f"{t.id}/{i}/{template.name}" for i in range(len(t.test))] if template.per_test else \
            [f"{t.id}/all/{template.name}"]

    tasks = [t for t in ctx.tasks if not all(p in ctx.done for p in prompt_ids(t))]
    by_id = {t.id: t for t in tasks}
    pending: list[Future] = []
    engine, renderer, adapter, note = engine_and_renderer(ctx, stop, trace)
    with engine, Sandbox.from_config(ctx.cfg.sandbox, program_modules(ctx)) as sb, Verifier(sb) as verifier:
        def on_record(rec) -> None:
            task = by_id[rec.task_id]
            if rec.code is None:
                program_event(trace, task, None, None, **sample_fields(rec))
                return
            fut = verifier.submit(task, rec.code)
            fut.add_done_callback(lambda f: program_event(trace, task, rec.code, f.result(), **sample_fields(rec)))
            pending.append(fut)

        report = sample_candidates(tasks, template, renderer, engine, sampling(ctx, ctx.cfg.sampling.max_tokens_code),
                                   ctx.cfg.vllm.max_model_len, None, adapter, ctx.deadline, on_record=on_record)
        wait_futures(pending, timeout=max(0.0, ctx.deadline - time.monotonic()))
    return report.to_json() | ({"note": note} if note else {})
