"""The CPU program search over the DSL, every program found verified in the sandbox."""

from __future__ import annotations

import threading

from ..progress import Progress
from ..search.parallel import search_many
from ..sandbox import Sandbox
from ..trace import TraceWriter
from ..verify import Verifier
from .context import StageContext, program_event


def run(ctx: StageContext, trace: TraceWriter, stop: threading.Event) -> dict:
    se = ctx.cfg.search
    tasks = {t.id: t for t in ctx.tasks if t.id not in ctx.done}
    found = 0
    # Lines, not a bar: the search runs beside the sampling stages, whose bars would collide with it.
    with Sandbox.from_config(ctx.cfg.sandbox) as sb, Verifier(sb) as verifier, \
            Progress(len(tasks), "search", every_s=60.0, lines=True) as bar:
        for r in search_many(tasks.values(), se, se.workers, deadline=ctx.deadline,
                             stop=stop.is_set):
            task = tasks[r.task_id]
            for f in r.found:
                # An untrusted program (a guess) goes to the vote, not ahead of it.
                program_event(trace, task, f.source, verifier.verify(task, f.source), source="search",
                              trusted=f.trusted)
            for m in r.near:
                # Not verified (it fails a train pair by definition): its outputs come from the
                # search, ranked after every other answer (see orchestrator.selection).
                for i, grid in enumerate(m.outputs):
                    trace.write("candidate", task_id=task.id, kind="near", test_index=i, grid=grid,
                                code=m.source, source="search")
            found += bool(r.programs)
            trace.write("task_done", task_id=r.task_id, programs=len(r.programs), cpu_s=round(r.cpu_s, 3),
                        nodes=r.nodes, stopped=r.stopped)
            bar.update(note=f"{found} with a program")
    return {"tasks": len(tasks), "tasks_with_programs": found}
