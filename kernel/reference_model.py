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
   (the end-of-sequence token included), linear warm-up then cosine decay over the time budget,
   batches of about `batch_tokens` tokens grouped by length;
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
    minutes: float = 24.0           # training wall-clock budget (the tokenizer and data come first)
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


def training_samples(recipe: Recipe, renderer, log: Callable[[str], None]) -> list:
    """Rendered (prompt, answer) samples of both kinds, deterministic in the recipe's seed."""
    from .prompting import build_prompts, load_template
    from .prompting.grid_text import encode_grid
    from .tasks import Task
    from .ttft.data import Sample

    out_t, code_t = load_template(recipe.output_prompt), load_template(recipe.code_prompt)
    views = augmentations(8, recipe.seed)
    rng = random.Random(recipe.seed)
    samples = []
    t0 = time.monotonic()
    for task, code, family in generate(TRAIN_FAMILIES, recipe.seed + 100, recipe.tasks, prefix="r"):
        # the program twice: as generated, and with the train pairs in another order (same rule)
        shuffled = list(task.train)
        rng.shuffle(shuffled)
        for t in (task, Task(task.id, tuple(shuffled), task.test)):
            prompts, _ = build_prompts([t], code_t, renderer, recipe.max_seq_len)
            samples += [Sample(task.id, "code-from-examples", p.text, code_t.target({"code": code})) for p in prompts]
        # the first test output, under a random rotation/flip/color view half the time
        view = views[rng.randrange(len(views))] if rng.random() < 0.5 else None
        t = view.task(task) if view is not None else task
        single = Task(t.id, t.train, t.test[:1])
        prompts, _ = build_prompts([single], out_t, renderer, recipe.max_seq_len)
        answer = out_t.target({"output": encode_grid(t.test[0].output, out_t.grid)})
        samples += [Sample(task.id, "output-from-examples", p.text, answer) for p in prompts]
    log(f"{len(samples)} samples from {recipe.tasks} tasks in {time.monotonic() - t0:.0f} s")
    return samples


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
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    from .prompting.builder import TokenizerRenderer
    from .ttft.train import encode

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
    tokenizer = _tokenizer(out, corpus)
    renderer = TokenizerRenderer(tokenizer)

    # 2. data
    data, skipped = encode(tokenizer, training_samples(recipe, renderer, log), recipe.max_seq_len)
    tokens_per_pass = sum(len(e.ids) for e in data)
    log(f"{len(data)} sequences ({skipped} too long), {tokens_per_pass} tokens a pass, vocabulary {len(tokenizer)}")

    # 3. model and training
    eos, pad = tokenizer.convert_tokens_to_ids("<|im_end|>"), tokenizer.convert_tokens_to_ids("<|endoftext|>")
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=recipe.hidden, intermediate_size=recipe.intermediate,
                         num_hidden_layers=recipe.layers, num_attention_heads=recipe.heads, num_key_value_heads=1,
                         max_position_embeddings=8192, tie_word_embeddings=True, rope_theta=10000.0,
                         bos_token_id=pad, eos_token_id=eos, pad_token_id=pad)
    model = Qwen2ForCausalLM(config)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=0.01, betas=(0.9, 0.95))
    budget = recipe.minutes * 60
    t_train = time.monotonic()
    step, seen, history = 0, 0, []
    model.train()
    log_file = open(out / "train-log.jsonl", "w")
    epoch = 0
    while time.monotonic() - t_train < budget:
        for batch in _batches(data, recipe.batch_tokens, rng):
            elapsed = time.monotonic() - t_train
            if elapsed >= budget:
                break
            frac = elapsed / budget   # the schedule follows the clock: the budget is time, not steps
            lr = recipe.lr * min(1.0, (step + 1) / recipe.warmup_steps) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
            for g in opt.param_groups:
                g["lr"] = lr
            length = max(len(e.ids) for e in batch)
            ids = torch.full((len(batch), length), pad, dtype=torch.long)
            labels = torch.full((len(batch), length), -100, dtype=torch.long)
            mask = torch.zeros((len(batch), length), dtype=torch.long)
            for i, e in enumerate(batch):   # right padding: positions start at 0 for every sequence
                ids[i, :len(e.ids)] = torch.tensor(e.ids)
                mask[i, :len(e.ids)] = 1
                labels[i, len(e.ids) - e.n_answer:len(e.ids)] = torch.tensor(e.ids[-e.n_answer:])
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            seen += int(mask.sum())
            if step % 20 == 0:
                rec = {"step": step, "epoch": epoch, "seconds": round(time.monotonic() - t_train, 1),
                       "loss": round(float(loss), 4), "lr": round(lr, 6), "tokens": seen}
                history.append(rec)
                log_file.write(json.dumps(rec) + "\n")
                log_file.flush()
                log(f"step {step} epoch {epoch} {rec['seconds']:.0f}s loss {rec['loss']:.4f} "
                    f"{seen / max(rec['seconds'], 1e-9):.0f} tok/s")
        epoch += 1
    log_file.close()

    # 4. save
    model.generation_config = GenerationConfig(eos_token_id=eos, pad_token_id=pad, bos_token_id=pad)
    model.save_pretrained(out)
    import transformers

    summary = {"recipe": asdict(recipe), "parameters": params, "steps": step, "epochs": epoch,
               "tokens_trained": seen, "tokens_per_pass": tokens_per_pass, "sequences": len(data),
               "train_seconds": round(time.monotonic() - t_train, 1),
               "total_seconds": round(time.monotonic() - started, 1),
               "final_loss": history[-1]["loss"] if history else None,
               "date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {recipe.threads} torch threads",
               "versions": {"python": platform.python_version(), "torch": torch.__version__,
                            "transformers": transformers.__version__}}
    (out / "recipe.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary
