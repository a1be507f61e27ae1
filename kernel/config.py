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
class Config:
    sandbox: SandboxConfig
    search: SearchConfig
    dry_run: DryRunConfig


_SECTIONS = {"sandbox": SandboxConfig, "search": SearchConfig, "dry_run": DryRunConfig}


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
    if isinstance(value, bool):
        raise TypeError
    if kind == "int" and isinstance(value, (int, float)) and int(value) == value:
        return int(value)
    if kind == "float" and isinstance(value, (int, float)):
        return float(value)
    if kind == "str" and isinstance(value, str):
        return value
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


def load_config(path: str | Path | None = None, overrides: Sequence[str] = ()) -> Config:
    data = tomllib.loads(DEFAULT_FILE.read_text())
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
    if cfg.dry_run.search not in ("auto", "on", "off"):
        raise ConfigError(f"dry_run.search = {cfg.dry_run.search!r}: expected auto, on or off")
    return cfg
