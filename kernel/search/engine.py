"""Level-by-level search over chains of DSL steps, pruned by observational equivalence:
two chains that turn every input (train and test) into the same grids are one node.
Within a level, the states that look most like the outputs are expanded first.
At every node the finishers try to close the gap to the train outputs with one inferred
step; cell rules, the costly one, are learned at the end of each level. The search stops at
its CPU budget, at max_depth, or at the end of the level where the first plain solution was
found; the programs found are then ranked by evidence and only the believable ones kept.
Where none of them is trusted, the last share of the budget looks for near misses: chains
that fit every train pair but one, the answers of last resort."""

from __future__ import annotations

import heapq
import time
from functools import partial
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..config import SearchConfig
from ..dsl.colors import recolor
from ..dsl.limits import MAX_SIDE, TooLarge
from ..dsl.pieces import FIXED, color_ranks
from ..tasks import Task
from . import finishers
from .compose import combined, cover, sound_part
from .evidence import OutputRules, evidence, is_weak, keep, output_bits
from .library import background, step_library
from .program import Step, run_steps, to_source

# Chains kept for composition: each holds a mask of the train cells, so a few MB at most.
MAX_PARTS_POOL = 400
# A program ending in a weak step (see evidence.WEAK_STEPS) can fit the train pairs by
# accident, so finding one does not stop the search going deeper for a plain chain; a few
# are kept as a last resort.
WEAK_KEEP = 2
# States kept, the closest to the outputs, to look for near misses among (see _near_misses).
NEAR_POOL = 200


@dataclass(frozen=True)
class Found:
    steps: tuple[Step, ...]
    trusted: bool = True   # False: a guess, for the vote (see evidence.keep)

    @property
    def source(self) -> str:
        return to_source(self.steps)


@dataclass(frozen=True)
class NearMiss:
    """A chain that fits every train pair but one, and its output for each test input."""
    steps: tuple[Step, ...]
    outputs: tuple[tuple[tuple[int, ...], ...], ...]

    @property
    def source(self) -> str:
        return to_source(self.steps)

    @classmethod
    def of(cls, steps: tuple[Step, ...], outputs) -> "NearMiss":
        """The chain with its test outputs (arrays) as grids of tuples."""
        return cls(steps, tuple(tuple(map(tuple, o.tolist())) for o in outputs))


@dataclass
class SearchResult:
    task_id: str
    found: list[Found] = field(default_factory=list)
    nodes: int = 0
    cpu_s: float = 0.0
    stopped: str = "exhausted"   # exhausted | budget | solved | failed
    error: str = ""
    # Only for a task where no trusted program fits every train pair: last-resort answers, best first.
    near: list[NearMiss] = field(default_factory=list)

    @property
    def programs(self) -> list[str]:
        return [f.source for f in self.found]



def _key(arrays: tuple[np.ndarray, ...]) -> int:
    return hash(tuple((a.shape, a.tobytes()) for a in arrays))


def _closeness(states, outputs) -> float:
    """How much the train states already look like the outputs: shapes, then cells, then colors."""
    total = 0.0
    for s, o in zip(states, outputs):
        if s.shape == o.shape:
            total += 1.0 + float((s == o).mean())
        else:
            sc, oc = set(np.unique(s).tolist()), set(np.unique(o).tolist())
            total += 0.5 * len(sc & oc) / len(sc | oc)
    return total / len(outputs)


def _finish(states, outputs, n_train, bg, periodic, root) -> list[tuple[Step, ...]]:
    """The cheap finishers: nothing left to do, or one step whose parameters the pairs give
    (`root`: the inputs, train then test, the states came from)."""
    train, tests = states[:n_train], states[n_train:]
    if finishers.same_shapes(train, outputs) and all((s == o).all() for s, o in zip(train, outputs)):
        if all(int(t.max(initial=0)) < 10 for t in tests):
            return [()]
        return []
    found = []
    for infer in (finishers.infer_recolor, finishers.infer_tiling, finishers.infer_scale, finishers.infer_window):
        step = infer(train, outputs, tests)
        if step is not None:
            found.append((step,))
    step = finishers.infer_lookup(states, outputs, root, n_train)
    if step is not None:
        found.append((step,))
    for infer in (finishers.infer_stamp, finishers.infer_object_rays, finishers.infer_kron,
                  finishers.infer_crop_by_property, finishers.infer_count_drawing,
                  finishers.infer_overlay_order, finishers.infer_corner_overlay, finishers.infer_gathering,
                  finishers.infer_color_shifts):
        step = infer(train, outputs, tests, bg)
        if step is not None:
            found.append((step,))
    # Cells copied from the first, or painted by their place, only from the inputs themselves: after other
    # steps, the cells a state happens to have fit the pairs by accident more often than not.
    copies = finishers.infer_cell_copies(train, outputs, tests, bg) if states is root else None
    if copies is not None:
        found.append((copies,))
    painted = finishers.infer_cell_positions(train, outputs, tests, bg) if states is root else None
    if painted is not None:
        found.append((painted,))
    logic = finishers.infer_block_logic(train, outputs, tests, bg)
    if logic is not None:
        found.append(logic)
    if periodic:
        steps = finishers.infer_continuation(train, outputs, tests, bg)
        if steps is not None:
            found.append(steps)
    return found


