"""Prompt templates (presets): TOML files with named placeholders, one per model format.

    name = "my-format"            # recorded with every candidate, with the version
    version = 3
    kind = "output-from-examples" # or "code-from-examples"
    chat = true                   # render system+user with the model's chat template; false: the text as is
    system = "..."
    user = "...{examples}...{test_input}..."   # also {n_examples}, {dsl} (the kernel.dsl catalogue), {eos};
                                               # a code prompt may leave {test_input} out
    example = "Input:\n{input}\nOutput:\n{output}"   # also {index} (from 1) and {eos}
    example_sep = "\n\n"
    prefill = ""                  # the start of the model's answer, written into the prompt; the parser
                                  # reads prefill + response (arc24: "### Output\n\n```grid")
    answer = "{output}"           # the whole right answer, prefill included (fine-tuning targets)
    prompts = "per-test"          # one prompt per test input, or "per-task" (all test inputs in one)
    [grid]                        # kernel/prompting/grid_text.py: header, cell_sep, row_sep,
    header = "{rows} {cols}"      # row_numbers, fence, cells
    [program]                     # code-from-examples only
    entry = "transform"           # the function the model writes
    input = "lists"               # or "numpy": what the function is given
    module = ""                   # a module its programs import (BARC's "common"): NAME.py in the
                                  # model folder, preloaded in the sandbox

{eos} is the tokenizer's end-of-sequence token (per-example end tokens, as the ARChitects' format has).
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
_PLACEHOLDER = re.compile(r"\{(examples|test_input|n_examples|dsl|input|output|index|code|eos)\}")
PROMPTS = ("per-test", "per-task")
INPUTS = ("lists", "numpy")


class TemplateError(ValueError):
    pass


def fill(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), text)


@dataclass(frozen=True)
class ProgramSpec:
    """How the model's programs are called: `entry(grid)` with `grid` as lists or a numpy array,
    and a module they import (shipped in the model folder as NAME.py), if any."""
    entry: str = "transform"
    input: str = "lists"
    module: str = ""


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
    prefill: str = ""
    per_test: bool = True
    program: ProgramSpec = ProgramSpec()

    @property
    def version_id(self) -> str:
        return f"{self.name}/v{self.version}#{self.digest[:8]}"

    @property
    def uses_dsl(self) -> bool:
        return "{dsl}" in self.system or "{dsl}" in self.user

    def target(self, values: dict[str, str]) -> str:
        """The right answer's text after the prefill (what the model itself must write)."""
        full = fill(self.answer, values)
        return full[len(self.prefill):] if self.prefill and full.startswith(self.prefill) else full


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
    if kind == "output-from-examples" and "{test_input}" not in data["user"]:
        raise TemplateError(f"{where}: user must contain {{test_input}} (the grid the model answers)")
    unknown = set(data) - {"name", "version", "kind", "chat", "system", "user", "example", "example_sep", "answer",
                           "grid", "prefill", "prompts", "program"}
    if unknown:
        raise TemplateError(f"{where}: unknown keys {sorted(unknown)}")
    grid = data.get("grid", {})
    try:
        fmt = GridFormat(**grid)
    except TypeError:
        raise TemplateError(f"{where}: [grid] takes header, cell_sep, row_sep, row_numbers, fence and cells") from None
    except ValueError as e:
        raise TemplateError(f"{where}: {e}") from None
    prompts = data.get("prompts", "per-test" if kind == "output-from-examples" else "per-task")
    if prompts not in PROMPTS or (kind == "output-from-examples" and prompts != "per-test"):
        raise TemplateError(f"{where}: prompts must be per-test or per-task (output prompts: per-test), got {prompts!r}")
    try:
        program = ProgramSpec(**data.get("program", {}))
    except TypeError:
        raise TemplateError(f"{where}: [program] takes entry, input and module") from None
    if not program.entry.isidentifier() or program.input not in INPUTS or \
            (program.module and not all(p.isidentifier() for p in program.module.split("."))):
        raise TemplateError(f"{where}: [program] entry must be a Python name, input one of {', '.join(INPUTS)}, "
                            f"module a module name; got {program}")
    prefill = str(data.get("prefill", ""))
    default_answer = prefill + ("```python\n{code}```" if kind == "code-from-examples" else "{output}")
    return PromptTemplate(
        name=data["name"], version=int(data.get("version", 1)), kind=kind,
        system=str(data.get("system", "")), user=data["user"],
        example=str(data.get("example", "Input:\n{input}\nOutput:\n{output}")),
        example_sep=str(data.get("example_sep", "\n\n")), answer=str(data.get("answer", default_answer)),
        chat=bool(data.get("chat", True)), grid=fmt, digest=digest, prefill=prefill,
        per_test=prompts == "per-test", program=program,
    )
