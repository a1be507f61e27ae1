"""Evidence for a program that passes every train pair, so the search can rank its programs
and keep back the ones likely to be wrong on the test input (a wrong answer costs an attempt).

Four kinds, all read off the train pairs and the program itself, never off a solution:
- what every train output obeys (its shape beside its input's, the colors it may use): a test
  output that breaks such a rule is suspect;
- how much the program had to learn from the pairs (steps, color-map entries, table rows): the
  less, the more the pairs say about it;
- whether the program ends in a step that fits pairs by accident more often than others: a
  learned lookup table (cell rule, stamp), or a fixed window, which on small outputs can find a
  match anywhere;
- whether the train outputs say more than the search spent choosing the program: a search of
  hundreds of steps deep enough will fit three one-cell outputs by accident, so a program whose
  train outputs carry fewer bits than its choice cost is only a guess, as is an answer the search
  disagrees with itself about. Guesses go to the vote with the grid predictions; only the rest
  are trusted to go first."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .program import Step

# Steps that fit the train pairs by accident more often than the rest: their programs do not
# end the search's deepening and rank after the others.
WEAK_STEPS = ("cell_rule", "stamp", "window", "combine_changes", "lookup", "recolor_by_property", "recolor_areas")


@dataclass(frozen=True)
class OutputRules:
    """What every train output obeys. None: the pairs disagree, no rule."""

    same_shape: bool                       # each output has its input's shape
    fixed_shape: tuple[int, int] | None    # every output has this shape (inputs differ)
    added_colors: frozenset[int]           # colors an output may use that its input lacks
    changes: bool = False                  # no output is its input unchanged

    @classmethod
    def of(cls, inputs: Sequence[np.ndarray], outputs: Sequence[np.ndarray]) -> "OutputRules":
        same = all(i.shape == o.shape for i, o in zip(inputs, outputs))
        shapes = {o.shape for o in outputs}
        fixed = shapes.pop() if len(shapes) == 1 and not same else None
        added: set[int] = set()
        for i, o in zip(inputs, outputs):
            added |= set(np.unique(o).tolist()) - set(np.unique(i).tolist())
        changes = all(i.shape != o.shape or (i != o).any() for i, o in zip(inputs, outputs))
        return cls(same, fixed, frozenset(added), changes)

    def broken_by(self, test_input: np.ndarray, test_output: np.ndarray) -> str | None:
        """The rule `test_output` breaks, or None."""
        if self.same_shape and test_output.shape != test_input.shape:
            return "shape differs from the input's, unlike every train pair"
        if self.fixed_shape is not None and test_output.shape != self.fixed_shape:
            return f"shape is not {self.fixed_shape}, unlike every train output"
        extra = set(np.unique(test_output).tolist()) - set(np.unique(test_input).tolist()) - self.added_colors
        if extra:
            return f"uses colors {sorted(extra)} that no train output added"
        if self.changes and test_output.shape == test_input.shape and (test_output == test_input).all():
            return "is its input unchanged, unlike every train output"
        return None


def merges_every_label(step: Step) -> bool:
    """A recolor that sends two placeholder labels or more, and every one it names, to one color."""
    if step.fn != "recolor" or not step.args or not isinstance(step.args[0], dict):
        return False
    named = {v for k, v in step.args[0].items() if k >= 10}
    return len(named) == 1 and sum(k >= 10 for k in step.args[0]) >= 2


def is_weak(steps: Sequence[Step]) -> bool:
    # A pattern continued with a shift after other steps is weak too: after a few steps that clear cells, some
    # shift of what is left fits every pair by accident (the evaluation harness trusted one such chain wrongly).
    # So is a labelling whose every label the final recolor merges into one color: the pairs exercised none
    # of its distinctions, only which cells it labels at all, and a test input can meet a case it leaves out
    # (ARC-AGI-1 training 9565186b: lone cells left unlabelled by label_by_symmetry).
    return any(s.fn in WEAK_STEPS or merges_every_label(s)
               or (s.fn == "continue_pattern" and len(s.args) > 4 and any(s.args[4]) and len(steps) > 1)
               for s in steps)


def step_count(steps: Sequence[Step]) -> int:
    """How many steps, those of the chains a combine_changes lays together counted one by one."""
    return sum(sum(len(c) for c in s.args[0]) if s.fn == "combine_changes" else 1 for s in steps)


def learned_size(steps: Sequence[Step]) -> int:
    """How many values the program read off the train pairs (map entries, table rows, pattern cells)."""
    n = 0
    for s in steps:
        for a in s.args:
            if isinstance(a, dict):
                n += sum(len(v) if isinstance(v, dict) else 1 for v in a.values())
    return n


def output_bits(inputs: Sequence[np.ndarray], outputs: Sequence[np.ndarray]) -> float:
    """How much the train outputs say: each cell one of the colors its pair uses (one bit at least)."""
    bits = 0.0
    for i, o in zip(inputs, outputs):
        colors = len(set(np.unique(i).tolist()) | set(np.unique(o).tolist()))
        bits += o.size * math.log2(max(2, colors))
    return bits


def choice_bits(steps: Sequence[Step], library_size: int) -> float:
    """What choosing the program cost: each step one of the library's, each learned value one of ten colors."""
    return step_count(steps) * math.log2(max(2, library_size)) + learned_size(steps) * math.log2(10)


