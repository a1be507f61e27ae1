"""Model responses -> a program or a grid. Garbage is an unanswered prediction with a
reason, never an exception: random or half-trained models write a lot of it."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ..grids import Grid
from .grid_text import GridFormat, parse_grid_text

_BLOCK = re.compile(r"```[ \t]*([a-zA-Z0-9_+-]*)[ \t]*\n(.*?)(?:```|\Z)", re.S)
_DEF = re.compile(r"^def\s+transform\s*\(", re.M)


@dataclass(frozen=True)
class ParsedResponse:
    code: str | None = None
    grid: Grid | None = None
    error: str | None = None  # why nothing usable came out

    @property
    def answered(self) -> bool:
        return self.code is not None or self.grid is not None


def _compiles(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


def extract_code(text: str) -> tuple[str | None, str | None]:
    """(code, None) or (None, reason). Takes the last fenced block that defines
    transform (models often restate a draft first), else the raw response; a block cut
    short by max_tokens is tried too, then dropped if it does not compile."""
    blocks = [body for lang, body in _BLOCK.findall(text) if lang.lower() in ("", "python", "py", "python3")]
    candidates = [b for b in blocks if _DEF.search(b)]
    if not candidates and _DEF.search(text):
        candidates = [text[_DEF.search(text).start():]]
    if not candidates:
        return None, "no def transform(...) in the response"
    for code in reversed(candidates):
        code = code.strip("\n") + "\n"
        if _compiles(code):
            return code, None
    return None, "the program does not parse (syntax error or cut off)"


def parse_response(text: str, kind: str, fmt: GridFormat) -> ParsedResponse:
    if kind == "code-from-examples":
        code, error = extract_code(text)
        return ParsedResponse(code=code, error=error)
    grid = parse_grid_text(text, fmt)
    return ParsedResponse(grid=grid, error=None if grid is not None else "no rectangular grid in the response")
