"""submission.json: schema, fallbacks, every task id, atomic writes."""

import json
import os

import pytest

from kernel.submission import (
    SubmissionError, build_submission, expected_entries, two_attempts, validate_submission,
    write_json_atomic, write_submission,
)
from kernel.tasks import build_taskset

GOOD = {"train": [{"input": [[1, 2]], "output": [[2, 1]]}],
        "test": [{"input": [[3, 4]]}, {"input": [[5, 6]]}]}


def taskset():
    return build_taskset("mem", {
        "good": GOOD,
        "bad_grid": {"train": [{"input": [[1], [1, 2]], "output": [[1]]}], "test": [{"input": [[7]]}, {"input": "x"}]},
        "no_test": {"train": [{"input": [[1]], "output": [[1]]}]},
    })


def test_every_task_id_gets_one_entry_per_test_input_even_when_malformed():
    ts = taskset()
    sub = build_submission(ts)
    assert list(sub) == ["good", "bad_grid", "no_test"]
    assert [len(sub[t]) for t in sub] == [2, 2, 1]
    assert validate_submission(sub, expected_entries(ts)) == []


def test_fallback_is_the_test_input_then_a_one_cell_grid():
    sub = build_submission(taskset())
    assert sub["good"][0] == {"attempt_1": [[3, 4]], "attempt_2": [[0]]}
    assert sub["bad_grid"][0] == {"attempt_1": [[7]], "attempt_2": [[0]]}  # readable test input kept
    assert sub["bad_grid"][1] == {"attempt_1": [[0]], "attempt_2": [[0]]}  # unreadable: constants only


def test_answers_come_first_and_attempts_are_distinct():
    a, b = ((1,),), ((2,),)
    assert two_attempts([a, b, ((3,),)], ((9,),)) == (a, b)
    assert two_attempts([a], ((9,),)) == (a, ((9,),))
    assert two_attempts([((9,),)], ((9,),)) == (((9,),), ((0,),))
    sub = build_submission(taskset(), {"good": [[a, b], []]})
    assert sub["good"][0] == {"attempt_1": [[1]], "attempt_2": [[2]]}
    assert sub["good"][1]["attempt_1"] == [[5, 6]]


@pytest.mark.parametrize("sub,problem", [
    ([], "expected an object"),
    ({"good": []}, "non-empty list"),
    ({"good": [{"attempt_1": [[1]]}]}, "exactly attempt_1 and attempt_2"),
    ({"good": [{"attempt_1": [[1]], "attempt_2": [[1, 2], [3]]}]}, "attempt_2: grid is not rectangular"),
    ({"good": [{"attempt_1": [[1]], "attempt_2": [[1]], "attempt_3": [[1]]}]}, "exactly"),
])
def test_schema_violations_are_named(sub, problem):
    assert any(problem in p for p in validate_submission(sub))


def test_missing_extra_and_miscounted_tasks_are_named():
    ts = taskset()
    sub = build_submission(ts)
    del sub["no_test"]
    sub["good"] = sub["good"][:1]
    sub["stranger"] = [{"attempt_1": [[1]], "attempt_2": [[1]]}]
    problems = validate_submission(sub, expected_entries(ts))
    assert "no_test: missing" in problems
    assert "good: 1 entries, expected 2 (one per test input)" in problems
    assert "stranger: not a task of the challenges file" in problems


def test_invalid_submission_is_never_written(tmp_path):
    path = tmp_path / "submission.json"
    with pytest.raises(SubmissionError):
        write_submission(path, {"good": []})
    assert not path.exists()


def test_atomic_write_replaces_whole_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "submission.json"
    ts = taskset()
    write_submission(path, build_submission(ts), expected_entries(ts))
    first = path.read_text()
    assert validate_submission(json.loads(first), expected_entries(ts)) == []

    class Unserializable:
        pass

    with pytest.raises(TypeError):
        write_json_atomic(path, {"good": [Unserializable()]})  # fails half-way through writing
    assert path.read_text() == first  # the reader still sees the old, complete file
    assert os.listdir(tmp_path) == ["submission.json"]


def test_atomic_write_goes_through_a_rename(tmp_path, monkeypatch):
    calls = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append((a, b)), real_replace(a, b)))
    write_json_atomic(tmp_path / "s.json", {"x": 1})
    assert len(calls) == 1 and str(calls[0][1]).endswith("s.json") and calls[0][0] != calls[0][1]
