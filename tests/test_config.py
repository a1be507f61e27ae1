import argparse
import ast
from dataclasses import fields
from pathlib import Path

import pytest

from kernel.config import DEFAULT_FILE, SECTIONS, Config, ConfigError, load_config, to_toml

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_load_and_overrides_apply(tmp_path):
    user = tmp_path / "c.toml"
    user.write_text("[sandbox]\nworkers = 4\n")
    cfg = load_config(user, ["sandbox.timeout_s=2.5", "dry_run.dataset=arc-agi-2/evaluation"])
    assert cfg.sandbox.workers == 4 and cfg.sandbox.timeout_s == 2.5
    assert cfg.dry_run.dataset == "arc-agi-2/evaluation"
    assert "numpy" in cfg.sandbox.preload


@pytest.mark.parametrize("override,message", [
    ("sandbox.nope=1", "unknown setting sandbox.nope"),
    ("nosection.x=1", "unknown section"),
    ("sandbox.workers=two", "sandbox.workers = 'two': expected int"),
    ("sandbox.workers=0", "sandbox.workers = 0: must be >= 1 and <= 256"),
    ("sampling.engine=gpu", "sampling.engine = 'gpu': expected one of vllm, hf, replay"),
    ("run.total=soon", "run.total: 'soon' is not a duration"),
    ("run.stages=['search','magic']", "run.stages: unknown \\['magic'\\]"),
    ("budgets.sample_code=2.5", "budgets.sample_code: 2.5: a number is a fraction"),
    ("budgets.nope=0.5", "budgets.nope: unknown stage"),
    ("timeout", "section.key=value"),
    ("workers=3", "section.key=value"),  # a bare key is refused, not taken as a sandbox key
])
def test_bad_settings_are_refused_with_a_message_naming_the_key(override, message):
    with pytest.raises(ConfigError, match=message):
        load_config(None, [override])


def test_out_of_range_sandbox_settings_are_refused():
    for override in ("sandbox.timeout_s=1e20", "sandbox.memory_mb=1", "sandbox.workers=100000", "sandbox.timeout_s=nan"):
        with pytest.raises(ConfigError, match=override.split("=")[0]):
            load_config(None, [override])


def test_every_setting_has_a_default_and_help():
    for name, cls in SECTIONS.items():
        for f in fields(cls):
            assert f.metadata.get("help"), f"{name}.{f.name} has no help"
            assert getattr(Config(), name) == cls()


def test_default_toml_is_what_the_settings_classes_write():
    """kernel/default.toml is generated (`python -m kernel config --defaults`): it cannot drift."""
    assert DEFAULT_FILE.read_text() == to_toml(Config())
    assert load_config(DEFAULT_FILE) == Config()


def test_written_settings_read_back_to_the_same_config(tmp_path):
    cfg = load_config(None, ["sandbox.workers=5", "budgets.search=\"2h\"", "run.stages=['ttft','search']"],
                      profile="l4x4")
    path = tmp_path / "c.toml"
    path.write_text(to_toml(cfg))
    assert load_config(path) == cfg


def test_every_profile_loads():
    from kernel.config import profile_names

    for name in profile_names():
        load_config(profile=name)


def _setting_flags():
    """(command, flag, key) for every flag that stands for a setting."""
    from kernel.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for command, p in sub.choices.items():
        for action in p._actions:
            for key in getattr(action, "keys", ()):
                yield command, action.option_strings[0], key


def test_setting_flags_take_their_help_range_and_default_from_the_setting():
    from kernel.cli import build_parser
    from kernel.config import field_of

    seen = list(_setting_flags())
    assert {("verify", "--timeout-s", "sandbox.timeout_s"), ("sample", "--n", "sampling.n"),
            ("ttft", "--budget", "ttft.budget"), ("dry-run", "--workers", "sandbox.workers")} <= set(seen)
    parser = build_parser()
    for command, flag, key in seen:
        help_text = " ".join(parser._subparsers._group_actions[0].choices[command].format_help().split())
        assert f"setting {key}" in help_text
        assert field_of(key).metadata["help"].split()[0] in help_text


