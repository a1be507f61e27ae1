"""build_kernel.py: metadata rules, the offline wheel set, and a Kaggle rehearsal (the built
entry script in a fresh virtual environment with no package index, datasets laid out as
/kaggle/input would hold them)."""

import json
import os
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT
from kernel.bundle import wheels
from kernel.bundle.metadata import check_dataset_metadata, check_kernel_metadata, dataset_metadata, slugify
from kernel.submission import validate_submission
from kernel.tasks import load_tasks

GOOD = {"id": "someone/arc-prize-kernel", "title": "ARC Prize Kernel", "code_file": "entry.py", "language": "python",
        "kernel_type": "script", "is_private": True, "enable_gpu": True, "enable_internet": False,
        "dataset_sources": ["someone/arc-prize-kernel-wheels"], "competition_sources": ["arc-prize-2025"],
        "kernel_sources": [], "model_sources": []}


# --- metadata ---------------------------------------------------------------------------------

def test_slugs_follow_kaggles_rule():
    assert slugify("ARC Prize Kernel") == "arc-prize-kernel"
    assert slugify("  Qwen2.5 — TTFT's run!  ") == "qwen2-5-ttfts-run"


@pytest.mark.parametrize("change,message", [
    ({"title": "ARC"}, "5 to 50 characters"),
    ({"title": "Another Title"}, "slugifies to"),
    ({"id": "arc-prize-kernel"}, "owner/slug"),
    ({"id": "someone/arc", "title": "Arc Kernel"}, "at least 5"),
    ({"language": "julia"}, "language"),
    ({"kernel_type": "app"}, "kernel_type"),
    ({"code_file": "missing.py"}, "no such file"),
    ({"dataset_sources": ["no-owner"]}, "dataset_sources"),
    ({"model_sources": ["someone/qwen/transformers/default"]}, "model_sources"),
    ({"enable_internet": True}, "must be false"),
])
def test_kernel_metadata_the_kaggle_cli_would_refuse_is_named(tmp_path, change, message):
    (tmp_path / "entry.py").write_text("print(1)\n")
    assert check_kernel_metadata(GOOD, tmp_path) == []
    problems = check_kernel_metadata({**GOOD, **change}, tmp_path)
    assert any(message in p for p in problems), problems


def test_dataset_metadata_rules():
    assert check_dataset_metadata(dataset_metadata("someone", "arc-prize-kernel-wheels", "Arc Prize Kernel Wheels")) == []
    assert any("6 to 50" in p for p in check_dataset_metadata(dataset_metadata("someone", "abc", "Arc Prize")))
    assert any("title" in p for p in check_dataset_metadata(dataset_metadata("someone", "arc-prize", "Arc")))


# --- the wheel set ----------------------------------------------------------------------------

def test_requirements_and_the_image_list_are_read(tmp_path):
    (tmp_path / "r.txt").write_text("# comment\nvllm==0.19.1   # pinned\n-r other.txt\nPyYAML>=6\n")
    assert [(r.name, r.spec) for r in wheels.read_requirements(tmp_path / "r.txt")] == [
        ("vllm", "vllm==0.19.1"), ("pyyaml", "PyYAML>=6")]


def test_the_image_list_describes_todays_kaggle_image():
    image = wheels.read_image()
    assert image.python == "3.12"
    assert image.packages["torch"] == "2.10.0+cu128" and image.packages["transformers"] == "5.0.0"
    assert image.packages["protobuf"] == "5.29.5" and "triton" in image.packages


def test_a_notebook_freeze_is_read_as_pasted():
    pasted = """Python 3.12.12
Note: you may need to restart the kernel to use updated packages.
accelerate==1.13.0
torch==2.10.0+cu128
Jinja2==3.1.6
kaggle @ file:///tmp/kaggle-1.7.tar.gz
WARNING: pip is configured with locations that require TLS/SSL
"""
    python, packages, skipped = wheels.parse_freeze(pasted)
    assert python == "3.12"
    assert packages == {"accelerate": "1.13.0", "torch": "2.10.0+cu128", "jinja2": "3.1.6"}
    assert len(skipped) == 3 and skipped[1].startswith("kaggle @")


