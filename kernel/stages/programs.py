"""Programs given in a file (--programs: one {"task_id", "code"} per line, or the candidates
file `sample` writes), verified like any other."""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..progress import Progress
from ..sandbox import Sandbox
from ..trace import TraceWriter
from ..verify import Verifier
from .context import StageContext, program_event, program_modules

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProgramCandidate:
    task_id: str
    code: str
    source: str = "file"


def read_candidates(path: Path, known: set[str]) -> tuple[list[ProgramCandidate], list[str]]:
    """Read a programs JSONL file; bad lines and unknown task ids are reported and skipped.
    Candidate records without a program (unparsable responses, grid predictions, failed
    requests) are skipped quietly."""
    candidates, problems = [], []
    with open(path, encoding="utf-8", errors="replace") as f:  # a bad byte spoils one line, not the file
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                if isinstance(obj, dict) and "kind" in obj and obj.get("code") is None:
                    continue
                task_id, code = obj["task_id"], obj["code"]
                if not isinstance(task_id, str) or not isinstance(code, str):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                problems.append(f"{path}:{n}: expected {{\"task_id\": str, \"code\": str}}; skipped")
                continue
            if task_id not in known:
                problems.append(f"{path}:{n}: task {task_id} is not in the dataset; skipped")
                continue
            candidates.append(ProgramCandidate(task_id, code, str(obj.get("source", obj.get("prompt_version", "file")))))
    return candidates, problems


def run(ctx: StageContext, trace: TraceWriter, stop: threading.Event) -> dict:
    by_id = {t.id: t for t in ctx.tasks}
    candidates, problems = read_candidates(Path(ctx.programs_file), set(by_id))
    for p in problems:
        log.warning("%s", p)
    with Sandbox.from_config(ctx.cfg.sandbox, program_modules(ctx)) as sb, Verifier(sb) as verifier, Progress(len(candidates), "verifying programs") as bar:
        for c in candidates:
            if stop.is_set() or time.monotonic() >= ctx.deadline:
                break
            program_event(trace, by_id[c.task_id], c.code, verifier.verify(by_id[c.task_id], c.code), source=c.source)
            bar.update()
    return {"programs": len(candidates)}
