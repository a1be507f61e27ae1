"""The public models' formats: every preset's exact text for a small task (transcribed from the
format definitions in their public code, see each preset file's header), the ideal responses
parsed back, programs run in the model's own terms, and every grid encoder's exact inverse over
every grid of ARC-AGI-1 and ARC-AGI-2."""

import pytest

from kernel.grids import parse_grid
from kernel.prompting import load_template
from kernel.prompting.builder import CharRenderer, build_prompts
from kernel.prompting.grid_text import GridFormat, decode_grid, encode_grid, parse_grid_text
from kernel.prompting.parsing import parse_response
from kernel.prompting.templates import builtin_names
from kernel.tasks import Pair, Task

# rotate by 180 degrees: the test output is [[9, 8], [7, 6]]
TASK = Task("toy", (Pair(parse_grid([[1, 2], [3, 4]]), parse_grid([[4, 3], [2, 1]])),
                    Pair(parse_grid([[0, 5]]), parse_grid([[5, 0]]))),
            (Pair(parse_grid([[6, 7], [8, 9]]), parse_grid([[9, 8], [7, 6]])),))
ANSWER = ((9, 8), (7, 6))


class QwenChat(CharRenderer):
    """Qwen2.5's chat template (ChatML) with a system message, as its tokenizer renders it."""

    def __init__(self):
        super().__init__("<|im_end|>")

    def render(self, system, user, chat):
        assert chat
        return (f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n"
                "<|im_start|>assistant\n")


class Llama31Chat(CharRenderer):
    """Llama 3.1's chat template (BARC's models) with a system message."""

    def __init__(self):
        super().__init__("<|eot_id|>")

    def render(self, system, user, chat):
        assert chat
        return ("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\n"
                f"Today Date: 26 Jul 2024\n\n{system}<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n{user}"
                "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")


ARC24_OUTPUT = (
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "<|im_start|>user\n"
    "Let's see if you can solve this simple Abstraction and Reasoning Challenge (ARC) task.\n"
    "Below there are some input-output grid examples that define the task.\n"
    "Your job is to understand the transformation between the input and the output and apply it to the test input grid.\n"
    "The transformations are always based on the following priors: objectness, goal-directed, numbers & counting, and basic geometry & topology.\n"
    "\n## Example 1\n\n### Input\n\n```grid shape: 2x2\n1 12\n2 34\n```\n\n### Output\n\n```grid shape: 2x2\n1 43\n2 21\n```\n"
    "\n## Example 2\n\n### Input\n\n```grid shape: 1x2\n1 05\n```\n\n### Output\n\n```grid shape: 1x2\n1 50\n```\n"
    "\n## Test case\n\n### Input\n\n```grid shape: 2x2\n1 67\n2 89\n```<|im_end|>\n"
    "<|im_start|>assistant\n### Output\n\n```grid")

ARC24_CODE = (
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "<|im_start|>user\n"
    "You are tasked with solving a transformation problem from the Abstraction and Reasoning Challenge (ARC).\n"
    "The goal is to generate a Python function called `task` that receives a 2D numpy array, `grid`, and transforms it to match the desired output.\n"
    "\n"
    "Below are several input-output examples that illustrate the transformation. Your function should generalize the pattern from these examples to solve any input following the same logic.\n"
    "\n## Key Priors:\n\n"
    "- **Objectness**: Consider the grid as containing objects (groups of connected cells) rather than just individual pixels.\n"
    "- **Goal-Directed**: The transformation should achieve a specific goal, such as creating symmetry or changing the color of specific objects.\n"
    "- **Numbers & Counting**: Keep track of the number of objects, sizes, and their relative positions.\n"
    "- **Geometry & Topology**: Use spatial relationships such as adjacency, enclosure, or symmetry.\n"
    "\nCarefully analyze the examples and find the underlying transformation logic.\n"
    "\n## Examples\n"
    "\n### Example 1\n\n#### Input\n\n```grid shape: 2x2\n1 12\n2 34\n```\n\n#### Output\n\n```grid shape: 2x2\n1 43\n2 21\n```\n"
    "\n### Example 2\n\n#### Input\n\n```grid shape: 1x2\n1 05\n```\n\n#### Output\n\n```grid shape: 1x2\n1 50\n```\n"
    "\n## Code\n\nImplement the transformation in Python.<|im_end|>\n"
    "<|im_start|>assistant\n```python\n")

BARC_SYSTEM = ("You are a world-class puzzle solver with exceptional pattern recognition skills and expertise in Python "
               "programming. Your task is to analyze puzzles and provide Python solutions.")
BARC_INTRO = ("Given input-output grid pairs as reference examples, carefully observe the patterns to predict the output "
              "grid for new test input. Each pair follows the same transformation rule. Grids are 2D arrays represented "
              "as strings, with cells (colors) separated by spaces and rows by newlines.\n"
              "Here are the input and output grids for the reference examples:\n")
