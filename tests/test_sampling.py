"""`sample` and `make-demo-model` as a user runs them: real engines on the demo model, and
the replay engine carrying a known-good response all the way to a scored submission."""

import json

import pytest

from conftest import run_cli

VLLM_SMALL = ["--set", "vllm.cpu_kvcache_gb=1", "--set", "vllm.max_model_len=4096"]


def records(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_make_demo_model_writes_a_loadable_model_folder(tmp_path):
    r = run_cli("make-demo-model", tmp_path / "m")
    assert r.returncode == 0, r.stderr
    names = {p.name for p in (tmp_path / "m").iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"} <= names
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tmp_path / "m")
    text = tok.apply_chat_template([{"role": "user", "content": "12\n34"}], tokenize=False, add_generation_prompt=True)
    assert text.endswith("<|im_start|>assistant\n") and tok.eos_token == "<|im_end|>"


def test_sample_with_transformers_writes_one_parsed_record_per_completion(demo_model, tmp_path):
    out = tmp_path / "c.jsonl"
    r = run_cli("sample", "--model", demo_model, "--engine", "hf", "--dataset", "arc-agi-1/evaluation", "--limit", 2,
                "--prompt", "output-from-examples", "--n", 2, "--max-tokens", 24, "--out", out, timeout=600)
    assert r.returncode == 0, r.stderr
    recs = records(out)
    prompts = {x["prompt_id"] for x in recs}
    assert len(recs) == 2 * len(prompts) and len(prompts) >= 2
    for x in recs:
        assert x["kind"] == "output-from-examples" and x["prompt_version"].startswith("output-from-examples/v1#")
        assert x["engine"] == "hf" and isinstance(x["text"], str) and x["output_tokens"] <= 24
        assert (x["grid"] is None) == (x["parse_error"] is not None)
    assert f"{len(recs)} completions" in r.stdout


def test_sample_with_vllm_on_the_cpu_writes_program_candidates(demo_model, tmp_path):
    out = tmp_path / "c.jsonl"
    r = run_cli("sample", "--model", demo_model, "--engine", "vllm", "--devices", "cpu", "--dataset",
                "arc-agi-1/evaluation", "--limit", 3, "--n", 4, "--max-tokens", 32, "--out", out, *VLLM_SMALL,
                timeout=600)
    assert r.returncode == 0, r.stderr
    recs = records(out)
    assert len(recs) == 12 and {x["task_id"] for x in recs} and all(x["worker"] == "vllm:0" for x in recs)
    assert all(x["kind"] == "code-from-examples" and x["test_index"] is None for x in recs)
    assert "3 prompts (0 skipped as too long), 3 done, 0 failed" in r.stdout


@pytest.mark.slow
def test_sample_stops_at_its_budget_and_keeps_what_finished(demo_model, tmp_path):
    out = tmp_path / "c.jsonl"
    r = run_cli("sample", "--model", demo_model, "--engine", "hf", "--dataset", "arc-agi-1/evaluation", "--limit", 30,
                "--n", 1, "--max-tokens", 200, "--budget", "2s", "--out", out, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "stopped at the budget" in r.stdout
    assert 0 < len(records(out)) < 30


def test_a_replayed_right_answer_is_verified_and_scores(tmp_path):
    """The positive path without a trained model: a recorded response that solves a task."""
    from kernel.tasks import load_tasks

    task = load_tasks("arc-agi-1/training").tasks[0]  # 007bbfb7: each cell becomes a copy of the grid
    recorded = tmp_path / "recorded.jsonl"
    good = ("Here it is:\n```python\nimport numpy as np\ndef transform(grid):\n    g = np.array(grid)\n"
            "    return np.kron(g != 0, g).tolist()\n```")
    lines = [{"prompt_id": f"{task.id}/all/code-from-examples", "text": "garbage"},
             {"prompt_id": f"{task.id}/all/code-from-examples", "text": good}]
    recorded.write_text("".join(json.dumps(x) + "\n" for x in lines))
    out = tmp_path / "c.jsonl"
    r = run_cli("sample", "--engine", "replay", "--replay", recorded, "--dataset", "arc-agi-1/training",
                "--limit", 1, "--n", 8, "--out", out)
    assert r.returncode == 0, r.stderr
    recs = records(out)
    assert [x["code"] is not None for x in recs] == [False, True]
    r = run_cli("dry-run", "--dataset", "arc-agi-1/training", "--limit", 1, "--programs", out, "--no-search",
                "--out", tmp_path / "run")
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["score"] == 1.0


@pytest.mark.parametrize("args,message", [
    (["--prompt", "nope"], "no such prompt template"),
    (["--engine", "vllm"], "--model is needed"),
    (["--engine", "hf", "--model", "/nonexistent"], "not a Hugging Face model folder"),
    (["--engine", "replay"], "needs at least one candidates file"),
    (["--engine", "replay", "--replay", "/nonexistent.jsonl"], "cannot read recorded candidates"),
    (["--engine", "hf", "--model", ".", "--adapter", "."], "not a peft adapter folder"),
])
def test_sample_refuses_unusable_input_with_a_clear_message(tmp_path, args, message):
    r = run_cli("sample", "--dataset", "arc-agi-1/evaluation", "--limit", 1, "--out", tmp_path / "c.jsonl", *args)
    assert r.returncode == 2 and message in r.stderr, r.stderr