def _consistent(tail, test_states, tests, rules: OutputRules) -> bool:
    """Whether the test outputs of a chain ending in `tail` keep every OutputRules: one that breaks
    them will be ranked last, so it must not end the deepening either."""
    try:
        return all(rules.broken_by(t, run_steps(tail, s)) is None for t, s in zip(tests, test_states))
    except Exception:
        return False


def _believable(solutions, train_in, outputs, tests, max_programs, library_size) -> list[Found]:
    """The solutions ranked by evidence, most believable first, and only those worth an attempt,
    each trusted or a guess (see evidence.keep)."""
    rules = OutputRules.of(train_in, outputs)
    bits = output_bits(train_in, outputs)
    ranked = []
    for steps in solutions:
        try:
            outs = [run_steps(steps, t) for t in tests]
        except Exception:
            continue  # cannot happen for a recorded solution; costs nothing to be sure
        ranked.append((evidence(steps, rules, tests, outs, bits, library_size), _key(tuple(outs)), steps))
    ranked.sort(key=lambda r: r[0].rank())
    return [Found(ranked[i][2], trusted) for i, trusted in keep([(ev, k) for ev, k, _ in ranked], max_programs)]


def search_task(task: Task, limits: SearchConfig = SearchConfig(),
                clock: Callable[[], float] = time.process_time) -> SearchResult:
    """Find up to limits.max_programs DSL programs that reproduce every train pair of `task`: over
    the task's own colors, then, for a task whose pairs use different colors, over colors renamed
    by frequency rank (dsl.in_color_ranks), where one chain can fit pairs that differ only in colors."""
    start = clock()
    result = SearchResult(task.id)
    train_in = [np.array(p.input, dtype=np.int64) for p in task.train]
    outputs = [np.array(p.output, dtype=np.int64) for p in task.train]
    tests = [np.array(g, dtype=np.int64) for g in task.test_inputs]
    fixed = _fixed_new_colors(train_in, outputs)
    ranks = limits.rank_share > 0 and fixed is not None
    _search(train_in, outputs, tests, limits, clock,
            start + limits.budget_s * (1 - limits.rank_share if ranks else 1), result)
    if ranks and result.stopped != "solved" and len(result.found) < limits.max_programs:
        plain = result.found
        maps = [color_ranks(g) for g in train_in]
        renamed = SearchResult(task.id)
        named = {c: FIXED + c for c in fixed}
        _search([recolor(g, m) for g, m in zip(train_in, maps)], [recolor(o, m | named) for o, m in zip(outputs, maps)],
                [recolor(g, color_ranks(g)) for g in tests], limits, clock, start + limits.budget_s, renamed)
        # Two searches that both found programs may disagree: the second's are guesses then. So
        # is a weak step over ranks: a rank is a guess about which color plays which role, and a
        # lookup table over guessed roles fits the pairs by accident more often than over colors.
        wrapped = [Found((_in_ranks(f.steps),), f.trusted and not plain and not is_weak(f.steps))
                   for f in renamed.found]
        result.found = (plain + wrapped)[:limits.max_programs]
        result.near += _near_in_ranks(renamed.near, tests, limits.max_programs - len(result.near))
        result.nodes += renamed.nodes
        result.stopped = renamed.stopped if renamed.stopped != "exhausted" else result.stopped
    if any(f.trusted for f in result.found):
        result.near = []
    result.cpu_s = clock() - start
    return result


def _in_ranks(steps: tuple[Step, ...]) -> Step:
    return Step("in_color_ranks", (tuple((s.fn, s.args) for s in steps),))


def _near_in_ranks(near: list[NearMiss], tests, limit: int) -> list[NearMiss]:
    """Near misses over color ranks, as chains over the task's own colors with their outputs."""
    out = []
    for m in near[:max(0, limit)]:
        steps = (_in_ranks(m.steps),)
        try:
            outs = [run_steps(steps, t) for t in tests]
        except Exception:
            continue
        out.append(NearMiss.of(steps, outs))
    return out