def test_build_kernel_refreshes_the_image_list_from_a_freeze_and_names_the_changes(tmp_path):
    (tmp_path / "image.txt").write_text("python==3.12\ntorch==2.10.0+cu128\ntransformers==5.0.0\nnumba==0.60.0\n")
    (tmp_path / "freeze.txt").write_text("Python 3.12.3\ntorch==2.10.0+cu128\ntransformers==5.1.0\nnumpy==2.4.1\n")
    r = build("--image-freeze", tmp_path / "freeze.txt", "--image", tmp_path / "image.txt")
    assert r.returncode == 0, r.stderr
    assert "transformers: 5.0.0 -> 5.1.0" in r.stdout and "numba: 0.60.0 -> not in the image" in r.stdout
    image = wheels.read_image(tmp_path / "image.txt")
    assert image == wheels.Image("3.12", {"torch": "2.10.0+cu128", "transformers": "5.1.0", "numpy": "2.4.1"})
    assert "freeze.txt" in (tmp_path / "image.txt").read_text()
    (tmp_path / "bare.txt").write_text("numpy==2.4.1\n")
    r = build("--image-freeze", tmp_path / "bare.txt", "--image", tmp_path / "new.txt")
    assert r.returncode == 2 and "--image-python" in r.stderr


def _local_index(folder, wheels_spec):
    """A find-links folder of small wheels: {(name, version): [Requires-Dist lines]}."""
    folder.mkdir()
    for (name, version), requires in wheels_spec.items():
        wheels.stub_wheel(folder, name, version, requires)
    return ["--no-index", "--find-links", str(folder)]


def test_the_plan_bundles_what_the_image_lacks_and_upgrades_what_the_requirements_refuse(tmp_path):
    sources = _local_index(tmp_path / "index", {
        ("app", "1.0"): ["torch==2.10.0", "protobuf>=5.29.6", "six", "tool"],
        ("tool", "1.0"): ['setuptools<81,>=77; python_version > "3.11"', "setuptools"],
        ("protobuf", "5.29.6"): [], ("protobuf", "6.0.0"): [], ("six", "1.17.0"): [],
        ("setuptools", "80.10.2"): [], ("setuptools", "84.2.1"): [], ("torch", "2.11.0"): [],
    })
    image = wheels.Image("3.12", {"torch": "2.10.0+cu128", "protobuf": "5.29.5", "six": "1.16.0",
                                  "setuptools": "81.0.0"})
    plan = wheels.plan_install(["app==1.0"], image, sources)
    assert plan.bundle == {"app": "1.0", "tool": "1.0", "protobuf": "6.0.0", "setuptools": "80.10.2"}
    assert plan.kept == ["six", "torch"]
    upgrades = {u.name: (u.image, u.bundled) for u in plan.upgrades}
    # setuptools<81 holds only on Python 3.12, which pip (running on this Python) does not see by itself
    assert upgrades == {"protobuf": ("5.29.5", "6.0.0"), "setuptools": ("81.0.0", "80.10.2")}
    assert "app 1.0: protobuf>=5.29.6" in next(u.needed_by for u in plan.upgrades if u.name == "protobuf")


def test_a_release_that_needs_another_torch_stops_the_plan_and_the_release_for_the_images_is_named(tmp_path):
    sources = _local_index(tmp_path / "index", {
        ("app", "1.0"): ["torch==2.10.0"], ("app", "2.0"): ["torch==2.11.0"], ("torch", "2.11.0"): []})
    image = wheels.Image("3.12", {"torch": "2.10.0+cu128"})
    with pytest.raises(wheels.WheelError) as e:
        wheels.plan_install(["app==2.0"], image, sources)
    assert "app==2.0 needs another torch" in str(e.value) and "pin app==1.0" in str(e.value)
    assert wheels.plan_install(["app==1.0"], image, sources).bundle == {"app": "1.0"}


