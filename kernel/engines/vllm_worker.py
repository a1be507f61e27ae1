"""The child side of the vLLM engine: one process per device, started with `spawn` and in a
session of its own, so the parent can kill it and every process vLLM starts beneath it.

Messages in:  ("add", [request dicts]), ("abort",), ("quit",)
Messages out: ("ready", wid, info), ("failed", wid, traceback), ("done", wid, completion dict),
              ("aborted", wid, None)
This module imports nothing heavy at the top: CUDA_VISIBLE_DEVICES must be set before torch loads."""

from __future__ import annotations

import os
import queue
import time
import traceback
from dataclasses import dataclass, field

from ..config import VLLMConfig
from .base import teacher_forced_ids
from ..procs import die_with_parent


@dataclass(frozen=True)
class VLLMLaunch:
    """What an engine process starts vLLM with: the model, the [vllm] settings, and what the
    run decides (LoRA serving, the seed, any other vllm.LLM keyword)."""

    model: str
    vllm: VLLMConfig = field(default_factory=VLLMConfig)
    enable_lora: bool = False
    seed: int = 0
    extra: dict = field(default_factory=dict)


def pick_dtype(configured: str, capability: tuple[int, int] | None) -> str:
    """T4 (compute capability 7.5) has no bfloat16: "auto" means float16 there, whatever
    the checkpoint says. On newer GPUs and the CPU, vLLM's own choice stands."""
    if configured != "auto":
        return configured
    if capability is not None and capability < (8, 0):
        return "float16"
    return "auto"


def pick_attention(configured: str, capability: tuple[int, int] | None) -> str | None:
    """T4 (compute capability 7.5): "auto" means TRITON_ATTN. vLLM 0.19.1's own choice there is
    FlashInfer, which fails on Turing (flashinfer issue #3620) and compiles kernels at start-up;
    later vLLM releases raised its floor to 8.0 for that reason. Elsewhere vLLM's choice stands (None)."""
    if configured != "auto":
        return configured
    if capability is not None and capability < (8, 0):
        return "TRITON_ATTN"
    return None


def llm_kwargs(launch: VLLMLaunch, capability: tuple[int, int] | None, on_gpu: bool) -> dict:
    """The keywords for vllm.LLM on a device of this compute capability (None: the CPU); also
    used by the benchmark's bare-vLLM baseline and checked against the shipped vLLM's signatures."""
    v = launch.vllm
    kwargs = dict(model=launch.model, dtype=pick_dtype(v.dtype, capability), max_model_len=v.max_model_len,
                  enable_prefix_caching=v.enable_prefix_caching, max_num_seqs=v.max_num_seqs,
                  enforce_eager=v.enforce_eager, seed=launch.seed)
    if on_gpu:
        kwargs["gpu_memory_utilization"] = v.gpu_memory_utilization
    if launch.enable_lora:
        kwargs.update(enable_lora=True, max_lora_rank=v.max_lora_rank, max_loras=v.max_loras)
    backend = pick_attention(v.attention_backend, capability)
    if backend is not None:
        kwargs["attention_config"] = {"backend": backend}
    kwargs.update(launch.extra)
    return kwargs


def sampling_params(SamplingParams, RequestOutputKind, s: dict, seeded: bool):
    # FINAL_ONLY: one output per request holding all n samples, as LLM.generate asks for.
    # logprobs=0: the sampled tokens' own log-probabilities only (their sum is each sample's
    # cumulative_logprob), no alternatives.
    return SamplingParams(n=s["n"], temperature=s["temperature"], top_p=s["top_p"], max_tokens=s["max_tokens"],
                          seed=s["seed"] if seeded else None, logprobs=0, output_kind=RequestOutputKind.FINAL_ONLY)


def scoring_params(SamplingParams, RequestOutputKind):
    """Teacher-forced scoring: the prompt's own tokens' log-probabilities (prompt_logprobs=0),
    one greedy token generated and ignored."""
    return SamplingParams(n=1, temperature=0.0, max_tokens=1, prompt_logprobs=0,
                          output_kind=RequestOutputKind.FINAL_ONLY)


def answer_logprob(prompt_logprobs, token_ids, n: int) -> float:
    """The sum of the last n prompt tokens' log-probabilities (vLLM's list, one dict per
    position keyed by token id, None for the first)."""
    return float(sum(prompt_logprobs[i][token_ids[i]].logprob for i in range(len(token_ids) - n, len(token_ids))))


def _shutdown_engine(engine) -> None:
    """Stop vLLM's engine-core process cleanly, so its shared memory is released."""
    try:
        engine.engine_core.shutdown()
    except Exception:
        pass


