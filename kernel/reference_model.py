"""The reference model: a small Qwen2 model trained here, on the CPU, on arc-mini tasks in both
formats (output grids and DSL programs), so that every model stage's effect can be measured
without a GPU and without a model hub. `python -m kernel make-reference-model DIR` retrains it;
the committed one lives in kernel/reference/ (weights, tokenizer, recipe and training log).

The recipe, read top to bottom in `make_reference_model`:
1. a byte-level BPE tokenizer with every digit its own token (one token per cell), the chat
   template ChatML, <|im_end|> as end of sequence;
2. training tasks: arc-mini's training families from seed `seed + 100` (never the named sets'
   seeds), each task twice as a program prompt (answer: the task's DSL program; once with its train
   pairs shuffled) and once as an output prompt for its first test input (answer: the grid) under a
   random rotation/flip/color view half the time, rendered with the default presets exactly as the
   sampling stages render them;
3. a Qwen2 model of `hidden` x `layers`, trained from scratch with AdamW on the answer tokens
   (the end-of-sequence token included) and, with weight `example_weight`, on every example output
   grid inside the prompts (each is a prediction from the examples before it: four times the grid
   supervision for the same compute), linear warm-up then cosine decay over a budget of tokens
   (not of time, so a busy machine trains slower, never differently), batches of about
   `batch_tokens` tokens grouped by length;
4. the weights in float32 with the tokenizer, recipe.json and train-log.jsonl."""

from __future__ import annotations

import json
import math
import platform
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Sequence

from .arc_mini import TRAIN_FAMILIES, generate
from .augment import augmentations
from .demo_model import CHATML, SPECIAL

REFERENCE_DIR = Path(__file__).with_name("reference")


@dataclass(frozen=True)
class Recipe:
    seed: int = 0
    tokens: int = 11_000_000        # training tokens, prompts included: about 24 minutes alone on 2 cores
    example_weight: float = 1.0     # loss on the example output grids in the prompts, beside the answer's
    tasks: int = 7000               # arc-mini training tasks generated
    hidden: int = 128
    layers: int = 4
    heads: int = 2                  # head_dim 64: vLLM's CPU build rejects smaller heads
    intermediate: int = 512
    lr: float = 2e-3
    warmup_steps: int = 50
    batch_tokens: int = 8192
    max_seq_len: int = 2048
    output_prompt: str = "output-from-examples"
    code_prompt: str = "code-from-examples"
    threads: int = 2


def _tokenizer(out: Path, corpus: Sequence[str]):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=768, special_tokens=SPECIAL, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus, trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   bos_token=None, unk_token=None, additional_special_tokens=SPECIAL[1:2])
    fast.chat_template = CHATML
    fast.save_pretrained(out)
    return fast


@dataclass(frozen=True)
class Rendered:
    """One training sequence as text: the prompt, its answer, and the (input, output) grid texts of
    the examples the prompt shows, in order, whose outputs also carry loss."""
    task_id: str
    kind: str
    prompt: str
    answer: str
    examples: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Encoded:
    ids: tuple[int, ...]
    n_answer: int                       # the last n_answer ids are the answer (end-of-sequence included)
    example_positions: tuple[int, ...]  # positions of the example output grids' tokens in the prompt


