#!/usr/bin/env python3
"""Qwen2.5-0.5B on a T4's memory: one budgeted test-time fine-tuning stage and transformers
sampling in float16, with the process capped at a T4's usable memory; prints peak memory
against the estimate of benchmarks/ttft.py, and tokens/s (no assertions).

Needs no download: the model is built here with Qwen2.5-0.5B's exact shape (24 layers, hidden 896,
14 heads, 2 KV heads, intermediate 4864, vocabulary 151,936, tied embeddings) and random weights,
with the demo model's tokenizer (its ids are a subset of the vocabulary, which is what memory and
speed depend on). It runs on any CUDA GPU with PyTorch, transformers and peft (no vLLM needed):

    python benchmarks/t4_memory.py                    # on a GPU: cap 15.0 GiB, ttft.* defaults, 90 s of training
    python benchmarks/t4_memory.py --device cpu --tiny  # a smoke run of the script itself, no GPU

The T4 has 15.0 GiB usable of its 16 GB (Kaggle's T4s report 14.74 GiB to torch); --cap-gib sets
torch.cuda.set_per_process_memory_fraction so a larger GPU behaves as that much memory would:
an allocation past the cap fails as it would on a T4. Speed on a larger GPU is not a T4's.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ttft import QWEN25_05B, memory_estimate  # noqa: E402

TINY = {"hidden_size": 128, "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1,
        "intermediate_size": 256, "vocab_size": 151936, "tie_word_embeddings": True}
GIB = 1024 ** 3


def build_model(out: Path, shape: dict) -> Path:
    """The demo model's tokenizer with a random model of `shape`, stored in float16."""
    import torch
    from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM

    from kernel.demo_model import make_demo_model

    make_demo_model(out, layers=1)
    tok = AutoTokenizer.from_pretrained(out)
    config = Qwen2Config(**shape, max_position_embeddings=32768, rope_theta=1000000.0, rms_norm_eps=1e-6,
                         bos_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config).to(torch.float16)
    for f in out.glob("*.safetensors"):
        f.unlink()
    model.save_pretrained(out)
    return out


def peak(device: str) -> tuple[float, float]:
    import torch

    if not device.startswith("cuda"):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2, 0.0  # KiB -> GiB (RSS)
    return torch.cuda.max_memory_allocated() / GIB, torch.cuda.max_memory_reserved() / GIB