def _completion(out, started: float, wid: int) -> dict:
    return {
        "request_id": out.request_id,
        "texts": [o.text for o in out.outputs],
        "prompt_tokens": len(out.prompt_token_ids or ()),
        "output_tokens": [len(o.token_ids) for o in out.outputs],
        "finish_reasons": [str(o.finish_reason) for o in out.outputs],
        "logprobs": [o.cumulative_logprob for o in out.outputs],
        "t_start": started,
        "t_end": time.time(),
        "worker": f"vllm:{wid}",
    }


def serve(wid: int, device: str | None, launch: VLLMLaunch, in_q, out_q) -> None:
    os.setsid()
    die_with_parent()
    if device is None:
        os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", f"{launch.vllm.cpu_kvcache_gb:g}")
    else:
        os.environ["CUDA_VISIBLE_DEVICES"] = device
    try:
        import torch
        from vllm import LLM, SamplingParams
        from vllm.sampling_params import RequestOutputKind
        from vllm.lora.request import LoRARequest

        capability = torch.cuda.get_device_capability(0) if device is not None and torch.cuda.is_available() else None
        llm = LLM(**llm_kwargs(launch, capability, on_gpu=device is not None))
        engine = llm.llm_engine
        info = {"device": device or "cpu", "dtype": str(llm.llm_engine.model_config.dtype),
                "capability": capability, "max_model_len": llm.llm_engine.model_config.max_model_len}
    except BaseException:
        out_q.put(("failed", wid, traceback.format_exc()))
        return
    out_q.put(("ready", wid, info))

    # vLLM 0.32's CPU build crashes the engine on a seeded request whose prefill is chunked
    # ("CPU Generator does not use offset"): on the CPU, only the engine-wide seed applies.
    seeded = device is not None
    lora_ids: dict[str, int] = {}
    started: dict[str, float] = {}
    scoring: dict[str, tuple[str, int]] = {}   # request id -> (answer, its token count)
    while True:
        try:
            # Idle: wait for work (waking up now and then); busy: only take what is queued.
            msg = in_q.get(timeout=1.0) if not started else in_q.get_nowait()
        except queue.Empty:
            msg = None
        while msg is not None:
            if msg[0] == "quit":
                _shutdown_engine(engine)
                return
            if msg[0] == "abort":
                if started:
                    engine.abort_request(list(started))
                    started.clear()
                    scoring.clear()
                out_q.put(("aborted", wid, None))
            elif msg[0] == "add":
                for r in msg[1]:
                    lora = None
                    if r.get("adapter"):
                        a = r["adapter"]
                        lora_ids.setdefault(a["path"], len(lora_ids) + 1)
                        lora = LoRARequest(a["name"], lora_ids[a["path"]], a["path"])
                    try:
                        if r.get("answer") is not None:
                            ids, n = teacher_forced_ids(llm.get_tokenizer(), r["prompt"], r["answer"])
                            engine.add_request(r["id"], {"prompt_token_ids": ids},
                                               scoring_params(SamplingParams, RequestOutputKind), lora_request=lora)
                            scoring[r["id"]] = (r["answer"], n)
                        else:
                            engine.add_request(r["id"], r["prompt"], sampling_params(SamplingParams, RequestOutputKind,
                                                                                     r["sampling"], seeded),
                                               lora_request=lora)
                        started[r["id"]] = time.time()
                    except Exception as e:  # a prompt the engine rejects fails alone
                        out_q.put(("done", wid, {"request_id": r["id"], "error": f"{type(e).__name__}: {e}",
                                                 "worker": f"vllm:{wid}"}))
            try:
                msg = in_q.get_nowait()
            except queue.Empty:
                msg = None
        if not started:
            continue
        try:
            outputs = engine.step()
        except Exception:
            out_q.put(("failed", wid, traceback.format_exc()))
            return
        for out in outputs:
            if out.finished and out.request_id in started:
                t0 = started.pop(out.request_id)
                if out.request_id in scoring:
                    answer, n = scoring.pop(out.request_id)
                    ids = list(out.prompt_token_ids)
                    out_q.put(("done", wid, {"request_id": out.request_id, "texts": [answer],
                                             "prompt_tokens": len(ids) - n, "output_tokens": [n],
                                             "finish_reasons": ["scored"],
                                             "logprobs": [answer_logprob(out.prompt_logprobs, ids, n)],
                                             "t_start": t0, "t_end": time.time(), "worker": f"vllm:{wid}"}))
                else:
                    out_q.put(("done", wid, _completion(out, t0, wid)))