def training_samples(recipe: Recipe, renderer, log: Callable[[str], None]) -> list[Rendered]:
    """Rendered samples of both kinds, deterministic in the recipe's seed."""
    from .prompting import build_prompts, load_template
    from .prompting.grid_text import encode_grid
    from .tasks import Task

    out_t, code_t = load_template(recipe.output_prompt), load_template(recipe.code_prompt)
    views = augmentations(8, recipe.seed)
    rng = random.Random(recipe.seed)
    samples = []
    t0 = time.monotonic()

    def rendered(t: Task, template, answer: str) -> list[Rendered]:
        prompts, _ = build_prompts([t], template, renderer, recipe.max_seq_len)
        grids = tuple((encode_grid(p.input, template.grid), encode_grid(p.output, template.grid)) for p in t.train)
        return [Rendered(t.id, template.kind, p.text, answer, grids) for p in prompts]

    for task, code, family in generate(TRAIN_FAMILIES, recipe.seed + 100, recipe.tasks, prefix="r"):
        # the program twice: as generated, and with the train pairs in another order (same rule)
        shuffled = list(task.train)
        rng.shuffle(shuffled)
        for t in (task, Task(task.id, tuple(shuffled), task.test)):
            samples += rendered(t, code_t, code_t.target({"code": code}))
        # the first test output, under a random rotation/flip/color view half the time
        view = views[rng.randrange(len(views))] if rng.random() < 0.5 else None
        t = view.task(task) if view is not None else task
        single = Task(t.id, t.train, t.test[:1])
        samples += rendered(single, out_t, out_t.target({"output": encode_grid(t.test[0].output, out_t.grid)}))
    log(f"{len(samples)} samples from {recipe.tasks} tasks in {time.monotonic() - t0:.0f} s")
    return samples


def example_spans(prompt: str, examples: Sequence[tuple[str, str]]) -> list[tuple[int, int]]:
    """Character spans of the example outputs in the prompt, found in order (each output after its
    input); an example the prompt left out (too long) is skipped."""
    spans, pos = [], 0
    for inp, out in examples:
        i = prompt.find(inp, pos)
        j = prompt.find(out, i + len(inp)) if i >= 0 else -1
        if j < 0:
            continue
        spans.append((j, j + len(out)))
        pos = j + len(out)
    return spans


def encode(tokenizer, samples: Sequence[Rendered], max_seq_len: int) -> tuple[list[Encoded], int]:
    eos = tokenizer.eos_token_id
    out, skipped = [], 0
    for s in samples:
        enc = tokenizer(s.prompt, add_special_tokens=False, return_offsets_mapping=True)
        answer = tokenizer(s.answer, add_special_tokens=False)["input_ids"] + [eos]
        if len(enc["input_ids"]) + len(answer) > max_seq_len:
            skipped += 1
            continue
        spans = example_spans(s.prompt, s.examples)
        positions = tuple(k for k, (a, b) in enumerate(enc["offset_mapping"])
                          if k > 0 and any(lo <= a and b <= hi for lo, hi in spans))
        out.append(Encoded(tuple(enc["input_ids"]) + tuple(answer), len(answer), positions))
    return out, skipped


