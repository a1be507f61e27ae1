"""Serves completions recorded earlier in a candidates file: tests, re-scoring and budget
tuning without a GPU or a model. A request is matched by its prompt's digest (the same prompt
text), else by its id (same task, test input and template, e.g. after a template edit)."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Iterator

from .base import Completion, Engine, EngineError, Request
from ..prompting.builder import prompt_digest

log = logging.getLogger(__name__)


class ReplayEngine(Engine):
    name = "replay"

    def __init__(self, files: Iterable[str | Path]) -> None:
        super().__init__()
        self.by_digest: dict[str, list[dict]] = defaultdict(list)
        self.by_id: dict[str, list[dict]] = defaultdict(list)
        files = list(files)
        if not files:
            raise EngineError("the replay engine needs at least one candidates file (--replay FILE)")
        for path in files:
            self._load(Path(path))

    def _load(self, path: Path) -> None:
        try:
            f = open(path, encoding="utf-8", errors="replace")
        except OSError as e:
            raise EngineError(f"{path}: cannot read recorded candidates: {e.strerror}") from None
        bad = 0
        with f:
            for line in f:
                try:
                    rec = json.loads(line)
                    if isinstance(rec, dict) and ((rec.get("text") is None and rec.get("error"))
                                                  or "event" in rec and "prompt_id" not in rec):
                        continue  # a failed request, or a trace event that is no completion (a trace
                        # file replays too: its sampled candidates carry the same fields)
                    text, prompt_id = rec["text"], rec["prompt_id"]
                    if not isinstance(text, str):
                        raise TypeError
                except (ValueError, KeyError, TypeError):
                    bad += line.strip() != ""
                    continue
                self.by_digest[rec.get("prompt_digest", "")].append(rec)
                self.by_id[prompt_id].append(rec)
        if bad:
            log.warning("%s: %d lines are not candidate records; skipped", path, bad)

    def _generate(self, requests: list[Request], deadline: float | None) -> Iterator[Completion]:
        for r in requests:
            if self._stop.is_set():
                return
            if r.answer is not None:
                yield Completion(r.id, worker="replay", error="the replay engine serves recorded samples; it cannot "
                                                              "score an answer (that needs the model: vllm or hf)")
                continue
            recs = self.by_digest.get(prompt_digest(r.prompt)) or self.by_id.get(r.id) or []
            recs = recs[: r.sampling.n]
            if not recs:
                yield Completion(r.id, worker="replay", error="no recorded completion for this prompt")
                continue
            yield Completion(
                r.id, tuple(x["text"] for x in recs), int(recs[0].get("prompt_tokens", 0)),
                tuple(int(x.get("output_tokens", 0)) for x in recs),
                tuple(str(x.get("finish_reason", "")) for x in recs),
                float(recs[0].get("t_start", 0.0)), float(recs[-1].get("t_end", 0.0)), "replay",
                logprobs=tuple(x.get("logprob") for x in recs))
