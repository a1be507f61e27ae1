"""The stages of the pipeline, in one table that the settings, the budget plan, the command
line, the stage processes, tuning and the report all read.

Each runner is named by its module, not imported: this table sits below everything that
runs a stage, and a stage process imports only the runner it needs (vLLM and torch stay out
of processes that never sample)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StageSpec:
    name: str
    help: str
    runner: str             # "module:function" with the stage's (ctx, trace, stop) -> stats
    default_budget: float   # a fraction of the run
    needs_model: bool       # skipped without --model (except sampling from a replay)
    alongside: bool         # on CPU cores from the start, beside the sequential (GPU) stages
    color: str              # in the report's plots


STAGE_SPECS: tuple[StageSpec, ...] = (
    StageSpec("ttft", "test-time fine-tuning: LoRA adapters trained on the tasks' own train pairs",
              "kernel.stages.ttft:run", 0.2, True, False, "#F012BE"),
    StageSpec("programs", "programs given in a file (--programs), verified in the sandbox",
              "kernel.stages.programs:run", 0.05, False, False, "#AAAAAA"),
    StageSpec("sample_code", "programs sampled from the model, verified in the sandbox",
              "kernel.stages.sample_code:run", 0.5, True, False, "#0074D9"),
    StageSpec("sample_output", "output grids sampled from the model under augmentations",
              "kernel.stages.sample_output:run", 0.45, True, False, "#FF851B"),
    StageSpec("score_output", "the most voted grids re-scored by the model's likelihood under augmented views "
              "(for selection.method product-of-experts or votes-minus-nll)",
              "kernel.stages.score_output:run", 0.1, True, False, "#B10DC9"),
    StageSpec("search", "the CPU program search over the DSL, verified in the sandbox",
              "kernel.stages.search:run", 1.0, False, True, "#2ECC40"),
)
STAGES: dict[str, StageSpec] = {s.name: s for s in STAGE_SPECS}
STAGE_NAMES: tuple[str, ...] = tuple(STAGES)
FAULTS = ("hang", "crash", "exit")  # the fault drills a stage can be made to perform