BARC_ASK = ("Write a Python function `transform` that can convert any given input grid to its corresponding output grid "
            "based on the pattern observed in the reference examples.")
BARC_PREFILL = ("Let's solve this puzzle using Python code with the common library functions. We'll first reason about "
                "the problem and then write the code to solve it. The `transform` function will take the input grid and "
                "return the output grid. Here is the Python code with the comments describing how to solve the problem:")
LLAMA_HEAD = ("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\n"
              "Today Date: 26 Jul 2024\n\n" + BARC_SYSTEM + "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n")
LLAMA_ASSISTANT = "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"

BARC_CODE = (LLAMA_HEAD + BARC_INTRO
             + "Example 1\nInput:\nBlue Red\nGreen Yellow\n\nOutput:\nYellow Green\nRed Blue\n\n\n"
             + "Example 2\nInput:\nBlack Gray\n\nOutput:\nGray Black\n\n\n"
             + "Here is the input grid for the test example:\nInput:\nPink Orange\nPurple Brown\n\n"
             + BARC_ASK + LLAMA_ASSISTANT + BARC_PREFILL + "\n")

ARC25_CODE = (LLAMA_HEAD + BARC_INTRO
              + "Example 1\nInput:\nBlue Red\nGreen Yellow\n\nOutput:\nYellow Green\nRed Blue\n\n"
              + "Example 2\nInput:\nBlack Gray\n\nOutput:\nGray Black\n\n"
              + "\nHere is the input grid for the test example:\nPink Orange\nPurple Brown\n\n"
              + BARC_ASK + LLAMA_ASSISTANT + BARC_PREFILL)

ARCHITECTS_OUTPUT = ("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjklmnpqrstuvwxyz"
                     "I12\n34\n+/-=O43\n21\n<|eot_id|>"
                     "I05\n+/-=O50\n<|eot_id|>"
                     "I67\n89\n+/-=O")

NVARC_OUTPUT = ("<|im_start|>user\n12\n34<|im_end|><|im_start|>assistant\n43\n21<|im_end|>"
                "<|im_start|>user\n05<|im_end|><|im_start|>assistant\n50<|im_end|>"
                "<|im_start|>user\n67\n89<|im_end|><|im_start|>assistant\n")

BARC_PROGRAM = ("from common import *\n\nimport numpy as np\nfrom typing import *\n\n# concepts:\n# rotation\n\n"
                "# description:\n# Rotate the input grid 180 degrees.\n\ndef transform(input_grid):\n"
                "    output_grid = rotate_half(input_grid)\n    return output_grid\n")
COMMON = "import numpy as np\n\n\ndef rotate_half(grid):\n    assert isinstance(grid, np.ndarray)\n    return np.rot90(grid, 2)\n"

# preset, renderer, the exact prompt, the model's ideal response (what follows the prompt)
GOLDEN = [
    ("arc24-output", QwenChat, ARC24_OUTPUT, " shape: 2x2\n1 98\n2 76\n```"),
    ("arc24-code", QwenChat, ARC24_CODE, "def task(grid):\n    return np.flip(grid)\n```"),
    ("barc-code", Llama31Chat, BARC_CODE, "```python\n" + BARC_PROGRAM + "```\n"),
    ("arc25-code", Llama31Chat, ARC25_CODE, "\n```python\n" + BARC_PROGRAM + "```"),
    ("architects-output", lambda: CharRenderer("<|eot_id|>"), ARCHITECTS_OUTPUT, "98\n76\n"),
    ("nvarc-output", CharRenderer, NVARC_OUTPUT, "98\n76"),
]