def _fixed_new_colors(train_in, outputs) -> frozenset[int] | None:
    """When the pairs use different colors, and every output adds the same colors (or none) to its
    input's, those added colors: the task is worth a search over color ranks. Otherwise None."""
    palettes = [frozenset(np.unique(g).tolist()) for g in train_in]
    added = {frozenset(np.unique(o).tolist()) - p for o, p in zip(outputs, palettes)}
    return next(iter(added)) if len(set(palettes)) > 1 and len(added) == 1 else None


def _search(train_in, outputs, tests, limits: SearchConfig, clock, deadline: float, result: SearchResult) -> None:
    """The search proper, until `deadline` on `clock`: fills result.found, nodes and stopped, and
    result.near when no trusted program was found (in the last near_share of the time)."""
    near_from = deadline - limits.near_share * max(0.0, deadline - clock())
    deadline, near_deadline = near_from, deadline
    n_train = len(train_in)
    root = tuple(train_in + tests)
    bg = background(train_in)
    library = step_library(train_in, root)
    seen = {_key(root)}
    periodic = finishers.outputs_repeat(outputs)
    rules = OutputRules.of(train_in, outputs)
    solutions: list[tuple[Step, ...]] = []
    # (closeness, arrival, steps, states): the states closest to the outputs, for near misses.
    near_pool: list[tuple[float, int, tuple[Step, ...], tuple[np.ndarray, ...]]] = []
    strong = 0  # solutions without a weak step: only these end the deepening

    # Cell rules cost ten times the other finishers: they are learned after each level, on the
    # states that look most like the outputs, so a plain step of that level is never starved.
    deferred: list[tuple[float, tuple[Step, ...], tuple[np.ndarray, ...]]] = []

    def add(steps, weak):
        nonlocal strong
        if len(solutions) < limits.max_programs and (not weak or len(solutions) - strong < WEAK_KEEP):
            solutions.append(steps)
            strong += not weak

    # Composition (see compose.py), for outputs of the input's shape: chains that change cells
    # only as the outputs do, laid together at the end of each level.
    composable = finishers.same_shapes(train_in, outputs)
    needed = np.concatenate([(i != o).ravel() for i, o in zip(train_in, outputs)]) if composable else None
    parts: list[tuple[tuple[Step, ...], dict, np.ndarray]] = []

    def record(steps, states, depth, close):
        tails = _finish(states, outputs, n_train, bg, periodic, root)
        if depth == 0:
            drift = finishers.infer_drift(states[:n_train], outputs, states[n_train:], bg)
            tails += [(drift,)] if drift is not None else []
        for tail in tails:
            add(steps + tail, weak=is_weak(tail) or not _consistent(tail, states[n_train:], tests, rules))
        if not tails and limits.near_share > 0 and n_train >= 2:
            entry = (close, -result.nodes, steps, states)
            if len(near_pool) < NEAR_POOL:
                heapq.heappush(near_pool, entry)
            elif entry[:2] > near_pool[0][:2]:
                heapq.heapreplace(near_pool, entry)
        if not tails and depth <= limits.rule_depth and finishers.same_shapes(states[:n_train], outputs):
            deferred.append((close, steps, states))
        if composable and not tails and depth >= 1 and len(parts) < MAX_PARTS_POOL:
            part = sound_part(train_in, states[:n_train], outputs, tests, states[n_train:])
            if part is not None:
                parts.append((steps, part[1], part[0]))

    def compose():
        chosen = cover([g for _, _, g in parts], needed) if composable else None
        if chosen:
            add((combined([parts[i][:2] for i in chosen]),), weak=True)

    def learn_rules():
        # At most rule_share of what is left: a level's many same-shape states could otherwise
        # spend the whole budget on rules and starve the next level.
        until = clock() + limits.rule_share * (deadline - clock())
        deferred.sort(key=lambda e: -e[0])
        # Whole objects recolored by a property first: the narrower table, and the cheaper one.
        for learn in (finishers.infer_object_recolor, partial(finishers.infer_cell_rule, holdout=limits.rule_holdout)):
            for _, steps, states in deferred:
                if clock() > until or len(solutions) >= limits.max_programs:
                    break
                step = learn(states[:n_train], outputs, states[n_train:], bg)
                if step is not None:
                    add(steps + (step,), weak=True)  # a learned table
        deferred.clear()

    record((), root, 0, _closeness(train_in, outputs))
    if limits.max_depth == 0:
        learn_rules()
    depth = 0
    # Frontier entries: (closeness to the outputs, steps, states, at the outputs' shape). States
    # are kept for the first level only and recomputed from the root deeper down: a deep frontier
    # of grids would take gigabytes, recomputing a parent costs a few steps per ~200 children.
    frontier: list[tuple[float, tuple[Step, ...], tuple[np.ndarray, ...] | None, bool]] = [(0.0, (), root, False)]
    # The steps that apply to the root, and those that also keep its shape. Deeper down, each
    # parent first tries the steps that applied to the root (only those keeping the shape, for a
    # parent already at the outputs' shape) on the whole frontier, and the rest after: a step
    # that failed on the inputs rarely applies to what one step made of them, and a reshaping step
    # rarely leads back to the outputs' shape; a budget that ends a level early is better spent
    # on the likelier children.
    applies: set[Step] = set()
    keeps: set[Step] = set()

    def expand(steps, states, todo, nxt, keep_states, last) -> bool:
        """Every step of `todo` on one parent; False once the search must stop."""
        for step in todo:
            if clock() > deadline:
                result.stopped = "budget"
                return False
            try:
                new = tuple(step.apply(s) for s in states)
            except TooLarge:
                if not steps:
                    applies.add(step)  # stopped by the size limit only: it may apply after a crop
                continue
            except Exception:  # a step that does not apply to some input is no branch
                continue
            if any(a.ndim != 2 or a.size == 0 for a in new):
                continue
            if any(a.shape[0] > MAX_SIDE or a.shape[1] > MAX_SIDE for a in new):
                if not steps:
                    applies.add(step)
                continue
            if not steps:
                applies.add(step)
                if all(a.shape == b.shape for a, b in zip(new, states)):
                    keeps.add(step)
            k = _key(new)
            if k in seen:
                continue
            seen.add(k)
            result.nodes += 1
            close = _closeness(new[:n_train], outputs)
            record(steps + (step,), new, len(steps) + 1, close)
            if len(solutions) >= limits.max_programs:
                return False
            if not last:
                at_shape = all(a.shape == o.shape for a, o in zip(new, outputs))
                nxt.append((close, steps + (step,), new if keep_states else None, at_shape))
        return True

    while frontier and not strong and depth < limits.max_depth:
        depth += 1
        keep_states = depth == 1
        last = depth == limits.max_depth
        nxt: list = []
        likely = {True: [s for s in library if s in keeps], False: [s for s in library if s in applies]}
        rest = {True: [s for s in library if s not in keeps], False: [s for s in library if s not in applies]}
        going = True
        for first_pass in (True, False):
            for _, steps, states, at_shape in frontier:
                if not steps:  # the root: every step, once
                    todo = library if first_pass else []
                else:
                    todo = likely[at_shape] if first_pass else rest[at_shape]
                if not todo:
                    continue
                if states is None:
                    try:
                        states = tuple(run_steps(steps, g) for g in root)
                    except Exception:
                        continue
                going = expand(steps, states, todo, nxt, keep_states, last)
                if not going:
                    break
            if not going:
                break
        if result.stopped == "budget":
            break
        if not strong:
            compose()
            learn_rules()
        # Best-first within a level: when the budget ends a level early, the states that
        # look most like the outputs have been expanded.
        nxt.sort(key=lambda e: -e[0])
        frontier = nxt
    if strong and result.stopped != "budget":
        result.stopped = "solved"
    result.found = _believable(solutions, train_in, outputs, tests, limits.max_programs, len(library))
    if near_pool and not any(f.trusted for f in result.found):
        result.near = _near_misses(near_pool, outputs, n_train, bg, periodic, root, rules,
                                   lambda: clock() > near_deadline, limits.max_programs)


