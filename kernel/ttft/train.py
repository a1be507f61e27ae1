"""LoRA training (peft) on one device, under a deadline.

fp16 autocast with a gradient scaler on GPUs (a T4 has no bfloat16; peft keeps the adapter
weights in float32), float32 on the CPU. Loss is on the answer tokens only. Sequences are
padded on the left, so every answer ends at the last position and only the last
`longest answer + 1` positions go through the LM head: the logits of a long prompt over a
150k vocabulary would otherwise take more memory than the model.

The adapter is saved every `save_every_s` and when training ends, each time into a fresh
folder renamed over the old one, so a run killed at any moment leaves the last good adapter."""

from __future__ import annotations

import logging
import math
import os
import random
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from ..config import TTFTConfig
from .data import Sample

log = logging.getLogger(__name__)


class TTFTError(RuntimeError):
    pass


@dataclass(frozen=True)
class Encoded:
    task_id: str
    ids: tuple[int, ...]
    n_answer: int  # the last n_answer ids are the answer (with the end-of-sequence token)


@dataclass
class TrainReport:
    steps: int = 0
    samples: int = 0
    tokens: int = 0          # prompt and answer tokens trained on (padding not counted)
    answer_tokens: int = 0
    seconds: float = 0.0
    losses: list[float] = field(default_factory=list)
    stopped: str = ""        # "" (ran its epochs) | deadline | stop
    skipped: int = 0         # samples longer than max_seq_len

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict:
        return {"steps": self.steps, "samples": self.samples, "tokens": self.tokens,
                "answer_tokens": self.answer_tokens, "seconds": round(self.seconds, 3),
                "tokens_per_s": round(self.tokens_per_s, 1), "stopped": self.stopped, "skipped": self.skipped,
                "first_loss": self.losses[0] if self.losses else None,
                "last_loss": self.losses[-1] if self.losses else None}


def encode(tokenizer, samples: Sequence[Sample], max_seq_len: int) -> tuple[list[Encoded], int]:
    eos = tokenizer.eos_token_id
    out, skipped = [], 0
    for s in samples:
        prompt = tokenizer(s.prompt, add_special_tokens=False)["input_ids"]
        answer = tokenizer(s.answer, add_special_tokens=False)["input_ids"] + ([eos] if eos is not None else [])
        if len(prompt) + len(answer) > max_seq_len:
            skipped += 1
            continue
        out.append(Encoded(s.task_id, tuple(prompt + answer), len(answer)))
    return out, skipped


def batches(data: Sequence[Encoded], batch_size: int, rng: random.Random) -> list[list[Encoded]]:
    """Shuffled, then grouped by length within windows of a few batches (less padding)."""
    order = list(data)
    rng.shuffle(order)
    window = batch_size * 8
    out = []
    for i in range(0, len(order), window):
        chunk = sorted(order[i:i + window], key=lambda e: len(e.ids))
        out += [chunk[j:j + batch_size] for j in range(0, len(chunk), batch_size)]
    rng.shuffle(out)
    return out