def test_a_setting_flag_is_a_set_written_another_way():
    from kernel.cli import build_parser
    from kernel.cli.common import config_from

    args = build_parser().parse_args(["dry-run", "--out", "x", "--workers", "3", "--budget-per-task", "1m30s",
                                      "--set", "sandbox.workers=4"])
    cfg = config_from(args)
    assert cfg.search.workers == 3 and cfg.sandbox.workers == 4  # --set comes last
    assert cfg.search.budget_s == 90.0
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sample", "--out", "x", "--n", "0"])


# --- layers ----------------------------------------------------------------------------------------

# A module may import only from its own layer or those below (architecture: docs/architecture.md).
LAYERS = [
    {"grids", "tasks", "durations", "trace", "procs", "progress", "pipeline", "folders"},
    {"config"},
    {"sandbox", "dsl", "search", "prompting", "engines", "augment", "candidates", "verify", "scoring",
     "submission", "sampling", "ttft", "demo_model", "arc_mini", "reference_model", "reference", "likelihood"},
    {"stages"},
    {"orchestrator"},
    {"tuning", "bundle"},
    {"cli", "__main__"},
]


def _layer(module: str) -> int:
    top = module.split(".")[1] if module.count(".") else module
    for i, layer in enumerate(LAYERS):
        if top in layer:
            return i
    raise AssertionError(f"kernel.{top} is in no layer: add it to LAYERS and docs/architecture.md")


def _imports(path: Path) -> list[str]:
    module = "kernel." + ".".join(path.relative_to(ROOT / "kernel").with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append(target)
        elif isinstance(node, ast.Import):
            out.extend(a.name for a in node.names)
    return [t for t in out if t == "kernel" or t.startswith("kernel.")]


def test_no_module_imports_from_a_layer_above_its_own():
    upward = []
    for path in sorted((ROOT / "kernel").rglob("*.py")):
        module = "kernel." + ".".join(path.relative_to(ROOT / "kernel").with_suffix("").parts)
        for target in _imports(path):
            if target == "kernel":
                continue  # the package's version
            if _layer(target) > _layer(module):
                upward.append(f"{module} imports {target}")
    assert upward == []


def test_no_module_imports_a_private_name_of_another_module():
    private = []
    for path in sorted((ROOT / "kernel").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                private += [f"{path.relative_to(ROOT)}: {node.module}.{a.name}" for a in node.names
                            if a.name.startswith("_") and not a.name.startswith("__")]
    assert private == []


def test_setting_flags_read_values_as_the_setting_types_them():
    from kernel.cli import build_parser
    from kernel.cli.common import config_from

    cfg = config_from(build_parser().parse_args(["sample", "--out", "x", "--devices", "0"]))
    assert cfg.vllm.devices == "0"  # a GPU id is a string setting, not a number
    cfg = config_from(build_parser().parse_args(["verify", "--task", "t", "--code", "c", "--timeout-s", ".5"]))
    assert cfg.sandbox.timeout_s == 0.5
    assert load_config(None, ["vllm.devices=1"]).vllm.devices == "1"


def test_durations_that_may_be_zero_and_those_that_may_not():
    cfg = load_config(None, ["run.margin=0s", "run.stop_grace=0s", "run.finish_reserve=0s"])
    assert cfg.run.margin == "0s"
    for key in ("run.total", "ttft.budget"):
        with pytest.raises(ConfigError, match=f"{key} = '0s': must be a duration above 0"):
            load_config(None, [f"{key}=0s"])



def test_the_settings_cross_into_a_stage_process():
    import pickle

    cfg = load_config(None, ["budgets.search=\"1h\""])
    assert pickle.loads(pickle.dumps(cfg)) == cfg  # a StageContext is pickled for a spawned process
