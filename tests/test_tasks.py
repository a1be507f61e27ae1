"""Loading tasks: formats, validation rules, one-line reports for malformed tasks."""

import json

import pytest

from kernel.grids import GridError, parse_grid
from kernel.tasks import InputFileError, MalformedTask, guess_solutions_path, load_tasks

GOOD = {"train": [{"input": [[1, 2]], "output": [[2, 1]]}], "test": [{"input": [[3, 4]]}]}


def write(path, obj):
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return path


@pytest.mark.parametrize("grid,message", [
    ([[1, 2], [3]], "not rectangular"),
    ([], "0 rows"),
    ([[]], "0 columns"),
    ([[0] * 31], "31 columns"),
    ([[0]] * 31, "31 rows"),
    ([[10]], "outside 0..9"),
    ([[-1]], "outside 0..9"),
    ([[True]], "not an integer"),
    ([[1.0]], "not an integer"),
    ([["1"]], "not an integer"),
    ([[None]], "not an integer"),
    ("12", "not a list of rows"),
    ([1, 2], "row 0 is a int"),
])
def test_invalid_grids_are_rejected_with_the_reason(grid, message):
    with pytest.raises(GridError, match=message):
        parse_grid(grid)


def test_valid_grid_extremes_are_accepted():
    assert parse_grid([[9] * 30] * 30)[29][29] == 9
    assert parse_grid([[0]]) == ((0,),)


def test_challenges_file_with_solutions_file(tmp_path):
    ch = write(tmp_path / "x_challenges.json", {"a": GOOD, "b": GOOD})
    sol = write(tmp_path / "x_solutions.json", {"a": [[[4, 3]]], "b": [[[9, 9]]]})
    ts = load_tasks(ch, sol)
    assert ts.order == ["a", "b"] and not ts.malformed
    assert ts.has_solutions and ts.solutions()["a"] == [((4, 3),)]
    assert guess_solutions_path(ch) == sol


def test_single_task_file_takes_its_id_from_the_file_name(tmp_path):
    ts = load_tasks(write(tmp_path / "abc123.json", GOOD))
    assert ts.order == ["abc123"] and ts.tasks[0].test_inputs == (((3, 4),),)


def test_folder_of_task_files(tmp_path):
    write(tmp_path / "one.json", GOOD)
    write(tmp_path / "two.json", GOOD)
    assert load_tasks(tmp_path).order == ["one", "two"]


@pytest.mark.parametrize("name,count", [("arc-agi-1/training", 400), ("arc-agi-1/evaluation", 400),
                                        ("arc-agi-2/training", 1000), ("arc-agi-2/evaluation", 120)])
def test_public_sets_load_by_name_with_their_solutions(name, count):
    ts = load_tasks(name)
    assert len(ts.tasks) == count and not ts.malformed and ts.has_solutions


MALFORMED = {
    "not_rect": ({"train": [{"input": [[1, 2], [3]], "output": [[1]]}], "test": [{"input": [[1]]}]},
                 "train[0].input: grid is not rectangular"),
    "no_train": ({"test": [{"input": [[1]]}]}, "non-empty 'train'"),
    "empty_train": ({"train": [], "test": [{"input": [[1]]}]}, "non-empty 'train'"),
    "no_output": ({"train": [{"input": [[1]]}], "test": [{"input": [[1]]}]}, "train[0] has no 'output'"),
    "no_test": ({"train": [{"input": [[1]], "output": [[1]]}]}, "non-empty 'test'"),
    "bad_test": ({"train": [{"input": [[1]], "output": [[1]]}], "test": [{"input": [[1]]}, {"input": [[12]]}]},
                 "test[1].input: cell (0,0) is 12"),
    "test_no_input": ({"train": [{"input": [[1]], "output": [[1]]}], "test": [{"output": [[1]]}]},
                      "test[0] has no 'input'"),
    "big": ({"train": [{"input": [[0] * 40], "output": [[1]]}], "test": [{"input": [[1]]}]}, "40 columns"),
    "string": ("hello", "task is a str"),
}


def test_malformed_tasks_are_reported_in_one_line_and_keep_readable_test_inputs(tmp_path):
    ch = write(tmp_path / "c.json", {"ok": GOOD, **{k: v for k, (v, _) in MALFORMED.items()}})
    ts = load_tasks(ch)
    assert [t.id for t in ts.tasks] == ["ok"]
    reports = {m.id: m for m in ts.malformed}
    for task_id, (_, reason) in MALFORMED.items():
        m = reports[task_id]
        assert isinstance(m, MalformedTask)
        assert reason in m.reason, (task_id, m.reason)
        line = m.report()
        assert "\n" not in line and task_id in line
    assert reports["bad_test"].test_inputs == (((1,),), None)
    assert reports["not_rect"].test_inputs == (((1,),),)
    assert reports["no_test"].test_inputs == ()


def test_invalid_json_names_the_file_and_the_position(tmp_path):
    bad = write(tmp_path / "broken.json", '{"a": {"train": [}')
    with pytest.raises(InputFileError) as e:
        load_tasks(bad)
    assert "broken.json" in str(e.value) and "line 1 column 18" in str(e.value)


@pytest.mark.parametrize("content,message", [
    (None, "no such file"),
    (b"\xff\xfe{}", "not UTF-8"),
    ("[1, 2]", "top level is a list"),
    ("[" * 100000 + "]" * 100000, "nested too deeply"),
])
def test_unusable_files_raise_input_file_error(tmp_path, content, message):
    path = tmp_path / "f.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(InputFileError, match=message):
        load_tasks(path)


def test_unknown_dataset_name_lists_the_known_ones():
    with pytest.raises(InputFileError, match="arc-agi-1/evaluation"):
        load_tasks("arc-agi-3/evaluation")


def test_mismatched_solutions_are_a_warning_not_a_crash(tmp_path):
    ch = write(tmp_path / "c.json", {"a": GOOD})
    sol = write(tmp_path / "s.json", {"a": [[[1]], [[2]]]})
    ts = load_tasks(ch, sol)
    assert not ts.has_solutions and "expected 1 grids, found 2" in ts.warnings[0]


def test_limit_keeps_file_order_across_valid_and_malformed(tmp_path):
    ch = write(tmp_path / "c.json", {"a": GOOD, "b": "bad", "c": GOOD})
    ts = load_tasks(ch).limit(2)
    assert ts.order == ["a", "b"] and [t.id for t in ts.tasks] == ["a"] and [m.id for m in ts.malformed] == ["b"]
