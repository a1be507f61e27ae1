"""What every engine takes and gives: requests in, completions streamed out as they
finish, so a caller can stop at a deadline and keep what already came back."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Iterable, Iterator


class EngineError(RuntimeError):
    """An engine could not start or serve at all (the message says what to check)."""


@dataclass(frozen=True)
class Sampling:
    n: int = 1
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 256
    seed: int | None = None
    # set: depth-first sampling instead (every completion at least this probable, the greedy one
    # first; n, temperature and top_p unused), at most `max_steps` tokens fed per prompt
    min_prob: float | None = None
    max_steps: int = 4096


@dataclass(frozen=True)
class Adapter:
    """A LoRA adapter saved by peft."""
    name: str
    path: str


@dataclass(frozen=True)
class AdapterSet:
    """Which adapter serves which task (test-time fine-tuning makes one per task or per share
    of the tasks); tasks not listed get `default` (None: the base weights). An augmented
    task's id ("TASK~aug") is served by its task's adapter."""
    by_task: dict[str, Adapter]
    default: Adapter | None = None

    def for_task(self, task_id: str) -> Adapter | None:
        return self.by_task.get(task_id.split("~", 1)[0], self.default)


@dataclass(frozen=True)
class Request:
    """A prompt to sample from or, with `answer`, to score: the engine then returns the
    log-probability of `answer` and the end-of-sequence token after the prompt, teacher-forced
    (one text, the answer; `logprobs` its total), and `sampling` is not used."""
    id: str
    prompt: str
    sampling: Sampling
    adapter: Adapter | None = None
    answer: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict) -> "Request":
        return Request(d["id"], d["prompt"], Sampling(**d["sampling"]),
                       Adapter(**d["adapter"]) if d.get("adapter") else None, d.get("answer"))


@dataclass(frozen=True)
class Completion:
    """All n samples of one request. `error` set means no texts: the request failed
    (engine died, prompt rejected, not recorded in a replay) and the reason is here."""
    request_id: str
    texts: tuple[str, ...] = ()
    prompt_tokens: int = 0
    output_tokens: tuple[int, ...] = ()
    finish_reasons: tuple[str, ...] = ()
    t_start: float = 0.0  # wall clock (time.time()) when the engine took the request
    t_end: float = 0.0
    worker: str = ""
    error: str | None = None
    # per text: the sum of its tokens' log-probabilities (natural log, the end-of-sequence token
    # included when it was produced), under the model's own distribution, before temperature
    logprobs: tuple[float | None, ...] = ()

    @property
    def tokens(self) -> int:
        return sum(self.output_tokens)


@dataclass
class EngineStats:
    requests: int = 0
    failed: int = 0
    prompt_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)


class Engine(ABC):
    """Subclasses implement _generate; stop() may be called from any thread."""

    name = "engine"

    def __init__(self) -> None:
        self._stop = threading.Event()

    def generate(self, requests: Iterable[Request], deadline: float | None = None) -> Iterator[Completion]:
        """Completions in the order they finish. Ends early, without raising, at `deadline`
        (time.monotonic()) or after stop(); unfinished requests then yield nothing."""
        self._stop.clear()
        return self._generate(list(requests), deadline)

    @abstractmethod
    def _generate(self, requests: list[Request], deadline: float | None) -> Iterator[Completion]: ...

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def teacher_forced_ids(tokenizer, prompt: str, answer: str) -> tuple[list[int], int]:
    """(prompt, answer and end-of-sequence token ids; how many of them are the answer's): tokenized
    apart and joined, as the trainers join them, so a score measures what training taught."""
    head = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    tail = tokenizer(answer, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    return head + tail, len(tail)