def _near_misses(pool, outputs, n_train, bg, periodic, root, rules: OutputRules, stop, limit) -> list[NearMiss]:
    """Chains that fit every train pair but one, from the closest states of the pool: each state
    finished (see _finish) on the train pairs without one of them. When no program fits them
    all, or only guesses do, an answer that fits all but one is the next best evidence (icecuber's
    search ranks its candidates by train pairs solved in the same way). Their test outputs must
    keep the OutputRules; distinct outputs only, at most `limit`. They answer only where an
    attempt would otherwise be left to a fallback (see orchestrator.selection)."""
    found: list[NearMiss] = []
    seen: set = set()
    for _, _, steps, states in sorted(pool, key=lambda e: (-e[0], len(e[2]), -e[1])):
        for i in range(n_train):
            if stop() or len(found) >= limit:
                return found
            others = states[:i] + states[i + 1:]
            for tail in _finish(others, outputs[:i] + outputs[i + 1:], n_train - 1, bg, periodic,
                                root[:i] + root[i + 1:]):
                try:
                    outs = tuple(run_steps(tail, s) for s in states[n_train:])
                except Exception:
                    continue
                if any(int(o.max(initial=0)) > 9 or rules.broken_by(t, o) is not None
                       for t, o in zip(root[n_train:], outs)):
                    continue
                key = _key(outs)
                if key not in seen:
                    seen.add(key)
                    found.append(NearMiss.of(steps + tail, outs))
    return found
