"""Training samples for test-time fine-tuning, from the test tasks' own train pairs.

Leave-one-out: each train pair in turn is the target and the other pairs are the examples,
rendered with the same output-from-examples template the sampling stage uses, so the model
is trained on exactly the prompts it will see. Each such sample is multiplied by
augmentations (rotations/flips, color permutations, example order). Programs already
verified on a task can be added as code-from-examples targets."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Mapping, Sequence

from ..augment import augmentations
from ..prompting import PromptTemplate
from ..prompting.builder import PromptRenderer, build_prompts
from ..prompting.grid_text import encode_grid
from ..tasks import Pair, Task


@dataclass(frozen=True)
class Sample:
    task_id: str   # the original task's id (per-task adapters group by it)
    kind: str      # output-from-examples | code-from-examples
    prompt: str    # rendered, ready for the tokenizer; no loss on it
    answer: str    # the target text; loss on its tokens (and the end-of-sequence token)


def leave_one_out(task: Task) -> list[Task]:
    """One task per train pair: that pair as the test, the others as examples. A task with a
    single train pair gives none (it would have no examples)."""
    pairs = task.train
    if len(pairs) < 2:
        return []
    return [Task(f"{task.id}#{j}", pairs[:j] + pairs[j + 1:], (pairs[j],)) for j in range(len(pairs))]


def _shuffled(task: Task, rng: random.Random) -> Task:
    train = list(task.train)
    rng.shuffle(train)
    return Task(task.id, tuple(train), task.test)


def output_samples(tasks: Sequence[Task], template: PromptTemplate, renderer: PromptRenderer, max_seq_len: int,
                   n_augmentations: int, keep_background: bool, shuffle_examples: bool, seed: int) -> list[Sample]:
    rng = random.Random(seed)
    augs = augmentations(n_augmentations, seed, keep_background)
    samples: list[Sample] = []
    for task in tasks:
        for k, loo in enumerate(leave_one_out(task)):
            for a, aug in enumerate(augs):
                t = aug.task(loo)
                if shuffle_examples and (a or k):  # the plain sample stays as the data has it
                    t = _shuffled(t, rng)
                target = t.test[0].output
                answer = template.target({"output": encode_grid(target, template.grid), "eos": renderer.eos})
                prompts, _ = build_prompts([t], template, renderer, max_seq_len - renderer.count(answer) - 1)
                samples += [Sample(task.id, template.kind, p.text, answer) for p in prompts]
    return samples


def code_samples(tasks: Sequence[Task], template: PromptTemplate, renderer: PromptRenderer, max_seq_len: int,
                 programs: Mapping[str, Sequence[str]]) -> list[Sample]:
    """Programs verified on a task (they reproduce every train pair) as answers to the task's
    code-from-examples prompt: the model learns the solutions it or the search found."""
    samples: list[Sample] = []
    for task in tasks:
        for code in programs.get(task.id, ()):
            answer = template.target({"code": code if code.endswith("\n") else code + "\n", "eos": renderer.eos})
            plain = Task(task.id, task.train, tuple(Pair(p.input) for p in task.test))
            prompts, _ = build_prompts([plain], template, renderer, max_seq_len - renderer.count(answer) - 1)
            samples += [Sample(task.id, template.kind, p.text, answer) for p in prompts]
    return samples
