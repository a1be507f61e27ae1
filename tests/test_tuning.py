"""Budget tuning by replaying a recorded run, and the HTML report rendered in headless
Chromium (its screenshot must show the grids' colors)."""

import html
import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli
from kernel.trace import read_trace
from kernel.submission import validate_submission
from kernel.tasks import load_tasks
from kernel.tuning.replay import allowances, budget_grid, load_recording, replay
from kernel.orchestrator.metrics import summary_lines
from kernel.tuning.report import PALETTE

RUN = ["--dataset", "arc-agi-1/training", "--limit", 6, "--programs", ROOT / "examples" / "programs.jsonl", "--search",
       "--budget-per-task", "2s", "--workers", 1, "--budget", "90s", "--set", "run.stop_grace=3s",
       "--set", "run.finish_reserve=3s"]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    r = run_cli("dry-run", *RUN, "--out", out, timeout=300)
    assert r.returncode == 0, r.stderr
    rec = load_recording(read_trace(out / "trace.jsonl"))
    return out, rec, load_tasks("arc-agi-1/training").limit(6)


def test_replay_at_the_runs_own_budgets_reproduces_its_score(recorded):
    out, rec, ts = recorded
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(rec.stages) == {"programs", "search"} and metrics["score"] > 0
    own = replay(rec, ts, rec.budgets_s, rec.total_s)
    assert own.score == metrics["score"] and own.figures["programs"] == metrics["programs"]


def _kept(rec, budgets, total):
    allowed = allowances(rec, budgets, total)
    return {id(e) for stage, cands in rec.candidates.items() for offset, e in cands if offset <= allowed.get(stage, -1)}


def test_a_smaller_budget_keeps_a_subset_and_never_scores_above_what_its_candidates_allow(recorded):
    _, rec, ts = recorded
    total = rec.total_s
    full = _kept(rec, {s: total for s in rec.stages}, total)
    solutions = ts.solutions()
    for budgets in budget_grid(list(rec.stages), total, 0.25) + [{"programs": 0.5, "search": 0.2}, {}]:
        kept = _kept(rec, budgets, total)
        assert kept <= full
        outcome = replay(rec, ts, budgets, total)
        # the best any selection could do: a test input counts if some kept candidate or a fallback attempt is right
        right_by_task = {}
        for stage, cands in rec.candidates.items():
            for offset, e in cands:
                if id(e) in kept and e.get("passed"):
                    for i, g in enumerate(e.get("test") or []):
                        if i < len(solutions[e["task_id"]]) and tuple(map(tuple, g)) == solutions[e["task_id"]][i]:
                            right_by_task.setdefault(e["task_id"], set()).add(i)
        oracle = 0.0
        for t in ts.tasks:
            fallback = {i for i, p in enumerate(t.test) if p.output in (p.input, ((0,),))}
            oracle += len(right_by_task.get(t.id, set()) | fallback) / len(t.test)
        assert outcome.score <= oracle / len(ts.tasks) + 1e-9


def test_tune_recommends_a_split_and_its_config_runs(recorded, tmp_path):
    out, _, ts = recorded
    r = run_cli("tune", "--trace", out / "trace.jsonl", "--target", "2h", "--speed", "search=2",
                "--out", tmp_path / "tuned.toml")
    assert r.returncode == 0, r.stderr
    assert "at its own budgets: score" in r.stdout and "assumed 2x as fast" in r.stdout and "| score |" in r.stdout
    text = (tmp_path / "tuned.toml").read_text()
    assert "[budgets]" in text and 'programs = "' in text and 'search = "' in text
    challenges = tmp_path / "in" / "arc-agi_test_challenges.json"
    challenges.parent.mkdir()
    challenges.write_text(json.dumps({t.id: {"train": [{"input": p.input, "output": p.output} for p in t.train],
                                             "test": [{"input": p.input} for p in t.test]} for t in ts.tasks[:2]}))
    run = subprocess.run([sys.executable, "-m", "kernel", "run", "--config", str(tmp_path / "tuned.toml"),
                          "--challenges", str(challenges), "--out", str(tmp_path / "work"), "--budget", "30s",
                          "--set", "run.margin=1s", "--set", "run.stop_grace=2s", "--set", "run.finish_reserve=2s",
                          "--set", "search.budget_s=1"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    sub = json.loads((tmp_path / "work" / "submission.json").read_text())
    assert validate_submission(sub, {t.id: len(t.test) for t in ts.tasks[:2]}) == []


def test_tune_refuses_a_trace_without_its_tasks_or_solutions(tmp_path, recorded):
    out, _, _ = recorded
    r = run_cli("tune", "--trace", out / "trace.jsonl", "--dataset", "arc-agi-1/evaluation")
    assert r.returncode == 2 and "not the tasks of that run" in r.stderr
    r = run_cli("tune", "--trace", tmp_path / "none.jsonl")
    assert r.returncode == 2 and "no such trace file" in r.stderr


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (make test installs it)")
def test_the_report_renders_the_grids_in_headless_chromium(recorded, tmp_path):
    from PIL import Image

    out, _, ts = recorded
    assert (out / "report.html").is_file()  # dry-run wrote it
    assert (out / "score_curves.png").read_bytes()[:4] == b"\x89PNG" and (out / "timeline.png").is_file()
    r = run_cli("report", out)
    assert r.returncode == 0, r.stderr
    page = (out / "report.html").read_text()
    assert "http://" not in page and "https://" not in page and "solved (" in page
    # the summary is the one the commands print
    assert html.escape(summary_lines(json.loads((out / "metrics.json").read_text()))[-1]) in page
    # a color of the first task's first train input that nothing else on the page uses
    first = ts.tasks[0].train[0].input
    rare = [c for c in (4, 8, 9) if any(c in row for row in first)]
    color = rare[0] if rare else next(c for t in ts.tasks for p in t.train for row in p.input for c in row if c in (4, 8, 9))
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars", "--window-size=1200,4000",
                    f"--screenshot={shot}", (out / "report.html").as_uri()],
                   capture_output=True, timeout=120, check=True)
    counts = {rgb: n for n, rgb in Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 24)}
    rgb = tuple(int(PALETTE[color][i:i + 2], 16) for i in (1, 3, 5))
    assert counts.get(rgb, 0) >= 16, f"no {PALETTE[color]} cells drawn in the screenshot"
