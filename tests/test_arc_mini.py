"""arc-mini: synthetic tasks from the DSL, deterministic, unambiguous, solved by their programs."""

import collections

import pytest

from kernel import arc_mini
from kernel.sandbox import SandboxLimits
from kernel.verify import verify_once


def test_the_named_sets_are_deterministic_and_keep_unseen_families_apart():
    a, b = arc_mini.load("arc-mini/evaluation"), arc_mini.load("arc-mini/evaluation")
    assert [t.id for t in a.tasks] == [t.id for t in b.tasks] and a.tasks == b.tasks
    assert len(arc_mini.TRAIN_FAMILIES) >= 12
    assert not set(arc_mini.TRAIN_FAMILIES) & set(arc_mini.UNSEEN_FAMILIES)
    families = collections.Counter(arc_mini.family_of(t.id) for t in a.tasks)
    assert set(families) == set(arc_mini.TRAIN_FAMILIES) and len(set(families.values())) == 1
    unseen = arc_mini.load("arc-mini/unseen")
    assert {arc_mini.family_of(t.id) for t in unseen.tasks} == set(arc_mini.UNSEEN_FAMILIES)
    assert not {t.id for t in unseen.tasks} & {t.id for t in a.tasks}


def test_tasks_have_the_promised_shape():
    for task in arc_mini.load("arc-mini/evaluation").tasks:
        assert 3 <= len(task.train) <= 4 and 1 <= len(task.test) <= 2
        assert all(3 <= len(p.input) <= 10 and 3 <= len(p.input[0]) <= 10 for p in task.train + task.test)
        assert all(p.output is not None for p in task.test)
        assert any(p.input != p.output for p in task.train)


def test_each_tasks_program_solves_it_in_the_sandbox_and_no_other_dsl_program_disagrees():
    for task, code, family in arc_mini.generate(arc_mini.FAMILIES, 7, 2 * len(arc_mini.FAMILIES)):
        v = verify_once(task, code, SandboxLimits(5, 512), ["numpy", "kernel.dsl"])
        assert v.passed, (family, code)
        assert [tuple(map(tuple, g)) for g in v.test] == [p.output for p in task.test], family
        inputs = [__import__("numpy").array(p.input) for p in task.train + task.test]
        outputs = [__import__("numpy").array(p.output) for p in task.train + task.test]
        assert arc_mini._unique(inputs, outputs, len(task.train))


def test_an_ambiguous_task_is_recognised():
    import numpy as np

    # a one-row grid: flipping left-right and rotating by a half turn agree on train, not on this test
    inputs = [np.array([[1, 2, 0]]), np.array([[3, 0, 4]]), np.array([[5, 6, 7]]), np.array([[1, 2], [3, 4]])]
    outputs = [np.fliplr(g) for g in inputs]
    assert not arc_mini._unique(inputs, outputs, 3)
    assert arc_mini._unique(inputs[:3] + [np.array([[1, 2, 3]])], outputs[:3] + [np.array([[3, 2, 1]])], 3)


def test_arc_mini_sets_load_by_name_on_the_command_line():
    from conftest import run_cli

    r = run_cli("tasks", "--dataset", "arc-mini/unseen")
    assert r.returncode == 0, r.stderr
    r = run_cli("tasks", "--dataset", "arc-mini/nope")
    assert r.returncode == 2 and "arc-mini/evaluation" in r.stderr
