"""Output grids sampled from the model, each test input seen under several augmentations;
every predicted grid is mapped back before it is recorded (and later voted on)."""

from __future__ import annotations

import threading

from ..augment import task_views
from ..grids import Grid, to_lists
from ..prompting import load_template
from ..sampling import sample_candidates
from ..tasks import Task
from ..trace import TraceWriter
from .context import StageContext, engine_and_renderer, sample_fields, sampling


def run(ctx: StageContext, trace: TraceWriter, stop: threading.Event) -> dict:
    template = load_template(ctx.cfg.prompts.output)
    run_cfg = ctx.cfg.run
    originals: dict[str, tuple[Task, object]] = {}
    aug_tasks = []
    for t in ctx.tasks:
        for view in task_views(run_cfg.augmentations, ctx.cfg.sampling.seed, run_cfg.keep_background,
                                  run_cfg.shuffle_examples, len(t.train)):
            a = view.augmentation
            at = view.task(t)
            if all(f"{at.id}/{i}/{template.name}" in ctx.done for i in range(len(t.test))):
                continue
            originals[at.id] = (t, a)
            aug_tasks.append(at)
    engine, renderer, adapter, note = engine_and_renderer(ctx, stop, trace)

    def on_record(rec) -> None:
        task, aug = originals[rec.task_id]
        grid: Grid | None = None
        if rec.grid is not None:
            try:
                grid = aug.undo(rec.grid)
            except (IndexError, ValueError):  # a color outside the permutation cannot be mapped back
                grid = None
        trace.write("candidate", task_id=task.id, kind="grid", test_index=rec.test_index,
                    grid=None if grid is None else to_lists(grid), augmentation=aug.name, **sample_fields(rec))

    with engine:
        report = sample_candidates(aug_tasks, template, renderer, engine,
                                   sampling(ctx, ctx.cfg.sampling.max_tokens_output, output=True), ctx.cfg.vllm.max_model_len,
                                   None, adapter, ctx.deadline, on_record=on_record)
    return report.to_json() | ({"note": note} if note else {})
