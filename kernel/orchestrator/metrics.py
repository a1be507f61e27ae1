"""The figures of a run: metrics.json's schema (official score and prediction metrics, per
stage and overall) and its summary, printed by the commands and drawn by the report."""

from __future__ import annotations

from typing import Mapping, Sequence

from ..grids import Grid, GridError, parse_grid
from ..scoring import prediction_metrics, score_submission
from .selection import Collected


def stage_figures(c: Collected, submission: dict, solutions: Mapping[str, Sequence[Grid]]) -> dict:
    """Official score of `submission` and the prediction metrics of the collected candidates."""
    figures = {"programs": c.programs, "programs_passed_train": c.programs_passed, "grids": c.grids,
               "tasks_answered": sum(1 for t in c.predictions if any(g is not None for p in c.predictions[t].values()
                                                                     for g in p))}
    if solutions:
        report = score_submission(submission, solutions)
        preds = {t: [c.predictions[t][i] for i in range(len(solutions[t]))] for t in solutions if t in c.predictions}
        # A false positive is trusted (it goes ahead of every grid), passed every train pair, yet gets
        # a test output wrong. Guesses (passing programs their source did not trust) are counted apart.
        def wrong(pairs):
            return sum(1 for t, outs in pairs if t in solutions and list(outs) != list(solutions[t]))

        trusted = len(c.passed_outputs)
        near, near_right = _near_attempts(c, submission, solutions)
        figures.update(score=report.score, tasks_solved=report.solved,
                       metrics=prediction_metrics(preds, solutions).to_json(), false_positives=wrong(c.passed_outputs),
                       false_positive_rate=round(wrong(c.passed_outputs) / trusted, 4) if trusted else 0.0,
                       programs_trusted=trusted, guesses=len(c.guessed_outputs),
                       guesses_wrong=wrong(c.guessed_outputs), near_attempts=near, near_right=near_right)
    return figures


def _near_attempts(c: Collected, submission: dict, solutions: Mapping[str, Sequence[Grid]]) -> tuple[int, int]:
    """Test inputs whose attempts hold a near miss no program or grid prediction gave, and how
    many of those it answers rightly: what the search's near misses added."""
    attempts = right = 0
    for (task_id, i), grids in c.near.items():
        entries = submission.get(task_id) or []
        if i >= len(entries) or task_id not in solutions or i >= len(solutions[task_id]):
            continue
        others = set(c.program_support.get(task_id, {}).get(i, {})) | set(c.grid_votes.get((task_id, i), {}))
        only_near = set(grids) - others
        try:
            given = {parse_grid(entries[i][k]) for k in ("attempt_1", "attempt_2")}
        except (GridError, KeyError, TypeError):
            continue
        if given & only_near:
            attempts += 1
            right += solutions[task_id][i] in given & only_near
    return attempts, right


def summary_lines(m: Mapping) -> list[str]:
    """metrics.json as the lines a command prints at the end of a run (and the report shows;
    a file from an older or cut-short run gives what it has)."""
    lines = [f"dataset {m.get('dataset', '?')}: {m.get('tasks', '?')} tasks ({len(m.get('malformed', []))} malformed); "
             f"{m.get('wall_s', 0.0):.1f} s of {m.get('deadline_s', 0.0):.0f} s",
             f"  {'stage':<14} {'status':<9} {'used s':>9} {'budget s':>9}  candidates"]
    for name, st in m.get("stages", {}).items():
        cands = (f"{st.get('programs', 0)} programs ({st.get('programs_passed_train', 0)} pass train), "
                 f"{st.get('grids', 0)} grids")
        score = f", score {st['score']:.4f}" if "score" in st else ""
        detail = f"  [{st['detail']}]" if st.get("detail") else ""
        lines.append(f"  {name:<14} {st.get('status', '?'):<9} {st.get('seconds', 0.0):9.1f} "
                     f"{st.get('budget_s', 0.0):9.1f}  {cands}{score}{detail}")
    lines.append(f"  orchestration {m.get('orchestration_overhead_s', 0.0):.2f} s outside the stages")
    if "score" in m and "metrics" in m:
        lines.append(f"score: {m['score']:.4f} ({m.get('tasks_solved', 0):g} of {m.get('tasks', '?')} tasks); "
                     f"predictions: {format_prediction_metrics(m['metrics'])}; "
                     f"false positives {m.get('false_positives', 0)} of {m.get('programs_trusted', '?')} "
                     f"trusted programs (rate {m.get('false_positive_rate', 0.0):.3f})"
                     + (f"; {m['guesses']} guesses, {m['guesses_wrong']} wrong" if m.get("guesses") else "")
                     + (f"; {m['near_attempts']} attempts from near misses, {m['near_right']} right"
                        if m.get("near_attempts") else ""))
    else:
        lines.append("no solutions known: score not computed")
    return lines


def format_prediction_metrics(pm: Mapping) -> str:
    return (f"accuracy {pm['accuracy']:.3f}, pass@n {pm['pass_n']:.3f}, vote@1 {pm['vote_1']:.3f}, "
            f"vote@2 {pm['vote_2']:.3f}, unanswered {pm['unanswered']:.3f}")
