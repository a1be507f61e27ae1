"""One place for settings: kernel/default.toml, an optional user TOML file on top, then
`--set section.key=value` overrides from the command line."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Sequence

DEFAULT_FILE = Path(__file__).with_name("default.toml")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class SandboxConfig:
    workers: int
    timeout_s: float
    memory_mb: int
    preload: tuple[str, ...]


@dataclass(frozen=True)
class SearchConfig:
    workers: int
    budget_s: float
    max_depth: int
    max_programs: int
    rule_depth: int


@dataclass(frozen=True)
class DryRunConfig:
    dataset: str
    search: str


@dataclass(frozen=True)
class PromptsConfig:
    code: str
    output: str


@dataclass(frozen=True)
class SamplingConfig:
    engine: str
    n: int
    temperature: float
    top_p: float
    max_tokens_code: int
    max_tokens_output: int
    seed: int


@dataclass(frozen=True)
class VLLMConfig:
    devices: str
    dtype: str
    attention_backend: str
    max_model_len: int
    gpu_memory_utilization: float
    enable_prefix_caching: bool
    max_num_seqs: int
    enforce_eager: bool
    max_lora_rank: int
    max_loras: int
    queue_depth: int
    start_timeout_s: float
    stall_timeout_s: float
    stop_grace_s: float
    cpu_kvcache_gb: float


@dataclass(frozen=True)
class RunConfig:
    total: str
    margin: str
    finish_reserve: str
    stop_grace: str
    stages: tuple[str, ...]
    augmentations: int


@dataclass(frozen=True)
class TTFTConfig:
    devices: str
    mode: str
    merge: bool
    rank: int
    alpha: int
    dropout: float
    target_modules: tuple[str, ...]
    lr: float
    warmup_steps: int
    batch_size: int
    max_seq_len: int
    epochs: int
    augmentations: int
    keep_background: bool
    shuffle_examples: bool
    code_targets: bool
    gradient_checkpointing: str
    save_every_s: float
    seed: int


@dataclass(frozen=True)
class BudgetsConfig:
    ttft: float | str
    search: float | str
    programs: float | str
    sample_code: float | str
    sample_output: float | str

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Config:
    sandbox: SandboxConfig
    search: SearchConfig
    dry_run: DryRunConfig
    prompts: PromptsConfig
    sampling: SamplingConfig
    vllm: VLLMConfig
    run: RunConfig
    budgets: BudgetsConfig
    ttft: TTFTConfig


_SECTIONS = {"sandbox": SandboxConfig, "search": SearchConfig, "dry_run": DryRunConfig,
             "prompts": PromptsConfig, "sampling": SamplingConfig, "vllm": VLLMConfig, "run": RunConfig,
             "budgets": BudgetsConfig, "ttft": TTFTConfig}
PROFILES_FILE = Path(__file__).with_name("profiles.toml")


def profiles() -> dict[str, dict]:
    return tomllib.loads(PROFILES_FILE.read_text())
ENGINES = ("vllm", "hf", "replay")


def _merge(base: dict, extra: dict, where: str) -> None:
    for section, values in extra.items():
        if section not in base or not isinstance(values, dict):
            raise ConfigError(f"{where}: unknown section [{section}] (known: {', '.join(base)})")
        for key, value in values.items():
            if key not in base[section]:
                raise ConfigError(f"{where}: unknown setting {section}.{key}")
            base[section][key] = value


def _parse_override(text: str) -> dict:
    if "=" not in text or "." not in text.split("=", 1)[0]:
        raise ConfigError(f"--set {text!r}: expected section.key=value, e.g. sandbox.timeout_s=2")
    dotted, raw = text.split("=", 1)
    section, key = dotted.strip().split(".", 1)
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw  # a bare word is a string
    return {section: {key: value}}


def _coerce(value: Any, kind: str) -> Any:
    """Check a TOML value against a field's annotation (a string under postponed annotations)."""
    if kind == "bool" and isinstance(value, bool):
        return value
    if isinstance(value, bool):
        raise TypeError
    if kind == "int" and isinstance(value, (int, float)) and int(value) == value:
        return int(value)
    if kind == "float" and isinstance(value, (int, float)):
        return float(value)
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "float | str" and isinstance(value, (int, float, str)):
        return float(value) if isinstance(value, (int, float)) else value
    if kind.startswith("tuple[str") and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise TypeError