def resolve_device(spec: str | None) -> str:
    import torch

    if spec in (None, "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    return spec


class LoraTrainer:
    """One base model with one LoRA adapter on one device; `reset` starts a fresh adapter
    (per-task mode) without reloading the model."""

    def __init__(self, model_dir: str, cfg: TTFTConfig, device: str | None = None) -> None:
        import torch
        from peft import LoraConfig, get_peft_model
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.torch, self.cfg, self.model_dir = torch, cfg, model_dir
        self.device = resolve_device(device)
        self.cuda = self.device.startswith("cuda")
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
            # fp16 weights on a GPU (T4: no bfloat16); float32 on the CPU, where fp16 is slow or missing
            model = AutoModelForCausalLM.from_pretrained(
                model_dir, dtype=torch.float16 if self.cuda else torch.float32).to(self.device)
        except (OSError, ValueError) as e:
            raise TTFTError(f"{model_dir}: cannot load the model for training: {e}") from None
        checkpointing = {"on": True, "off": False}.get(cfg.gradient_checkpointing, self.cuda)
        if checkpointing:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.config.use_cache = False
        present = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
        targets = [m for m in cfg.target_modules if m in present]
        if not targets:
            raise TTFTError(f"none of ttft.target_modules {list(cfg.target_modules)} is in the model "
                            f"(it has e.g. {sorted(present)[:12]})")
        lora = LoraConfig(r=cfg.rank, lora_alpha=cfg.alpha, lora_dropout=cfg.dropout, target_modules=targets,
                          task_type="CAUSAL_LM")
        self.model = get_peft_model(model, lora)
        self.params = [p for p in self.model.parameters() if p.requires_grad]
        self.initial = [p.detach().clone() for p in self.params]
        self.reset()

    def reset(self) -> None:
        with self.torch.no_grad():
            for p, p0 in zip(self.params, self.initial):
                p.copy_(p0)
        self.optimizer = self.torch.optim.AdamW(self.params, lr=self.cfg.lr, weight_decay=0.0)
        self.scaler = self.torch.amp.GradScaler("cuda") if self.cuda else None
        self.step_count = 0

    def _tensors(self, batch: Sequence[Encoded]):
        torch = self.torch
        length = max(len(e.ids) for e in batch)
        keep = max(e.n_answer for e in batch) + 1
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = torch.full((len(batch), length), pad, dtype=torch.long)
        mask = torch.zeros((len(batch), length), dtype=torch.long)
        labels = torch.full((len(batch), keep - 1), -100, dtype=torch.long)
        for i, e in enumerate(batch):
            ids[i, length - len(e.ids):] = torch.tensor(e.ids)
            mask[i, length - len(e.ids):] = 1
            labels[i, keep - 1 - e.n_answer:] = torch.tensor(e.ids[-e.n_answer:])
        positions = (mask.cumsum(1) - 1).clamp(min=0)
        return ids.to(self.device), mask.to(self.device), positions.to(self.device), labels.to(self.device), keep

    def step(self, batch: Sequence[Encoded]) -> float:
        torch = self.torch
        ids, mask, positions, labels, keep = self._tensors(batch)
        lr_scale = min(1.0, (self.step_count + 1) / max(1, self.cfg.warmup_steps))
        for group in self.optimizer.param_groups:
            group["lr"] = self.cfg.lr * lr_scale
        with torch.autocast("cuda", dtype=torch.float16, enabled=self.cuda):
            logits = self.model(input_ids=ids, attention_mask=mask, position_ids=positions,
                                logits_to_keep=keep).logits
        # position p predicts token p + 1: the first keep-1 kept positions predict the labels
        loss = torch.nn.functional.cross_entropy(logits[:, :-1].float().reshape(-1, logits.shape[-1]),
                                                 labels.reshape(-1), ignore_index=-100)
        self.optimizer.zero_grad(set_to_none=True)
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            loss.backward()
            self.optimizer.step()
        self.step_count += 1
        return float(loss.detach())

    def train(self, data: Sequence[Encoded], deadline: float, stop: Callable[[], bool] = lambda: False,
              on_step: Callable[[int, float, int], None] | None = None, save_to: Path | None = None) -> TrainReport:
        """Steps over `data` for up to cfg.epochs passes; stops before a step that would end
        past `deadline` (estimated from the slowest recent step) or once `stop()` is true."""
        from ..progress import Progress

        report = TrainReport()
        rng = random.Random(self.cfg.seed)
        self.model.train()
        t0 = last_save = time.monotonic()
        recent: list[float] = []
        epochs = max(1, self.cfg.epochs)
        per_epoch = math.ceil(len(data) / max(1, self.cfg.batch_size))
        bar = Progress(epochs * per_epoch, f"training {save_to.name if save_to else 'adapter'}")
        for _ in range(epochs):
            for batch in batches(data, max(1, self.cfg.batch_size), rng):
                now = time.monotonic()
                if stop():
                    report.stopped = "stop"
                elif now + (max(recent) if recent else 0.0) > deadline:
                    report.stopped = "deadline"
                if report.stopped:
                    break
                loss = self.step(batch)
                took = time.monotonic() - now
                recent = (recent + [took])[-5:]
                tokens = sum(len(e.ids) for e in batch)
                report.steps += 1
                report.samples += len(batch)
                report.tokens += tokens
                report.answer_tokens += sum(e.n_answer for e in batch)
                report.losses.append(round(loss, 5) if math.isfinite(loss) else float("nan"))
                if on_step:
                    on_step(report.steps, loss, tokens)
                bar.update(note=f"loss {loss:.4f}")
                if save_to is not None and time.monotonic() - last_save >= self.cfg.save_every_s:
                    self.save(save_to)
                    last_save = time.monotonic()
            if report.stopped:
                break
        report.seconds = time.monotonic() - t0
        bar.close()
        if save_to is not None and report.steps:
            self.save(save_to)
        return report

    def save(self, out: Path) -> None:
        """Atomically: a reader never sees a half-written adapter folder."""
        out = Path(out)
        tmp = out.with_name(f".{out.name}.tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        self.model.save_pretrained(str(tmp))
        old = out.with_name(f".{out.name}.old{os.getpid()}")
        if out.exists():
            os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)

    def merge_to(self, out: Path) -> None:
        """The base weights with the adapter folded in, as a plain model folder (and tokenizer)."""
        merged = self.model.merge_and_unload()
        tmp = Path(out).with_name(f".{Path(out).name}.tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        merged.save_pretrained(str(tmp))
        self.tokenizer.save_pretrained(str(tmp))
        shutil.rmtree(out, ignore_errors=True)
        os.replace(tmp, out)
