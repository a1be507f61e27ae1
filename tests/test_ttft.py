"""Test-time fine-tuning with the real peft and torch on the demo model, and its adapters
served by the real vLLM CPU build. Nothing here is mocked."""

import json
import time

import pytest

from conftest import make_task, run_cli
from kernel.config import load_config
from kernel.engines import Adapter, Request, Sampling
from kernel.trace import read_trace
from kernel.prompting import load_template
from kernel.prompting.builder import CharRenderer
from kernel.tasks import load_tasks
from kernel.ttft import read_manifest, run_ttft
from kernel.ttft.data import code_samples, leave_one_out, output_samples
from kernel.ttft.run import split_tasks

SETTINGS = ["ttft.devices=cpu", "ttft.max_seq_len=2048", "ttft.augmentations=2", "ttft.lr=1e-3", "ttft.rank=8",
            "ttft.alpha=16", "ttft.epochs=3", "ttft.warmup_steps=2", "vllm.max_model_len=2048",
            "vllm.cpu_kvcache_gb=1", "vllm.devices=cpu", "vllm.max_lora_rank=8"]


def config(*extra):
    return load_config(overrides=SETTINGS + list(extra))


def tasks(n=3):
    return load_tasks("arc-agi-1/training").limit(n).tasks


# --- data -----------------------------------------------------------------------------------

def test_each_train_pair_in_turn_is_the_target_with_the_others_as_examples():
    task = make_task([([[1]], [[2]]), ([[3]], [[4]]), ([[5]], [[6]])])
    loo = leave_one_out(task)
    assert [t.test[0].output for t in loo] == [((2,),), ((4,),), ((6,),)]
    assert all(len(t.train) == 2 and t.test[0] not in t.train for t in loo)
    assert leave_one_out(make_task([([[1]], [[2]])])) == []  # one pair: nothing to learn from


def test_samples_multiply_by_augmentations_and_answer_with_the_mapped_target():
    task = make_task([([[1, 0]], [[2, 0]]), ([[3, 0]], [[4, 0]])])
    template = load_template("output-from-examples")
    samples = output_samples([task], template, CharRenderer(), 4096, 4, True, True, seed=1)
    assert len(samples) == 2 * 4 and {s.task_id for s in samples} == {"t"}
    plain = samples[0]
    assert plain.answer == "1 2\n20" and plain.prompt.endswith("Input:\n1 2\n10\nOutput:")
    # an augmented answer is the augmented target, never the original one
    assert len({s.answer for s in samples}) > 2 and all(s.answer.count("\n") in (1, 2) for s in samples)


def test_samples_too_long_for_the_sequence_length_are_left_out():
    big = [[1] * 30] * 30
    task = make_task([(big, big), (big, big)])
    assert output_samples([task], load_template("output-from-examples"), CharRenderer(), 500, 2, True, False, 0) == []


def test_verified_programs_become_code_targets():
    task = make_task([([[1]], [[2]]), ([[3]], [[4]])])
    code = "def transform(grid):\n    return [[v + 1 for v in row] for row in grid]"
    samples = code_samples([task], load_template("code-from-examples"), CharRenderer(), 4096, {"t": [code]})
    assert len(samples) == 1 and samples[0].answer == "```python\n" + code + "\n```"


def test_tasks_split_across_training_processes_by_their_size():
    def size(t):
        return sum(len(p.input) * len(p.input[0]) + len(p.output) * len(p.output[0]) for p in t.train) * len(t.train)

    ts = tasks(12)
    parts = split_tasks(ts, 2)
    assert sorted(t.id for p in parts for t in p) == sorted(t.id for t in ts)
    loads = [sum(size(t) for t in p) for p in parts]
    assert max(loads) - min(loads) <= max(size(t) for t in ts)


# --- training -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trained(demo_model, tmp_path_factory):
    out = tmp_path_factory.mktemp("ttft")
    trace = out / "trace.jsonl"
    report = run_ttft(str(demo_model), tasks(), config("ttft.merge=true"), out, time.monotonic() + 600,
                      trace_path=str(trace))
    return out, report, list(read_trace(trace))


def test_loss_falls_on_a_fixed_small_task_set(trained):
    out, report, events = trained
    (part,) = report["parts"]
    losses = [e["loss"] for e in events if e["event"] == "ttft_step"]
    assert part["steps"] == len(losses) >= 12 and part["stopped"] == ""
    assert sum(losses[-3:]) / 3 < sum(losses[:3]) / 3 - 0.5
    manifest = read_manifest(out)
    assert set(manifest.tasks) == {t.id for t in tasks()} and manifest.merged == "merged"
    assert (out / manifest.adapters["ttft-0"] / "adapter_config.json").is_file()


def test_training_stops_at_its_deadline_keeping_the_saved_adapter(demo_model, tmp_path):
    cfg = config("ttft.epochs=1000")
    report = run_ttft(str(demo_model), tasks(2), cfg, tmp_path, time.monotonic() + 8)
    (part,) = report["parts"]
    assert part["stopped"] == "deadline" and 0 < part["steps"] < 1000
    assert read_manifest(tmp_path).adapters == {"ttft-0": "ttft-0"}


def test_a_stop_request_ends_training_after_the_current_step(demo_model, tmp_path):
    calls = []
    report = run_ttft(str(demo_model), tasks(2), config("ttft.epochs=1000"), tmp_path, time.monotonic() + 600,
                      stop=lambda: calls.append(1) or len(calls) > 3)
    (part,) = report["parts"]
    assert part["stopped"] == "stop" and 0 < part["steps"] <= 3


