#!/usr/bin/env python3
"""Sampling-engine overhead: output tokens/s of kernel.engines.VLLMEngine (an engine process
per device, requests streamed back over queues) against a bare `vllm.LLM.generate` on the
same prompts, settings and sampling, in one run. Prints a table (no assertions).

Sampling at temperature 1 with n samples per prompt (vLLM allows n > 1 only when sampling);
with a random model nearly every sample runs to max_tokens, so both sides generate about the
same number of tokens, and the table shows both counts. Without --model it builds a demo model
(random weights; --hidden/--layers set its size).

    python benchmarks/sampling.py [--model DIR] [--tasks 16] [--n 8] [--max-tokens 256] [--repeats 5]
                                  [--devices cpu|0|0,0] [--engines-only]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kernel.engines.base import Request, Sampling  # noqa: E402
from kernel.engines.vllm_engine import VLLMEngine, resolve_devices  # noqa: E402
from kernel.config import VLLMConfig  # noqa: E402
from kernel.engines.vllm_worker import VLLMLaunch, llm_kwargs  # noqa: E402
from kernel.prompting import build_prompts, load_template  # noqa: E402
from kernel.prompting.builder import TokenizerRenderer  # noqa: E402
from kernel.tasks import load_tasks  # noqa: E402


def prompts_for(model: str, tasks: int, max_model_len: int, max_tokens: int) -> list[str]:
    from transformers import AutoTokenizer

    ts = load_tasks("arc-agi-1/evaluation").limit(tasks)
    renderer = TokenizerRenderer(AutoTokenizer.from_pretrained(model))
    built, _ = build_prompts(ts.tasks, load_template("code-from-examples"), renderer, max_model_len - max_tokens)
    return [p.text for p in built]


class Ours:
    def __init__(self, launch: VLLMLaunch, devices, prompts, sampling: Sampling) -> None:
        t0 = time.monotonic()
        self.engine = VLLMEngine(launch, devices)
        self.start_s = time.monotonic() - t0
        self.requests = [Request(str(i), p, sampling) for i, p in enumerate(prompts)]

    def run(self) -> int:
        done = list(self.engine.generate(self.requests))
        failed = [c.error for c in done if c.error]
        if failed:
            raise SystemExit(f"{len(failed)} requests failed, e.g. {failed[0]}")
        return sum(c.tokens for c in done)


class Bare:
    """Bare vLLM, in this process, configured exactly as an engine process configures it."""

    def __init__(self, launch: VLLMLaunch, device, prompts, sampling: Sampling) -> None:
        if device is None:
            os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", f"{launch.vllm.cpu_kvcache_gb:g}")
        else:
            os.environ["CUDA_VISIBLE_DEVICES"] = device
        import torch
        from vllm import LLM, SamplingParams

        capability = torch.cuda.get_device_capability(0) if device is not None and torch.cuda.is_available() else None
        t0 = time.monotonic()
        self.llm = LLM(**llm_kwargs(launch, capability, on_gpu=device is not None))
        self.start_s = time.monotonic() - t0
        self.prompts = prompts
        self.params = SamplingParams(n=sampling.n, temperature=sampling.temperature, max_tokens=sampling.max_tokens)

    def run(self) -> int:
        outs = self.llm.generate(self.prompts, self.params, use_tqdm=False)
        return sum(len(o.token_ids) for out in outs for o in out.outputs)


def timed(side) -> tuple[float, int]:
    t = time.monotonic()
    tokens = side.run()
    return tokens / (time.monotonic() - t), tokens


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="model folder (default: a demo model built in a temporary folder)")
    ap.add_argument("--hidden", type=int, default=512, help="demo model hidden size (default 512)")
    ap.add_argument("--layers", type=int, default=4, help="demo model layers (default 4)")
    ap.add_argument("--tasks", type=int, default=16, help="ARC-AGI-1 evaluation tasks, one prompt each")
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--max-model-len", type=int, default=8192)
    ap.add_argument("--devices", default="cpu", help="engine devices for the kernel's engine: cpu, 0, 0,0 (two "
                                                     "engines on one GPU), 0,1; bare vLLM uses the first")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args()

    model = args.model
    if model is None:
        from kernel.demo_model import make_demo_model

        model = str(make_demo_model(Path(tempfile.mkdtemp()) / "demo", hidden_size=args.hidden, layers=args.layers))
    devices = resolve_devices(args.devices)
    launch = VLLMLaunch(model, VLLMConfig(max_model_len=args.max_model_len, cpu_kvcache_gb=2.0, start_timeout_s=1800.0))
    prompts = prompts_for(model, args.tasks, args.max_model_len, args.max_tokens)
    sampling = Sampling(n=args.n, temperature=1.0, max_tokens=args.max_tokens)

    # Both stay up and take turns, so drift in the machine's speed hits both alike.
    ours = Ours(launch, devices, prompts, sampling)
    bare = Bare(launch, devices[0], prompts, sampling)
    ours.run(), bare.run()  # warm-up
    ours_runs, bare_runs = [], []
    for _ in range(args.repeats):
        ours_runs.append(timed(ours))
        bare_runs.append(timed(bare))
    ours.engine.close()
    o, b = statistics.median(r for r, _ in ours_runs), statistics.median(r for r, _ in bare_runs)
    ours_tokens, bare_tokens = ours_runs[-1][1], bare_runs[-1][1]
    ours_start, bare_start = ours.start_s, bare.start_s
    # Several engines (e.g. two on one GPU) against one bare engine is a throughput gain, not
    # overhead: the overhead figure means something with one device.
    result = {"model": model, "devices": args.devices, "prompts": len(prompts), "n": args.n,
              "max_tokens": args.max_tokens, "repeats": args.repeats,
              "bare_tokens_per_s": round(b, 1), "kernel_tokens_per_s": round(o, 1),
              "overhead_pct": round(100 * (b - o) / b, 2), "bare_tokens": bare_tokens, "kernel_tokens": ours_tokens,
              "bare_start_s": round(bare_start, 1), "kernel_start_s": round(ours_start, 1),
              "bare_runs": [round(x, 1) for x, _ in bare_runs], "kernel_runs": [round(x, 1) for x, _ in ours_runs]}
    print(f"\n{len(prompts)} prompts x n={args.n}, max_tokens={args.max_tokens}, temperature 1, {args.repeats} timed runs "
          f"each (median), devices {args.devices}, model {model}")
    print(f"| engine | output tok/s | tokens per run | start s |")
    print(f"| bare vllm.LLM.generate | {b:.0f} | {bare_tokens} | {bare_start:.1f} |")
    print(f"| kernel VLLMEngine | {o:.0f} | {ours_tokens} | {ours_start:.1f} |")
    print(f"overhead: {result['overhead_pct']:.2f} % (goal <= 3 %)")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
