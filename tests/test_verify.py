"""Verification outcomes for ordinary (non-hostile) programs: right, wrong, malformed output."""

import pytest

from conftest import make_task
from kernel.sandbox.client import JobResult, Outcome
from kernel.verify import judge, program_key

SHIFT = make_task([([[1, 2]], [[2, 3]]), ([[3, 4]], [[4, 5]])], tests=([[5, 6]], [[8, 9]]))


def test_program_wrong_on_a_train_pair_is_wrong_with_a_useful_detail(verifier):
    result = verifier.verify(SHIFT, "def transform(grid):\n    return grid\n")
    assert not result.passed
    assert [p.status for p in result.train] == ["wrong"]
    assert result.train[0].detail == "2 of 2 cells differ"
    assert result.test == (None, None)


def test_wrong_shape_is_reported_as_shape(verifier):
    result = verifier.verify(SHIFT, "def transform(grid):\n    return [[1]]\n")
    assert result.train[0].status == "wrong"
    assert result.train[0].detail == "expected 1x2, got 1x1"


def test_verification_stops_at_the_first_failing_train_pair(verifier):
    # Wrong on pair 0, would loop forever on pair 1: stopping early means no timeout shows up.
    code = "CALLS = []\ndef transform(grid):\n    CALLS.append(1)\n    if len(CALLS) > 1:\n        while True: pass\n    return grid\n"
    result = verifier.verify(SHIFT, code)
    assert [p.status for p in result.train] == ["wrong"]


def test_passing_program_answers_each_test_input_and_failed_test_inputs_are_null(verifier):
    code = "def transform(grid):\n    if grid[0][0] == 8:\n        raise ValueError('no')\n    return [[c + 1 for c in row] for row in grid]\n"
    result = verifier.verify(SHIFT, code)
    assert result.passed
    assert result.test == (((6, 7),), None)


@pytest.mark.parametrize("code,status", [
    ("def transform(grid):\n    return None\n", "invalid"),
    ("def transform(grid):\n    return [[1, 2], [3]]\n", "invalid"),
    ("def transform(grid):\n    return [[10, 2]]\n", "invalid"),
    ("def transform(grid):\n    return [[True, False]]\n", "invalid"),
    ("def transform(grid):\n    return [[0] * 31]\n", "invalid"),
    ("def transform(grid):\n    return []\n", "invalid"),
    ("import numpy as np\ndef transform(grid):\n    return np.zeros((2, 2, 2), dtype=int)\n", "invalid"),
    ("def transform(grid):\n    return 'grid'\n", "invalid"),
    ("def transform(grid)\n    return grid\n", "error"),
    ("x = 1\n", "error"),
    ("def transform(grid):\n    raise KeyError('boom')\n", "error"),
    ("def transform(grid):\n    raise SystemExit(0)\n", "error"),
    ("import scipy_that_does_not_exist\ndef transform(grid):\n    return grid\n", "error"),
])
def test_bad_results_get_the_right_status(verifier, code, status):
    result = verifier.verify(SHIFT, code)
    assert not result.passed
    assert result.train[0].status == status
    assert result.train[0].detail


def test_numpy_arrays_are_accepted_including_integral_floats(verifier):
    for code in ("import numpy as np\ndef transform(grid):\n    return np.array(grid) + 1\n",
                 "import numpy as np\ndef transform(grid):\n    return np.array(grid, dtype=float) + 1\n",
                 "import numpy as np\ndef transform(grid):\n    return np.array(grid, dtype=np.uint8) + 1\n"):
        assert verifier.verify(SHIFT, code).passed, code


def test_non_integral_floats_are_invalid(verifier):
    result = verifier.verify(SHIFT, "import numpy as np\ndef transform(grid):\n    return np.array(grid) + 0.5\n")
    assert result.train[0].status == "invalid"


def test_overlong_program_is_rejected_without_running(sandbox, verifier):
    before = sandbox.jobs_run
    result = verifier.verify(SHIFT, "def transform(grid):\n    return grid\n" + "#" * 200_000)
    assert result.train[0].status == "error" and "limit" in result.train[0].detail
    assert sandbox.jobs_run == before


def test_program_key_ignores_comments_and_layout_but_not_code():
    a = "def transform(g):\n    return g  # identity\n"
    b = "# header\ndef transform( g ):\n\n    return g\n"
    c = "def transform(g):\n    return g[::-1]\n"
    assert program_key(a) == program_key(b) != program_key(c)
    assert program_key("def (:") != program_key("def (:)")  # unparsable text still gets a key


def test_judge_never_trusts_a_forged_grid():
    # The sandbox child is untrusted: whatever it claims is re-validated here.
    forged = JobResult((Outcome("ok", [[2, "3"]]),), 0.0)
    assert judge(SHIFT, "k", forged).train[0].status == "invalid"
    missing = JobResult((Outcome("ok", [[2, 3]]),), 0.0)
    result = judge(SHIFT, "k", missing)
    assert not result.passed and result.train[-1].detail == "no result for this pair"


def test_numpy_functions_that_import_lazily_work_in_the_sandbox(verifier):
    # np.unique imports numpy.ma on first use; the sandbox forbids opening files, so lazily
    # imported numpy submodules must be preloaded for everyday numpy code to run.
    code = ("import numpy as np\n"
            "def transform(grid):\n"
            "    a = np.array(grid)\n"
            "    np.random.default_rng(0)\n"
            "    return [[int(len(np.unique(a))) + int(np.fft.fft(a).real.sum() * 0)]]\n")
    task = make_task([([[1, 2], [2, 2]], [[2]])], tests=[[[3]]])
    v = verifier.verify(task, code)
    assert v.passed, v.train
    assert v.test == (((1,),),)
