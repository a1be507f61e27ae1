"""Tasks -> prompts -> engine -> parsed candidates, written as JSON lines as they stream in."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Sequence, TextIO

from .candidates import CandidateRecord, write_record
from .config import SamplingConfig
from .engines.base import Adapter, AdapterSet, Completion, Engine, Request, Sampling
from .progress import Progress
from .prompting import Prompt, PromptRenderer, PromptTemplate, build_prompts, parse_response
from .tasks import Task

log = logging.getLogger(__name__)


@dataclass
class SampleReport:
    prompts: int = 0
    skipped: int = 0
    requests_done: int = 0
    requests_failed: int = 0
    completions: int = 0
    answered: int = 0
    correct: int = 0          # grids equal to a known solution (output prompts, dry runs)
    prompt_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    stopped_early: bool = False
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def tokens_per_s(self) -> float:
        return self.output_tokens / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict:
        d = {k: v for k, v in self.__dict__.items()}
        d["tokens_per_s"] = round(self.tokens_per_s, 2)
        return d


def sampling_of(sa: SamplingConfig, max_tokens: int, output: bool) -> Sampling:
    """The [sampling] settings as an engine takes them; `output` (grids) follows sampling.mode."""
    return Sampling(sa.n, sa.temperature, sa.top_p, max_tokens, sa.seed,
                    sa.min_prob if output and sa.mode == "dfs" else None, sa.dfs_max_steps)


def adapter_for(adapter: Adapter | AdapterSet | None, task_id: str) -> Adapter | None:
    return adapter.for_task(task_id) if isinstance(adapter, AdapterSet) else adapter


def requests_for(prompts: Sequence[Prompt], sampling: Sampling, adapter: Adapter | AdapterSet | None) -> list[Request]:
    # Each prompt its own seed, so prompts differ and a rerun repeats itself.
    return [Request(p.id, p.text, replace(sampling, seed=None if sampling.seed is None else sampling.seed + 1000 * i),
                    adapter_for(adapter, p.task_id))
            for i, p in enumerate(prompts)]


def records_for(prompt: Prompt, c: Completion, template: PromptTemplate, engine: str, temperature: float,
                adapter: Adapter | None) -> list[CandidateRecord]:
    common = dict(task_id=prompt.task_id, test_index=prompt.test_index, kind=prompt.kind,
                  prompt_version=prompt.version, prompt_id=prompt.id, prompt_digest=prompt.digest,
                  n_examples=prompt.n_examples, engine=engine, worker=c.worker, prompt_tokens=c.prompt_tokens,
                  t_start=c.t_start, t_end=c.t_end, temperature=temperature,
                  adapter=adapter.name if adapter else None)
    if c.error is not None:
        return [CandidateRecord(**common, sample=-1, text=None, code=None, grid=None, parse_error=None,
                                output_tokens=0, finish_reason="", error=c.error)]
    out = []
    for i, text in enumerate(c.texts):
        parsed = parse_response(text, template)
        tokens = c.output_tokens[i] if i < len(c.output_tokens) else 0
        out.append(CandidateRecord(
            **common, sample=i, text=text, code=parsed.code, grid=parsed.grid, parse_error=parsed.error,
            output_tokens=tokens, finish_reason=c.finish_reasons[i] if i < len(c.finish_reasons) else "",
            **CandidateRecord.logprobs(c.logprobs[i] if i < len(c.logprobs) else None, tokens)))
    return out


def sample_candidates(tasks: Sequence[Task], template: PromptTemplate, renderer: PromptRenderer, engine: Engine,
                      sampling: Sampling, max_model_len: int, out: TextIO | None,
                      adapter: Adapter | AdapterSet | None = None,
                      deadline: float | None = None, progress_stream: TextIO | None = None,
                      on_record: Callable[[CandidateRecord], None] | None = None) -> SampleReport:
    """Sample `sampling.n` completions per prompt and write one record per completion to `out`
    (if given) and hand it to `on_record` as each request finishes. Stops, keeping what it has,
    at `deadline` (time.monotonic()) or at engine.stop()."""
    report = SampleReport()
    prompts, skipped = build_prompts(tasks, template, renderer, max_model_len - sampling.max_tokens)
    for s in skipped:
        where = "" if s.test_index is None else f" test {s.test_index}"
        log.warning("%s%s: prompt skipped: %s", s.task_id, where, s.reason)
    report.prompts, report.skipped = len(prompts), len(skipped)
    by_id = {p.id: p for p in prompts}
    solutions = {(t.id, i): p.output for t in tasks for i, p in enumerate(t.test) if p.output is not None}
    t0 = time.monotonic()
    with Progress(len(prompts), f"sampling {template.name}", progress_stream) as bar:
        for c in engine.generate(requests_for(prompts, sampling, adapter), deadline):
            prompt = by_id[c.request_id]
            if c.error is not None:
                report.requests_failed += 1
                report.errors[c.error] = report.errors.get(c.error, 0) + 1
            else:
                report.requests_done += 1
                report.prompt_tokens += c.prompt_tokens
                report.output_tokens += c.tokens
            for rec in records_for(prompt, c, template, engine.name, sampling.temperature,
                                   adapter_for(adapter, prompt.task_id)):
                if out is not None:
                    write_record(out, rec)
                if rec.text is not None:
                    report.completions += 1
                    report.answered += rec.code is not None or rec.grid is not None
                    report.correct += rec.grid is not None and solutions.get((rec.task_id, rec.test_index)) == rec.grid
                if on_record:
                    on_record(rec)
            bar.update(1, note=f"{report.output_tokens / max(time.monotonic() - t0, 1e-9):.0f} tok/s")
    report.seconds = time.monotonic() - t0
    report.stopped_early = report.requests_done + report.requests_failed < len(prompts)
    for error, count in report.errors.items():
        log.error("%d requests failed: %s", count, error)
    return report
