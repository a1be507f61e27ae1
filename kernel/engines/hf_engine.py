"""transformers `generate`, in this process: for the CPU and for debugging a model or a
prompt format without vLLM. One request at a time; the deadline also caps each generate."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Iterator

from .base import Completion, Engine, EngineError, Request

log = logging.getLogger(__name__)


class HFEngine(Engine):
    name = "hf"

    def __init__(self, model_dir: str, dtype: str = "auto", device: str | None = None) -> None:
        super().__init__()
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.torch = torch
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if dtype == "auto":
            # fp16 on any GPU (T4 has no bf16); fp32 on the CPU, where fp16 matmuls are slow or missing.
            dtype = "float16" if self.device.startswith("cuda") else "float32"
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
            self.model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=getattr(torch, dtype)).to(self.device)
        except (OSError, ValueError) as e:
            raise EngineError(f"{model_dir}: cannot load the model with transformers: {e}") from None
        self.model.eval()
        self._adapters: dict[str, str] = {}

    def _adapter_context(self, request: Request):
        """Load and switch to the request's LoRA adapter; a request without one runs the base
        weights (peft's disable_adapter) once any adapter has been loaded."""
        if request.adapter is None:
            return self.model.disable_adapter() if self._adapters else contextlib.nullcontext()
        from peft import PeftModel

        a = request.adapter
        if not self._adapters:
            self.model = PeftModel.from_pretrained(self.model, a.path, adapter_name=a.name).to(self.device)
        elif a.name not in self._adapters:
            self.model.load_adapter(a.path, adapter_name=a.name)
        self._adapters[a.name] = a.path
        self.model.set_adapter(a.name)
        return contextlib.nullcontext()

    def _one(self, request: Request, deadline: float | None) -> Completion:
        s = request.sampling
        enc = self.tokenizer(request.prompt, return_tensors="pt", add_special_tokens=False).to(self.device)
        kwargs = dict(max_new_tokens=s.max_tokens, num_return_sequences=s.n, do_sample=s.temperature > 0,
                      pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id)
        if s.temperature > 0:
            kwargs.update(temperature=s.temperature, top_p=s.top_p)
        if deadline is not None:
            kwargs["max_time"] = max(0.01, deadline - time.monotonic())
        if s.seed is not None:
            self.torch.manual_seed(s.seed)
        t0 = time.time()
        with self._adapter_context(request), self.torch.no_grad():
            out = self.model.generate(**enc, **kwargs)
        prompt_len = enc["input_ids"].shape[1]
        texts, lengths, reasons = [], [], []
        eos = self.tokenizer.eos_token_id
        for seq in out[:, prompt_len:].tolist():
            ended = eos in seq
            seq = seq[: seq.index(eos)] if ended else seq
            seq = [t for t in seq if t != self.tokenizer.pad_token_id]
            texts.append(self.tokenizer.decode(seq, skip_special_tokens=True))
            lengths.append(len(seq) + ended)
            reasons.append("stop" if ended else "length")
        return Completion(request.id, tuple(texts), prompt_len, tuple(lengths), tuple(reasons), t0, time.time(), "hf")

    def _generate(self, requests: list[Request], deadline: float | None) -> Iterator[Completion]:
        for r in requests:
            if self._stop.is_set() or (deadline is not None and time.monotonic() >= deadline):
                return
            try:
                yield self._one(r, deadline)
            except (RuntimeError, ValueError) as e:  # e.g. a prompt past the model's positions
                log.warning("request %s failed: %s", r.id, e)
                yield Completion(r.id, worker="hf", error=f"{type(e).__name__}: {e}")
