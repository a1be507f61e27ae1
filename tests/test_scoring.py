"""The official score and the seed-experiment metrics on hand-computed cases."""

import pytest

from kernel.scoring import parse_solutions, prediction_metrics, ranked_by_votes, score_submission

A, B, C = ((1,),), ((2,),), ((3,),)
SOL = {"t1": [A], "t2": [A, B], "t3": [C]}


def entry(a1, a2):
    return {"attempt_1": [list(r) for r in a1], "attempt_2": [list(r) for r in a2]}


def test_official_score_hand_computed():
    sub = {
        "t1": [entry(B, A)],               # attempt_2 right: 1
        "t2": [entry(A, C), entry(C, C)],  # one of two test inputs: 0.5
        "t3": [entry(A, B)],               # wrong: 0
    }
    report = score_submission(sub, SOL)
    assert [t.score for t in report.tasks] == [1.0, 0.5, 0.0]
    assert report.tasks[1].correct == (True, False)
    assert report.score == pytest.approx(1.5 / 3)
    assert report.solved == 1.5


def test_missing_tasks_and_malformed_entries_score_zero_and_are_reported():
    sub = {"t1": [{"attempt_1": "junk", "attempt_2": [[1]]}], "t2": [entry(A, A)]}
    report = score_submission(sub, SOL)
    assert report.missing == ["t3"]
    assert report.tasks[0].score == 1.0  # the valid attempt still counts
    assert report.problems == ["t1[0]: an attempt is missing or not a valid grid"]
    assert report.tasks[1].score == 0.5  # second test input has no entry
    assert report.score == pytest.approx(1.5 / 3)


def test_extra_tasks_in_the_submission_do_not_count():
    sub = {"t1": [entry(A, A)], "zzz": [entry(A, A)]}
    assert score_submission(sub, {"t1": [A]}).score == 1.0


def test_votes_rank_by_count_then_first_seen():
    assert ranked_by_votes([B, A, A, None, B, C]) == [(B, 2), (A, 2), (C, 1)]
    assert ranked_by_votes([None, None]) == []


def test_seed_metrics_hand_computed():
    preds = {
        "t1": [[A, A, B, None]],          # 2/4 correct, vote_1 right
        "t2": [[B, C, C], [B, None]],     # input 0: none right; input 1: 1/2, vote_1 right
        # t3 has no predictions at all: counts as an input, with nothing correct
    }
    m = prediction_metrics(preds, SOL)
    assert m.n_predictions == 9 and m.n_inputs == 4
    assert m.accuracy == pytest.approx(3 / 9)
    assert m.pass_n == pytest.approx(2 / 4)
    assert m.vote_1 == pytest.approx(2 / 4)
    assert m.vote_2 == pytest.approx(2 / 4)
    assert m.unanswered == pytest.approx(2 / 9)


def test_vote_2_counts_the_runner_up():
    m = prediction_metrics({"t": [[B, B, A]]}, {"t": [A]})
    assert (m.vote_1, m.vote_2, m.pass_n) == (0.0, 1.0, 1.0)


def test_parse_solutions_skips_bad_entries_with_a_reason():
    sols, problems = parse_solutions({"a": [[[1]]], "b": [[[1], [1, 2]]], "c": []})
    assert list(sols) == ["a"]
    assert len(problems) == 2 and "b" in problems[0]