def _build(cls: type, values: dict[str, Any], section: str) -> Any:
    kwargs = {}
    for f in fields(cls):
        try:
            kwargs[f.name] = _coerce(values[f.name], str(f.type))
        except TypeError:
            raise ConfigError(f"{section}.{f.name} = {values[f.name]!r}: expected {f.type}") from None
    return cls(**kwargs)


def load_config(path: str | Path | None = None, overrides: Sequence[str] = (), profile: str | None = None) -> Config:
    data = tomllib.loads(DEFAULT_FILE.read_text())
    if profile is not None:
        known = profiles()
        if profile not in known:
            raise ConfigError(f"unknown profile {profile!r} (known: {', '.join(known)})")
        _merge(data, known[profile], f"profile {profile}")
    if path is not None:
        try:
            user = tomllib.loads(Path(path).read_text())
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such config file") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{path}: not valid TOML: {e}") from None
        _merge(data, user, str(path))
    for text in overrides:
        _merge(data, _parse_override(text), "--set")
    cfg = Config(**{name: _build(cls, data[name], name) for name, cls in _SECTIONS.items()})
    sb = cfg.sandbox
    if not (1 <= sb.workers <= 256 and 0 < sb.timeout_s <= 3600 and 16 <= sb.memory_mb <= 1 << 20):
        raise ConfigError("sandbox needs 1 <= workers <= 256, 0 < timeout_s <= 3600 and 16 <= memory_mb <= 1048576")
    se = cfg.search
    if not (1 <= se.workers <= 256 and 0 < se.budget_s <= 86400 and 0 <= se.max_depth <= 6
            and 1 <= se.max_programs <= 1000 and 0 <= se.rule_depth <= 6):
        raise ConfigError("search needs 1 <= workers <= 256, 0 < budget_s <= 86400, 0 <= max_depth <= 6, "
                          "1 <= max_programs <= 1000 and 0 <= rule_depth <= 6")
    sa = cfg.sampling
    if sa.engine not in ENGINES:
        raise ConfigError(f"sampling.engine = {sa.engine!r}: expected one of {', '.join(ENGINES)}")
    if not (1 <= sa.n <= 10000 and 0 <= sa.temperature <= 10 and 0 < sa.top_p <= 1
            and 1 <= sa.max_tokens_code <= 1 << 20 and 1 <= sa.max_tokens_output <= 1 << 20):
        raise ConfigError("sampling needs 1 <= n <= 10000, 0 <= temperature <= 10, 0 < top_p <= 1 and "
                          "max_tokens_code, max_tokens_output >= 1")
    vl = cfg.vllm
    if not (0 < vl.gpu_memory_utilization <= 1 and vl.max_model_len >= 16 and vl.queue_depth >= 1
            and vl.max_num_seqs >= 1 and vl.start_timeout_s > 0 and vl.stall_timeout_s > 0 and vl.stop_grace_s >= 0
            and vl.cpu_kvcache_gb > 0):
        raise ConfigError("vllm needs 0 < gpu_memory_utilization <= 1, max_model_len >= 16, queue_depth >= 1, "
                          "max_num_seqs >= 1, positive timeouts and cpu_kvcache_gb > 0")
    from .durations import parse_duration
    from .orchestrator.budget import STAGES, BudgetError, stage_seconds

    for key in ("total", "margin", "finish_reserve", "stop_grace"):
        try:
            parse_duration(getattr(cfg.run, key))
        except ValueError as e:
            raise ConfigError(f"run.{key}: {e}") from None
    unknown = [s for s in cfg.run.stages if s not in STAGES]
    if unknown:
        raise ConfigError(f"run.stages: unknown {unknown} (known: {', '.join(STAGES)})")
    if not 1 <= cfg.run.augmentations <= 64:
        raise ConfigError("run.augmentations must be 1..64")
    for name, value in cfg.budgets.as_dict().items():
        try:
            stage_seconds(value, 1.0)
        except BudgetError as e:
            raise ConfigError(f"budgets.{name}: {e}") from None
    if cfg.dry_run.search not in ("auto", "on", "off"):
        raise ConfigError(f"dry_run.search = {cfg.dry_run.search!r}: expected auto, on or off")
    return cfg
