"""Every setting, defined once: a typed dataclass per section, each field with its default,
help and allowed range (the way peft's LoraConfig does it).

Loading applies, in order: these defaults, a hardware profile (kernel/profiles.toml), a
user TOML file (same layout, any subset), then `--set section.key=value` overrides, which is
also what the command line's own flags become. kernel/default.toml is written from these
classes (`python -m kernel config --defaults`) and a test keeps it in step."""

from __future__ import annotations

import math
import textwrap
import tomllib
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping, Sequence

from .durations import budget_seconds, parse_duration
from .pipeline import STAGE_NAMES, STAGES

PROFILES_FILE = Path(__file__).with_name("profiles.toml")
DEFAULT_FILE = Path(__file__).with_name("default.toml")


class ConfigError(ValueError):
    pass


def setting(default: Any, help: str, *, ge: float | None = None, gt: float | None = None,
            le: float | None = None, choices: Sequence[str] | None = None, kind: str | None = None,
            positive: bool = False) -> Any:
    """A field with its help and checks. kind "duration" is a string like "30m" (`positive`: above 0)."""
    meta = {"help": help, "ge": ge, "gt": gt, "le": le, "choices": tuple(choices) if choices else None, "kind": kind,
            "positive": positive}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class SandboxConfig:
    workers: int = setting(2, "processes running programs in parallel", ge=1, le=256)
    timeout_s: float = setting(1.0, "wall-clock limit per call of transform(grid)", gt=0, le=3600)
    memory_mb: int = setting(512, "per program, on top of what the warm worker already holds", ge=16, le=1 << 20)
    preload: tuple[str, ...] = setting(
        ("numpy", "numpy.ma", "numpy.fft", "numpy.random", "numpy.polynomial", "json", "math", "itertools",
         "collections", "functools", "copy", "re", "random", "heapq", "bisect", "operator", "typing", "string",
         "statistics", "fractions", "dataclasses", "enum", "kernel.dsl"),
        "modules a program may import, loaded once per worker before any fork (the sandbox cannot open files, "
        "so nothing else imports; numpy's lazily imported submodules are listed too)")


@dataclass(frozen=True)
class SearchConfig:
    workers: int = setting(2, "processes searching tasks in parallel", ge=1, le=256)
    budget_s: float = setting(10.0, "CPU seconds per task", gt=0, le=86400)
    max_depth: int = setting(3, "DSL steps chained before the inferred finishing step", ge=0, le=6)
    max_programs: int = setting(8, "programs kept per task (more agreeing programs rank an answer higher)", ge=1, le=1000)
    rule_depth: int = setting(1, "learn cell rules (the costly finisher) on states at most this deep", ge=0, le=6)
    rule_share: float = setting(0.5, "cell rules learned after a level may take at most this share of the "
                                "budget left", gt=0, le=1)
    rule_holdout: float = setting(0.9, "a cell rule must predict at least this share of each train pair's cells "
                                  "from the other pairs alone (leave-one-out; 0 turns the check off)", ge=0, le=1)
    rank_share: float = setting(0.5, "for a task whose pairs use different colors, the share of its budget kept "
                                "for a second search over colors renamed by frequency rank (0 turns it off)",
                                ge=0, le=0.9)
    near_share: float = setting(0.05, "the share of its budget a task keeps, should no program fit every train "
                                "pair, for near misses: chains that fit all train pairs but one, whose test "
                                "outputs are offered after every other answer (0 turns them off)", ge=0, le=0.5)


@dataclass(frozen=True)
class DryRunConfig:
    dataset: str = setting("arc-agi-1/evaluation", "the tasks of dry-run, search, sample and ttft without --dataset")
    search: str = setting("auto", "run the DSL search in dry-run: auto = when no --programs are given",
                          choices=("auto", "on", "off"))


@dataclass(frozen=True)
class PromptsConfig:
    code: str = setting("code-from-examples", "template for programs: a built-in name (code-from-examples, "
                        "code-from-examples-dsl) or a template TOML file in the model's training format")
    output: str = setting("output-from-examples", "template for output grids: a built-in name or a template TOML file")


