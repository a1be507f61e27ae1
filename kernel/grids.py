"""ARC grids: validation, conversion and a canonical text form.

A grid is kept as a tuple of row tuples so it is hashable (for votes and caches) and
cannot be mutated by whoever holds it.
"""

from __future__ import annotations

import json
from typing import Any

Grid = tuple[tuple[int, ...], ...]

MAX_SIDE = 30
MAX_COLOR = 9


class GridError(ValueError):
    """An object is not a valid ARC grid; the message says why."""


def _cell(value: Any, r: int, c: int) -> int:
    # bool is an int subclass, but True/False in a grid is a bug, not a color.
    if isinstance(value, bool) or not isinstance(value, int):
        raise GridError(f"cell ({r},{c}) is {value!r}, not an integer")
    if not 0 <= value <= MAX_COLOR:
        raise GridError(f"cell ({r},{c}) is {value}, outside 0..{MAX_COLOR}")
    return value


def parse_grid(obj: Any) -> Grid:
    """Validate a JSON-like object as a grid: rectangular, 1..30 per side, integers 0..9."""
    if not isinstance(obj, (list, tuple)):
        raise GridError(f"grid is a {type(obj).__name__}, not a list of rows")
    if not 1 <= len(obj) <= MAX_SIDE:
        raise GridError(f"grid has {len(obj)} rows, expected 1..{MAX_SIDE}")
    width = None
    rows = []
    for r, row in enumerate(obj):
        if not isinstance(row, (list, tuple)):
            raise GridError(f"row {r} is a {type(row).__name__}, not a list")
        if width is None:
            width = len(row)
            if not 1 <= width <= MAX_SIDE:
                raise GridError(f"grid has {width} columns, expected 1..{MAX_SIDE}")
        elif len(row) != width:
            raise GridError(f"grid is not rectangular: row 0 has {width} cells, row {r} has {len(row)}")
        # Fast path in C (type checks, min, max); the per-cell loop only runs to say what is wrong.
        if all(type(v) is int for v in row) and min(row) >= 0 and max(row) <= MAX_COLOR:
            rows.append(tuple(row))
        else:
            rows.append(tuple(_cell(v, r, c) for c, v in enumerate(row)))
    return tuple(rows)


def is_grid(obj: Any) -> bool:
    try:
        parse_grid(obj)
    except GridError:
        return False
    return True


def to_lists(grid: Grid) -> list[list[int]]:
    """A fresh, mutable copy for JSON output or for handing to code that may mutate it."""
    return [list(row) for row in grid]


def shape(grid: Grid) -> tuple[int, int]:
    return len(grid), len(grid[0])


def canonical_json(grid: Grid | list[list[int]]) -> str:
    return json.dumps([list(row) for row in grid], separators=(",", ":"))


def describe_difference(expected: Grid, got: Grid) -> str:
    if shape(expected) != shape(got):
        (er, ec), (gr, gc) = shape(expected), shape(got)
        return f"expected {er}x{ec}, got {gr}x{gc}"
    wrong = sum(a != b for er_, gr_ in zip(expected, got) for a, b in zip(er_, gr_))
    return f"{wrong} of {len(expected) * len(expected[0])} cells differ"
