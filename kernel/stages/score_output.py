"""The most voted output grids of each test input re-scored by the model: the log-likelihood of
each under `selection.views` augmented views of its task, teacher-forced. One `candidate` event
of kind `score` per test input, written when all its grids are scored under all its views, so a
stage stopped at its deadline leaves each test input either scored or ranked by votes."""

from __future__ import annotations

import threading
from collections import defaultdict

from ..augment import task_views
from ..grids import to_lists
from ..likelihood import most_voted, score_requests
from ..prompting import load_template
from ..sampling import adapter_for
from ..trace import TraceWriter, read_trace
from .context import StageContext, engine_and_renderer


def run(ctx: StageContext, trace: TraceWriter, stop: threading.Event) -> dict:
    sel = ctx.cfg.selection
    template = load_template(ctx.cfg.prompts.output)
    events = list(read_trace(ctx.trace_path))
    n_tests = {t.id: len(t.test) for t in ctx.tasks}
    top = most_voted(events, n_tests, sel.top_k)
    done = {(e.get("task_id"), e.get("test_index")) for e in events
            if e.get("event") == "candidate" and e.get("kind") == "score"}
    todo = [(t, i, top[(t.id, i)]) for t in ctx.tasks for i in range(len(t.test))
            if top.get((t.id, i)) and (t.id, i) not in done]
    stats = {"test_inputs": len(todo), "scored": 0, "requests": 0, "failed": 0, "answer_tokens": 0}
    if not todo:
        return stats
    engine, renderer, adapter, note = engine_and_renderer(ctx, stop, trace)
    budget = ctx.cfg.vllm.max_model_len - ctx.cfg.sampling.max_tokens_output
    by_id, waiting = {}, defaultdict(set)
    for task, i, cands in todo:
        # seed + 1: random views other than those the grids were sampled under (the identity is in both)
        views = task_views(sel.views, ctx.cfg.sampling.seed + 1, sel.keep_background, sel.shuffle_examples,
                           len(task.train))
        for sr in score_requests(task, i, cands, views, template, renderer, budget, adapter_for(adapter, task.id)):
            by_id[sr.request.id] = sr
            waiting[(task.id, i)].add(sr.request.id)
    results: dict = defaultdict(lambda: defaultdict(dict))   # (task, i) -> grid -> view -> logprob
    order = {(t.id, i): cands for t, i, cands in todo}
    with engine:
        for c in engine.generate([sr.request for sr in by_id.values()], ctx.deadline):
            sr = by_id[c.request_id]
            key = (sr.task_id, sr.test_index)
            stats["requests"] += 1
            if c.error is None and c.logprobs and c.logprobs[0] is not None:
                results[key][sr.grid][sr.view] = c.logprobs[0]
                stats["answer_tokens"] += sum(c.output_tokens)
            else:
                stats["failed"] += 1
            waiting[key].discard(c.request_id)
            if not waiting[key]:
                cands = order[key]
                views = sorted({v for g in cands for v in results[key].get(g, {})})
                trace.write("candidate", task_id=sr.task_id, kind="score", test_index=sr.test_index,
                            grids=[to_lists(g) for g in cands], views=views,
                            logprobs=[[results[key].get(g, {}).get(v) for v in views] for g in cands])
                stats["scored"] += 1
    return stats | ({"note": note} if note else {})