@dataclass(frozen=True)
class Evidence:
    consistent: bool      # its test outputs break no OutputRules
    weak: bool            # it uses one of WEAK_STEPS
    steps: int
    learned: int
    thin: bool = False    # the train outputs carry fewer bits than choosing it cost
    merged: bool = False  # a recolor merges every label of a labelling (see merges_every_label)

    def rank(self) -> tuple:
        """Sort key: the most believable program first."""
        return (not self.consistent, self.steps + self.learned / 4 + 2 * self.weak, self.weak, self.learned)


def evidence(steps: Sequence[Step], rules: OutputRules, tests: Sequence[np.ndarray],
             test_outputs: Sequence[np.ndarray], bits: float = math.inf, library_size: int = 2) -> Evidence:
    """`bits`: output_bits of the train pairs; `library_size`: the steps the search chose from."""
    consistent = all(rules.broken_by(t, o) is None for t, o in zip(tests, test_outputs))
    return Evidence(consistent, is_weak(steps), step_count(steps), learned_size(steps),
                    thin=bits < choice_bits(steps, library_size), merged=any(map(merges_every_label, steps)))


def keep(ranked: Sequence[tuple[Evidence, tuple]], max_programs: int) -> list[tuple[int, bool]]:
    """Which of the programs (sorted best first, each with its test outputs' key) to emit, each
    with whether it is trusted: every program that agrees with the best one, and for the second
    attempt the best program of one other answer when both are plain chains (no weak step) and it
    is consistent (a weak runner-up was measured to be wrong far more often than right). The best
    answer is trusted unless its evidence is thin, it breaks an OutputRules, it ends in a weak
    step after two others, a recolor merges every label it names, or a runner-up disagrees with
    it; a runner-up never is."""
    if not ranked:
        return []
    best_ev, best_key = ranked[0]
    chosen = [i for i, (_, k) in enumerate(ranked) if k == best_key][:max_programs]
    runner_up = None
    for i, (ev, k) in enumerate(ranked):
        if k != best_key:
            if ev.consistent and not ev.weak and not best_ev.weak and len(chosen) < max_programs:
                runner_up = i
            break
    # A weak step at the end of two others fits by accident as often as not (three of six such
    # programs trusted on ARC-AGI-1 evaluation were wrong): a guess.
    deep_weak = best_ev.weak and best_ev.steps >= 3
    # A labelling whose labels all merge is trusted only through another program that agrees and ranks first.
    trusted = runner_up is None and not best_ev.thin and best_ev.consistent and not deep_weak and not best_ev.merged
    kept = [(i, trusted) for i in chosen] + ([(runner_up, False)] if runner_up is not None else [])
    return sorted(kept)
