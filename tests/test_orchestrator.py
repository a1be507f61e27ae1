"""The orchestrator: budgets, selection from the trace, augmentations, and whole runs under
fault drills, SIGTERM and restarts. Every run must end with a valid submission.json."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, run_cli
from kernel.orchestrator.metrics import stage_figures
from kernel.orchestrator.selection import collect, ranked_answers
from kernel.augment import IDENTITY, augmentations, dihedral, dihedral_inverse
from kernel.orchestrator.budget import BudgetError, make_plan, stage_seconds
from kernel.trace import TraceWriter, read_trace
from kernel.submission import expected_entries, validate_submission
from kernel.tasks import load_tasks

# --- budgets ------------------------------------------------------------------------------------


def test_budgets_are_fractions_of_the_run_or_durations():
    assert stage_seconds(0.5, 3600) == 1800
    assert stage_seconds("1h30m", 1) == 5400
    with pytest.raises(BudgetError):
        stage_seconds(2.5, 3600)


def test_stage_deadlines_leave_room_for_the_stop_grace_and_the_final_write():
    plan = make_plan(1000.0, 3600, 600, 60, 30, {"search": 1.0, "sample_code": 0.5}, ["search", "sample_code"])
    assert plan.total_s == 3000 and plan.deadline == 4000 and plan.last_stage_end == 3910
    assert plan.alongside_deadline("search") == 3910                   # capped by the end of the run
    assert plan.sequential_deadline("sample_code", 1000, 0) == 2500
    assert plan.sequential_deadline("sample_code", 1100, 400) == 3000  # unused time flows on
    assert plan.sequential_deadline("sample_code", 3000, 0) == 3910


def test_a_plan_with_no_time_left_or_an_unknown_stage_is_refused():
    with pytest.raises(BudgetError, match="leaves nothing"):
        make_plan(0, 60, 50, 5, 10, {}, ["search"])
    with pytest.raises(BudgetError, match="unknown stages"):
        make_plan(0, 600, 0, 5, 10, {}, ["dream"])


# --- augmentations --------------------------------------------------------------------------------

def test_every_augmentation_is_undone_exactly():
    g = ((1, 2, 3), (4, 5, 0))
    assert len({dihedral(g, k) for k in range(8)}) == 8
    assert all(dihedral_inverse(dihedral(g, k), k) == g for k in range(8))
    augs = augmentations(10, seed=3)
    assert augs[0] == IDENTITY and len({a.name for a in augs}) == 10
    assert all(a.undo(a.grid(g)) == g and a.colors[0] == 0 for a in augs)


# --- selection from the trace ---------------------------------------------------------------------

def _events(tmp_path, *records):
    w = TraceWriter(tmp_path / "trace.jsonl", "s")
    for r in records:
        w.write("candidate", **r)
    w.close()
    with open(tmp_path / "trace.jsonl", "a") as f:
        f.write('{"torn": ')  # a line cut short by a kill is skipped
    return list(read_trace(tmp_path / "trace.jsonl"))


def test_verified_programs_rank_first_by_agreement_then_grid_votes(tmp_path):
    a, b, c = [[1]], [[2]], [[3]]
    events = _events(
        tmp_path,
        {"task_id": "t", "kind": "program", "code": "def transform(g):\n    return [[1]]", "passed": True, "test": [a]},
        {"task_id": "t", "kind": "program", "code": "def transform(g): return [[2]]  # x", "passed": True, "test": [b]},
        {"task_id": "t", "kind": "program", "code": "def transform(grid):\n    return [[2]]", "passed": True, "test": [b]},
        {"task_id": "t", "kind": "program", "code": "bad", "passed": False, "test": None},
        *[{"task_id": "t", "kind": "grid", "test_index": 0, "grid": c}] * 5,
        {"task_id": "t", "kind": "grid", "test_index": 0, "grid": a},
        {"task_id": "t", "kind": "grid", "test_index": 0, "grid": [[1, 2], [3]]},  # ragged: unanswered
        {"task_id": "other", "kind": "grid", "test_index": 0, "grid": a},         # not in this run
    )
    col = collect(events, {"t": 1})
    assert ranked_answers(col, {"t": 1}) == {"t": [[((2,),), ((1,),), ((3,),)]]}
    assert col.programs == 4 and col.programs_passed == 3 and col.grids == 7
    figures = stage_figures(col, {"t": [{"attempt_1": b, "attempt_2": a}]}, {"t": [((1,),)]})
    assert figures["score"] == 1.0 and figures["false_positives"] == 2
    assert figures["metrics"]["unanswered"] == pytest.approx(2 / 11)


def test_an_untrusted_program_votes_with_the_grids_and_is_no_false_positive(tmp_path):
    a, b = [[1]], [[2]]
    events = _events(
        tmp_path,
        {"task_id": "t", "kind": "program", "code": "def transform(g):\n    return [[2]]", "passed": True, "test": [b],
         "trusted": False},
        {"task_id": "t", "kind": "program", "code": "def transform(g):\n    return [[1]]", "passed": True, "test": [a]},
        *[{"task_id": "t", "kind": "grid", "test_index": 0, "grid": b}] * 2,
    )
    col = collect(events, {"t": 1})
    # the trusted program goes first whatever the votes; the guess adds its vote to the grids'
    assert ranked_answers(col, {"t": 1}) == {"t": [[((1,),), ((2,),)]]}
    assert col.grid_votes[("t", 0)][((2,),)] == 3 and col.programs_passed == 2
    figures = stage_figures(col, {"t": [{"attempt_1": a, "attempt_2": b}]}, {"t": [((2,),)]})
    assert figures["false_positives"] == 1 and figures["programs_trusted"] == 1
    assert figures["guesses"] == 1 and figures["guesses_wrong"] == 0 and figures["false_positive_rate"] == 1.0


def test_near_misses_come_after_every_other_answer_and_fill_only_what_is_left(tmp_path):
    a, b, c = [[1]], [[2]], [[3]]
    near = {"task_id": "t", "kind": "near", "code": "def transform(g):\n    return [[3]]", "source": "search"}
    events = _events(
        tmp_path,
        {**near, "test_index": 0, "grid": c},
        {**near, "test_index": 0, "grid": a},
        {**near, "test_index": 1, "grid": c},
        {**near, "test_index": 2, "grid": c},   # no such test input
        {"task_id": "t", "kind": "grid", "test_index": 0, "grid": a},
        {"task_id": "t", "kind": "program", "code": "def transform(g):\n    return [[2]]", "passed": True,
         "test": [b, b]},
    )
    col = collect(events, {"t": 2})
    assert ranked_answers(col, {"t": 2}) == {"t": [[((2,),), ((1,),), ((3,),)], [((2,),), ((3,),)]]}
    # A near miss is no program that passed, nor a sampled grid: the figures do not count it.
    assert col.programs == 1 and col.grids == 1
    only_near = collect([e for e in events if e.get("kind") == "near"], {"t": 2})
    assert ranked_answers(only_near, {"t": 2}) == {"t": [[((3,),), ((1,),)], [((3,),)]]}
    # The figures count the test inputs a near miss alone took an attempt of, and those it got right.
    submission = {"t": [{"attempt_1": b, "attempt_2": a}, {"attempt_1": b, "attempt_2": c}]}
    figures = stage_figures(col, submission, {"t": [((2,),), ((3,),)]})
    assert figures["near_attempts"] == 1 and figures["near_right"] == 1


def _grid_events(grid, votes, logprob):
    return [{"event": "candidate", "task_id": "t", "kind": "grid", "test_index": 0, "grid": grid,
             "logprob": logprob}] * votes


def test_each_selection_method_ranks_the_same_candidates_its_own_way():
    A, B, C = [[1]], [[2]], [[3]]
    sampled = _grid_events(A, 3, -5.0) + _grid_events(B, 3, -1.0) + _grid_events(C, 1, -0.5)
    # mean log-likelihood over the views: A -4, B -3, C -2.5
    scored = {"event": "candidate", "task_id": "t", "kind": "score", "test_index": 0, "grids": [A, B, C],
              "views": ["v0", "v1"], "logprobs": [[-4.0, -4.0], [-2.0, -4.0], [-2.5, None]]}
    program = {"event": "candidate", "task_id": "t", "kind": "program", "code": "x", "passed": True, "test": [[[9]]]}
    col = collect(sampled + [scored, program], {"t": 1})

    def ranking(method):
        (answers,) = ranked_answers(col, {"t": 1}, method)["t"]
        return [g[0][0] for g in answers]

    assert ranking("votes") == [9, 1, 2, 3]                # the verified program's answer first, always
    assert ranking("votes+logprob") == [9, 2, 1, 3]        # the tie between A and B broken by logprob
    assert ranking("product-of-experts") == [9, 3, 2, 1]   # by likelihood alone
    assert ranking("votes-minus-nll") == [9, 2, 1, 3]      # B 3-3=0, A 3-4=-1, C 1-2.5=-1.5


def test_likelihood_methods_rank_by_votes_where_no_score_was_made():
    col = collect(_grid_events([[1]], 2, -9.0) + _grid_events([[2]], 1, -0.1), {"t": 1})
    for method in ("product-of-experts", "votes-minus-nll"):
        assert ranked_answers(col, {"t": 1}, method) == {"t": [[((1,),), ((2,),)]]}


# --- whole runs ---------------------------------------------------------------------------------

SEARCH_RUN = ["--dataset", "arc-agi-1/training", "--limit", 5, "--budget-per-task", "2s", "--workers", 1,
              "--set", "run.stop_grace=2s", "--set", "run.finish_reserve=2s"]


def _finished(out, tasks=5, dataset="arc-agi-1/training"):
    """The run's submission, checked against the tasks it was given (every task, every test
    input, two attempts each), its metrics and its trace."""
    sub = json.loads((out / "submission.json").read_text())
    assert validate_submission(sub, expected_entries(load_tasks(dataset).limit(tasks))) == []
    metrics = json.loads((out / "metrics.json").read_text())
    return sub, metrics, list(read_trace(out / "trace.jsonl"))


@pytest.mark.slow
def test_search_only_dry_run_writes_submission_trace_and_metrics(tmp_path):
    r = run_cli("dry-run", *SEARCH_RUN, "--budget", "60s", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    _, metrics, events = _finished(tmp_path)
    assert metrics["stages"]["search"]["status"] == "ok" and metrics["score"] > 0
    assert metrics["stages"]["sample_code"]["status"] == "skipped"
    assert [e["event"] for e in events][:3] == ["run_start", "submission", "stage_start"]
    assert events[-1]["event"] == "run_end" and sum(e["event"] == "task_done" for e in events) == 5
    assert "search" in r.stdout and "budget s" in r.stdout


@pytest.mark.slow
@pytest.mark.parametrize("fault,status", [("hang", "killed"), ("crash", "crashed"), ("exit", "crashed")])
def test_fault_drills_end_with_a_valid_submission_within_the_deadline(tmp_path, fault, status):
    r = run_cli("dry-run", *SEARCH_RUN, "--budget", "15s", "--inject-fault", f"search:{fault}", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    _, metrics, events = _finished(tmp_path)
    assert metrics["stages"]["search"]["status"] == status
    # the candidate written before the fault fired is kept and answers its task
    assert sum(e["event"] == "candidate" for e in events) >= 1 and metrics["score"] > 0
    assert metrics["wall_s"] <= metrics["deadline_s"]


@pytest.mark.slow
def test_a_crashing_selection_keeps_the_last_good_submission(tmp_path):
    r = run_cli("dry-run", *SEARCH_RUN, "--budget", "60s", "--inject-fault", "select:crash", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    _, metrics, events = _finished(tmp_path)
    assert any(e["event"] == "submission_failed" for e in events)
    assert metrics["score"] == 0.0  # only the fallback was ever written


@pytest.mark.slow
def test_sigterm_mid_run_leaves_a_valid_submission(tmp_path):
    args = [sys.executable, "-m", "kernel", "dry-run", "--dataset", "arc-agi-1/evaluation", "--limit", 40,
            "--budget-per-task", "20s", "--workers", 1, "--set", "run.stop_grace=2s", "--out", tmp_path]
    proc = subprocess.Popen(list(map(str, args)), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    trace = tmp_path / "trace.jsonl"
    for _ in range(600):
        if trace.exists() and any(e["event"] == "stage_start" for e in read_trace(trace)):
            break
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    _, metrics, events = _finished(tmp_path, tasks=40, dataset="arc-agi-1/evaluation")
    assert metrics["terminated"] is True and metrics["stages"]["search"]["status"] in ("stopped", "killed")
    assert events[-1]["event"] == "run_end"


@pytest.mark.slow
def test_a_restarted_run_resumes_instead_of_redoing_finished_work(tmp_path):
    # Evaluation tasks: most use their whole 2 s, so 9 s cannot finish all eight (the first
    # training tasks are solved too fast for that).
    tasks = ["--dataset", "arc-agi-1/evaluation", "--limit", 8]
    first = run_cli("dry-run", *SEARCH_RUN, *tasks, "--budget", "9s", "--out", tmp_path)
    assert first.returncode == 0, first.stderr
    done_first = {e["task_id"] for e in read_trace(tmp_path / "trace.jsonl") if e["event"] == "task_done"}
    assert 0 < len(done_first) < 8
    second = run_cli("dry-run", *SEARCH_RUN, *tasks, "--budget", "60s", "--out", tmp_path)
    assert second.returncode == 0, second.stderr
    _, metrics, events = _finished(tmp_path, tasks=8, dataset="arc-agi-1/evaluation")
    starts = [e for e in events if e["event"] == "stage_start" and e["stage"] == "search"]
    assert starts[-1]["resumed_keys"] == len(done_first)
    done = [e["task_id"] for e in events if e["event"] == "task_done"]
    assert sorted(done) == sorted(set(done)) and len(done) == 8  # every task searched exactly once


@pytest.mark.parametrize("stopped, status", [(True, "stopped"), (False, "ok")])
def test_a_stage_that_stopped_at_its_own_deadline_is_left_to_resume(tmp_path, stopped, status):
    # On a loaded machine a stage can reach its deadline and exit before the supervisor sends SIGTERM:
    # its work is unfinished all the same, so a restarted run must not take it for finished.
    import multiprocessing as mp
    from pathlib import Path
    from kernel.config import load_config
    from kernel.orchestrator.runner import Orchestrator, RunOptions, StageRun

    opts = RunOptions(out=Path(tmp_path), stages=["search"], total_s=60, margin_s=0, finish_reserve_s=1,
                      stop_grace_s=1, budgets={"search": 1.0})
    orch = Orchestrator(load_tasks("arc-agi-1/training").limit(1), load_config(), opts)
    orch.trace = TraceWriter(orch.trace_path)
    run = StageRun("search", 10.0, time.monotonic() + 10, status="running")
    run.proc = mp.get_context("spawn").Process(target=time.sleep, args=(0,))
    run.proc.start()
    run.started = time.monotonic()
    TraceWriter(orch.trace_path, "search").write("stage_done", stats={}, stopped=stopped)
    run.proc.join()
    orch._finish(run)
    assert run.status == status
    blocked = orch._blocked("search", list(read_trace(orch.trace_path)))
    assert blocked == (None if stopped else "finished in an earlier run")


def test_run_finds_the_competition_file_and_writes_the_kaggle_submission(tmp_path):
    ts = load_tasks("arc-agi-1/evaluation").limit(3)
    inputs = tmp_path / "input" / "arc-prize-2025"
    inputs.mkdir(parents=True)
    raw = {t.id: {"train": [{"input": p.input, "output": p.output} for p in t.train],
                  "test": [{"input": p.input} for p in t.test]} for t in ts.tasks}
    (inputs / "arc-agi_test_challenges.json").write_text(json.dumps(raw))
    working = tmp_path / "working"
    env = dict(os.environ, ARC_KAGGLE_INPUT=str(tmp_path / "input"), ARC_KAGGLE_WORKING=str(working))
    r = subprocess.run([sys.executable, "-m", "kernel", "run", "--profile", "cpu", "--budget", "40s",
                        "--set", "run.margin=5s", "--set", "run.stop_grace=2s", "--set", "run.finish_reserve=2s",
                        "--set", "search.budget_s=2"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    sub = json.loads((working / "submission.json").read_text())
    assert validate_submission(sub, {t.id: len(t.test) for t in ts.tasks}) == []
    assert "no solutions known" in r.stdout


def test_bad_budget_and_fault_arguments_are_refused(tmp_path):
    for args, message in ((["--budget", "dream=1h"], "unknown stage"), (["--inject-fault", "search:melt"], "STAGE:KIND"),
                          (["--budget", "3s"], "leaves nothing")):
        r = run_cli("dry-run", "--dataset", "arc-agi-1/training", "--limit", 1, "--out", tmp_path / "x", *args)
        assert r.returncode == 2 and message in r.stderr, r.stderr


# --- with the demo model through vLLM's CPU build ---------------------------------------------

MODEL_RUN = ["--dataset", "arc-agi-1/evaluation", "--limit", 2, "--profile", "cpu", "--no-search",
             "--set", "vllm.cpu_kvcache_gb=1", "--set", "vllm.max_model_len=4096", "--set", "sampling.n=2",
             "--set", "sampling.max_tokens_code=48", "--set", "sampling.max_tokens_output=48",
             "--set", "run.augmentations=2", "--set", "run.stop_grace=5s"]


def test_dry_run_with_the_demo_model_samples_code_and_grids_through_vllm(demo_model, tmp_path):
    r = run_cli("dry-run", *MODEL_RUN, "--model", demo_model, "--budget", "8m", "--out", tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr
    sub, metrics, events = _finished(tmp_path, tasks=2, dataset="arc-agi-1/evaluation")
    assert metrics["stages"]["sample_code"]["status"] == "ok" and metrics["stages"]["sample_output"]["status"] == "ok"
    code = [e for e in events if e["event"] == "candidate" and e["stage"] == "sample_code"]
    grids = [e for e in events if e["event"] == "candidate" and e["stage"] == "sample_output"]
    assert len(code) == 2 * 2 and all(e["prompt_version"].startswith("code-from-examples/") for e in code)
    n_tests = sum(len(v) for v in sub.values())
    assert len(grids) == n_tests * 2 * 2 and {e["augmentation"] for e in grids} >= {"d0c0123456789"}
    assert all(e["t_start"] <= e["t_end"] and e["output_tokens"] <= 48 for e in code + grids)


def test_a_hung_model_stage_is_killed_with_its_engine_processes(demo_model, tmp_path):
    import psutil

    r = run_cli("dry-run", *MODEL_RUN, "--model", demo_model, "--stages", "sample_code", "--budget", "150s",
                "--inject-fault", "sample_code:hang", "--out", tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr
    _, metrics, _ = _finished(tmp_path, tasks=2, dataset="arc-agi-1/evaluation")
    assert metrics["stages"]["sample_code"]["status"] == "killed"
    assert metrics["wall_s"] <= metrics["deadline_s"]
    leftovers = [p for p in psutil.process_iter(["cmdline"]) if str(demo_model) in " ".join(p.info["cmdline"] or [])]
    assert leftovers == []
