"""Time budgets: a global deadline, and per stage a share of it.

GPU stages run one after another; time one leaves unused flows to the next. The CPU search
runs alongside them from the start. Every stage deadline stops short of the global deadline by
the stop grace (a stage that ignores its SIGTERM is killed that much later) plus `finish_reserve`
(the last selection and write of submission.json), so even a hung stage cannot push the run past
its deadline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..durations import budget_seconds
from ..pipeline import STAGE_NAMES, STAGES


class BudgetError(ValueError):
    pass


def stage_seconds(value: float | str, total_s: float) -> float:
    """A number in [0, 1] is a fraction of the run; a string is a duration ("3h", "20m")."""
    try:
        return budget_seconds(value, total_s)
    except ValueError as e:
        raise BudgetError(str(e)) from None


@dataclass(frozen=True)
class Plan:
    start: float            # time.monotonic() at the start of the run
    total_s: float          # what the run may take, margin already taken off
    finish_reserve_s: float
    stop_grace_s: float
    budgets: dict[str, float]  # stage -> seconds

    @property
    def deadline(self) -> float:
        return self.start + self.total_s

    @property
    def last_stage_end(self) -> float:
        return self.deadline - self.finish_reserve_s - self.stop_grace_s

    def alongside_deadline(self, stage: str) -> float:
        return min(self.last_stage_end, self.start + self.budgets.get(stage, 0.0))

    def sequential_deadline(self, stage: str, now: float, carried_s: float) -> float:
        return min(self.last_stage_end, now + self.budgets.get(stage, 0.0) + carried_s)


def make_plan(start: float, total_s: float, margin_s: float, finish_reserve_s: float, stop_grace_s: float,
              budgets: Mapping[str, float | str], stages: list[str]) -> Plan:
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise BudgetError(f"unknown stages {unknown} (known: {', '.join(STAGE_NAMES)})")
    usable = total_s - margin_s
    if usable <= finish_reserve_s + stop_grace_s:
        raise BudgetError(f"total {total_s:g} s minus margin {margin_s:g} s leaves nothing past the "
                          f"{finish_reserve_s:g} s kept to write the submission and the {stop_grace_s:g} s "
                          "stop grace; give a longer --budget or a shorter run.finish_reserve / run.stop_grace")
    secs = {s: stage_seconds(budgets.get(s, 0.0), usable) for s in stages}
    return Plan(start, usable, finish_reserve_s, stop_grace_s, secs)
