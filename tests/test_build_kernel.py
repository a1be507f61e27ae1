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
    python, image = wheels.read_image()
    assert python == "3.11" and "torch" in image and "numpy" in image


def test_the_resolver_names_what_the_bundle_lacks_and_image_conflicts(tmp_path):
    own = wheels.project_wheel(tmp_path)
    image = {"numpy": "2.0.2", "psutil": "7.1.0"}
    assert wheels.resolve_offline([str(own)], tmp_path, "3.11", image).ok  # its deps come with the image
    lacking = wheels.resolve_offline([str(own), "tomli-w"], tmp_path, "3.11", image)
    assert not lacking.ok and lacking.missing == ["tomli-w"]
    conflict = wheels.resolve_offline([str(own), "psutil>=99"], tmp_path, "3.11", image)
    assert not conflict.ok and "psutil" in " ".join(conflict.missing)


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
    assert "kernel run: exit code 0" in run.stdout and "--model" in run.stdout
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