@pytest.mark.parametrize("preset,renderer,prompt,response", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_each_preset_writes_its_models_exact_prompt(preset, renderer, prompt, response):
    prompts, skipped = build_prompts([TASK], load_template(preset), renderer(), 100_000)
    assert skipped == [] and len(prompts) == 1
    assert prompts[0].text == prompt


@pytest.mark.parametrize("preset,renderer,prompt,response", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_each_presets_ideal_response_is_understood_and_its_program_answers(preset, renderer, prompt, response):
    from kernel.sandbox import Sandbox, SandboxLimits

    template = load_template(preset)
    parsed = parse_response(response, template)
    assert parsed.error is None
    if template.kind == "output-from-examples":
        assert parsed.grid == ANSWER
        return
    modules = {"common": COMMON} if template.program.module else {}
    with Sandbox(1, SandboxLimits(5, 512), ["numpy", "typing"], modules) as sb:
        result = sb.run(parsed.code, [[list(r) for r in p.input] for p in TASK.train + TASK.test])
    assert [o.status for o in result.outcomes] == ["ok"] * 3
    assert [tuple(map(tuple, o.grid)) for o in result.outcomes] == [p.output for p in TASK.train + TASK.test]


@pytest.mark.parametrize("preset", [g[0] for g in GOLDEN])
def test_fine_tuning_targets_are_what_the_model_writes_after_the_prefill(preset):
    template = load_template(preset)
    if template.kind == "output-from-examples":
        target = template.target({"output": encode_grid(ANSWER, template.grid), "eos": "<eos>"})
        assert parse_response(target, template).grid == ANSWER
        assert not template.prefill or not target.startswith(template.prefill)
    else:
        target = template.target({"code": "def f():\n    pass\n"})
        assert "def f()" in target and not target.startswith(template.prefill or "\0")


def test_a_program_for_a_module_the_sandbox_lacks_fails_alone_with_the_reason():
    from kernel.sandbox import Sandbox, SandboxLimits

    parsed = parse_response("```python\n" + BARC_PROGRAM + "```\n", load_template("barc-code"))
    with Sandbox(1, SandboxLimits(5, 512), ["numpy", "typing"], {"common": "raise ImportError('broken DSL')"}) as sb:
        result = sb.run(parsed.code, [[[1, 2]]])
    assert result.outcomes[0].status == "error" and "common" in result.outcomes[0].detail


def test_a_code_response_without_the_entry_function_names_it():
    parsed = parse_response("def transform(grid):\n    return grid\n```", load_template("arc24-code"))
    assert not parsed.answered and "no def task(...)" in parsed.error


# --- grid encoders: each part alone and the presets' compositions, exact inverses --------------

ENCODERS = {
    "digits": GridFormat(header=""),
    "shape line": GridFormat(header="{rows} {cols}"),
    "row numbers from 0": GridFormat(header="", row_numbers=0),
    "row numbers from 1": GridFormat(header="", row_numbers=1),
    "fence": GridFormat(header="", fence="grid"),
    "color names": GridFormat(header="", cells="color-names", cell_sep=" "),
    "custom alphabet": GridFormat(header="", cells="abcdefghij"),
    "row separator": GridFormat(header="{rows}x{cols}", cell_sep=",", row_sep="|"),
    "cells separated": GridFormat(header="", cell_sep=" "),
    **{f"preset {n}": load_template(n).grid for n in builtin_names()},
}


def _all_grids():
    from kernel.tasks import load_tasks

    for name in ("arc-agi-1/training", "arc-agi-1/evaluation", "arc-agi-2/training", "arc-agi-2/evaluation"):
        for task in load_tasks(name).tasks:
            for pair in task.train + task.test:
                yield pair.input
                if pair.output is not None:
                    yield pair.output


@pytest.mark.slow
def test_every_arc_grid_round_trips_through_every_encoder():
    grids = list(_all_grids())
    assert len(grids) == 16_668   # every grid of the four sets (train and test pairs, inputs and outputs)
    for name, fmt in ENCODERS.items():
        for grid in grids:
            text = encode_grid(grid, fmt)
            assert decode_grid(text, fmt) == grid, (name, grid)
            assert parse_grid_text(text, fmt) == grid, (name, grid)


def test_the_strict_decoder_refuses_text_it_would_not_write():
    fmt = load_template("arc24-output").grid
    good = encode_grid(ANSWER, fmt)
    assert decode_grid(good, fmt) == ANSWER
    for bad in (good.replace("2x2", "2x3"), good.replace("1 98", "0 98"), good[:-3], good.replace("98", "9x")):
        with pytest.raises(ValueError):
            decode_grid(bad, fmt)
    assert parse_grid_text(good.replace("2x2", "2x3"), fmt) == ANSWER   # the lenient reader still finds it


def test_grid_formats_that_could_not_be_read_back_are_refused():
    for bad in (dict(cells="color-names"), dict(cells="0123"), dict(row_numbers=2), dict(cells="ab cdefghij"),
                dict(fence="a b")):
        with pytest.raises(ValueError):
            GridFormat(**bad)


def test_the_models_own_chat_template_renders_the_same_prompt(demo_model):
    """The demo model's tokenizer carries ChatML, the template Qwen2.5 renders with a system message."""
    from transformers import AutoTokenizer

    from kernel.prompting.builder import TokenizerRenderer

    renderer = TokenizerRenderer(AutoTokenizer.from_pretrained(demo_model))
    prompts, _ = build_prompts([TASK], load_template("arc24-output"), renderer, 100_000)
    assert prompts[0].text == ARC24_OUTPUT


def test_fine_tuning_trains_on_the_presets_own_prompts_and_answers():
    from kernel.ttft.data import output_samples

    template = load_template("arc24-output")
    samples = output_samples([TASK], template, QwenChat(), 100_000, 1, True, False, 0)
    # leave-one-out over the two train pairs: each is once the test case of a prompt
    assert len(samples) == 2
    first = samples[0]
    assert first.prompt.endswith("<|im_start|>assistant\n### Output\n\n```grid")
    assert first.answer == " shape: 2x2\n1 43\n2 21\n```"   # the first train pair held out
    assert parse_response(first.answer, template).grid == ((4, 3), (2, 1))
