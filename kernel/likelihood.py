"""How likely the model finds a given answer: a candidate output grid's log-probability,
teacher-forced, under several augmented views of its task (the view applied to the examples,
the test input and the grid, the examples in another order). The ARChitects rank candidates by
the sum over views ("product of experts"), NVARC subtracts the mean negative log-likelihood
from the votes; `kernel.orchestrator.selection` does either from the scores made here."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, Sequence

from .augment import View
from .engines.base import Adapter, Request, Sampling
from .grids import Grid, GridError, parse_grid
from .prompting import PromptRenderer, PromptTemplate, build_prompts
from .prompting.grid_text import encode_grid
from .tasks import Pair, Task


def most_voted(events: Iterable[dict], n_tests: Mapping[str, int], k: int) -> dict[tuple[str, int], list[Grid]]:
    """(task, test index) -> its k most sampled grids (grid candidates in a trace), most first."""
    votes: dict = defaultdict(Counter)
    for e in events:
        i = e.get("test_index")
        if (e.get("event") != "candidate" or e.get("kind") != "grid" or e.get("grid") is None
                or not isinstance(i, int) or not 0 <= i < n_tests.get(e.get("task_id"), 0)):
            continue
        try:
            votes[(e["task_id"], i)][parse_grid(e["grid"])] += 1
        except GridError:
            continue
    return {key: [g for g, _ in c.most_common(k)] for key, c in votes.items()}


@dataclass(frozen=True)
class ScoreRequest:
    request: Request
    task_id: str
    test_index: int
    grid: Grid          # the candidate, in the task's own frame
    view: str


def score_requests(task: Task, test_index: int, grids: Sequence[Grid], views: Sequence[View],
                   template: PromptTemplate, renderer: PromptRenderer, max_prompt_tokens: int,
                   adapter: Adapter | None = None) -> Iterator[ScoreRequest]:
    """One request per (view, grid): the view's prompt for this test input, the grid under the view
    as the answer written the way the template trains and parses it."""
    single = Task(task.id, task.train, (Pair(task.test[test_index].input, None),))
    for view in views:
        prompts, _ = build_prompts([view.task(single)], template, renderer, max_prompt_tokens)
        for p in prompts[:1]:
            for k, g in enumerate(grids):
                answer = template.target({"output": encode_grid(view.augmentation.grid(g), template.grid), "eos": renderer.eos})
                yield ScoreRequest(Request(f"{task.id}/{test_index}/{view.name}/{k}", p.text, Sampling(), adapter, answer),
                                   task.id, test_index, g, view.name)
