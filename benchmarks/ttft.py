#!/usr/bin/env python3
"""Test-time fine-tuning benchmark: training tokens/s of kernel.ttft's trainer against bare
peft + torch loops on the same samples and batches, taking turns in one run; and a memory
estimate for Qwen2.5-0.5B (or --model's shape) on a 16 GB T4 at the configured sequence length.
Prints tables (no assertions).

Three loops, each with a fresh model and adapter (same seed) per round, over the same batches:

  (a) trainer        kernel.ttft.train.LoraTrainer.step
  (b) bare           plain peft + torch written out here, computing the same loss the same way
                     as the trainer: left padding, position ids, only the last `longest answer + 1`
                     positions through the LM head (`logits_to_keep`), float cross-entropy on the
                     answer tokens, AdamW with the same linear warm-up, same dtype and
                     gradient checkpointing. (a) vs (b) is the trainer's overhead.
  (c) full logits    (b) with the logits of every position (the naive way); same loss value.
                     (b) vs (c) is the speed-up of computing the answer positions only; it grows
                     with the vocabulary (the demo model has ~1.5k tokens, Qwen2.5 152k).

Within a round the loops take turns batch by batch (a-b-c, b-c-a, c-a-b, ...), each step
timed on its own. The table gives each loop's tokens/s, median over the rounds; the overhead
and speed-up are medians of per-step ratios (the same batch stepped back to back by the two
loops compared), so machine noise hits both sides of each ratio alike. The per-step losses
of the three loops are compared as a check that they compute the same loss.

    python benchmarks/ttft.py [--model DIR] [--tasks 6] [--rounds 5] [--batch-size 4] [--max-seq-len 2048]
                              [--augmentations 2] [--gradient-checkpointing off] [--device cpu] [--threads 1]

--threads 1 (the default) keeps the CPU figures steady on a shared machine; --threads 0 lets
torch use every core.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kernel.config import load_config  # noqa: E402

# Qwen2.5-0.5B's shape (its config.json), for the estimate when no --model is given
QWEN25_05B = {"hidden_size": 896, "num_hidden_layers": 24, "num_attention_heads": 14, "num_key_value_heads": 2,
              "intermediate_size": 4864, "vocab_size": 151936, "tie_word_embeddings": True}
SEED = 0  # each loop's adapter initialisation (and dropout masks) start from it, so the losses compare


def _bare(model_dir: str, cfg, device: str, full_logits: bool) -> Callable[[Sequence], float]:
    """Loops (b) and (c): peft + torch only; the samples and batches are the trainer's."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(SEED)
    cuda = device.startswith("cuda")
    pad_id = AutoTokenizer.from_pretrained(model_dir).pad_token_id
    pad_id = 0 if pad_id is None else pad_id
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float16 if cuda else torch.float32).to(device)
    if {"on": True, "off": False}.get(cfg.gradient_checkpointing, cuda):
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.config.use_cache = False
    present = {n.rsplit(".", 1)[-1] for n, _ in model.named_modules()}
    model = get_peft_model(model, LoraConfig(r=cfg.rank, lora_alpha=cfg.alpha, lora_dropout=cfg.dropout,
                                             target_modules=[m for m in cfg.target_modules if m in present],
                                             task_type="CAUSAL_LM"))
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.lr, weight_decay=0.0)
    scaler = torch.amp.GradScaler("cuda") if cuda else None
    model.train()
    count = [0]

    def step(batch) -> float:
        length = max(len(e.ids) for e in batch)
        keep = max(e.n_answer for e in batch) + 1
        ids = torch.full((len(batch), length), pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), length), dtype=torch.long)
        # labels[:, p] is the token that kept position p predicts (p + 1), -100 off the answers
        labels = torch.full((len(batch), length - 1 if full_logits else keep - 1), -100, dtype=torch.long)
        for i, e in enumerate(batch):  # left padding: every answer ends at the last position
            ids[i, length - len(e.ids):] = torch.tensor(e.ids)
            mask[i, length - len(e.ids):] = 1
            labels[i, labels.shape[1] - e.n_answer:] = torch.tensor(e.ids[-e.n_answer:])
        positions = (mask.cumsum(1) - 1).clamp(min=0)
        ids, mask, positions, labels = ids.to(device), mask.to(device), positions.to(device), labels.to(device)
        for group in opt.param_groups:
            group["lr"] = cfg.lr * min(1.0, (count[0] + 1) / max(1, cfg.warmup_steps))
        with torch.autocast("cuda", dtype=torch.float16, enabled=cuda):
            logits = model(input_ids=ids, attention_mask=mask, position_ids=positions,
                           logits_to_keep=0 if full_logits else keep).logits
        loss = torch.nn.functional.cross_entropy(logits[:, :-1].float().reshape(-1, logits.shape[-1]),
                                                 labels.reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
        else:
            loss.backward()
            opt.step()
        count[0] += 1
        return float(loss.detach())

    return step


def bare_loop(model_dir: str, cfg, device: str) -> Callable[[Sequence], float]:
    return _bare(model_dir, cfg, device, full_logits=False)


def full_logits_loop(model_dir: str, cfg, device: str) -> Callable[[Sequence], float]:
    return _bare(model_dir, cfg, device, full_logits=True)


def kernel_loop(model_dir: str, cfg, device: str) -> Callable[[Sequence], float]:
    import torch

    from kernel.ttft.train import LoraTrainer

    torch.manual_seed(SEED)
    trainer = LoraTrainer(model_dir, cfg, device)
    trainer.model.train()
    return trainer.step


LOOPS = {"trainer": ("(a) kernel.ttft LoraTrainer", kernel_loop),
         "bare": ("(b) bare peft + torch, answer positions only (as the trainer)", bare_loop),
         "full": ("(c) bare peft + torch, logits of every position", full_logits_loop)}


def one_round(model_dir: str, cfg, order, device: str, shift: int) -> tuple[dict[str, list[float]],
                                                                           dict[str, list[float]]]:
    """A fresh model and adapter per loop, then each batch stepped by every loop in turn
    (a-b-c, b-c-a, c-a-b, ... from one batch to the next). Each loop keeps its own random
    state (dropout), swapped in outside the timed step. Each loop's seconds and loss per step."""
    import torch

    names = list(LOOPS)
    steps = {name: LOOPS[name][1](model_dir, cfg, device) for name in names}
    cuda = device.startswith("cuda")
    torch.manual_seed(SEED + 1)
    rng = {name: (torch.get_rng_state(), torch.cuda.get_rng_state() if cuda else None) for name in names}
    seconds: dict[str, list[float]] = {name: [] for name in names}
    losses: dict[str, list[float]] = {name: [] for name in names}
    for i, batch in enumerate(order):
        k = (i + shift) % len(names)
        for name in names[k:] + names[:k]:
            torch.set_rng_state(rng[name][0])
            if cuda:
                torch.cuda.set_rng_state(rng[name][1])
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            losses[name].append(steps[name](batch))
            if cuda:
                torch.cuda.synchronize()
            seconds[name].append(time.perf_counter() - t0)
            rng[name] = (torch.get_rng_state(), torch.cuda.get_rng_state() if cuda else None)
    del steps
    gc.collect()
    return seconds, losses


def environment(device: str) -> str:
    import peft
    import torch
    import transformers

    now = datetime.datetime.now(datetime.timezone.utc).astimezone().isoformat(timespec="seconds")
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    lines = [f"date {now}",
             f"machine {platform.platform()}, {platform.machine()}, {cpus} CPUs ({usable} usable), "
             f"torch threads {torch.get_num_threads()}, device {device}",
             f"python {platform.python_version()}, torch {torch.__version__}, transformers {transformers.__version__}, "
             f"peft {peft.__version__}"]
    if device.startswith("cuda"):
        lines.append(f"gpu {torch.cuda.get_device_name(0)}")
    return "\n".join(lines)


def memory_estimate(shape: dict, rank: int, n_modules: int, batch: int, seq: int, answer: int,
                    checkpointing: bool) -> list[tuple[str, float]]:
    """GiB, fp16 weights and activations, fp32 LoRA weights/grads/Adam states and fp32 loss."""
    h, layers, inter, vocab = shape["hidden_size"], shape["num_hidden_layers"], shape["intermediate_size"], \
        shape["vocab_size"]
    kv = h // shape["num_attention_heads"] * shape["num_key_value_heads"]
    per_layer = (h * h * 2 + h * kv * 2 + 3 * h * inter) + 2 * h
    params = layers * per_layer + vocab * h * (1 if shape.get("tie_word_embeddings") else 2) + h
    dims = {"q_proj": (h, h), "k_proj": (h, kv), "v_proj": (h, kv), "o_proj": (h, h), "gate_proj": (h, inter),
            "up_proj": (h, inter), "down_proj": (inter, h)}
    lora = layers * rank * sum(a + b for a, b in list(dims.values())[:n_modules])
    gib = 1024 ** 3
    tokens = batch * seq
    if checkpointing:  # each layer's input kept, one layer's internals recomputed at a time
        acts = layers * tokens * h * 2 + tokens * (4 * h + 2 * kv + 3 * inter) * 2
    else:
        acts = layers * tokens * (6 * h + 2 * kv + 3 * inter) * 2
    kept = batch * (answer + 1)
    logits = kept * vocab * (2 + 4 + 4)  # fp16 logits, their fp32 copy for the loss, its gradient
    return [("base weights (fp16)", params * 2 / gib), ("LoRA weights, grads, Adam (fp32)", lora * 16 / gib),
            (f"activations ({'checkpointed' if checkpointing else 'all kept'})", acts / gib),
            (f"logits of the last {answer + 1} positions", logits / gib),
            ("CUDA context and allocator slack (typical)", 1.0)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    ap.add_argument("--model", help="model folder (default: build the demo model)")
    ap.add_argument("--dataset", default="arc-agi-1/training")
    ap.add_argument("--tasks", type=int, default=6)
    ap.add_argument("--rounds", type=int, default=5,
                    help="timed passes over the batches, the loops taking turns (default 5)")
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--max-seq-len", type=int, default=2048)
    ap.add_argument("--augmentations", type=int, default=2)
    ap.add_argument("--gradient-checkpointing", choices=("auto", "on", "off"), default="off",
                    help="for all three loops (default off; auto: on for GPUs, as the kernel's default)")
    ap.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch CPU threads (default 1: on shared cores a multi-threaded CPU step can stall for "
                         "seconds, which buries the loops' differences; 0: torch's own choice)")
    ap.add_argument("--estimate-seq-len", type=int, help="sequence length for the T4 estimate (default: ttft.max_seq_len)")
    ap.add_argument("--estimate-answer", type=int, default=931, help="answer tokens in the estimate (a 30x30 grid: 931)")
    args = ap.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    print(environment(args.device), flush=True)

    from transformers import AutoConfig, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Loading weights" bars for every model built

    from kernel.prompting import load_template
    from kernel.prompting.builder import TokenizerRenderer
    from kernel.tasks import load_tasks
    from kernel.ttft.data import output_samples
    from kernel.ttft.train import batches, encode

    model = args.model
    if model is None:
        from kernel.demo_model import make_demo_model

        model = str(make_demo_model(Path(tempfile.mkdtemp()) / "demo"))
    cfg = load_config(overrides=[f"ttft.batch_size={args.batch_size}", f"ttft.max_seq_len={args.max_seq_len}",
                                 f"ttft.gradient_checkpointing={args.gradient_checkpointing}"])
    tc = cfg.ttft
    tok = AutoTokenizer.from_pretrained(model)
    tasks = load_tasks(args.dataset).limit(args.tasks).tasks
    samples = output_samples(tasks, load_template(cfg.prompts.output), TokenizerRenderer(tok), tc.max_seq_len,
                             args.augmentations, True, True, 0)
    data, skipped = encode(tok, samples, tc.max_seq_len)
    order = batches(data, tc.batch_size, random.Random(0))
    n_tokens = sum(len(e.ids) for e in data)
    n_answer = sum(e.n_answer for e in data)
    n_kept = sum(len(b) * (max(e.n_answer for e in b) + 1) for b in order)
    n_all = sum(len(b) * max(len(e.ids) for e in b) for b in order)
    mc = AutoConfig.from_pretrained(model)
    print(f"model {'demo (random, built here)' if args.model is None else model}: hidden {mc.hidden_size}, "
          f"{mc.num_hidden_layers} layers, vocab {mc.vocab_size}")
    print(f"data {args.dataset}, {len(tasks)} tasks, {args.augmentations} augmentations: {len(data)} samples "
          f"({skipped} over {tc.max_seq_len} tokens skipped), {len(order)} batches of {tc.batch_size}; "
          f"{n_tokens:,} tokens per pass, {n_answer:,} of them answers; LM head rows per pass: "
          f"{n_kept:,} (answer positions) vs {n_all:,} (every position, padding included)")
    print(f"training: LoRA rank {tc.rank}, alpha {tc.alpha}, dropout {tc.dropout}, lr {tc.lr}, warm-up "
          f"{tc.warmup_steps} steps, AdamW, gradient checkpointing {tc.gradient_checkpointing}, "
          f"{'fp16 autocast' if args.device.startswith('cuda') else 'float32'}", flush=True)

    one_round(model, tc, order[:3], args.device, 0)  # warm-up: first-call allocations and kernel choices
    names = list(LOOPS)
    rates: dict[str, list[float]] = {n: [] for n in names}
    step_ratios: dict[str, list[float]] = {"trainer": [], "full": []}  # same batch, same round
    losses: dict[str, list[float]] = {}
    for r in range(args.rounds):
        seconds, round_losses = one_round(model, tc, order, args.device, r)
        losses = losses or round_losses
        for name in names:
            rates[name].append(n_tokens / sum(seconds[name]))
        step_ratios["trainer"] += [b / a for a, b in zip(seconds["trainer"], seconds["bare"])]
        step_ratios["full"] += [c / b for b, c in zip(seconds["bare"], seconds["full"])]
        print(f"round {r + 1}: " + ", ".join(f"{name} {rates[name][-1]:,.0f} tok/s ({sum(seconds[name]):.1f} s)"
                                            for name in names), file=sys.stderr, flush=True)

    med = {n: statistics.median(v) for n, v in rates.items()}
    per_round = {"trainer": [a / b for a, b in zip(rates["trainer"], rates["bare"])],
                 "full": [b / c for b, c in zip(rates["bare"], rates["full"])]}
    print(f"\nTraining throughput, {args.device}, {args.rounds} rounds of one pass each; within a round the three "
          f"loops take turns batch by batch (a-b-c, b-c-a, c-a-b, ...); tokens/s (prompt and answer, no padding)\n")
    print("| loop | median | min | max |\n|---|---|---|---|")
    for name, (label, _) in LOOPS.items():
        v = rates[name]
        print(f"| {label} | {med[name]:,.0f} | {min(v):,.0f} | {max(v):,.0f} |")

    # The headline figures pair the same batch stepped back to back in the same round: noise
    # that lasts seconds (other work on the machine) hits both sides of each ratio alike.
    n_pairs = len(step_ratios["trainer"])
    ratio = statistics.median(step_ratios["trainer"])
    print(f"\nOverhead, (a) vs (b): trainer at {ratio * 100:.1f} % of the bare loop's speed "
          f"({(1 - ratio) * 100:.1f} % overhead)\n    median of {n_pairs} per-step speed ratios (same batch, back to "
          f"back, same round); per-round ratios: median {statistics.median(per_round['trainer']) * 100:.1f} %, range "
          f"{min(per_round['trainer']) * 100:.1f} to {max(per_round['trainer']) * 100:.1f} %; ratio of the table's "
          f"medians {med['trainer'] / med['bare'] * 100:.1f} %")
    speedup = statistics.median(step_ratios["full"])
    print(f"Speed-up, (b) vs (c): answer positions only is {speedup:.2f}x faster than full logits "
          f"(vocabulary {mc.vocab_size})\n    median of {n_pairs} per-step speed ratios; per-round ratios: median "
          f"{statistics.median(per_round['full']):.2f}x, range {min(per_round['full']):.2f}x to "
          f"{max(per_round['full']):.2f}x; ratio of the table's medians {med['bare'] / med['full']:.2f}x")
    diff_ab = max(abs(x - y) for x, y in zip(losses["trainer"], losses["bare"]))
    diff_bc = max(abs(x - y) for x, y in zip(losses["bare"], losses["full"]))
    print(f"Same loss: per-step losses over {len(order)} steps (first round), largest difference "
          f"(a)-(b) {diff_ab:.2e}, (b)-(c) {diff_bc:.2e}; first loss {losses['trainer'][0]:.4f}, "
          f"last {losses['trainer'][-1]:.4f}")

    shape = QWEN25_05B if args.model is None else {**QWEN25_05B, **{
        key: v for key, v in json.loads(Path(model, "config.json").read_text()).items() if key in QWEN25_05B}}
    seq = args.estimate_seq_len or load_config().ttft.max_seq_len
    name = "Qwen2.5-0.5B" if args.model is None else model
    print(f"\nMemory estimate, {name} on a 16 GB T4 (15.0 GiB usable), LoRA rank {load_config().ttft.rank} on "
          f"{len(tc.target_modules)} modules, sequence {seq}, answer {args.estimate_answer} tokens\n")
    print("| batch | checkpointing | total GiB | parts |\n|---|---|---|---|")
    for batch in (1, 2, 4, 8):
        for ckpt in (True, False):
            parts = memory_estimate(shape, load_config().ttft.rank, len(tc.target_modules), batch, seq,
                                    args.estimate_answer, ckpt)
            total = sum(v for _, v in parts)
            print(f"| {batch} | {'on' if ckpt else 'off'} | {total:.1f}{'' if total <= 15.0 else ' (does not fit)'} | "
                  + "; ".join(f"{n} {v:.2f}" for n, v in parts) + " |")


if __name__ == "__main__":
    main()
