"""The command line as a user (and the hostile-input review) drives it."""

import json
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli

TASK = {"train": [{"input": [[1, 2]], "output": [[2, 1]]}, {"input": [[3, 4, 5]], "output": [[5, 4, 3]]}],
        "test": [{"input": [[7, 8]]}]}
FLIP = "def transform(grid):\n    return [row[::-1] for row in grid]\n"


@pytest.fixture()
def files(tmp_path):
    task = tmp_path / "task.json"
    task.write_text(json.dumps(TASK))
    return tmp_path, task


def verify(task, code_text, tmp_path, *extra):
    code = tmp_path / "program.py"
    code.write_text(code_text)
    return run_cli("verify", "--task", task, "--code", code, *extra)


def test_verify_prints_exactly_one_json_object(files):
    tmp_path, task = files
    r = verify(task, FLIP, tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"passed": True, "train": [{"status": "ok", "detail": ""}] * 2, "test": [[[8, 7]]]}
    assert r.stdout.count("\n") == 1


@pytest.mark.parametrize("code,status", [
    ("import sys, os\ndef transform(grid):\n    print('x' * 10**6)\n    os.write(1, b'raw stdout')\n    sys.__stdout__.write('more')\n    while True: pass\n", "timeout"),
    ("import os\ndef transform(grid):\n    os.kill(os.getppid(), 9)\n", "error"),
    ("def transform(grid):\n    return open('task.json').read()\n", "error"),
    ("x = [0] * 10**10\n", "memory"),
])
def test_verify_exits_0_and_keeps_stdout_clean_whatever_the_program_does(files, code, status):
    tmp_path, task = files
    r = verify(task, code, tmp_path, "--timeout-s", "0.5", "--memory-mb", "128")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["passed"] is False and out["train"][0]["status"] == status and out["test"] == [None]


def test_verify_malformed_task_exits_2_with_the_reason(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"train": [{"input": [[1, 2], [3]], "output": [[1]]}], "test": [{"input": [[1]]}]}))
    r = verify(bad, FLIP, tmp_path)
    assert r.returncode == 2 and "not rectangular" in r.stderr and r.stdout == ""


def test_invalid_json_exits_2_naming_file_and_position(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"train": [1, 2,, 3]}')
    for args in (("verify", "--task", bad, "--code", bad), ("tasks", "--dataset", bad),
                 ("score", "--submission", bad, "--solutions", bad)):
        r = run_cli(*args)
        assert r.returncode == 2, args
        assert "broken.json" in r.stderr and "line 1 column 17" in r.stderr


@pytest.mark.parametrize("args", [
    ("verify", "--task", "x.json"),                       # missing --code
    ("verify", "--task", "x.json", "--code", "y.py", "--timeout-s", "-1"),
    ("dry-run", "--out", "o", "--limit", "0"),
    ("no-such-command",),
])
def test_bad_arguments_exit_2(args):
    assert run_cli(*args).returncode == 2


def test_missing_code_file_exits_2(files):
    _, task = files
    r = run_cli("verify", "--task", task, "--code", "nope.py")
    assert r.returncode == 2 and "nope.py" in r.stderr


@pytest.mark.parametrize("command", ["verify", "score", "tasks", "dry-run"])
def test_every_command_has_help(command):
    r = run_cli(command, "--help")
    assert r.returncode == 0 and "usage: python -m kernel " + command in r.stdout


def test_top_level_help_lists_the_commands():
    r = run_cli("--help")
    for command in ("verify", "score", "tasks", "dry-run"):
        assert command in r.stdout


def test_score_prints_the_official_score(tmp_path):
    sub = tmp_path / "sub.json"
    sol = tmp_path / "sol.json"
    sub.write_text(json.dumps({"a": [{"attempt_1": [[1]], "attempt_2": [[2]]}],
                               "b": [{"attempt_1": [[1]], "attempt_2": [[1]]}]}))
    sol.write_text(json.dumps({"a": [[[2]]], "b": [[[3]]]}))
    r = run_cli("score", "--submission", sub, "--solutions", sol)
    assert r.returncode == 0 and "score: 0.5000 (1 of 2 tasks)" in r.stdout
    r = run_cli("score", "--submission", sub, "--solutions", sol, "--json")
    report = json.loads(r.stdout)
    assert report["score"] == 0.5 and report["per_task"]["a"]["correct"] == [True]


