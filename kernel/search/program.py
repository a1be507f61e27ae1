"""A searched program: a chain of DSL calls, run here directly and emitted as Python source."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import dsl


@dataclass(frozen=True)
class Step:
    fn: str                 # a function of kernel.dsl
    args: tuple = ()        # literal arguments after the grid

    def apply(self, g: np.ndarray) -> np.ndarray:
        return getattr(dsl, self.fn)(g, *self.args)

    def source(self) -> str:
        return f"dsl.{self.fn}(" + ", ".join(["g"] + [repr(a) for a in self.args]) + ")"


def run_steps(steps: tuple[Step, ...], g: np.ndarray) -> np.ndarray:
    for s in steps:
        g = s.apply(g)
    return g


def to_source(steps: tuple[Step, ...], comment: str = "") -> str:
    """Python source defining transform(grid) with the steps as DSL calls."""
    lines = ["import numpy as np", "from kernel import dsl", "", "", "def transform(grid):"]
    if comment:
        lines.append(f"    # {comment}")
    lines.append("    g = np.array(grid, dtype=np.int64)")
    for s in steps:
        lines.append(f"    g = {s.source()}")
    lines.append("    return g")
    return "\n".join(lines) + "\n"
