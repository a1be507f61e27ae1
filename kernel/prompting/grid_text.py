"""Grids as text, both ways. The format is part of a prompt template because a model only
reads (and writes) grids the way it was trained to."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..grids import Grid, GridError, parse_grid


@dataclass(frozen=True)
class GridFormat:
    header: str = "{rows} {cols}"  # line before the rows; "" for none
    cell_sep: str = ""
    row_sep: str = "\n"

    def __post_init__(self) -> None:
        if self.row_sep == "" or (self.cell_sep and self.cell_sep in self.row_sep):
            raise ValueError("grid format: row_sep must be non-empty and differ from cell_sep")
        bad = set(re.findall(r"\{(\w*)\}", self.header)) - {"rows", "cols"}
        if bad:
            raise ValueError(f"grid format: header may only use {{rows}} and {{cols}}, not {sorted(bad)}")


def encode_grid(grid: Grid, fmt: GridFormat) -> str:
    rows = fmt.row_sep.join(fmt.cell_sep.join(str(v) for v in row) for row in grid)
    if not fmt.header:
        return rows
    return fmt.header.format(rows=len(grid), cols=len(grid[0])) + fmt.row_sep + rows


_FENCE = re.compile(r"```[a-zA-Z]*\n?(.*?)(?:```|\Z)", re.S)


def _header_regex(fmt: GridFormat) -> re.Pattern:
    parts = re.split(r"(\{rows\}|\{cols\})", fmt.header.strip())
    pattern = "".join({"{rows}": r"(?P<rows>\d+)", "{cols}": r"(?P<cols>\d+)"}.get(p, re.escape(p)) for p in parts)
    return re.compile(r"\s*" + pattern + r"\s*$")


def _row(line: str, fmt: GridFormat) -> tuple[int, ...] | None:
    text = line.strip()
    if fmt.cell_sep.strip():
        text = text.replace(fmt.cell_sep.strip(), " ")
    cells = text.split() if " " in text else list(text)
    if not cells or not all(len(c) == 1 and c.isdigit() for c in cells):
        return None
    return tuple(int(c) for c in cells)


def parse_grid_text(text: str, fmt: GridFormat) -> Grid | None:
    """The first grid in a response, or None. Tolerates code fences, a missing or wrong
    header, JSON lists and text around the grid; a ragged or oversized grid is None."""
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