def test_dry_run_verifies_programs_selects_and_scores(tmp_path):
    challenges = tmp_path / "mini_challenges.json"
    challenges.write_text(json.dumps({"flip": TASK, "broken": {"train": "nope", "test": [{"input": [[1]]}]},
                                      "other": TASK}))
    (tmp_path / "mini_solutions.json").write_text(json.dumps({"flip": [[[8, 7]]], "other": [[[8, 7]]]}))
    programs = tmp_path / "programs.jsonl"
    programs.write_text("\n".join([
        json.dumps({"task_id": "flip", "code": FLIP}),
        json.dumps({"task_id": "flip", "code": "def transform(grid):\n    while True: pass\n"}),
        json.dumps({"task_id": "other", "code": "def transform(grid):\n    return grid\n"}),
        json.dumps({"task_id": "unknown", "code": FLIP}),
        "not json",
    ]) + "\n")
    out = tmp_path / "out"
    r = run_cli("dry-run", "--dataset", challenges, "--programs", programs, "--out", out,
                "--set", "sandbox.timeout_s=0.5")
    assert r.returncode == 0, r.stderr
    assert "malformed task broken" in r.stderr and "programs.jsonl:4" in r.stderr and "programs.jsonl:5" in r.stderr
    sub = json.loads((out / "submission.json").read_text())
    assert sub["flip"] == [{"attempt_1": [[8, 7]], "attempt_2": [[7, 8]]}]
    assert sub["broken"] == [{"attempt_1": [[1]], "attempt_2": [[0]]}]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["score"] == 0.5 and metrics["programs_passed_train"] == 1 and metrics["false_positives"] == 0
    assert metrics["stages"]["programs"]["status"] == "ok" and "search" not in metrics["stages"]
    assert "score: 0.5000" in r.stdout


@pytest.mark.slow
def test_the_makefile_dry_run_command_runs_and_scores(tmp_path):
    line = next(x for x in (ROOT / "Makefile").read_text().splitlines() if "-m kernel dry-run" in x)
    args = line.split("-m kernel ", 1)[1].split()
    args[args.index("--out") + 1] = str(tmp_path)
    r = run_cli(*args, "--limit", "4", timeout=300)
    assert r.returncode == 0, r.stderr
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["tasks"] == 4 and "search" in metrics["stages"] and "score" in metrics


def test_dry_run_on_the_shipped_example_programs(tmp_path):
    r = run_cli("dry-run", "--dataset", "arc-agi-1/training", "--programs", ROOT / "examples" / "programs.jsonl",
                "--out", tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["tasks_solved"] >= 18 and metrics["false_positives"] == 0


def test_out_of_range_limits_exit_2(files):
    tmp_path, task = files
    for extra in (("--timeout-s", "1e20"), ("--timeout-s", "nan"), ("--memory-mb", "1"), ("--memory-mb", "10000000000")):
        r = verify(task, FLIP, tmp_path, *extra)
        assert r.returncode == 2 and "must be" in r.stderr, extra


def test_huge_and_undecodable_programs_still_give_one_json_object(files):
    tmp_path, task = files
    r = verify(task, "x = 1\n" * 100_000, tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout)["train"][0]["status"] == "error"
    r = verify(task, "def transform(grid):\n    return (" * 500 + "\n", tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout)["train"][0]["status"] == "error"
    r = verify(task, "def transform(grid):\n    return grid\x00\n", tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout)["train"][0]["status"] == "error"


def test_hostile_submission_shapes_score_without_crashing(tmp_path):
    sub = tmp_path / "sub.json"
    sol = tmp_path / "sol.json"
    sub.write_text(json.dumps({"a": "junk", "b": [1, "x", None], "c": {"attempt_1": [[1]]},
                               "d": [{"attempt_1": [[1.5]], "attempt_2": [[True]]}]}))
    sol.write_text(json.dumps({"a": [[[1]]], "b": [[[1]]], "c": [[[1]]], "d": [[[1]]]}))
    r = run_cli("score", "--submission", sub, "--solutions", sol)
    assert r.returncode == 0 and "score: 0.0000" in r.stdout


def test_the_installed_package_runs_from_any_folder(tmp_path):
    """The set-up installs the project into its environment (editable), so the commands do not
    depend on being started from the repository root."""
    r = subprocess.run([sys.executable, "-m", "kernel", "tasks", "--dataset", "arc-agi-1/training"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "400 tasks" in r.stdout


def test_prompt_prints_the_prompt_exactly_as_the_engine_gets_it(tmp_path):
    from kernel.prompting import build_prompts, load_template
    from kernel.prompting.builder import CharRenderer
    from kernel.tasks import load_tasks

    task = load_tasks("arc-agi-1/evaluation").tasks[0]
    r = run_cli("prompt", "--task", task.id, "--dataset", "arc-agi-1/evaluation", "--preset", "nvarc-output")
    assert r.returncode == 0, r.stderr
    prompts, _ = build_prompts([task], load_template("nvarc-output"), CharRenderer(), 10 ** 6)
    assert r.stdout == "".join(p.text + "\n" for p in prompts)
    assert f"# {task.id}/0/nvarc-output: {prompts[0].tokens} tokens" in r.stderr
    r = run_cli("prompt", "--task", "nope", "--dataset", "arc-agi-1/evaluation", "--preset", "nvarc-output")
    assert r.returncode == 2 and "--task nope: not in the dataset" in r.stderr
    r = run_cli("dry-run", "--dataset", "arc-agi-1/evaluation", "--prompt", "no-such-preset", "--out", tmp_path)
    assert r.returncode == 2 and "no such prompt template" in r.stderr
