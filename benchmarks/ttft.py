#!/usr/bin/env python3
"""Test-time fine-tuning benchmark: training tokens/s of kernel.ttft's trainer against a bare
peft + torch loop on the same data and batches, taking turns in one run; and a memory
estimate for Qwen2.5-0.5B (or --model's shape) on a 16 GB T4 at the configured sequence length.
Prints tables (no assertions).

The bare loop is what a competitor writes first: right padding, `labels` with -100 on the
prompt, the model's own loss over every position's logits.

    python benchmarks/ttft.py [--model DIR] [--tasks 6] [--rounds 5] [--batch-size 4] [--max-seq-len 2048]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kernel.config import load_config  # noqa: E402

# Qwen2.5-0.5B's shape (its config.json), for the estimate when no --model is given
QWEN25_05B = {"hidden_size": 896, "num_hidden_layers": 24, "num_attention_heads": 14, "num_key_value_heads": 2,
              "intermediate_size": 4864, "vocab_size": 151936, "tie_word_embeddings": True}


def bare_loop(model_dir: str, cfg, batches_, device: str) -> tuple[float, int]:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).to(device)
    present = {n.rsplit(".", 1)[-1] for n, _ in model.named_modules()}
    model = get_peft_model(model, LoraConfig(r=cfg.rank, lora_alpha=cfg.alpha, lora_dropout=cfg.dropout,
                                             target_modules=[m for m in cfg.target_modules if m in present],
                                             task_type="CAUSAL_LM"))
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.lr, weight_decay=0.0)
    model.train()
    tokens = 0
    t0 = time.perf_counter()
    for batch in batches_:
        length = max(len(e.ids) for e in batch)
        ids = torch.zeros((len(batch), length), dtype=torch.long)
        mask = torch.zeros_like(ids)
        labels = torch.full_like(ids, -100)
        for i, e in enumerate(batch):
            n = len(e.ids)
            ids[i, :n] = torch.tensor(e.ids)
            mask[i, :n] = 1
            labels[i, n - e.n_answer:n] = torch.tensor(e.ids[-e.n_answer:])
        loss = model(input_ids=ids.to(device), attention_mask=mask.to(device), labels=labels.to(device)).loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        tokens += sum(len(e.ids) for e in batch)
    return time.perf_counter() - t0, tokens


def kernel_loop(model_dir: str, cfg, batches_, device: str) -> tuple[float, int]:
    from kernel.ttft.train import LoraTrainer

    trainer = LoraTrainer(model_dir, cfg, device)
    trainer.model.train()
    tokens = 0
    t0 = time.perf_counter()
    for batch in batches_:
        trainer.step(batch)
        tokens += sum(len(e.ids) for e in batch)
    return time.perf_counter() - t0, tokens


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
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="model folder (default: build the demo model)")
    ap.add_argument("--dataset", default="arc-agi-1/training")
    ap.add_argument("--tasks", type=int, default=6)
    ap.add_argument("--rounds", type=int, default=5, help="timed runs of each loop, alternating (default 5)")
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--max-seq-len", type=int, default=2048)
    ap.add_argument("--augmentations", type=int, default=2)
    ap.add_argument("--estimate-seq-len", type=int, help="sequence length for the T4 estimate (default: ttft.max_seq_len)")
    ap.add_argument("--estimate-answer", type=int, default=931, help="answer tokens in the estimate (a 30x30 grid: 931)")
    args = ap.parse_args()

    from transformers import AutoTokenizer

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
                                 "ttft.gradient_checkpointing=off"])
    tc = cfg.ttft
    tok = AutoTokenizer.from_pretrained(model)
    tasks = load_tasks(args.dataset).limit(args.tasks).tasks
    samples = output_samples(tasks, load_template(cfg.prompts.output), TokenizerRenderer(tok), tc.max_seq_len,
                             args.augmentations, True, True, 0)
    data, skipped = encode(tok, samples, tc.max_seq_len)
    order = batches(data, tc.batch_size, random.Random(0))
    print(f"{len(data)} samples ({skipped} too long) from {len(tasks)} tasks, {len(order)} batches of "
          f"{tc.batch_size}, {sum(len(e.ids) for e in data)} tokens per pass; model {model}", file=sys.stderr)
    kernel_loop(model, tc, order[:2], "cpu")  # warm-up: first-call allocations and kernel choices
    bare_loop(model, tc, order[:2], "cpu")
    rates: dict[str, list[float]] = {"kernel": [], "bare": []}
    for r in range(args.rounds):
        for name, loop in (("kernel", kernel_loop), ("bare", bare_loop)) if r % 2 == 0 else \
                (("bare", bare_loop), ("kernel", kernel_loop)):
            seconds, tokens = loop(model, tc, order, "cpu")
            rates[name].append(tokens / seconds)
            print(f"round {r + 1} {name}: {tokens / seconds:.0f} tok/s", file=sys.stderr, flush=True)
    k, b = statistics.median(rates["kernel"]), statistics.median(rates["bare"])
    print(f"\nTraining throughput, CPU float32, {args.rounds} alternating rounds, median\n")
    print("| loop | tokens/s (median) | min | max |\n|---|---|---|---|")
    for name, label in (("kernel", "kernel.ttft LoraTrainer"), ("bare", "bare peft + torch")):
        v = rates[name]
        print(f"| {label} | {statistics.median(v):,.0f} | {min(v):,.0f} | {max(v):,.0f} |")
    print(f"\nkernel / bare = {k / b:.1%} (goal >= 95 %)")

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
