"""Candidate records: one JSON line per sampled completion, with everything a later stage
needs (the parsed program or grid) and everything a later tool needs to replay or re-time
the run (prompt version and digest, tokens, timestamps, engine)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import IO

from .grids import Grid, to_lists


@dataclass(frozen=True)
class CandidateRecord:
    task_id: str
    test_index: int | None  # None: a program, answering every test input
    kind: str
    prompt_version: str
    prompt_id: str
    prompt_digest: str
    n_examples: int
    engine: str
    worker: str
    sample: int
    text: str | None
    code: str | None
    grid: Grid | None
    parse_error: str | None
    prompt_tokens: int
    output_tokens: int
    finish_reason: str
    t_start: float
    t_end: float
    temperature: float
    adapter: str | None
    error: str | None = None  # the request failed in the engine; text is None
    logprob: float | None = None       # the completion's log-probability (natural log, end token included)
    mean_logprob: float | None = None  # the same per output token

    @staticmethod
    def logprobs(total: float | None, tokens: int) -> dict:
        return {"logprob": total, "mean_logprob": None if total is None or tokens <= 0 else total / tokens}

    def to_json(self) -> str:
        d = asdict(self)
        d["grid"] = to_lists(self.grid) if self.grid is not None else None
        return json.dumps(d)


def write_record(f: IO[str], rec: CandidateRecord) -> None:
    f.write(rec.to_json() + "\n")
    f.flush()  # a killed run keeps every line written so far
