"""arc-mini: small synthetic ARC tasks whose hidden rule is one or two steps of the project's DSL,
generated deterministically from a seed. The reference model (kernel.reference_model) learns them;
the model stages are measured on them (benchmarks/model_stages.py).

Each task has 3-4 train pairs and 1-2 test inputs, input grids of 3 to 10 cells a side, and a unique
answer as far as the DSL can tell: every program of every family (all its parameters) that
reproduces the train pairs gives the same test outputs, else the task is drawn again. Tasks whose
outputs equal their inputs, or whose train outputs are all the same, are drawn again too.

    arc-mini/training     TRAIN_FAMILIES, seed 1
    arc-mini/evaluation   TRAIN_FAMILIES, seed 2 (other tasks of the same families)
    arc-mini/unseen       UNSEEN_FAMILIES, seed 3: rules never seen in training (test-time fine-tuning)

A task's id names its family ("e00012-flip"), for per-family figures; models never see ids."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from . import dsl
from .grids import parse_grid
from .tasks import Pair, Task, TaskSet

SYMMETRIES = ("rot90", "rot180", "rot270", "flip_lr", "flip_ud", "transpose")
PROGRAM = "import numpy as np\nfrom kernel import dsl\n\n\ndef transform(grid):\n    g = np.array(grid)\n    return {expr}\n"


@dataclass(frozen=True)
class Family:
    name: str
    inputs: str                                   # which input generator (see _INPUTS)
    params: Callable[[set[int]], list[tuple]]     # every parameter tuple, given the colors in the task's inputs
    expr: Callable[..., str]                      # the rule as a DSL expression of `g`, the input array


def _colors(cs: set[int]) -> list[int]:
    return sorted(cs - {0})


FAMILIES = {f.name: f for f in [
    Family("geometry", "random", lambda cs: [(s,) for s in SYMMETRIES], lambda s: f"dsl.{s}(g)"),
    Family("recolor", "random", lambda cs: [(a, b) for a in _colors(cs) for b in range(1, 10) if b != a],
           lambda a, b: f"dsl.replace_color(g, {a}, {b})"),
    Family("upscale", "small", lambda cs: [(2,), (3,)], lambda k: f"dsl.upscale(g, {k}, {k})"),
    Family("tile", "small", lambda cs: [(1, 2), (2, 1), (2, 2), (1, 3), (3, 1)],
           lambda ry, rx: f"dsl.tile(g, {ry}, {rx})"),
    Family("gravity", "sparse", lambda cs: [(d,) for d in ("down", "up", "left", "right")],
           lambda d: f"dsl.gravity(g, {d!r})"),
    Family("crop", "object", lambda cs: [()], lambda: "dsl.crop_to_content(g)"),
    Family("keep", "random", lambda cs: [(c,) for c in _colors(cs)], lambda c: f"dsl.keep_color(g, {c})"),
    Family("border", "random", lambda cs: [(c,) for c in range(1, 10)], lambda c: f"dsl.draw_border(g, {c})"),
    Family("mirror", "small", lambda cs: [("lr",), ("ud",)],
           lambda k: "dsl.tile_layout(g, (('identity', 'flip_lr'),))" if k == "lr"
           else "dsl.tile_layout(g, (('identity',), ('flip_ud',)))"),
    Family("paint", "random", lambda cs: [(c,) for c in range(1, 10)], lambda c: f"dsl.paint_nonzero(g, {c})"),
    Family("fill", "boxes", lambda cs: [(c,) for c in range(1, 10)], lambda c: f"dsl.fill_enclosed(g, 0, {c})"),
    Family("halo", "dots", lambda cs: [(c,) for c in range(1, 10)], lambda c: f"dsl.halo(g, 0, {c})"),
    Family("shift", "sparse", lambda cs: [(0, 1), (0, -1), (1, 0), (-1, 0)],
           lambda dy, dx: f"dsl.shift(g, {dy}, {dx})"),
    Family("flip-recolor", "random",
           lambda cs: [(s, a, b) for s in ("flip_lr", "flip_ud", "rot180") for a in _colors(cs)
                       for b in range(1, 10) if b != a],
           lambda s, a, b: f"dsl.replace_color(dsl.{s}(g), {a}, {b})"),
    # never used in training: rules for test-time fine-tuning to learn
    Family("binarize", "random", lambda cs: [()], lambda: "dsl.binarize(g)"),
    Family("trim", "large", lambda cs: [()], lambda: "dsl.trim_border(g)"),
    Family("swap", "twocolor", lambda cs: [()], lambda: "dsl.swap_most_least(g)"),
]}
UNSEEN_FAMILIES = ("binarize", "trim", "swap")
TRAIN_FAMILIES = tuple(n for n in FAMILIES if n not in UNSEEN_FAMILIES)
SPLITS = {"arc-mini/training": (TRAIN_FAMILIES, 1, 1000), "arc-mini/evaluation": (TRAIN_FAMILIES, 2, 140),
          "arc-mini/unseen": (UNSEEN_FAMILIES, 3, 60)}


# --- input grids ----------------------------------------------------------------------------------

def _palette(rng: np.random.Generator, k: int) -> np.ndarray:
    return rng.choice(np.arange(1, 10), size=k, replace=False)


def _random(rng, lo=3, hi=10, density=(0.25, 0.7), colors=(1, 4)) -> np.ndarray:
    h, w = rng.integers(lo, hi + 1, size=2)
    pal = _palette(rng, int(rng.integers(colors[0], colors[1] + 1)))
    g = rng.choice(pal, size=(h, w))
    return np.where(rng.random((h, w)) < rng.uniform(*density), g, 0)


def _object(rng) -> np.ndarray:
    h, w = rng.integers(5, 11, size=2)
    oh, ow = int(rng.integers(2, max(3, h - 1))), int(rng.integers(2, max(3, w - 1)))
    g = np.zeros((h, w), dtype=int)
    pal = _palette(rng, int(rng.integers(1, 4)))
    patch = np.where(rng.random((oh, ow)) < 0.75, rng.choice(pal, size=(oh, ow)), 0)
    patch[0, :] = np.where(patch[0, :] == 0, pal[0], patch[0, :])   # the bounding box is the patch's
    patch[-1, :] = np.where(patch[-1, :] == 0, pal[0], patch[-1, :])
    top, left = int(rng.integers(0, h - oh + 1)), int(rng.integers(0, w - ow + 1))
    g[top:top + oh, left:left + ow] = patch
    return g


def _boxes(rng) -> np.ndarray:
    h, w = rng.integers(6, 11, size=2)
    g = np.zeros((h, w), dtype=int)
    for _ in range(int(rng.integers(1, 3))):
        bh, bw = int(rng.integers(3, min(6, h) + 1)), int(rng.integers(3, min(6, w) + 1))
        top, left = int(rng.integers(0, h - bh + 1)), int(rng.integers(0, w - bw + 1))
        c = int(rng.integers(1, 10))
        g[top, left:left + bw] = c
        g[top + bh - 1, left:left + bw] = c
        g[top:top + bh, left] = c
        g[top:top + bh, left + bw - 1] = c
    return g


def _dots(rng) -> np.ndarray:
    h, w = rng.integers(5, 11, size=2)
    g = np.zeros((h, w), dtype=int)
    pal = _palette(rng, int(rng.integers(1, 3)))
    for _ in range(int(rng.integers(1, 4))):
        g[int(rng.integers(0, h)), int(rng.integers(0, w))] = rng.choice(pal)
    return g


def _twocolor(rng) -> np.ndarray:
    h, w = rng.integers(3, 11, size=2)
    a, b = _palette(rng, 2)
    g = np.where(rng.random((h, w)) < 0.5, a, 0)
    cells = [(y, x) for y in range(h) for x in range(w)]
    for i in rng.choice(len(cells), size=max(1, len(cells) // 8), replace=False):
        g[cells[i]] = b
    return g


_INPUTS: dict[str, Callable[[np.random.Generator], np.ndarray]] = {
    "random": lambda rng: _random(rng, 3, 8),
    "small": lambda rng: _random(rng, 3, 5, (0.4, 0.9)),
    "sparse": lambda rng: _random(rng, 3, 10, (0.1, 0.35)),
    "large": lambda rng: _random(rng, 5, 10),
    "object": _object,
    "boxes": _boxes,
    "dots": _dots,
    "twocolor": _twocolor,
}


# --- tasks ----------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _compiled(expr: str):
    return compile(expr, "<arc-mini>", "eval")


def _apply(expr: str, grid: np.ndarray):
    try:
        out = eval(_compiled(expr), {"dsl": dsl, "g": grid})   # expressions written above, never input
    except (ValueError, IndexError):
        return None
    out = np.asarray(out)
    if out.ndim != 2 or not out.size or max(out.shape) > 30 or out.min() < 0 or out.max() > 9:
        return None
    return out


def _every_program(colors: set[int]) -> Iterator[str]:
    for f in FAMILIES.values():
        for params in f.params(colors):
            yield f.expr(*params)


def _same(a, b) -> bool:
    return a is not None and a.shape == b.shape and bool((a == b).all())


def _unique(inputs: list[np.ndarray], outputs: list[np.ndarray], n_train: int) -> bool:
    """No other DSL program of these families fits the train pairs with other test outputs."""
    colors = set(np.unique(np.concatenate([g.ravel() for g in inputs])).tolist())
    for expr in _every_program(colors):
        # pair by pair, so most programs are ruled out by the first pair alone
        if all(_same(_apply(expr, g), t) for g, t in zip(inputs[:n_train], outputs)) and \
                not all(_same(_apply(expr, g), t) for g, t in zip(inputs[n_train:], outputs[n_train:])):
            return False
    return True


def make_task(rng: np.random.Generator, family: str, task_id: str) -> tuple[Task, str]:
    """(the task, its program's text); drawn again until it is unambiguous."""
    f = FAMILIES[family]
    while True:
        n_train, n_test = int(rng.integers(3, 5)), int(rng.integers(1, 3))
        inputs = [_INPUTS[f.inputs](rng) for _ in range(n_train + n_test)]
        colors = set(np.unique(np.concatenate([g.ravel() for g in inputs])).tolist())
        choices = f.params(colors)
        if not choices:
            continue
        params = choices[int(rng.integers(0, len(choices)))]
        expr = f.expr(*params)
        outputs = [_apply(expr, g) for g in inputs]
        if any(o is None for o in outputs):
            continue
        if any(o.shape == g.shape and (o == g).all() for o, g in zip(outputs, inputs)):
            continue
        if all(o.shape == outputs[0].shape and (o == outputs[0]).all() for o in outputs[1:n_train]):
            continue
        if not _unique(inputs, outputs, n_train):
            continue
        pairs = [Pair(parse_grid(i.tolist()), parse_grid(o.tolist())) for i, o in zip(inputs, outputs)]
        return Task(task_id, tuple(pairs[:n_train]), tuple(pairs[n_train:])), PROGRAM.format(expr=expr)


def generate(families: tuple[str, ...], seed: int, count: int, prefix: str = "m") -> Iterator[tuple[Task, str, str]]:
    """(task, program, family), families in turn, deterministic in (families, seed, count)."""
    rng = np.random.default_rng(seed)
    for i, family in zip(range(count), itertools.cycle(families)):
        task, code = make_task(rng, family, f"{prefix}{seed}-{i:05d}-{family}")
        yield task, code, family


def family_of(task_id: str) -> str:
    return task_id.split("-", 2)[2]


def load(name: str) -> TaskSet:
    """A named arc-mini set as a TaskSet, with its test outputs (for scoring)."""
    families, seed, count = SPLITS[name]
    ts = TaskSet(name, order=[])
    for task, _, _ in generate(families, seed, count):
        ts.tasks.append(task)
        ts.order.append(task.id)
    return ts