@dataclass(frozen=True)
class SamplingConfig:
    engine: str = setting("vllm", "vllm | hf (transformers, CPU/debugging) | replay (recorded candidates)",
                          choices=("vllm", "hf", "replay"))
    n: int = setting(8, "samples per prompt", ge=1, le=10000)
    temperature: float = setting(1.0, "sampling temperature (0 is greedy: one sample per prompt)", ge=0, le=10)
    top_p: float = setting(1.0, "nucleus sampling", gt=0, le=1)
    max_tokens_code: int = setting(512, "per program completion (programs are mostly under ~200 tokens)", ge=1, le=1 << 20)
    max_tokens_output: int = setting(1024, "per grid completion (a 30x30 grid is ~930 tokens, one per digit)",
                                     ge=1, le=1 << 20)
    seed: int = setting(0, "sampling and augmentation seed")
    mode: str = setting("sample", "output grids: sample (n per prompt at the temperature) or dfs (depth-first: every "
                        "grid at least min_prob probable, the greedy one first; the hf engine only)",
                        choices=("sample", "dfs"))
    min_prob: float = setting(0.17, "dfs: the least probability a completion keeps (0.17: at most 5)", gt=0, le=1)
    dfs_max_steps: int = setting(4096, "dfs: tokens fed per prompt at most (bounds the walk)", ge=1)


@dataclass(frozen=True)
class VLLMConfig:
    devices: str = setting("auto", "auto: one engine per visible GPU (else the CPU); cpu, cpu*2, or GPU ids like 0,1")
    dtype: str = setting("auto", "auto: float16 on GPUs without bfloat16 (T4, compute capability < 8)")
    attention_backend: str = setting("auto", "auto: TRITON_ATTN on GPUs below compute capability 8.0 (T4), vLLM's "
                                         "choice elsewhere; or a backend name, e.g. FLASH_ATTN")
    max_model_len: int = setting(8192, "prompt plus answer, in tokens", ge=16)
    gpu_memory_utilization: float = setting(0.9, "of each GPU, split between engines that share one", gt=0, le=1)
    enable_prefix_caching: bool = setting(True, "the n samples and a task's test inputs share their prompt's prefix")
    max_num_seqs: int = setting(256, "sequences in one batch", ge=1)
    enforce_eager: bool = setting(False, "true skips CUDA graph capture: faster start, slower decoding")
    max_lora_rank: int = setting(16, "at least ttft.rank", ge=1)
    max_loras: int = setting(4, "LoRA adapters served in one batch (per-task adapters: more is faster, uses more memory)",
                             ge=1)
    queue_depth: int = setting(256, "requests handed to each engine at a time", ge=1)
    start_timeout_s: float = setting(900.0, "an engine that is not ready by then is given up", gt=0)
    stall_timeout_s: float = setting(600.0, "an engine with work but no finished request for this long is killed", gt=0)
    stop_grace_s: float = setting(10.0, "after a stop or deadline, wait this long before killing an engine", ge=0)
    cpu_kvcache_gb: float = setting(4.0, "CPU build only: KV cache size", gt=0)


@dataclass(frozen=True)
class RunConfig:
    total: str = setting("12h", "Kaggle's limit for the whole notebook (the run's length)", kind="duration",
                         positive=True)
    margin: str = setting("30m", "kept back for notebook start-up, the offline install and the unexpected "
                          "(not in a dry run)", kind="duration")
    finish_reserve: str = setting("1m", "the final selection and write of submission.json", kind="duration")
    stop_grace: str = setting("30s", "a stage past its deadline gets SIGTERM, then SIGKILL this much later",
                              kind="duration")
    stages: tuple[str, ...] = setting(("search", "sample_code", "sample_output"),
                                      "stages in this order; search runs alongside the rest", choices=STAGE_NAMES)
    augmentations: int = setting(8, "output sampling: each test input under this many rotations/flips/color permutations",
                                 ge=1, le=64)
    keep_background: bool = setting(True, "output sampling: color permutations keep 0 as 0 (false: full permutations)")
    shuffle_examples: bool = setting(False, "output sampling: every view but the identity shows the examples in "
                                            "another order")


