"""Augmentations for output-from-examples: the 8 rotations/flips and color permutations,
applied to a whole task and undone on the predicted grid before voting; a view adds an order of
the train pairs."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .grids import Grid
from .tasks import Pair, Task


def _rot90(g: Grid) -> Grid:  # clockwise
    return tuple(zip(*g[::-1]))


def _flip(g: Grid) -> Grid:  # left-right
    return tuple(row[::-1] for row in g)


def dihedral(g: Grid, k: int) -> Grid:
    """k in 0..7: k % 4 quarter turns clockwise, then a left-right flip when k >= 4."""
    for _ in range(k % 4):
        g = _rot90(g)
    return _flip(g) if k >= 4 else g


def dihedral_inverse(g: Grid, k: int) -> Grid:
    if k >= 4:
        g = _flip(g)
    for _ in range((4 - k % 4) % 4):
        g = _rot90(g)
    return g


@dataclass(frozen=True)
class Augmentation:
    k: int                      # dihedral transform
    colors: tuple[int, ...]     # colors[c] = new color of c

    @property
    def name(self) -> str:
        return f"d{self.k}c" + "".join(map(str, self.colors))

    def grid(self, g: Grid) -> Grid:
        return dihedral(tuple(tuple(self.colors[v] for v in row) for row in g), self.k)

    def undo(self, g: Grid) -> Grid:
        inverse = [0] * 10
        for c, new in enumerate(self.colors):
            inverse[new] = c
        return tuple(tuple(inverse[v] for v in row) for row in dihedral_inverse(g, self.k))

    def task(self, t: Task) -> Task:
        return Task(f"{t.id}~{self.name}", tuple(Pair(self.grid(p.input), self.grid(p.output)) for p in t.train),
                    tuple(Pair(self.grid(p.input), None if p.output is None else self.grid(p.output)) for p in t.test))


IDENTITY = Augmentation(0, tuple(range(10)))


def augmentations(count: int, seed: int, keep_background: bool = True) -> list[Augmentation]:
    """The identity first, then distinct random transforms (background 0 stays 0 if asked)."""
    rng = random.Random(seed)
    out, seen = [IDENTITY], {IDENTITY.name}
    while len(out) < count and len(seen) < 8 * 3628800:
        colors = list(range(1, 10)) if keep_background else list(range(10))
        rng.shuffle(colors)
        aug = Augmentation(rng.randrange(8), tuple([0] + colors) if keep_background else tuple(colors))
        if aug.name not in seen:
            seen.add(aug.name)
            out.append(aug)
    return out


@dataclass(frozen=True)
class View:
    """An augmentation and an order of the train pairs (None: as given)."""
    augmentation: Augmentation
    order: tuple[int, ...] | None = None

    @property
    def name(self) -> str:
        return self.augmentation.name + ("" if self.order is None else "o" + "".join(map(str, self.order)))

    def task(self, t: Task) -> Task:
        if self.order is not None and len(self.order) == len(t.train):
            t = Task(t.id, tuple(t.train[i] for i in self.order), t.test)
        return self.augmentation.task(t)


def task_views(count: int, seed: int, keep_background: bool = True, shuffle_examples: bool = True,
               n_train: int = 0) -> list[View]:
    """The identity first, then `count - 1` random rotations/flips and color permutations, each
    (if asked) with the train pairs in a random order."""
    rng = random.Random(seed)
    out = []
    for i, a in enumerate(augmentations(count, seed, keep_background)):
        order = None
        if shuffle_examples and i > 0 and n_train > 1:
            order = list(range(n_train))
            rng.shuffle(order)
        out.append(View(a, None if order is None else tuple(order)))
    return out
