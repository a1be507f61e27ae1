"""transformers `generate`, in this process: for the CPU and for debugging a model or a
prompt format without vLLM. One request at a time; the deadline also caps each generate.
A request with an answer is scored by one forward pass over prompt, answer and end token; one
with `min_prob` is sampled depth-first (kernel.engines.dfs) on one key-value cache."""

from __future__ import annotations

import contextlib
import logging
import math
import time
from typing import Iterator

from .base import Completion, Engine, EngineError, Request, teacher_forced_ids
from .dfs import dfs

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

    def _score(self, request: Request) -> Completion:
        torch = self.torch
        joined, n = teacher_forced_ids(self.tokenizer, request.prompt, request.answer)
        ids = torch.tensor([joined], device=self.device)
        t0 = time.time()
        with self._adapter_context(request), torch.no_grad():
            logits = self.model(input_ids=ids).logits[0, -n - 1:-1].float()
        total = float(torch.log_softmax(logits, -1).gather(1, ids[0, -n:, None]).sum())
        return Completion(request.id, (request.answer,), len(joined) - n, (n,), ("scored",), t0, time.time(), "hf",
                          logprobs=(total,))

    def _dfs(self, request: Request, deadline: float | None) -> Completion:
        from transformers import DynamicCache

        torch, s = self.torch, request.sampling
        prompt = self.tokenizer(request.prompt, add_special_tokens=False)["input_ids"]
        width = math.ceil(1 / s.min_prob)   # no more tokens than this can each hold min_prob
        cache = DynamicCache()

        def top(logits, bound: float) -> list[tuple[int, float]]:
            if self._stop.is_set() or (deadline is not None and time.monotonic() >= deadline):
                return []   # past the deadline: the walk ends, keeping what it found
            values, ids = torch.log_softmax(logits.float(), -1).topk(width)
            return [(int(i), float(v)) for v, i in zip(values.tolist(), ids.tolist()) if v >= bound]

        def forward(ids: list[int]):
            return self.model(input_ids=torch.tensor([ids], device=self.device), past_key_values=cache,
                              use_cache=True).logits[0, -1]

        def step(depth: int, token: int, bound: float):
            excess = cache.get_seq_length() - (len(prompt) + depth)
            if excess > 0:
                cache.crop(-excess)   # back up the tree to this branch point
            return top(forward([token]), bound)

        t0 = time.time()
        with self._adapter_context(request), torch.no_grad():
            start = forward(prompt)
            found, steps = dfs(lambda bound: top(start, bound), step, self.tokenizer.eos_token_id, s.min_prob,
                               s.max_tokens, s.max_steps)
        texts = tuple(self.tokenizer.decode(f.tokens[:-1], skip_special_tokens=True) for f in found)
        return Completion(request.id, texts, len(prompt), tuple(len(f.tokens) for f in found), ("stop",) * len(found),
                          t0, time.time(), "hf", logprobs=tuple(f.logprob for f in found))

    def _one(self, request: Request, deadline: float | None) -> Completion:
        if request.answer is not None:
            return self._score(request)
        if request.sampling.min_prob is not None:
            return self._dfs(request, deadline)
        s = request.sampling
        enc = self.tokenizer(request.prompt, return_tensors="pt", add_special_tokens=False).to(self.device)
        kwargs = dict(max_new_tokens=s.max_tokens, num_return_sequences=s.n, do_sample=s.temperature > 0,
                      pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
                      output_logits=True, return_dict_in_generate=True)
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
        new = out.sequences[:, prompt_len:]
        # the raw logits (before temperature), as vLLM reports its logprobs
        token_lp = self.torch.stack([self.torch.log_softmax(x.float(), -1) for x in out.logits], 1).gather(
            2, new[:, :len(out.logits), None])[..., 0].tolist()
        texts, lengths, reasons, logprobs = [], [], [], []
        eos = self.tokenizer.eos_token_id
        for seq, lps in zip(new.tolist(), token_lp):
            ended = eos in seq
            kept = seq.index(eos) + 1 if ended else len(seq)
            seq = seq[: kept - ended]
            logprobs.append(sum(lps[:kept]))
            seq = [t for t in seq if t != self.tokenizer.pad_token_id]
            texts.append(self.tokenizer.decode(seq, skip_special_tokens=True))
            lengths.append(len(seq) + ended)
            reasons.append("stop" if ended else "length")
        return Completion(request.id, tuple(texts), prompt_len, tuple(lengths), tuple(reasons), t0, time.time(), "hf",
                          logprobs=tuple(logprobs))

    def _generate(self, requests: list[Request], deadline: float | None) -> Iterator[Completion]:
        for r in requests:
            if self._stop.is_set() or (deadline is not None and time.monotonic() >= deadline):
                return
            try:
                yield self._one(r, deadline)
            except (RuntimeError, ValueError) as e:  # e.g. a prompt past the model's positions
                log.warning("request %s failed: %s", r.id, e)
                yield Completion(r.id, worker="hf", error=f"{type(e).__name__}: {e}")