def test_per_task_adapters_from_two_training_processes(demo_model, tmp_path):
    cfg = config("ttft.mode=per_task", "ttft.devices=cpu*2", "ttft.epochs=1")
    report = run_ttft(str(demo_model), tasks(2), cfg, tmp_path, time.monotonic() + 600)
    manifest = read_manifest(tmp_path)
    assert report["devices"] == ["cpu", "cpu"] and len(report["parts"]) == 2
    assert manifest.tasks == {t.id: f"ttft-{t.id}" for t in tasks(2)}
    assert all((tmp_path / a / "adapter_config.json").is_file() for a in manifest.adapters.values())


def test_the_adapter_loads_in_vllm_and_changes_its_outputs_and_the_merged_weights_load(trained, demo_model):
    from kernel.engines.vllm_engine import VLLMEngine
    from kernel.config import VLLMConfig
    from kernel.engines.vllm_worker import VLLMLaunch

    out, _, _ = trained
    prompts = [s.prompt for s in output_samples(tasks(1), load_template("output-from-examples"),
                                                _renderer(demo_model), 1500, 1, True, False, 0)][:2]
    greedy = Sampling(1, 0.0, 1.0, 16, None)
    adapter = Adapter("ttft-0", str(out / "ttft-0"))

    def run(model, adapter=None):
        launch = VLLMLaunch(str(model), VLLMConfig(max_model_len=2048, cpu_kvcache_gb=1.0, max_lora_rank=8,
                                                   start_timeout_s=300.0), enable_lora=True)
        with VLLMEngine(launch, [None]) as engine:
            base = {c.request_id: c.texts for c in engine.generate([Request(f"b{i}", p, greedy) for i, p in
                                                                     enumerate(prompts)])}
            tuned = {c.request_id: c.texts for c in engine.generate([Request(f"b{i}", p, greedy, adapter) for i, p
                                                                      in enumerate(prompts)])} if adapter else None
        return base, tuned

    base, tuned = run(demo_model, adapter)
    assert all(tuned[k][0] != base[k][0] for k in base)
    merged, _ = run(out / "merged")
    assert all(merged[k][0] != base[k][0] for k in base)


def _renderer(model):
    from transformers import AutoTokenizer

    from kernel.prompting.builder import TokenizerRenderer

    return TokenizerRenderer(AutoTokenizer.from_pretrained(model))


# --- the command and the orchestrator stage ---------------------------------------------------

def test_ttft_command_trains_and_writes_adapters(demo_model, tmp_path):
    r = run_cli("ttft", "--model", demo_model, "--dataset", "arc-agi-1/training", "--limit", 2, "--budget", "60s",
                "--out", tmp_path / "a", *[x for s in SETTINGS for x in ("--set", s)], timeout=300)
    assert r.returncode == 0, r.stderr
    assert "wrote 1 adapter(s) for 2 tasks" in r.stdout and read_manifest(tmp_path / "a") is not None
    r = run_cli("ttft", "--model", tmp_path, "--dataset", "arc-agi-1/training", "--out", tmp_path / "b")
    assert r.returncode == 2 and "not a Hugging Face model folder" in r.stderr


def test_dry_run_fine_tunes_then_samples_grids_through_the_adapter(demo_model, tmp_path):
    r = run_cli("dry-run", "--dataset", "arc-agi-1/evaluation", "--limit", 2, "--no-search", "--model", demo_model,
                "--stages", "ttft,sample_output", "--budget", "6m", "--budget", "ttft=40s",
                *[x for s in SETTINGS + ["sampling.n=2", "sampling.max_tokens_output=32", "run.augmentations=2",
                                         "run.stop_grace=5s", "run.finish_reserve=5s"] for x in ("--set", s)],
                "--out", tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["stages"]["ttft"]["status"] in ("ok", "stopped")
    assert metrics["stages"]["sample_output"]["status"] == "ok"
    events = list(read_trace(tmp_path / "trace.jsonl"))
    assert any(e["event"] == "ttft_step" for e in events)
    grids = [e for e in events if e["event"] == "candidate" and e["stage"] == "sample_output"]
    assert grids and all(e["adapter"] == "ttft-0" for e in grids if e.get("text") is not None)


def test_a_killed_training_leaves_the_last_saved_adapter_whole(demo_model, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    from conftest import ROOT

    args = [sys.executable, "-m", "kernel", "ttft", "--model", str(demo_model), "--dataset", "arc-agi-1/training",
            "--limit", "2", "--budget", "10m", "--out", str(tmp_path),
            *[x for s in SETTINGS + ["ttft.epochs=1000", "ttft.save_every_s=0"] for x in ("--set", s)]]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(1200):  # saved after every step: wait for a few saves
            if read_manifest(tmp_path) is not None and len(list(tmp_path.glob(".ttft-0.*"))) == 0:
                time.sleep(1.0)
                break
            time.sleep(0.1)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    manifest = read_manifest(tmp_path)
    assert manifest is not None and manifest.adapters == {"ttft-0": "ttft-0"}
    from peft import PeftConfig
    from safetensors.torch import load_file

    # whole: its config and its weights load
    assert PeftConfig.from_pretrained(str(tmp_path / "ttft-0")).r == 8
    assert any("lora_B" in k for k in load_file(str(tmp_path / "ttft-0" / "adapter_model.safetensors")))
