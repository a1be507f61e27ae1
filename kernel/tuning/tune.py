"""`kernel tune`: the budget split that a recorded run says scores best on the target machine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ..pipeline import STAGES
from ..tasks import TaskSet
from .replay import Outcome, Recording, budget_grid, replay


@dataclass
class TuneResult:
    own: Outcome             # the run's own budgets, replayed at recorded speed: its own score
    grid: list[Outcome]      # every split tried on the target, best first
    best: Outcome
    target_s: float
    speed: dict[str, float]
    notes: list[str]
    curves: dict[str, list[tuple[float, float]]]  # stage -> (budget s, score) with the others at the best split


def _rank_key(own_shares: Mapping[str, float], target_s: float):
    """Best score first; among equals, more right candidates, then the split nearest the run's
    own shares (a tie says the trace cannot tell them apart, so change as little as possible)."""
    def key(o: Outcome):
        m = o.figures.get("metrics", {})
        distance = sum(abs(o.budgets[s] / target_s - own_shares.get(s, 0.0)) for s in o.budgets)
        return (-(o.score or 0.0), -m.get("pass_n", 0.0), -m.get("vote_1", 0.0), distance)
    return key


def tune(rec: Recording, taskset: TaskSet, target_s: float, speed: Mapping[str, float], step: float = 0.1) -> TuneResult:
    speed = {s: speed.get(s, 1.0) for s in rec.stages}
    own = replay(rec, taskset, rec.budgets_s, rec.total_s)
    stages = [s for s in rec.order if s in rec.stages]
    shares = {s: rec.budgets_s.get(s, 0.0) / rec.total_s for s in stages} if rec.total_s else {}
    grid = sorted((replay(rec, taskset, b, target_s, speed) for b in budget_grid(stages, target_s, step)),
                  key=_rank_key(shares, target_s))
    notes = []
    for name, st in rec.stages.items():
        measured = ", ".join(f"{k} {v:g}" for k, v in st.throughput.items()) or "nothing measured"
        notes.append(f"{name}: recorded {st.seconds:.0f} s ({'finished' if st.finished else 'stopped'}), {measured}; "
                     f"assumed {speed[name]:g}x as fast on the target")
    longest = max((st.seconds for st in rec.stages.values()), default=0.0)
    if any(not st.finished for st in rec.stages.values()):
        notes.append("a stage stopped at its budget: what it would have produced later is unknown, so longer budgets "
                     "for it count only the recorded candidates")
    if "ttft" in rec.stages:
        notes.append("ttft is replayed as time only: the candidates were sampled with the adapter this run trained")
    if target_s < longest:
        notes.append(f"the target ({target_s:.0f} s) is shorter than the longest recorded stage ({longest:.0f} s)")
    curves = {}
    for name in stages:  # each stage's own scaling curve on the target, the others as recommended
        points = []
        for k in range(1, 11):
            budgets = dict(grid[0].budgets)
            budgets[name] = target_s * k / 10
            points.append((budgets[name], replay(rec, taskset, budgets, target_s, speed).score or 0.0))
        curves[name] = points
    return TuneResult(own, grid, grid[0], target_s, speed, notes, curves)


def _duration(seconds: float) -> str:
    return f"{round(seconds)}s"


def write_config(result: TuneResult, path: Path, source: str, total: str) -> None:
    lines = [f"# Budgets recommended by `python -m kernel tune` from {source}",
             f"# (replayed score {result.best.score}; see the notes it printed for the speeds assumed).",
             "# Use with: python -m kernel run --config THIS_FILE (or dry-run --config THIS_FILE)", "",
             "[run]", f'total = "{total}"', "", "[budgets]"]
    for stage, seconds in result.best.budgets.items():
        lines.append(f'{stage} = "{_duration(seconds)}"' + ("   # alongside, on CPU cores" if STAGES[stage].alongside else ""))
    path.write_text("\n".join(lines) + "\n")


def format_curves(result: TuneResult) -> str:
    """Score as each stage's budget grows (tenths of the target), the others at the best split."""
    head = "| stage | " + " | ".join(f"{k / 10:.1f}" for k in range(1, 11)) + " |"
    rows = [head, "|" + "---|" * 11]
    for name, points in result.curves.items():
        rows.append(f"| {name} | " + " | ".join(f"{score:.3f}" for _, score in points) + " |")
    return "\n".join(rows)


def format_table(result: TuneResult, limit: int = 12) -> str:
    stages = list(result.best.budgets)
    head = "| " + " | ".join(f"{s} h" for s in stages) + " | score | pass@n | vote@1 | vote@2 |"
    rows = [head, "|" + "---|" * (len(stages) + 4)]
    for o in result.grid[:limit]:
        m = o.figures.get("metrics", {})
        rows.append("| " + " | ".join(f"{o.budgets[s] / 3600:.2f}" for s in stages)
                    + f" | {o.score or 0:.4f} | {m.get('pass_n', 0):.3f} | {m.get('vote_1', 0):.3f} | {m.get('vote_2', 0):.3f} |")
    return "\n".join(rows)