def test_the_resolver_names_what_the_bundle_lacks_and_image_conflicts(tmp_path):
    own = wheels.project_wheel(tmp_path)
    image = wheels.Image("3.11", {"numpy": "2.0.2", "psutil": "7.1.0"})
    assert wheels.resolve_offline([str(own)], tmp_path, image).ok  # its deps come with the image
    lacking = wheels.resolve_offline([str(own), "tomli-w"], tmp_path, image)
    assert not lacking.ok and lacking.missing == ["tomli-w"]
    conflict = wheels.resolve_offline([str(own), "psutil>=99"], tmp_path, image)
    assert not conflict.ok and "psutil>=99" in conflict.error


def test_the_requirements_pin_the_vllm_whose_api_the_tests_check_and_the_peft_they_run():
    pins = {r.name: r.spec for r in wheels.read_requirements(ROOT / "requirements-offline.txt")}
    tested = {r.name: r.spec for r in wheels.read_requirements(ROOT / "requirements-engines.txt")}
    api = json.loads((ROOT / "tests" / "data" / "vllm-0.19.1-api.json").read_text())
    assert pins["vllm"] == f"vllm=={api['version']}"
    assert pins["peft"] == tested["peft"]


def test_the_engines_calls_fit_the_shipped_vllm_release():
    from kernel.bundle.vllm_api import check_engine_calls

    api = json.loads((ROOT / "tests" / "data" / "vllm-0.19.1-api.json").read_text())
    assert check_engine_calls(api) == []
    lacking = dict(api, EngineArgs=[k for k in api["EngineArgs"] if k != "enable_prefix_caching"],
                   AttentionBackendEnum=[k for k in api["AttentionBackendEnum"] if k != "TRITON_ATTN"])
    problems = check_engine_calls(lacking)
    assert any("'enable_prefix_caching'" in p for p in problems)
    assert any("no attention backend 'TRITON_ATTN'" in p for p in problems)


@pytest.mark.engines
def test_the_api_reading_agrees_with_the_installed_vllm_and_fits_the_engines():
    import dataclasses
    import inspect
    from pathlib import Path

    import vllm
    from vllm import LLM, SamplingParams
    from vllm.engine.arg_utils import EngineArgs
    from vllm.lora.request import LoRARequest
    from kernel.bundle.vllm_api import check_engine_calls, read_api

    api = read_api(Path(vllm.__file__).parent.parent, vllm.__version__)
    assert check_engine_calls(api) == []
    params = inspect.signature(LLM.__init__).parameters
    assert api["LLM.__init__"] == [p if v.kind != v.VAR_KEYWORD else "**" + p for p, v in params.items()][1:]
    assert set(api["EngineArgs"]) == {f.name for f in dataclasses.fields(EngineArgs)}
    assert set(api["SamplingParams"]) == set(SamplingParams.__struct_fields__)
    assert api["LoRARequest"] == list(LoRARequest.__struct_fields__)


def test_the_project_wheel_carries_the_configs_and_prompt_templates(tmp_path):
    names = zipfile.ZipFile(wheels.project_wheel(tmp_path)).namelist()
    assert "kernel/default.toml" in names and "kernel/profiles.toml" in names
    assert "kernel/prompting/templates/output-from-examples.toml" in names
    assert "kernel/bundle/kaggle-image.txt" in names
    assert not any("__pycache__" in n for n in names)


# --- build_kernel.py and the rehearsal ----------------------------------------------------------

