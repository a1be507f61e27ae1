"""Commands around a model: make-demo-model, sample, ttft."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..prompting.templates import builtin_names
from ..reference_model import Recipe
from .common import (UsageError, add_config_args, add_dataset_args, add_prompt_arg, add_setting, check_adapter_folder,
                     check_model_folder, config_from, duration, load_dataset, model_dir, positive_int)


def register(sub) -> None:
    p = sub.add_parser("make-demo-model", help="build a tiny random Qwen2 model to smoke-test the pipeline",
                       description="Write a tiny random Qwen2 model (about 2 MB) with its own BPE tokenizer and a "
                                   "ChatML chat template to DIR. It loads in vLLM and transformers like any Hugging "
                                   "Face model and writes garbage: enough to try sampling, parsing, the sandbox, "
                                   "LoRA and the Kaggle bundle without a real model or a download.")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--seed", type=int, default=0, help="weight initialisation seed (default 0)")
    p.set_defaults(func=cmd_make_demo_model)

    p = sub.add_parser("make-reference-model", help="train the reference model on arc-mini tasks (CPU, about 30 min)",
                       description="Train a small Qwen2 model from scratch on arc-mini training tasks in both formats "
                                   "(output grids and DSL programs, rendered with the default presets), on the CPU, "
                                   "for --tokens training tokens, and write it with its tokenizer, recipe.json and "
                                   "train-log.jsonl to DIR. The committed one is kernel/reference/ (--model reference).")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--tokens", type=positive_int, default=Recipe.tokens,
                   help=f"training tokens, prompts included (default {Recipe.tokens:,}: about 24 minutes on 2 "
                        "cores; the schedule follows tokens, so a busy machine trains slower, not differently)")
    p.add_argument("--tasks", type=positive_int, default=Recipe.tasks,
                   help=f"arc-mini training tasks generated (default {Recipe.tasks})")
    p.add_argument("--seed", type=int, default=Recipe.seed, help=f"(default {Recipe.seed})")
    p.set_defaults(func=cmd_make_reference_model)

    p = sub.add_parser("sample", help="sample programs or output grids from a model; writes candidates JSONL",
                       description="One prompt per task (programs) or per test input (grids) from a prompt template, "
                                   "--n completions each, parsed (garbage is recorded as unanswered), one JSON line "
                                   "per completion to --out as requests finish. A program candidates file can be "
                                   "verified and scored with `dry-run --programs FILE`.")
    p.add_argument("--model", type=model_dir, metavar="DIR",
                   help="Hugging Face model folder, or `reference` (the reference model trained here); needed by vllm "
                        "and hf, and by replay to render the same prompts (without it replay matches by prompt id)")
    add_dataset_args(p)
    p.add_argument("--prompt", default="code-from-examples", metavar="NAME|FILE.toml",
                   help="prompt preset: " + ", ".join(builtin_names()) + ", or a preset file (default: "
                        "code-from-examples)")
    add_setting(p, "--engine", "sampling.engine")
    add_setting(p, "--n", "sampling.n", convert=positive_int)
    add_setting(p, "--temperature", "sampling.temperature", convert=float)
    p.add_argument("--max-tokens", type=positive_int,
                   help="per completion (default: setting sampling.max_tokens_code or max_tokens_output)")
    p.add_argument("--adapter", metavar="DIR", help="LoRA adapter saved by peft, served with the model")
    p.add_argument("--replay", metavar="FILE.jsonl", action="append", default=[],
                   help="recorded candidates for --engine replay (repeatable)")
    add_setting(p, "--devices", "vllm.devices", metavar="SPEC")
    p.add_argument("--budget", type=duration, metavar="DURATION",
                   help="stop sampling after this long, keeping what finished (e.g. 20m)")
    p.add_argument("--out", required=True, metavar="CANDIDATES.jsonl")
    add_config_args(p)
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("ttft", help="test-time fine-tuning: LoRA adapters trained on the tasks' own train pairs",
                       description="Train LoRA adapters (peft) on the tasks' train pairs, each pair in turn the target "
                                   "of an output-from-examples prompt with the others as examples, under "
                                   "augmentations (settings in [ttft]). Stops at --budget keeping the last saved "
                                   "adapter; writes the adapters and adapters.json (which adapter serves which task) "
                                   "to --out. One training process per GPU, each on its share of the tasks.")
    p.add_argument("--model", required=True, type=model_dir, metavar="DIR",
                   help="Hugging Face model folder, or `reference` (the reference model trained here)")
    add_dataset_args(p)
    add_prompt_arg(p)
    add_setting(p, "--budget", "ttft.budget", convert=str, metavar="DURATION")
    add_setting(p, "--devices", "ttft.devices", metavar="SPEC")
    add_setting(p, "--mode", "ttft.mode")
    add_setting(p, "--merge", "ttft.merge", switch=True)
    p.add_argument("--trace", metavar="TRACE.jsonl", help="a run's trace: programs verified there become "
                                                          "code-from-examples targets")
    p.add_argument("--out", required=True, metavar="ADAPTER_DIR")
    add_config_args(p)
    p.set_defaults(func=cmd_ttft)

    p = sub.add_parser("prompt", help="print a task's prompts exactly as the engine will send them, with token counts",
                       description="Render the prompts of one task with a preset, exactly as the sampling stages send "
                                   "them to the engine (the model's chat template applied, the preset's prefill at "
                                   "the end), to stdout, one after another; each one's id and token count (with the "
                                   "model's tokenizer) go to stderr. Compare them byte for byte with your training "
                                   "data. Without --model there is no chat template and a token is a character.")
    p.add_argument("--task", required=True, metavar="ID", help="the task's id in the dataset")
    add_dataset_args(p)
    p.add_argument("--preset", required=True, metavar="NAME|FILE.toml",
                   help="prompt preset: " + ", ".join(builtin_names()) + ", or a preset file")
    p.add_argument("--model", type=model_dir, metavar="DIR",
                   help="model folder (its tokenizer and chat template), or `reference`")
    p.add_argument("--answer", action="store_true",
                   help="also print the right answer as the model should write it after the prompt (from the "
                        "solutions, output presets only): what test-time fine-tuning trains on")
    add_config_args(p, profile=False)
    p.set_defaults(func=cmd_prompt)


def cmd_make_demo_model(args: argparse.Namespace) -> int:
    from ..demo_model import make_demo_model

    out = make_demo_model(args.dir, seed=args.seed)
    size = sum(f.stat().st_size for f in out.iterdir())
    print(f"wrote a random demo model to {out} ({size / 1e6:.1f} MB)")
    return 0


def cmd_make_reference_model(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from ..reference_model import make_reference_model

    summary = make_reference_model(args.dir, replace(Recipe(), tokens=args.tokens, tasks=args.tasks, seed=args.seed),
                                   log=lambda m: print(m, flush=True))
    print(f"wrote {args.dir}: {summary['parameters']} parameters, {summary['steps']} steps in "
          f"{summary['train_seconds']:.0f} s, final loss {summary['final_loss']}")
    return 0


def _preset(spec: str):
    """A prompt preset by name or file; a bad one is a usage error."""
    from ..prompting import TemplateError, load_template

    try:
        return load_template(spec)
    except TemplateError as e:
        raise UsageError(str(e)) from None


def _renderer(model: str | None):
    from ..prompting.builder import CharRenderer, TokenizerRenderer

    if model is None:
        return CharRenderer()
    from transformers import AutoTokenizer

    try:
        return TokenizerRenderer(AutoTokenizer.from_pretrained(model))
    except (OSError, ValueError) as e:
        raise UsageError(f"{model}: cannot load the tokenizer: {e}") from None


def cmd_sample(args: argparse.Namespace) -> int:
    from ..engines import Adapter, EngineError, make_engine
    from ..sampling import sample_candidates, sampling_of

    cfg = config_from(args)
    template = _preset(args.prompt)
    ts = load_dataset(args, cfg)
    sa = cfg.sampling
    if sa.temperature == 0 and sa.n > 1:
        raise UsageError("temperature 0 (greedy) gives one sample per prompt: use --n 1, or a temperature above 0")
    max_tokens = args.max_tokens or (sa.max_tokens_code if template.kind == "code-from-examples" else sa.max_tokens_output)
    check_adapter_folder(args.adapter)
    adapter = Adapter(Path(args.adapter).name, str(Path(args.adapter).resolve())) if args.adapter else None
    if sa.engine != "replay" and args.model is None:
        raise UsageError(f"--model is needed with the {sa.engine} engine")
    check_model_folder(args.model)
    renderer = _renderer(args.model)
    deadline = time.monotonic() + args.budget if args.budget else None
    try:
        engine = make_engine(sa.engine, cfg, args.model, args.replay, lora=adapter is not None)
    except EngineError as e:
        raise UsageError(str(e)) from None
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with engine, open(out, "w", encoding="utf-8") as f:
        r = sample_candidates(ts.tasks, template, renderer, engine,
                              sampling_of(sa, max_tokens, template.kind == "output-from-examples"),
                              cfg.vllm.max_model_len, f, adapter, deadline)
    print(f"{template.version_id} via {sa.engine}: {r.prompts} prompts ({r.skipped} skipped as too long), "
          f"{r.requests_done} done, {r.requests_failed} failed{', stopped at the budget' if r.stopped_early else ''}")
    print(f"{r.completions} completions, {r.answered} parsed as {'programs' if template.kind.startswith('code') else 'grids'}"
          + (f", {r.correct} grids correct" if template.kind == "output-from-examples" and ts.has_solutions else ""))
    print(f"tokens: {r.prompt_tokens} prompt, {r.output_tokens} generated in {r.seconds:.1f} s ({r.tokens_per_s:.0f} tok/s)")
    print(f"wrote {out}")
    return 0


def cmd_ttft(args: argparse.Namespace) -> int:
    from ..durations import parse_duration
    from ..trace import read_trace, verified_programs
    from ..ttft import read_manifest, run_ttft
    from ..ttft.train import TTFTError

    start = time.monotonic()
    cfg = config_from(args)
    check_model_folder(args.model)
    ts = load_dataset(args, cfg)
    programs: dict[str, list[str]] = {}
    if args.trace:
        if not Path(args.trace).is_file():
            raise UsageError(f"{args.trace}: no such trace file")
        programs = verified_programs(read_trace(args.trace))
    try:
        report = run_ttft(args.model, ts.tasks, cfg, args.out, start + parse_duration(cfg.ttft.budget), programs)
    except (TTFTError, ValueError) as e:
        raise UsageError(str(e)) from None
    for part in report["parts"]:
        print(f"{part['adapter']}: {part['tasks']} tasks, {part['samples_available']} samples, {part['steps']} steps, "
              f"{part['tokens']} tokens in {part['seconds']:.1f} s ({part['tokens_per_s']:.0f} tok/s), loss "
              f"{part['first_loss']} -> {part['last_loss']}" + (f", stopped at {part['stopped']}" if part["stopped"] else ""))
    manifest = read_manifest(args.out)
    if manifest is None:
        print("error: no adapter was trained (tasks need two train pairs that fit in ttft.max_seq_len)", file=sys.stderr)
        return 1
    print(f"wrote {len(manifest.adapters)} adapter(s) for {len(manifest.tasks)} tasks to {args.out}"
          + (f" and merged weights to {Path(args.out, manifest.merged)}" if manifest.merged else ""))
    return 0


def cmd_prompt(args: argparse.Namespace) -> int:
    from ..prompting import build_prompts
    from ..prompting.grid_text import encode_grid

    cfg = config_from(args)
    template = _preset(args.preset)
    ts = load_dataset(args, cfg)
    task = next((t for t in ts.tasks if t.id == args.task), None)
    if task is None:
        raise UsageError(f"--task {args.task}: not in the dataset ({len(ts.tasks)} tasks, e.g. "
                         f"{', '.join(t.id for t in ts.tasks[:3])})")
    check_model_folder(args.model)
    renderer = _renderer(args.model)
    if args.model is None:
        print("# no --model: no chat template applied, one token per character", file=sys.stderr)
    prompts, skipped = build_prompts([task], template, renderer, cfg.vllm.max_model_len)
    for s in skipped:
        print(f"# skipped: {s.reason}", file=sys.stderr)
    for p in prompts:
        print(f"# {p.id}: {p.tokens} tokens, {p.n_examples} of {len(task.train)} examples ({template.version_id})",
              file=sys.stderr)
        sys.stdout.write(p.text)
        sys.stdout.flush()
        if args.answer and template.kind == "output-from-examples" and task.test[p.test_index].output is not None:
            answer = template.target({"output": encode_grid(task.test[p.test_index].output, template.grid),
                                      "eos": renderer.eos})
            print(f"\n# the right answer ({renderer.count(answer)} tokens, then the end-of-sequence token):",
                  file=sys.stderr)
            sys.stdout.write(answer)
        sys.stdout.write("\n")
    return 0