def _batches(data, batch_tokens: int, rng: random.Random) -> list[list]:
    """Grouped by length (little padding), about batch_tokens tokens each, in random order."""
    order = sorted(data, key=lambda e: len(e.ids))
    out, cur = [], []
    for e in order:
        if cur and (len(cur) + 1) * len(e.ids) > batch_tokens:
            out.append(cur)
            cur = []
        cur.append(e)
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def make_reference_model(out: str | Path, recipe: Recipe = Recipe(), log: Callable[[str], None] = print) -> dict:
    import torch
    from transformers import AutoTokenizer, GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    from .prompting.builder import TokenizerRenderer

    started = time.monotonic()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(recipe.seed)
    torch.set_num_threads(recipe.threads)
    rng = random.Random(recipe.seed)

    # 1. tokenizer, from the presets' text and a sample of the data it will see
    from .prompting.templates import BUILTIN_DIR

    corpus = [p.read_text() for p in sorted(BUILTIN_DIR.glob("*.toml"))]
    corpus += [code for _, code, _ in generate(TRAIN_FAMILIES, recipe.seed + 99, 200, prefix="t")]
    trained = _tokenizer(out, corpus)
    eos, pad = trained.convert_tokens_to_ids("<|im_end|>"), trained.convert_tokens_to_ids("<|endoftext|>")
    config = Qwen2Config(vocab_size=len(trained), hidden_size=recipe.hidden, intermediate_size=recipe.intermediate,
                         num_hidden_layers=recipe.layers, num_attention_heads=recipe.heads, num_key_value_heads=1,
                         max_position_embeddings=8192, tie_word_embeddings=True, rope_theta=10000.0,
                         bos_token_id=pad, eos_token_id=eos, pad_token_id=pad)
    config.save_pretrained(out)
    # Train on the tokenizer as every consumer loads it: with config.json beside it, transformers
    # (and vLLM through it) reads this folder as a Qwen2 tokenizer, whose own pre-tokenizer splits
    # text (not digits) otherwise than the object just trained.
    tokenizer = AutoTokenizer.from_pretrained(out)
    renderer = TokenizerRenderer(tokenizer)
    log(f"tokenizer: {type(tokenizer).__name__}, {len(tokenizer)} tokens")

    # 2. data
    data, skipped = encode(tokenizer, training_samples(recipe, renderer, log), recipe.max_seq_len)
    tokens_per_pass = sum(len(e.ids) for e in data)
    log(f"{len(data)} sequences ({skipped} too long), {tokens_per_pass} tokens a pass")

    # 3. model and training
    model = Qwen2ForCausalLM(config)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=0.01, betas=(0.9, 0.95))
    t_train = time.monotonic()
    step, seen, history = 0, 0, []
    model.train()
    log_file = open(out / "train-log.jsonl", "w")
    epoch = 0
    while seen < recipe.tokens:
        for batch in _batches(data, recipe.batch_tokens, rng):
            if seen >= recipe.tokens:
                break
            frac = seen / recipe.tokens
            lr = recipe.lr * min(1.0, (step + 1) / recipe.warmup_steps) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
            for g in opt.param_groups:
                g["lr"] = lr
            length = max(len(e.ids) for e in batch)
            ids = torch.full((len(batch), length), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), length), dtype=torch.long)
            answer = torch.zeros((len(batch), length), dtype=torch.bool)    # where the token is a target
            example = torch.zeros((len(batch), length), dtype=torch.bool)
            for i, e in enumerate(batch):   # right padding: positions start at 0 for every sequence
                ids[i, :len(e.ids)] = torch.tensor(e.ids)
                mask[i, :len(e.ids)] = 1
                answer[i, len(e.ids) - e.n_answer:len(e.ids)] = True
                example[i, list(e.example_positions)] = True
            logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1]
            nll = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1),
                                                    reduction="none").view(ids.shape[0], -1)
            answer_loss = nll[answer[:, 1:]].mean()
            example_loss = nll[example[:, 1:]].mean() if example.any() else nll.new_zeros(())
            loss = answer_loss + recipe.example_weight * example_loss
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            seen += int(mask.sum())
            if step % 20 == 0:
                rec = {"step": step, "epoch": epoch, "seconds": round(time.monotonic() - t_train, 1),
                       "loss": round(float(answer_loss), 4), "example_loss": round(float(example_loss), 4),
                       "lr": round(lr, 6), "tokens": seen}
                history.append(rec)
                log_file.write(json.dumps(rec) + "\n")
                log_file.flush()
                log(f"step {step} epoch {epoch} {rec['seconds']:.0f}s loss {rec['loss']:.4f} "
                    f"examples {rec['example_loss']:.4f} "
                    f"{seen / max(rec['seconds'], 1e-9):.0f} tok/s")
        epoch += 1
    log_file.close()

    # 4. save
    model.generation_config = GenerationConfig(eos_token_id=eos, pad_token_id=pad, bos_token_id=pad)
    model.save_pretrained(out)
    import transformers

    summary = {"recipe": asdict(recipe), "parameters": params, "steps": step, "passes": round(seen / tokens_per_pass, 3),
               "tokens_trained": seen, "tokens_per_pass": tokens_per_pass, "sequences": len(data),
               "train_seconds": round(time.monotonic() - t_train, 1),
               "total_seconds": round(time.monotonic() - started, 1),
               "final_loss": history[-1]["loss"] if history else None,
               "date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {recipe.threads} torch threads",
               "versions": {"python": platform.python_version(), "torch": torch.__version__,
                            "transformers": transformers.__version__}}
    (out / "recipe.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary
