"""Grids as text, both ways. The format is part of a prompt template because a model only
reads (and writes) grids the way it was trained to.

A format is made of parts, each optional and each undone exactly by `decode_grid`:

    cells        the symbol of each color 0-9: digits, color names (BARC), or any 10 symbols
    cell_sep     between the cells of a row ("" for digits, " " for names)
    row_numbers  each row starts with its number and a space, counting from 0 or 1 (arc24: 1)
    header       a shape line: "{rows} {cols}", "shape: {rows}x{cols}", ... ("" for none)
    fence        the grid sits in a code fence, "```grid" ... "```"; the header, if any, goes on the
                 fence's line after a space (arc24's "```grid shape: 3x3")
    row_sep      between the lines (the header's and the fence's lines included)

so arc24's [[0,1,2],[3,4,5],[6,7,8]] is "```grid shape: 3x3\\n1 012\\n2 345\\n3 678\\n```" and BARC's is
"Black Blue Red\\nGreen Yellow Gray\\nPink Orange Purple"."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..grids import Grid, GridError, parse_grid

COLOR_NAMES = ("Black", "Blue", "Red", "Green", "Yellow", "Gray", "Pink", "Orange", "Purple", "Brown")
NAMED_CELLS = {"digits": tuple("0123456789"), "color-names": COLOR_NAMES}


def cell_symbols(cells: str | list | tuple) -> tuple[str, ...]:
    """"digits", "color-names", a string of 10 one-character symbols, or a list of 10 symbols."""
    if isinstance(cells, str):
        if cells in NAMED_CELLS:
            return NAMED_CELLS[cells]
        symbols = tuple(cells)
    else:
        symbols = tuple(str(c) for c in cells)
    if len(symbols) != 10 or len(set(symbols)) != 10 or not all(symbols):
        raise ValueError(f"grid format: cells must be digits, color-names, or 10 distinct symbols, got {cells!r}")
    return symbols


@dataclass(frozen=True)
class GridFormat:
    header: str = "{rows} {cols}"  # line before the rows; "" for none
    cell_sep: str = ""
    row_sep: str = "\n"
    row_numbers: int | None = None  # rows numbered from this (0 or 1); None: not numbered
    fence: str | None = None        # "grid": the grid is fenced as ```grid ... ```
    cells: str | tuple = "digits"
    symbols: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "symbols", cell_symbols(self.cells))
        if isinstance(self.cells, list):
            object.__setattr__(self, "cells", tuple(self.cells))
        if self.row_sep == "" or (self.cell_sep and self.cell_sep in self.row_sep):
            raise ValueError("grid format: row_sep must be non-empty and differ from cell_sep")
        bad = set(re.findall(r"\{(\w*)\}", self.header)) - {"rows", "cols"}
        if bad:
            raise ValueError(f"grid format: header may only use {{rows}} and {{cols}}, not {sorted(bad)}")
        if any(len(s) > 1 for s in self.symbols) and not self.cell_sep:
            raise ValueError("grid format: cells longer than one character need a cell_sep")
        if any((self.cell_sep and self.cell_sep in s) or self.row_sep in s or s.isspace() for s in self.symbols):
            raise ValueError("grid format: a cell symbol contains a separator")
        if self.row_numbers not in (None, 0, 1):
            raise ValueError("grid format: row_numbers counts from 0 or 1")
        if self.fence is not None and not re.fullmatch(r"[A-Za-z0-9_+-]*", self.fence):
            raise ValueError("grid format: fence is a code fence's language word, like grid")

    @property
    def digits(self) -> bool:
        return self.symbols == NAMED_CELLS["digits"]


def _row_text(i: int, row, fmt: GridFormat) -> str:
    text = fmt.cell_sep.join(fmt.symbols[v] for v in row)
    return text if fmt.row_numbers is None else f"{i + fmt.row_numbers} {text}"


def encode_grid(grid: Grid, fmt: GridFormat) -> str:
    lines = [_row_text(i, row, fmt) for i, row in enumerate(grid)]
    header = fmt.header.format(rows=len(grid), cols=len(grid[0])) if fmt.header else ""
    if fmt.fence is not None:
        lines = [f"```{fmt.fence}" + (f" {header}" if header else "")] + lines + ["```"]
    elif header:
        lines = [header] + lines
    return fmt.row_sep.join(lines)


def decode_grid(text: str, fmt: GridFormat) -> Grid:
    """The exact inverse of encode_grid: raises ValueError on any text it would not write."""
    lines = text.split(fmt.row_sep)
    if fmt.fence is not None:
        if len(lines) < 3 or lines[-1] != "```":
            raise ValueError("no closing fence")
        first, lines = lines[0], lines[1:-1]
        opening = f"```{fmt.fence}"
        if not first.startswith(opening):
            raise ValueError(f"expected {opening!r}")
        header = first[len(opening) + 1:] if fmt.header else None
        if fmt.header and first[len(opening):len(opening) + 1] != " ":
            raise ValueError("expected the header on the fence's line")
        if not fmt.header and first != opening:
            raise ValueError(f"expected {opening!r} alone")
    elif fmt.header:
        if not lines:
            raise ValueError("no header")
        header, lines = lines[0], lines[1:]
    else:
        header = None
    index = {s: v for v, s in enumerate(fmt.symbols)}
    rows = []
    for i, line in enumerate(lines):
        if fmt.row_numbers is not None:
            number, sep, line = line.partition(" ")
            if number != str(i + fmt.row_numbers) or not sep:
                raise ValueError(f"row {i}: expected its number {i + fmt.row_numbers}")
        cells = line.split(fmt.cell_sep) if fmt.cell_sep else list(line)
        try:
            rows.append([index[c] for c in cells])
        except KeyError as e:
            raise ValueError(f"row {i}: unknown cell {e.args[0]!r}") from None
    try:
        grid = parse_grid(rows)
    except GridError as e:
        raise ValueError(str(e)) from None
    if header is not None and header != fmt.header.format(rows=len(grid), cols=len(grid[0])):
        raise ValueError(f"header {header!r} does not match the grid's shape")
    return grid


_FENCE = re.compile(r"```[a-zA-Z]*(.*?)(?:```|\Z)", re.S)


def _header_regex(fmt: GridFormat) -> re.Pattern:
    parts = re.split(r"(\{rows\}|\{cols\})", fmt.header.strip())
    pattern = "".join({"{rows}": r"(?P<rows>\d+)", "{cols}": r"(?P<cols>\d+)"}.get(p, re.escape(p)) for p in parts)
    return re.compile(r"\s*" + pattern + r"\s*$")


def _row(line: str, fmt: GridFormat) -> tuple[int, ...] | None:
    text = line.strip()
    if fmt.row_numbers is not None:
        text = re.sub(r"^\d+\s+", "", text)
    if not fmt.digits:
        index = {s.lower(): v for v, s in enumerate(fmt.symbols)}
        cells = text.split(fmt.cell_sep.strip()) if fmt.cell_sep.strip() else (text.split() if any(
            len(s) > 1 for s in fmt.symbols) else list(text.replace(" ", "")))
        values = [index.get(c.strip().lower()) for c in cells]
        return tuple(values) if values and None not in values else None
    if fmt.cell_sep.strip():
        text = text.replace(fmt.cell_sep.strip(), " ")
    cells = text.split() if " " in text else list(text)
    if not cells or not all(len(c) == 1 and c.isdigit() for c in cells):
        return None
    return tuple(int(c) for c in cells)


def parse_grid_text(text: str, fmt: GridFormat) -> Grid | None:
    """The first grid in a response, or None: the exact format first, then leniently (code
    fences, a missing or wrong header, row numbers, JSON lists and text around the grid); a ragged
    or oversized grid is None."""
    try:
        return decode_grid(text.strip(), fmt)
    except ValueError:
        pass
    fenced = _FENCE.findall(text)
    body = fenced[0] if fenced else text
    stripped = body.strip()
    if stripped.startswith("[["):
        try:
            return parse_grid(json.loads(stripped[: stripped.rfind("]]") + 2]))
        except (ValueError, GridError):
            return None
    lines = body.split(fmt.row_sep) if fmt.row_sep != "\n" else body.splitlines()
    header = _header_regex(fmt) if fmt.header else None
    start, expect = 0, None
    if header:
        for i, line in enumerate(lines):
            m = header.match(line)
            if m:
                start, expect = i + 1, (int(m["rows"]) if "rows" in m.groupdict() else None)
                break
    rows: list[tuple[int, ...]] = []
    for line in lines[start:]:
        row = _row(line, fmt)
        if row is None:
            if rows:
                break
            continue
        rows.append(row)
        if expect is not None and len(rows) == expect:
            break
    if not rows:
        return None
    try:
        return parse_grid(rows)
    except GridError:
        return None
