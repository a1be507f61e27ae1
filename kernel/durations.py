"""Durations as people write them (10, 10s, 500ms, 2m, 3h, 1h30m), and stage budgets."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h)?")
_SCALE = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(text: str | int | float) -> float:
    """Seconds; raises ValueError with a message saying what is accepted."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    t = str(text).strip().lower().replace(" ", "")
    pos, total = 0, 0.0
    while pos < len(t):
        m = _PART.match(t, pos)
        if not m or m.end() == pos:
            raise ValueError(f"{text!r} is not a duration like 10s, 500ms, 2m, 3h or 1h30m")
        total += float(m[1]) * _SCALE[m[2]]
        pos = m.end()
    if not t:
        raise ValueError("empty duration")
    return total


def budget_seconds(value: float | str, total_s: float) -> float:
    """A stage budget: a number in [0, 1] is a fraction of the run; a string a duration ("3h", "20m")."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 0 <= value <= 1:
            raise ValueError(f"{value}: a number is a fraction of the run, 0..1; write durations as \"3h\"")
        return float(value) * total_s
    return parse_duration(value)
