"""Prompts for tasks: one per test input (grids, and programs where the model was trained so),
or one per task (a program answers every test input). The template's prefill ends the prompt,
after the chat template's opening of the assistant turn. A prompt longer than the model's context
loses its largest train examples first (at least one stays); one that still does not fit is
skipped with a reason."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Protocol, Sequence

from ..tasks import Task
from .grid_text import encode_grid
from .templates import PromptTemplate, fill

log = logging.getLogger(__name__)


def prompt_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class PromptRenderer(Protocol):
    eos: str  # the end-of-sequence token's text ({eos} in templates)

    def render(self, system: str, user: str, chat: bool) -> str: ...
    def count(self, text: str) -> int: ...


class TokenizerRenderer:
    """The model's own chat template and token count, from a Hugging Face tokenizer."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer
        self.eos = getattr(tokenizer, "eos_token", None) or ""
        self.has_chat = bool(getattr(tokenizer, "chat_template", None))
        if not self.has_chat:
            log.warning("the tokenizer has no chat template: prompts are the system and user text joined")

    def render(self, system: str, user: str, chat: bool) -> str:
        if not (chat and self.has_chat):
            return f"{system}\n\n{user}" if system else user
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": user}]
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def count(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])


class CharRenderer:
    """No tokenizer (tests, replay without a model): one token per character, an upper bound."""

    def __init__(self, eos: str = "") -> None:
        self.eos = eos

    def render(self, system: str, user: str, chat: bool) -> str:
        return f"{system}\n\n{user}" if system else user

    def count(self, text: str) -> int:
        return len(text)


@dataclass(frozen=True)
class Prompt:
    id: str
    task_id: str
    test_index: int | None  # None: a program prompt, answering every test input
    kind: str
    version: str
    text: str
    tokens: int
    n_examples: int

    @property
    def digest(self) -> str:
        return prompt_digest(self.text)


@dataclass(frozen=True)
class Skipped:
    task_id: str
    test_index: int | None
    reason: str


def _dsl_catalogue() -> str:
    from .. import dsl

    return dsl.catalogue()


def _render(template: PromptTemplate, renderer: PromptRenderer, examples: list[str], test_text: str,
            dsl_text: str) -> str:
    values = {"examples": template.example_sep.join(examples), "test_input": test_text,
              "n_examples": str(len(examples)), "dsl": dsl_text, "eos": renderer.eos}
    return renderer.render(fill(template.system, values), fill(template.user, values), template.chat) + template.prefill


def build_prompts(tasks: Sequence[Task], template: PromptTemplate, renderer: PromptRenderer,
                  max_prompt_tokens: int) -> tuple[list[Prompt], list[Skipped]]:
    dsl_text = _dsl_catalogue() if template.uses_dsl else ""
    prompts: list[Prompt] = []
    skipped: list[Skipped] = []
    for task in tasks:
        fmt = template.grid
        examples = [fill(template.example, {"input": encode_grid(p.input, fmt), "output": encode_grid(p.output, fmt),
                                            "index": str(i + 1), "eos": renderer.eos}) for i, p in enumerate(task.train)]
        tests = [encode_grid(g, fmt) for g in task.test_inputs]
        targets = list(enumerate(tests)) if template.per_test else [(None, template.example_sep.join(tests))]
        for test_index, test_text in targets:
            keep = list(range(len(examples)))
            while True:
                text = _render(template, renderer, [examples[i] for i in keep], test_text, dsl_text)
                tokens = renderer.count(text)
                if tokens <= max_prompt_tokens or len(keep) == 1:
                    break
                keep.remove(max(keep, key=lambda i: len(examples[i])))
            if tokens > max_prompt_tokens:
                skipped.append(Skipped(task.id, test_index, f"{tokens} prompt tokens with one example, "
                                                            f"more than the {max_prompt_tokens} that fit"))
                continue
            if len(keep) < len(examples):
                log.debug("%s: %d of %d examples fit in %d tokens", task.id, len(keep), len(examples), max_prompt_tokens)
            where = "all" if test_index is None else str(test_index)
            prompts.append(Prompt(f"{task.id}/{where}/{template.name}", task.id, test_index, template.kind,
                                  template.version_id, text, tokens, len(keep)))
    return prompts, skipped
