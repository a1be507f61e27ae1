"""Replay a recorded run under other per-stage budgets, without a model or a GPU.

Every candidate in trace.jsonl carries the time it was written. Under a new budget a candidate
counts only if its stage's clock, run at the target's speed, had reached that time; stages
follow the orchestrator's rules (sequential stages one after another, time a stage leaves
unused flows to the next, the search alongside from the start). Given the run's own budgets
every recorded candidate counts, so the replay scores what the run scored.

What a replay cannot know: candidates a longer budget would have produced past the end of
the recording, and how a different fine-tuning budget would have changed the sampled
candidates (TTFT's budget is replayed as time only)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from ..orchestrator.metrics import stage_figures
from ..orchestrator.selection import collect, ranked_answers
from ..pipeline import STAGES
from ..submission import build_submission
from ..tasks import TaskSet


@dataclass(frozen=True)
class StageRecord:
    name: str
    start: float          # the stage process's first event (wall clock)
    seconds: float        # how long it ran
    finished: bool        # ended by itself (not stopped, killed or crashed): a longer budget adds nothing
    budget_s: float
    throughput: dict      # measured: tokens/s, tasks/s, steps/s, whatever the stage records


@dataclass
class Recording:
    events: list[dict]
    stages: dict[str, StageRecord]
    order: list[str]                 # the run's stage order
    budgets_s: dict[str, float]      # the run's own budgets
    total_s: float                   # the run's deadline, from its start
    finish_reserve_s: float
    stop_grace_s: float
    candidates: dict[str, list[tuple[float, dict]]] = field(default_factory=dict)  # stage -> (offset s, event)
    method: str = "votes"            # the run's selection.method


def load_recording(events: Iterable[dict]) -> Recording:
    events = list(events)
    start = next((e for e in reversed(events) if e["event"] == "run_start"), None)
    if start is None:
        raise ValueError("no run_start event: not a trace.jsonl written by run or dry-run")
    # The last run in the file: a resumed run is replayed without what its earlier sections made.
    events = events[events.index(start):]
    begins = {e["stage"]: e["t"] for e in events if e["event"] == "stage_begin"}
    ends = {e["stage"]: e for e in events if e["event"] == "stage_end" and e.get("stage") in begins}
    done = {e["stage"]: e for e in events if e["event"] == "stage_done"}
    stages: dict[str, StageRecord] = {}
    candidates: dict[str, list[tuple[float, dict]]] = {}
    for e in events:
        if e["event"] == "candidate" and e.get("stage") in begins:
            candidates.setdefault(e["stage"], []).append((max(0.0, e["t"] - begins[e["stage"]]), e))
    for name, t0 in begins.items():
        end = ends.get(name)
        seconds = end["seconds"] if end else max([o for o, _ in candidates.get(name, [])] + [0.0])
        finished = bool(end and end.get("status") == "ok" and not (done.get(name) or {}).get("stopped"))
        stages[name] = StageRecord(name, t0, seconds, finished, start["budgets_s"].get(name, 0.0),
                                   _throughput(name, events, seconds))
    return Recording(events, stages, list(start.get("stages", [])), dict(start["budgets_s"]),
                     float(start.get("deadline_in_s", 0.0)), float(start.get("finish_reserve_s", 0.0)),
                     float(start.get("stop_grace_s", 0.0)), candidates, start.get("selection_method", "votes"))


def _throughput(name: str, events: list[dict], seconds: float) -> dict:
    mine = [e for e in events if e.get("stage") == name]
    if seconds <= 0:
        return {}
    if name == "search":
        return {"tasks_per_s": round(sum(e["event"] == "task_done" for e in mine) / seconds, 4)}
    if name == "ttft":
        return {"steps_per_s": round(sum(e["event"] == "ttft_step" for e in mine) / seconds, 4)}
    tokens = sum(e.get("output_tokens") or 0 for e in mine if e["event"] == "candidate")
    return {"output_tokens_per_s": round(tokens / seconds, 1),
            "candidates_per_s": round(sum(e["event"] == "candidate" for e in mine) / seconds, 3)}


def allowances(rec: Recording, budgets: Mapping[str, float], total_s: float,
               speed: Mapping[str, float] | None = None) -> dict[str, float]:
    """Seconds of *recorded* stage time whose candidates count under `budgets` (target seconds)
    on a target running each stage `speed[stage]` times as fast as the recording. A stage
    stopped at its deadline still writes what finishes within the stop grace, as in a run."""
    speed = speed or {}
    cap = total_s - rec.finish_reserve_s - rec.stop_grace_s
    out: dict[str, float] = {}
    now, carried = 0.0, 0.0
    for name in rec.order:
        if name not in rec.stages:
            continue
        s = speed.get(name, 1.0)
        recorded = rec.stages[name]
        needed = recorded.seconds / s if recorded.finished else float("inf")
        if STAGES[name].alongside:
            allowed = max(0.0, min(budgets.get(name, 0.0), cap))
        else:
            allowed = max(0.0, min(now + budgets.get(name, 0.0) + carried, cap) - now)
        used = min(allowed, needed)
        out[name] = float("inf") if used >= needed else (used + rec.stop_grace_s) * s
        if not STAGES[name].alongside:
            carried = allowed - used
            now += used
    return out


@dataclass(frozen=True)
class Outcome:
    budgets: dict[str, float]
    score: float | None
    figures: dict


def replay(rec: Recording, taskset: TaskSet, budgets: Mapping[str, float], total_s: float,
           speed: Mapping[str, float] | None = None, method: str | None = None) -> Outcome:
    """The run as it would have ended under these budgets (and, if given, another selection method)."""
    allowed = allowances(rec, budgets, total_s, speed)
    kept = [e for stage, cands in rec.candidates.items() for offset, e in cands if offset <= allowed.get(stage, -1.0)]
    n_tests = {t.id: len(t.test) for t in taskset.tasks}
    col = collect(kept, n_tests)
    submission = build_submission(taskset, ranked_answers(col, n_tests, method or rec.method))
    figures = stage_figures(col, submission, taskset.solutions())
    return Outcome(dict(budgets), figures.get("score"), figures)


def budget_grid(stages: Sequence[str], total_s: float, step: float = 0.1) -> list[dict[str, float]]:
    """Splits of the run among the sequential stages (fractions in `step`s adding up to 1), the
    search alongside with the whole run."""
    seq = [s for s in stages if not STAGES[s].alongside]
    along = [s for s in stages if STAGES[s].alongside]
    n = round(1 / step)
    out = []
    for parts in itertools.product(range(n + 1), repeat=len(seq)):
        if sum(parts) != n:
            continue
        b = {s: total_s * k / n for s, k in zip(seq, parts)}
        b.update({s: total_s for s in along})
        out.append(b)
    return out or [{s: total_s for s in along}]
