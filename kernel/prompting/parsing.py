"""Model responses -> a program or a grid. Garbage is an unanswered prediction with a
reason, never an exception: random or half-trained models write a lot of it.

The template's prefill is put back in front of the response first (it was written into the
prompt, so the model's text continues it). A program is returned ready for the sandbox, which
calls `transform(grid)` with lists: a model that writes `task(grid)` on a numpy array (arc24) or
`transform(input_grid)` on one (BARC) gets a small adapter appended, in the program's own text."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ..grids import Grid
from .grid_text import parse_grid_text
from .templates import ProgramSpec, PromptTemplate

_BLOCK = re.compile(r"```[ \t]*([a-zA-Z0-9_+-]*)[ \t]*\n(.*?)(?:```|\Z)", re.S)


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


def extract_code(text: str, entry: str = "transform") -> tuple[str | None, str | None]:
    """(code, None) or (None, reason). Takes the last fenced block that defines the entry
    function (models often restate a draft first), else the raw response; a block cut
    short by max_tokens is tried too, then dropped if it does not compile."""
    define = re.compile(rf"^def\s+{re.escape(entry)}\s*\(", re.M)
    blocks = [body for lang, body in _BLOCK.findall(text) if lang.lower() in ("", "python", "py", "python3")]
    candidates = [b for b in blocks if define.search(b)]
    if not candidates and define.search(text):
        candidates = [text[define.search(text).start():]]
    if not candidates:
        return None, f"no def {entry}(...) in the response"
    for code in reversed(candidates):
        code = code.strip("\n") + "\n"
        if _compiles(code):
            return code, None
    return None, "the program does not parse (syntax error or cut off)"


def runnable(code: str, spec: ProgramSpec) -> str:
    """The program as the sandbox runs it: `transform(grid)` on lists, whatever the model writes."""
    if spec.entry == "transform" and spec.input == "lists":
        return code
    arg = "_np.array(grid)" if spec.input == "numpy" else "grid"
    head = "import numpy as np\n" if spec.input == "numpy" else ""   # arc24's programs use np unimported
    return (head + code.rstrip("\n") + f"\n\n\n# added by the kernel: the sandbox calls transform(grid) with lists\n"
            f"import numpy as _np\n_entry = {spec.entry}\n\n\ndef transform(grid):\n    return _entry({arg})\n")


def parse_response(text: str, template: PromptTemplate) -> ParsedResponse:
    text = template.prefill + text
    if template.kind == "code-from-examples":
        code, error = extract_code(text, template.program.entry)
        return ParsedResponse(code=None if code is None else runnable(code, template.program), error=error)
    grid = parse_grid_text(text, template.grid)
    return ParsedResponse(grid=grid, error=None if grid is not None else "no rectangular grid in the response")
