import pytest

from kernel.config import ConfigError, load_config


def test_defaults_load_and_overrides_apply(tmp_path):
    user = tmp_path / "c.toml"
    user.write_text("[sandbox]\nworkers = 4\n")
    cfg = load_config(user, ["sandbox.timeout_s=2.5", "dry_run.dataset=arc-agi-2/evaluation"])
    assert cfg.sandbox.workers == 4 and cfg.sandbox.timeout_s == 2.5
    assert cfg.dry_run.dataset == "arc-agi-2/evaluation"
    assert "numpy" in cfg.sandbox.preload


@pytest.mark.parametrize("override,message", [
    ("sandbox.nope=1", "unknown setting"),
    ("nosection.x=1", "unknown section"),
    ("sandbox.workers=two", "expected int"),
    ("sandbox.workers=0", "1 <= workers <= 256"),
    ("timeout", "section.key=value"),
])
def test_bad_settings_are_named(override, message):
    with pytest.raises(ConfigError, match=message):
        load_config(None, [override])


def test_out_of_range_sandbox_settings_are_refused():
    for override in ("sandbox.timeout_s=1e20", "sandbox.memory_mb=1", "sandbox.workers=100000"):
        with pytest.raises(ConfigError):
            load_config(None, [override])
