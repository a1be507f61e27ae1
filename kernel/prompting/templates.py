"""Prompt templates: TOML files with named placeholders.

    name = "my-format"            # recorded with every candidate, with the version
    version = 3
    kind = "output-from-examples" # or "code-from-examples"
    chat = true                   # render system+user with the model's chat template; false: user text as is
    system = "..."
    user = "...{examples}...{test_input}..."   # also {n_examples}, {dsl} (the kernel.dsl catalogue)
    example = "Input:\\n{input}\\nOutput:\\n{output}"
    example_sep = "\\n\\n"
    answer = "{output}"           # what a right response looks like (test-time fine-tuning targets)
    [grid]
    header = "{rows} {cols}"
    cell_sep = ""
    row_sep = "\\n"

Only the placeholders above are replaced, so braces elsewhere (Python dicts in a code
prompt) need no escaping."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .grid_text import GridFormat

KINDS = ("code-from-examples", "output-from-examples")
BUILTIN_DIR = Path(__file__).with_name("templates")
_PLACEHOLDER = re.compile(r"\{(examples|test_input|n_examples|dsl|input|output|index|code)\}")


class TemplateError(ValueError):
    pass


def fill(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), text)


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: int
    kind: str
    system: str
    user: str
    example: str
    example_sep: str
    answer: str
    chat: bool
    grid: GridFormat
    digest: str  # of the file's text: an edited template is a different prompt version

    @property
    def version_id(self) -> str:
        return f"{self.name}/v{self.version}#{self.digest[:8]}"

    @property
    def uses_dsl(self) -> bool:
        return "{dsl}" in self.system or "{dsl}" in self.user


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def load_template(spec: str | Path) -> PromptTemplate:
    """A built-in name (see builtin_names()) or a path to a template file."""
    path = Path(spec)
    if not path.suffix and (BUILTIN_DIR / f"{spec}.toml").is_file():
        path = BUILTIN_DIR / f"{spec}.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise TemplateError(f"{spec}: no such prompt template (built-in: {', '.join(builtin_names())}, "
                            "or a path to a .toml template file)") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise TemplateError(f"{path}: not valid TOML: {e}") from None
    return template_from_dict(data, str(path), hashlib.sha256(text.encode()).hexdigest())


def template_from_dict(data: dict, where: str, digest: str) -> PromptTemplate:
    kind = data.get("kind")
    if kind not in KINDS:
        raise TemplateError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    for key in ("name", "user"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise TemplateError(f"{where}: {key} must be a non-empty string")
    if "{test_input}" not in data["user"]:
        raise TemplateError(f"{where}: user must contain {{test_input}}")
    unknown = set(data) - {"name", "version", "kind", "chat", "system", "user", "example", "example_sep", "answer", "grid"}
    if unknown:
        raise TemplateError(f"{where}: unknown keys {sorted(unknown)}")
    grid = data.get("grid", {})
    try:
        fmt = GridFormat(**grid)
    except TypeError:
        raise TemplateError(f"{where}: [grid] takes header, cell_sep and row_sep") from None
    except ValueError as e:
        raise TemplateError(f"{where}: {e}") from None
    default_answer = "```python\n{code}```" if kind == "code-from-examples" else "{output}"
    return PromptTemplate(
        name=data["name"], version=int(data.get("version", 1)), kind=kind,
        system=str(data.get("system", "")), user=data["user"],
        example=str(data.get("example", "Input:\n{input}\nOutput:\n{output}")),
        example_sep=str(data.get("example_sep", "\n\n")), answer=str(data.get("answer", default_answer)),
        chat=bool(data.get("chat", True)), grid=fmt, digest=digest,
    )