def reset_peak(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    ap.add_argument("--device", default="cuda", help="cuda (default) or cpu (a smoke run)")
    ap.add_argument("--tiny", action="store_true", help="a 2-layer model of hidden size 128 instead of Qwen2.5-0.5B")
    ap.add_argument("--cap-gib", type=float, default=15.0, help="memory cap on the GPU (a T4's usable memory)")
    ap.add_argument("--ttft-budget", type=float, default=90.0, help="seconds of test-time fine-tuning")
    ap.add_argument("--tasks", type=int, default=8, help="ARC-AGI-1 evaluation tasks trained on and prompted")
    ap.add_argument("--max-tokens", type=int, default=256, help="sampling: tokens per completion")
    ap.add_argument("--n", type=int, default=8, help="sampling: completions per prompt")
    ap.add_argument("--answer", type=int, default=931, help="answer tokens assumed by the estimate (a 30x30 grid)")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="setting override")
    args = ap.parse_args()

    import torch
    import transformers
    import peft

    from kernel.config import load_config
    from kernel.engines import Sampling
    from kernel.engines.hf_engine import HFEngine
    from kernel.prompting import load_template
    from kernel.prompting.builder import TokenizerRenderer
    from kernel.sampling import sample_candidates
    from kernel.tasks import load_tasks
    from kernel.ttft import run_ttft

    cuda = args.device.startswith("cuda")
    if cuda:
        if not torch.cuda.is_available():
            sys.exit("no CUDA GPU: run with --device cpu --tiny for a smoke run")
        total = torch.cuda.get_device_properties(0).total_memory
        torch.cuda.set_per_process_memory_fraction(min(1.0, args.cap_gib * GIB / total), 0)
        gpu = f"{torch.cuda.get_device_name(0)} ({total / GIB:.1f} GiB, capped at {args.cap_gib:g} GiB)"
    else:
        gpu = "none (CPU smoke run)"
    shape = TINY if args.tiny else QWEN25_05B
    device_setting = "0" if cuda else "cpu"
    cfg = load_config(None, [f"ttft.devices={device_setting}", *args.set])
    tc = cfg.ttft
    tasks = load_tasks("arc-agi-1/evaluation").limit(args.tasks).tasks
    print(f"# {datetime.date.today()}  {platform.node()}  GPU {gpu}; torch {torch.__version__}, transformers "
          f"{transformers.__version__}, peft {peft.__version__}; Python {platform.python_version()}")
    print(f"# model: {'tiny' if args.tiny else 'Qwen2.5-0.5B'} shape {json.dumps(shape)}, random weights, float16")

    with tempfile.TemporaryDirectory() as tmp:
        model = build_model(Path(tmp, "model"), shape)

        # --- test-time fine-tuning: one budgeted stage, the settings' batch size and sequence length
        reset_peak(args.device)
        t0 = time.monotonic()
        report = run_ttft(str(model), tasks, cfg, Path(tmp, "adapters"), deadline=time.monotonic() + args.ttft_budget)
        ttft_s = time.monotonic() - t0
        ttft_peak = peak(args.device)
        parts = report["parts"]
        steps = sum(p.get("steps", 0) for p in parts)
        tokens = sum(p.get("tokens", 0) for p in parts)
        train_s = sum(p.get("seconds", 0.0) for p in parts) or ttft_s
        checkpointing = {"on": True, "off": False}.get(tc.gradient_checkpointing, cuda)
        estimate = memory_estimate(shape, tc.rank, len(tc.target_modules), tc.batch_size, tc.max_seq_len, args.answer,
                                   checkpointing)

        # --- transformers sampling in float16 (the hf engine), output prompts of the same tasks
        del report
        torch.cuda.empty_cache() if cuda else None
        reset_peak(args.device)
        engine = HFEngine(str(model), dtype="float16" if cuda else "float32", device=args.device)
        template = load_template(cfg.prompts.output)
        sample = sample_candidates(tasks[:4], template, TokenizerRenderer(engine.tokenizer), engine,
                                   Sampling(args.n, 1.0, 0.95, args.max_tokens, 0), cfg.vllm.max_model_len, None)
        sample_peak = peak(args.device)
        engine.close()

    unit = "GiB allocated (reserved)" if cuda else "GiB RSS of the process"
    print(f"\n| what | figure |\n|---|---|")
    print(f"| ttft settings | rank {tc.rank} on {len(tc.target_modules)} modules, batch {tc.batch_size}, "
          f"max_seq_len {tc.max_seq_len}, gradient checkpointing {'on' if checkpointing else 'off'} |")
    print(f"| ttft: steps, training tokens/s | {steps} steps in {train_s:.1f} s, {tokens / max(train_s, 1e-9):.0f} tokens/s |")
    print(f"| ttft: peak memory | {ttft_peak[0]:.2f} ({ttft_peak[1]:.2f}) {unit} |")
    print(f"| ttft: estimate (benchmarks/ttft.py) | {sum(v for _, v in estimate):.2f} GiB: "
          + ", ".join(f"{k} {v:.2f}" for k, v in estimate) + " |")
    print(f"| sampling (hf, n={args.n}, {args.max_tokens} tokens): tokens/s | {sample.tokens_per_s:.0f} "
          f"({sample.output_tokens} tokens in {sample.seconds:.1f} s, {sample.prompts} prompts) |")
    print(f"| sampling: peak memory | {sample_peak[0]:.2f} ({sample_peak[1]:.2f}) {unit} |")


if __name__ == "__main__":
    main()
