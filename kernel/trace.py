"""trace.jsonl: every event of a run, one JSON object per line, appended by the orchestrator
and by each stage process. It is also the checkpoint: selection and resume read it back.

Each line goes out in one write() on a file opened with O_APPEND, so lines from concurrent
processes never interleave, and a process killed mid-run leaves whole lines behind."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Iterable, Iterator


class TraceWriter:
    def __init__(self, path: str | os.PathLike, stage: str | None = None) -> None:
        self.path = Path(path)
        self.stage = stage
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, event: str, **fields: Any) -> dict:
        rec = {"t": round(time.time(), 4), "event": event}
        if self.stage is not None:
            rec["stage"] = self.stage
        rec.update(fields)
        os.write(self.fd, (json.dumps(rec, separators=(",", ":")) + "\n").encode())
        return rec

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass


def trace_size(path: str | os.PathLike) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def read_trace(path: str | os.PathLike, offset: int = 0) -> Iterator[dict]:
    """Events in file order, from byte `offset` (a size taken earlier: lines are whole, so it
    falls on a line start); a line that is not a JSON object (a torn write) is skipped."""
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        return
    with f:
        f.seek(offset)
        for raw in f:
            line = raw.decode("utf-8", errors="replace")
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict) and "event" in rec:
                yield rec


def verified_candidates(events: Iterable[dict]) -> dict[str, list[dict]]:
    """Per task, the program candidates that passed every train pair, in trace order."""
    out: dict[str, list[dict]] = {}
    for e in events:
        if e.get("event") == "candidate" and e.get("kind") == "program" and e.get("passed") \
                and isinstance(e.get("code"), str) and e["code"]:
            out.setdefault(e["task_id"], []).append(e)
    return out


def verified_programs(events: Iterable[dict], per_task: int | None = None) -> dict[str, list[str]]:
    """Per task, the distinct source texts of verified programs (at most `per_task`, first found first)."""
    out: dict[str, list[str]] = {}
    for task_id, cands in verified_candidates(events).items():
        codes = list(dict.fromkeys(e["code"] for e in cands))
        out[task_id] = codes[:per_task] if per_task is not None else codes
    return out