@dataclass(frozen=True)
class TTFTConfig:
    devices: str = setting("auto", "auto: one training process per visible GPU, each on its share of the tasks; "
                           "cpu; cpu*2; 0,1")
    mode: str = setting("shared", "shared: one adapter per training process; per_task: one adapter per task",
                        choices=("shared", "per_task"))
    merge: bool = setting(False, "merge the adapter into the base weights (only when there is exactly one adapter)")
    budget: str = setting("20m", "training time of the ttft command (in a run, budgets.ttft)", kind="duration",
                          positive=True)
    rank: int = setting(16, "LoRA rank (vllm.max_lora_rank must be at least this to serve it)", ge=1)
    alpha: int = setting(32, "LoRA alpha", ge=1)
    dropout: float = setting(0.0, "LoRA dropout", ge=0, le=1)
    target_modules: tuple[str, ...] = setting(
        ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"), "modules LoRA adapts")
    lr: float = setting(1e-4, "learning rate", gt=0)
    warmup_steps: int = setting(10, "linear warm-up steps", ge=0)
    batch_size: int = setting(4, "samples per optimizer step", ge=1)
    max_seq_len: int = setting(8192, "prompt plus answer; longer samples drop their largest examples, then are skipped",
                               ge=16)
    epochs: int = setting(2, "passes over the samples, if the budget allows", ge=1)
    augmentations: int = setting(8, "per leave-one-out sample: rotations/flips and color permutations "
                                 "(the first is the identity)", ge=1, le=64)
    keep_background: bool = setting(True, "color permutations keep 0 (the usual background) as 0")
    shuffle_examples: bool = setting(True, "each augmented sample also shows its examples in a shuffled order")
    code_targets: bool = setting(True, "also train on programs already verified on the task (search or sampling)")
    gradient_checkpointing: str = setting("auto", "auto: on for GPUs (activation memory on a 16 GB T4), off on the CPU",
                                          choices=("auto", "on", "off"))
    save_every_s: float = setting(120.0, "the adapter is saved this often (and at the end; 0: after every step), "
                                  "so a killed run keeps the last good one", ge=0)
    seed: int = setting(0, "training seed")


SELECTION_METHODS = ("votes", "votes+logprob", "product-of-experts", "votes-minus-nll")


@dataclass(frozen=True)
class SelectionConfig:
    method: str = setting("votes", "how output grids are ranked (verified programs' answers always come first): votes; "
                          "votes+logprob (ties broken by the samples' log-probability, arc24); product-of-experts "
                          "(the mean log-likelihood under the score_output stage's views, the ARChitects); "
                          "votes-minus-nll (votes minus that mean negative log-likelihood, NVARC). The last two need "
                          "the score_output stage and fall back to votes for a test input it did not finish",
                          choices=SELECTION_METHODS)
    top_k: int = setting(4, "score_output: distinct grids scored per test input, the most voted first", ge=1, le=64)
    views: int = setting(8, "score_output: views each grid is scored under (the identity first, then random "
                         "rotations/flips and color permutations)", ge=1, le=64)
    keep_background: bool = setting(True, "score_output: color permutations keep 0 as 0 (false: full permutations)")
    shuffle_examples: bool = setting(True, "score_output: every view but the identity shows the examples in another order")


BUDGETS_HELP = ("per stage: a number is a fraction of the run (total minus margin), a string a duration. Stages run "
                "one after another (time one leaves unused flows to the next); search runs on CPU cores alongside them "
                "from the start, so its share may overlap the others. A budget is an upper bound: no stage runs past "
                "the end of the run, whatever the shares add up to")


def default_budgets() -> dict[str, float | str]:
    return {s.name: s.default_budget for s in STAGES.values()}


@dataclass(frozen=True)
class Config:
    sandbox: SandboxConfig = field(default_factory=SandboxConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    dry_run: DryRunConfig = field(default_factory=DryRunConfig)
    prompts: PromptsConfig = field(default_factory=PromptsConfig)
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    vllm: VLLMConfig = field(default_factory=VLLMConfig)
    run: RunConfig = field(default_factory=RunConfig)
    selection: SelectionConfig = field(default_factory=SelectionConfig)
    budgets: Mapping[str, float | str] = field(
        default_factory=default_budgets)
    ttft: TTFTConfig = field(default_factory=TTFTConfig)


# Every section but [budgets] (a mapping keyed by stage), as Config lists them.
SECTIONS: dict[str, type] = {f.name: type(f.default_factory()) for f in fields(Config) if f.name != "budgets"}


def field_of(dotted: str):
    """The dataclass field behind "section.key"."""
    section, _, key = dotted.partition(".")
    for f in fields(SECTIONS[section]):
        if f.name == key:
            return f
    raise KeyError(dotted)


def profile_names() -> tuple[str, ...]:
    return tuple(_profiles())


def _profiles() -> dict[str, dict]:
    return tomllib.loads(PROFILES_FILE.read_text())


# --- checking one value --------------------------------------------------------------------------

def _coerce(value: Any, annotation: str) -> Any:
    """A TOML value against a field's annotation (a string under postponed annotations)."""
    if annotation == "bool":
        if isinstance(value, bool):
            return value
        raise TypeError
    if isinstance(value, bool):
        raise TypeError
    if annotation == "int" and isinstance(value, (int, float)) and math.isfinite(value) and int(value) == value:
        return int(value)
    if annotation == "float" and isinstance(value, (int, float)):
        return float(value)
    if annotation == "str" and isinstance(value, str):
        return value
    if annotation == "str" and isinstance(value, int):
        return str(value)  # `--set vllm.devices=0`: TOML reads a bare GPU id as a number
    if annotation.startswith("tuple[str") and isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise TypeError


def check_value(dotted: str, value: Any) -> Any:
    """The value, coerced to the field's type, or a ConfigError that names the key and what it takes."""
    f = field_of(dotted)
    m = f.metadata
    try:
        v = _coerce(value, str(f.type))
    except TypeError:
        raise ConfigError(f"{dotted} = {value!r}: expected {f.type} ({m['help']})") from None
    if ((m["ge"] is not None and not v >= m["ge"]) or (m["gt"] is not None and not v > m["gt"])
            or (m["le"] is not None and not v <= m["le"])):
        raise ConfigError(f"{dotted} = {value!r}: must be {describe_range(m)}")
    if isinstance(v, float) and math.isnan(v):
        raise ConfigError(f"{dotted} = {value!r}: not a number")
    if m["choices"] and isinstance(v, tuple):  # a list setting: each item is one of the choices
        unknown = [x for x in v if x not in m["choices"]]
        if unknown:
            raise ConfigError(f"{dotted}: unknown {unknown} (known: {', '.join(m['choices'])})")
    elif m["choices"] and v not in m["choices"]:
        raise ConfigError(f"{dotted} = {value!r}: expected one of {', '.join(m['choices'])}")
    if m["kind"] == "duration":
        try:
            seconds = parse_duration(v)
        except ValueError as e:
            raise ConfigError(f"{dotted}: {e}") from None
        if m["positive"] and seconds <= 0:
            raise ConfigError(f"{dotted} = {value!r}: must be a duration above 0")
    return v


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def describe_range(meta: Mapping[str, Any]) -> str:
    parts = []
    if meta.get("ge") is not None:
        parts.append(f">= {_num(meta['ge'])}")
    if meta.get("gt") is not None:
        parts.append(f"> {_num(meta['gt'])}")
    if meta.get("le") is not None:
        parts.append(f"<= {_num(meta['le'])}")
    if meta.get("choices"):
        parts.append("one of " + ", ".join(meta["choices"]))
    return " and ".join(parts)


def check_budget(stage: str, value: Any) -> float | str:
    if stage not in STAGES:
        raise ConfigError(f"budgets.{stage}: unknown stage (known: {', '.join(STAGE_NAMES)})")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ConfigError(f"budgets.{stage} = {value!r}: expected a fraction of the run or a duration like \"3h\"")
    try:
        budget_seconds(value, 1.0)
    except ValueError as e:
        raise ConfigError(f"budgets.{stage}: {e}") from None
    return float(value) if isinstance(value, (int, float)) else value


# --- loading -------------------------------------------------------------------------------------

def _merge(layers: dict[str, dict], extra: dict, where: str) -> None:
    for section, values in extra.items():
        if section not in layers or not isinstance(values, dict):
            raise ConfigError(f"{where}: unknown section [{section}] (known: {', '.join(layers)})")
        for key, value in values.items():
            if section != "budgets" and key not in {f.name for f in fields(SECTIONS[section])}:
                raise ConfigError(f"{where}: unknown setting {section}.{key}")
            layers[section][key] = value


def parse_override(text: str) -> dict:
    """'section.key=value' (value in TOML; a bare word is a string) -> {section: {key: value}}."""
    dotted, eq, raw = text.partition("=")
    section, dot, key = dotted.strip().partition(".")
    if not eq or not dot or not section or not key:
        raise ConfigError(f"--set {text!r}: expected section.key=value, e.g. sandbox.timeout_s=2")
    return {section: {key.strip(): parse_value(raw)}}


def parse_value(raw: str) -> Any:
    """A value as --set and the command-line flags read it: TOML, or else a bare word as a string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw.strip()


def load_config(path: str | Path | None = None, overrides: Sequence[str] = (), profile: str | None = None) -> Config:
    layers: dict[str, dict] = {name: {} for name in SECTIONS}
    layers["budgets"] = {}
    if profile is not None:
        known = _profiles()
        if profile not in known:
            raise ConfigError(f"unknown profile {profile!r} (known: {', '.join(known)})")
        _merge(layers, known[profile], f"profile {profile}")
    if path is not None:
        try:
            user = tomllib.loads(Path(path).read_text())
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such config file") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{path}: not valid TOML: {e}") from None
        _merge(layers, user, str(path))
    for text in overrides:
        _merge(layers, parse_override(text), "--set")
    sections = {name: cls(**{key: check_value(f"{name}.{key}", v) for key, v in layers[name].items()})
                for name, cls in SECTIONS.items()}
    budgets = default_budgets()
    budgets.update({stage: check_budget(stage, v) for stage, v in layers["budgets"].items()})
    return Config(budgets=budgets, **sections)


# --- writing -------------------------------------------------------------------------------------

def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, (tuple, list)):
        flat = "[" + ", ".join(toml_value(x) for x in v) + "]"
        if len(flat) <= 90:
            return flat
        return "[\n" + "".join(f"    {toml_value(x)},\n" for x in v) + "]"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def to_toml(cfg: Config, with_help: bool = True) -> str:
    """The settings as a TOML file that load_config reads back to the same Config."""
    lines = ["# Settings of every command, defined in kernel/config.py. Override with --profile NAME,",
             "# --config FILE (same layout, any subset) and --set section.key=value.", ""]
    for name in SECTIONS:
        lines.append(f"[{name}]")
        section = getattr(cfg, name)
        for f in fields(section):
            value = toml_value(getattr(section, f.name))
            if with_help:
                rng = describe_range(f.metadata)
                default = f.default if f.default is not MISSING else None
                note = f.metadata["help"] + (f" [{rng}]" if rng else "")
                if default is not None and getattr(section, f.name) != default:
                    note += f" (default {toml_value(default)})"
                lines.extend(textwrap.wrap(note, 100, initial_indent="# ", subsequent_indent="# "))
            lines.append(f"{f.name} = {value}")
        lines.append("")
    lines.append("[budgets]")
    if with_help:
        lines.extend(textwrap.wrap(BUDGETS_HELP, 100, initial_indent="# ", subsequent_indent="# "))
    for stage, value in cfg.budgets.items():
        lines.append(f"{stage} = {toml_value(value)}" + (f"  # {STAGES[stage].help}" if with_help else ""))
    return "\n".join(lines) + "\n"