def build(*args, timeout=300):
    return subprocess.run([sys.executable, str(ROOT / "build_kernel.py"), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_build_refuses_a_folder_that_is_not_a_model_and_names_missing_wheels(tmp_path, demo_model):
    r = build("--model", tmp_path, "--out", tmp_path / "b")
    assert r.returncode == 2 and "not a Hugging Face model folder" in r.stderr
    (tmp_path / "req.txt").write_text("tomli-w\n")
    (tmp_path / "image.txt").write_text("python==3.11\nnumpy==2.0.2\npsutil==7.1.0\n")
    r = build("--model", demo_model, "--requirements", tmp_path / "req.txt", "--image", tmp_path / "image.txt",
              "--wheels", tmp_path / "empty-cache", "--offline", "--out", tmp_path / "b")
    assert r.returncode == 2 and "missing tomli-w" in r.stderr and "without --offline" in r.stderr


def _kaggle_input(root, tasks):
    comp = root / "input" / "arc-prize-2025"
    comp.mkdir(parents=True)
    raw = {t.id: {"train": [{"input": p.input, "output": p.output} for p in t.train],
                  "test": [{"input": p.input} for p in t.test]} for t in tasks}
    (comp / "arc-agi_test_challenges.json").write_text(json.dumps(raw))
    return root / "input"


def _offline_env(root):
    # a clean environment: no package index, no pip configuration, no inherited PYTHONPATH
    return {"PATH": "/usr/bin:/bin", "HOME": str(root), "PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull,
            "ARC_KAGGLE_INPUT": str(root / "input"), "ARC_KAGGLE_WORKING": str(root / "working")}


@pytest.mark.slow
def test_kaggle_rehearsal_installs_offline_in_a_fresh_environment_and_writes_a_valid_submission(tmp_path, demo_model):
    import shutil

    (tmp_path / "req.txt").write_text("numpy>=1.26\npsutil>=5.9\n")  # small: no multi-GB vLLM download
    (tmp_path / "image.txt").write_text("python==3.11\n")              # so numpy and psutil are bundled too
    (tmp_path / "run.toml").write_text('[run]\ntotal = "60s"\nmargin = "5s"\nfinish_reserve = "3s"\n'
                                       'stop_grace = "3s"\nstages = ["search"]\n[search]\nbudget_s = 2.0\n')
    r = build("--model", demo_model, "--requirements", tmp_path / "req.txt", "--image", tmp_path / "image.txt",
              "--wheels", tmp_path / "cache", "--config", tmp_path / "run.toml", "--id", "someone/arc-rehearsal",
              "--run-arg=--profile", "--run-arg=cpu", "--out", tmp_path / "build")
    assert r.returncode == 0, r.stderr
    assert "kaggle datasets create -p" in r.stdout and "kaggle kernels push -p" in r.stdout
    out = tmp_path / "build"
    meta = json.loads((out / "kernel" / "kernel-metadata.json").read_text())
    assert meta["dataset_sources"] == ["someone/arc-rehearsal-wheels", "someone/arc-rehearsal-model"]
    assert meta["enable_internet"] is False and meta["machine_shape"] == "NvidiaTeslaT4"
    assert {p.name.split("-")[0] for p in (out / "datasets" / "wheels").glob("*.whl")} == {"arc_kernel", "numpy", "psutil"}

    tasks = load_tasks("arc-agi-1/evaluation").limit(3).tasks
    inputs = _kaggle_input(tmp_path, tasks)
    shutil.copytree(out / "datasets" / "wheels", inputs / "arc-rehearsal-wheels")
    shutil.copytree(out / "datasets" / "model", inputs / "arc-rehearsal-model")
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True)
    run = subprocess.run([str(tmp_path / "venv" / "bin" / "python"), str(out / "kernel" / meta["code_file"])],
                         env=_offline_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "kernel run: exit code 0" in run.stdout
    # no torch in this environment: the entry says so and runs the search alone
    assert "running without the model stages (search only): torch cannot be imported" in run.stdout
    assert "installed: torch missing, vllm missing" in run.stdout
    sub = json.loads((tmp_path / "working" / "submission.json").read_text())
    assert validate_submission(sub, {t.id: len(t.test) for t in tasks}) == []
    trace = (tmp_path / "working" / "trace.jsonl").read_text()
    assert '"event":"stage_done","stage":"search"' in trace


def test_the_entry_keeps_a_valid_fallback_when_the_wheels_dataset_is_missing(tmp_path):
    from kernel.bundle import entry

    tasks = load_tasks("arc-agi-1/evaluation").limit(2).tasks
    _kaggle_input(tmp_path, tasks)
    script = tmp_path / "entry.py"
    script.write_text(entry.render("", [], []))
    run = subprocess.run([sys.executable, str(script)], env=_offline_env(tmp_path), capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0 and "wheels dataset is not attached" in run.stdout
    sub = json.loads((tmp_path / "working" / "submission.json").read_text())
    assert validate_submission(sub, {t.id: len(t.test) for t in tasks}) == []


def _entry_module(tmp_path, packages):
    import importlib.util

    from kernel.bundle import entry

    path = tmp_path / "kernel_entry.py"
    path.write_text(entry.render("", packages, []))
    spec = importlib.util.spec_from_file_location("kernel_entry", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_entry_installs_the_kernel_alone_when_the_plan_would_replace_the_images_torch(tmp_path, monkeypatch):
    entry = _entry_module(tmp_path, ["vllm==9.0"])
    monkeypatch.setattr(entry, "installed", lambda name: {"torch": "2.10.0+cu128", "peft": "0.19.1"}.get(name.lower()))
    installs = []
    monkeypatch.setattr(entry, "pip_install", lambda wheels, packages: installs.append(packages) or True)
    monkeypatch.setattr(entry, "pip_plan", lambda wheels, packages: [("vllm", "9.0"), ("torch", "2.11.0"),
                                                                     ("nvidia-cublas-cu12", "13.0")])
    assert entry.install("/wheels", "/wheels/arc_kernel.whl")
    assert installs == [["/wheels/arc_kernel.whl"]]   # torch stays: nothing else is installed

    monkeypatch.setattr(entry, "pip_plan", lambda wheels, packages: [("vllm", "0.19.1"), ("peft", "0.21.2")])
    installs.clear()
    assert entry.install("/wheels", "/wheels/arc_kernel.whl")
    assert installs == [["/wheels/arc_kernel.whl", "vllm==9.0"]]
    assert entry.replaces_protected([("Torch", "2.11.0"), ("peft", "0.21.2")]) == ["Torch 2.10.0+cu128 -> 2.11.0"]


@pytest.mark.engines
def test_the_entry_checks_the_installed_stack_in_a_fresh_interpreter(tmp_path, capsys):
    import importlib.metadata

    entry = _entry_module(tmp_path, [])
    why = entry.check_stack(importlib.metadata.version("torch"))
    logged = capsys.readouterr().out
    assert f"torch {importlib.metadata.version('torch').split('+')[0]}" in logged and "GPUs: none" in logged
    assert why.startswith("torch sees no CUDA GPU")   # this machine has none: the entry would run the search alone


def test_an_image_without_some_packages_drops_each_of_them_once_named():
    image = wheels.Image("3.12", {"torch": "2.10.0", "protobuf": "5.29.5", "typing-extensions": "4.15.0"})
    assert image.without(n for n in ("protobuf", "typing_extensions")).packages == {"torch": "2.10.0"}


def test_the_build_ships_a_preset_file_and_needs_the_module_its_programs_import(tmp_path, demo_model):
    import shutil

    from kernel.bundle.build import BuildError, BuildOptions, _check_inputs, _model_dataset
    from kernel.prompting.templates import BUILTIN_DIR

    preset = tmp_path / "my-barc.toml"
    preset.write_text((BUILTIN_DIR / "barc-code.toml").read_text().replace('name = "barc-code"', 'name = "my-barc"'))
    model = tmp_path / "model"
    shutil.copytree(demo_model, model)
    options = BuildOptions(model=model, out=tmp_path / "b", prompts=[str(preset), "arc24-output"])
    with pytest.raises(BuildError, match="put common.py"):
        _check_inputs(options)
    (model / "common.py").write_text("def helper():\n    return 1\n")
    presets = _check_inputs(options)
    folder = tmp_path / "dataset"
    folder.mkdir()
    _model_dataset(options, folder, presets)
    marker = json.loads((folder / "arc-kernel-model.json").read_text())
    assert marker["prompts"] == ["prompts/my-barc.toml"]   # built-in presets ship inside the kernel's wheel
    assert (folder / "prompts" / "my-barc.toml").read_text() == preset.read_text()
    assert (folder / "model" / "common.py").exists()
