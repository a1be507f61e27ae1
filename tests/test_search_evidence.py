"""Evidence ranking of the programs the search finds, the finishers added for breadth (window,
stamp, cells), and the leave-one-out checks that keep accidental fits out."""

import numpy as np
import pytest

from conftest import make_task
from kernel import dsl
from kernel.config import SearchConfig
from kernel.search import search_task
from kernel.search.compose import cover, sound_part
from kernel.search.evidence import (Evidence, OutputRules, choice_bits, evidence, is_weak, keep, learned_size,
                                    output_bits)
from kernel.search.finishers import infer_cell_rule, infer_lookup, infer_recolor, infer_stamp, infer_window
from kernel.search.program import Step, run_steps


def G(rows):
    return np.array(rows, dtype=np.int64)


def test_output_rules_read_off_the_train_pairs():
    same = OutputRules.of([G([[1, 0]]), G([[2, 2, 0]])], [G([[3, 0]]), G([[3, 3, 0]])])
    assert same.same_shape and same.fixed_shape is None and same.added_colors == {3}
    assert same.broken_by(G([[1, 1]]), G([[3, 3]])) is None
    assert "shape" in same.broken_by(G([[1, 1]]), G([[3]]))
    assert "colors [5]" in same.broken_by(G([[1, 1]]), G([[3, 5]]))
    assert same.changes and "unchanged" in same.broken_by(G([[1, 1]]), G([[1, 1]]))
    fixed = OutputRules.of([G([[1, 0]]), G([[2, 2, 0]])], [G([[1]]), G([[2]])])
    assert fixed.fixed_shape == (1, 1) and not fixed.same_shape
    assert fixed.broken_by(G([[4, 0]]), G([[4, 4]])) is not None


def test_evidence_prefers_consistent_plain_short_programs():
    rules = OutputRules.of([G([[1, 0]])], [G([[0, 1]])])
    plain = evidence((Step("flip_lr"),), rules, [G([[2, 0]])], [G([[0, 2]])])
    table = evidence((Step("cell_rule", (("self",), {(1,): 2, (0,): 0}, 0)),), rules, [G([[2, 0]])], [G([[0, 2]])])
    broken = evidence((Step("flip_lr"),), rules, [G([[2, 0]])], [G([[0, 2, 2]])])
    assert plain.consistent and not plain.weak and table.weak and not broken.consistent
    assert sorted([broken, table, plain], key=Evidence.rank) == [plain, table, broken]
    assert learned_size((Step("recolor", ({1: 2, 3: 4},)), Step("stamp", ({1: {(0, 1): 2, (1, 0): 2}}, 0)))) == 4
    assert is_weak((Step("flip_lr"), Step("window", ("top_left", 2, 2))))
    # A shifted continuation is a guess after other steps (they may have cleared cells until some shift fits),
    # not on its own.
    shifted = Step("continue_pattern", (1, 1, 0, False, (0, 1)))
    assert is_weak((Step("flip_lr"), shifted)) and not is_weak((shifted,))


def test_keep_emits_the_best_answer_and_a_plain_runner_up_only():
    plain, weak = Evidence(True, False, 1, 0), Evidence(True, True, 1, 3)
    # two programs agree on answer "a", one plain runner-up "b", a third answer "c" never kept;
    # with a runner-up disagreeing, no answer is trusted
    assert keep([(plain, "a"), (plain, "b"), (plain, "a"), (plain, "c")], 8) == [(0, False), (1, False), (2, False)]
    # a weak runner-up, or a runner-up to a weak best, is held back and the best stays trusted
    assert keep([(plain, "a"), (weak, "b")], 8) == [(0, True)]
    assert keep([(weak, "a"), (plain, "b")], 8) == [(0, True)]
    inconsistent = Evidence(False, False, 1, 0)
    assert keep([(plain, "a"), (inconsistent, "b")], 8) == [(0, True)]
    assert keep([(inconsistent, "a")], 8) == [(0, False)]  # alone, it is still only a guess
    assert keep([(Evidence(True, True, 3, 3), "a")], 8) == [(0, False)]  # a weak step after two others
    assert keep([], 8) == []


def test_a_recolor_merging_every_label_is_weak_and_trusted_only_behind_a_program_that_agrees():
    merge = Step("recolor", ({10: 5, 12: 5, 13: 5},))
    labelled = (Step("label_by_symmetry", (None, 8)), merge)
    assert is_weak(labelled) and not is_weak((Step("recolor", ({10: 5, 12: 4},)),))
    assert not is_weak((Step("recolor", ({1: 5, 2: 5},)),))  # real colors merged: no labelling behind them
    rules = OutputRules.of([G([[1, 0]])], [G([[5, 0]])])
    merged = evidence(labelled, rules, [G([[2, 0]])], [G([[5, 0]])])
    plain = evidence((Step("fill_enclosed", (0,)), Step("recolor", ({10: 5},))), rules, [G([[2, 0]])], [G([[5, 0]])])
    assert merged.merged and not plain.merged
    # Alone it is a guess (its labelling's distinctions were never tested); behind a program that agrees, the
    # answer is trusted as that program is.
    assert keep([(merged, "a")], 8) == [(0, False)]
    assert keep(sorted([(merged, "a"), (plain, "a")], key=lambda e: e[0].rank()), 8) == [(0, True), (1, True)]


def test_a_program_is_only_a_guess_when_its_outputs_say_less_than_choosing_it_cost():
    # Three one-cell outputs of two colors say 3 bits; a step from a library of 200 costs 7.6.
    inputs = [G([[1, 2], [2, 2]]), G([[3, 1], [1, 1]]), G([[4, 4], [4, 5]])]
    tiny = [G([[2]]), G([[1]]), G([[4]])]
    rules = OutputRules.of(inputs, tiny)
    steps = (Step("majority_cell", (0,)),)
    assert output_bits(inputs, tiny) == 3.0 and choice_bits(steps, 200) > 7
    thin = evidence(steps, rules, [G([[6, 6], [6, 7]])], [G([[6]])], output_bits(inputs, tiny), 200)
    assert thin.thin and keep([(thin, "a")], 8) == [(0, False)]
    # The same program is trusted where the outputs are whole grids.
    big = [np.tile(i, (3, 3)) for i in inputs]
    steps = (Step("tile_layout", ((("identity",) * 3,) * 3,)),)
    test = G([[6, 7], [7, 7]])
    fat = evidence(steps, OutputRules.of(inputs, big), [test], [np.tile(test, (3, 3))],
                   output_bits(inputs, big), 200)
    assert not fat.thin and keep([(fat, "a")], 8) == [(0, True)]
    # Learned values are chosen too: a color map of ten entries costs 33 bits more.
    assert choice_bits((Step("recolor", ({c: c for c in range(10)},)),), 200) > choice_bits((Step("flip_lr"),), 200) + 33


def test_window_finisher_finds_the_corner_every_pair_shares():
    states = [np.arange(16).reshape(4, 4), np.arange(25).reshape(5, 5)]
    outputs = [s[-2:, :3] for s in states]
    assert infer_window(states, outputs, [np.zeros((3, 3), int)]) == Step("window", ("bottom_left", 2, 3))
    assert infer_window(states, outputs, [np.zeros((1, 1), int)]) is None  # the test input is too small


def _marker_grid(rng, n):
    g = np.zeros((9, 9), dtype=np.int64)
    for _ in range(n):
        y, x = rng.integers(1, 8, size=2)
        g[y, x] = rng.choice([1, 2])
    return g


PATTERNS = {1: {(-1, 0): 7, (1, 0): 7}, 2: {(-1, -1): 4, (1, 1): 4}}


def test_stamp_finisher_learns_a_pattern_per_marker_color():
    rng = np.random.default_rng(3)
    states = [_marker_grid(rng, 2) for _ in range(4)]
    outputs = [dsl.stamp(s, PATTERNS) for s in states]
    step = infer_stamp(states, outputs, [_marker_grid(rng, 2)], 0)
    assert step is not None and step.fn == "stamp"
    assert all((dsl.stamp(s, step.args[0]) == o).all() for s, o in zip(states, outputs))

    # A marker that its pattern replaces: the marker cell's own color is part of the pattern.
    replaced = {c: {**p, (0, 0): 0} for c, p in PATTERNS.items()}
    outputs = [dsl.stamp(s, replaced) for s in states]
    step = infer_stamp(states, outputs, [_marker_grid(rng, 2)], 0)
    assert step is not None and all((dsl.stamp(s, step.args[0]) == o).all() for s, o in zip(states, outputs))
    assert all(p[(0, 0)] == 0 for p in step.args[0].values())


def test_stamp_finisher_refuses_a_pattern_only_one_pair_shows():
    a, b, c = G([[0, 0, 0], [0, 1, 0], [0, 0, 0]]), G([[0, 0, 0], [0, 2, 0], [0, 0, 0]]), G([[0, 0, 0], [0, 3, 0], [0, 0, 0]])
    # each marker color appears in one pair only: the others cannot have predicted its pattern
    outs = [dsl.stamp(g, {1: {(0, 1): 5}, 2: {(1, 0): 6}, 3: {(-1, 0): 4}}) for g in (a, b, c)]
    assert infer_stamp([a, b, c], outs, [a], 0, holdout=False) is not None
    assert infer_stamp([a, b, c], outs, [a], 0) is None


def test_stamp_finisher_needs_two_pairs_to_confirm_a_test_markers_pattern():
    a, b = G([[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]]), G([[0, 0, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0]])
    both = G([[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 2]])
    truth = {1: {(0, 1): 5}, 2: {(-1, 0): 6}}
    # two pairs each show one marker: a test with marker 1 rests on one pair alone
    outs = [dsl.stamp(g, truth) for g in (a, b)]
    assert infer_stamp([a, b], outs, [a], 0) is None
    # the same patterns, both markers in both pairs: confirmed
    c = G([[0, 2, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0]])
    outs = [dsl.stamp(g, truth) for g in (both, c)]
    step = infer_stamp([both, c], outs, [a], 0)
    assert step is not None and step.args[0] == truth


def test_cell_rule_leave_one_out_rejects_a_table_each_pair_fills_alone():
    # each pair has a color of its own, so any table that fits holds rows only that pair shows
    rng = np.random.default_rng(4)
    states = [np.where(rng.random((6, 6)) < 0.8, c, 0) for c in (1, 2, 3)]
    truth = lambda g: dsl.cell_rule(g, ("self", "n"), {(c, c): 9 for c in (1, 2, 3)})  # noqa: E731
    outputs = [truth(s) for s in states]
    tests = [np.where(rng.random((6, 6)) < 0.8, 1, 0)]
    assert infer_cell_rule(states, outputs, tests, 0, holdout=0.0) is not None
    assert infer_cell_rule(states, outputs, tests, 0, holdout=0.9) is None


def _pairs_of(truth, inputs):
    return [(g.tolist(), truth(g).tolist()) for g in inputs]


def test_search_assembles_an_output_from_the_cells_of_a_divided_grid():
    rng = np.random.default_rng(0)

    def divided():
        g = np.full((7, 7), 5, dtype=np.int64)
        for y0 in (0, 4):
            for x0 in (0, 4):
                g[y0:y0 + 3, x0:x0 + 3] = np.where(rng.random((3, 3)) < 0.6, rng.choice([1, 2, 3]), 0)
        return g

    inputs = [divided() for _ in range(4)]
    truth = lambda g: dsl.each_cell(g, "flip_ud")  # noqa: E731
    task = make_task(_pairs_of(truth, inputs[:3]), tests=[inputs[3].tolist()])
    result = search_task(task, SearchConfig(budget_s=20))
    assert result.found
    assert (run_steps(result.found[0].steps, inputs[3]) == truth(inputs[3])).all()


def test_search_slides_objects_to_the_anchor():
    def scene(rng):
        g = np.zeros((10, 8), dtype=np.int64)
        g[9, :] = 2
        x = int(rng.integers(0, 6))
        g[int(rng.integers(0, 4)), x:x + 2] = 3
        return g

    rng = np.random.default_rng(1)
    inputs = [scene(rng) for _ in range(4)]
    truth = lambda g: dsl.attract(g, 2)  # noqa: E731
    task = make_task(_pairs_of(truth, inputs[:3]), tests=[inputs[3].tolist()])
    result = search_task(task, SearchConfig(budget_s=20))
    assert result.found
    assert (run_steps(result.found[0].steps, inputs[3]) == truth(inputs[3])).all()


@pytest.mark.parametrize("max_depth", [0, 1])
def test_cell_rules_are_learned_even_without_deeper_levels(max_depth):
    # the output marks every cell below a 3: a cell rule on the root, whatever the depth
    rng = np.random.default_rng(2)
    inputs = [np.where(rng.random((5, 5)) < 0.3, 3, 0) for _ in range(4)]
    truth = lambda g: dsl.cell_rule(g, ("self", "n"), {(0, 3): 4})  # noqa: E731
    task = make_task(_pairs_of(truth, inputs[:3]), tests=[inputs[3].tolist()])
    result = search_task(task, SearchConfig(budget_s=20, max_depth=max_depth))
    assert any((run_steps(f.steps, inputs[3]) == truth(inputs[3])).all() for f in result.found)


def test_composition_lays_together_chains_that_each_change_cells_only_as_the_output_does():
    g = G([[0, 0, 0, 2], [1, 1, 1, 0], [1, 0, 1, 0], [1, 1, 1, 0]])
    out = dsl.combine_changes(g, ((("fill_enclosed", (0,)), ("recolor", ({10: 4},))), (("draw_crosses", (0,)),)))
    # the enclosed cell becomes 4 and the lone 2 paints its row and column
    assert out.tolist() == [[2, 2, 2, 2], [1, 1, 1, 2], [1, 4, 1, 2], [1, 1, 1, 2]]
    filled = dsl.fill_enclosed(g, 0)
    gain, mapping = sound_part([g], [filled], [out], [g], [filled])
    assert mapping == {10: 4} and gain.sum() == 1
    assert sound_part([g], [dsl.flip_lr(g)], [out], [g], [g]) is None   # moves cells the output keeps
    crosses = sound_part([g], [dsl.draw_crosses(g, 0)], [out], [g], [g])
    needed = (g != out).ravel()
    assert cover([gain, crosses[0]], needed) == [1, 0]
    assert cover([gain], needed) is None  # one part alone is no composition


def test_search_composes_two_independent_changes_a_single_level_cannot_chain():
    rng = np.random.default_rng(0)

    def scene():
        g = np.zeros((10, 10), dtype=np.int64)
        y, x = int(rng.integers(4, 7)), int(rng.integers(0, 6))
        g[y:y + 3, x:x + 3] = 1
        g[y + 1, x + 1] = 0
        g[0, [c for c in range(10) if not x <= c <= x + 2][int(rng.integers(0, 7))]] = 2
        return g

    def truth(g):
        return dsl.combine_changes(g, ((("fill_enclosed", (0,)), ("recolor", ({10: 4},))), (("draw_crosses", (0,)),)))

    inputs = [scene() for _ in range(4)]
    task = make_task(_pairs_of(truth, inputs[:3]), tests=[inputs[3].tolist()])
    result = search_task(task, SearchConfig(budget_s=20, max_depth=1))
    composed = [f for f in result.found if f.steps[-1].fn == "combine_changes"]
    assert composed and (run_steps(composed[0].steps, inputs[3]) == truth(inputs[3])).all()


def test_stamp_finisher_learns_inner_rings_first_and_lets_quiet_colors_be():
    rng = np.random.default_rng(3)
    truth = {1: {(-1, 0): 7, (0, -1): 7, (0, 1): 7, (1, 0): 7}, 2: {(-1, -1): 4, (-1, 1): 4, (1, -1): 4, (1, 1): 4}}

    def scene(quiet):
        g = np.zeros((9, 9), dtype=np.int64)
        for c in (1, 2):
            g[rng.integers(1, 8), rng.integers(1, 8)] = c
        g[rng.integers(0, 9), rng.integers(0, 9)] = quiet  # a color that paints nothing
        return g

    inputs = [scene(q) for q in (8, 6, 8, 5)]
    outputs = [dsl.stamp(g, truth) for g in inputs[:3]]
    # the test input's quiet color (5) is new: the pairs show that some colors paint nothing
    step = infer_stamp(inputs[:3], outputs, inputs[3:], 0)
    assert step is not None and step.args[0] == truth


def test_cell_rule_lets_a_test_cell_of_a_color_no_pair_changes_keep_its_color():
    def ring(g, y, x, c=1):
        g[y:y + 3, x:x + 3] = c
        g[y + 1, x + 1] = 0
        return g

    # rings of two colors, so the rule must read a cell's own color
    states = [ring(np.zeros((7, 7), np.int64), y, x, c) for y, x, c in ((0, 0, 1), (3, 2, 2), (1, 4, 1))]
    outputs = [np.where((s == 0) & (dsl.feature(s, "enclosed") == 1), 4, s) for s in states]
    test = ring(np.zeros((7, 7), np.int64), 2, 2)
    test[6, 0] = 5   # a color no pair shows: nothing says it changes
    step = infer_cell_rule(states, outputs, [test], 0, holdout=0.0)
    assert step is not None and dsl.cell_rule(test, *step.args)[6, 0] == 5
    assert dsl.cell_rule(test, *step.args)[3, 3] == 4


def test_lookup_finisher_answers_a_summary_some_pairs_share():
    # Inputs summarised to a 1x1 color; two pairs confirm an entry, and the test's is one a pair has.
    inputs = [np.full((3, 3), c) for c in (1, 2, 1, 1, 2)]
    states = [g[:1, :1] for g in inputs]
    outputs = [G([[5, 0]]), G([[0, 5]]), G([[5, 0]]), G([[5, 0]])]
    step = infer_lookup(states, outputs, inputs, 4)
    assert step is not None and step.fn == "lookup"
    assert same_grid(run_steps((step,), states[4]), [[0, 5]])
    assert infer_lookup(states[:4] + [G([[7]])], outputs, inputs, 4) is None   # a summary no pair has
    assert infer_lookup(inputs, outputs, inputs, 4) is None                    # no summary: whole inputs
    once = [G([[1]]), G([[2]]), G([[1]]), G([[3]]), G([[1]])]
    assert infer_lookup(once, outputs, inputs, 4) is None                      # one confirmation only


def same_grid(a, rows):
    return a.shape == G(rows).shape and (a == G(rows)).all()


def test_a_program_whose_test_output_breaks_an_output_rule_does_not_end_the_deepening():
    # Every train output is its input mirrored, and differs from it; the test input is its own
    # mirror image, so the mirror answers it unchanged, which no train pair does: the search must
    # look deeper instead of stopping at the first level.
    rng = np.random.default_rng(4)
    inputs = [rng.integers(1, 4, (4, 5)) for _ in range(3)]
    half = rng.integers(1, 4, (4, 2))
    test = np.hstack([half, rng.integers(1, 4, (4, 1)), half[:, ::-1]])
    task = make_task([(g.tolist(), g[:, ::-1].tolist()) for g in inputs], tests=[test.tolist()])
    result = search_task(task, SearchConfig(budget_s=1, max_depth=2, rank_share=0))
    assert result.stopped == "budget"
    assert any(f.steps == (Step("flip_lr"),) for f in result.found)


def test_a_label_no_pair_showed_takes_the_color_most_labels_take():
    # Objects labelled by size (placeholders 11 to 15): size 2 turns red, every other size blue.
    states = [G([[11, 0, 12, 12]]), G([[13, 13, 13, 0]]), G([[15, 15, 15, 15, 15]])]
    outputs = [G([[1, 0, 2, 2]]), G([[1, 1, 1, 0]]), G([[1, 1, 1, 1, 1]])]
    step = infer_recolor(states, outputs, [G([[14, 14, 14, 14]])])
    assert step is not None and step.args[0][14] == 1
    # Past the labels the pairs showed (a bigger object than any), the fate is unknown.
    assert infer_recolor(states, outputs, [G([[16, 0, 0, 0]])]) is None
    # With fewer than three labels to a color there is no default either.
    two = [G([[11, 0, 13, 13]]), G([[15, 15, 15, 0]])]
    assert infer_recolor(two, [G([[1, 0, 2, 2]]), G([[1, 1, 1, 0]])], [G([[12, 0, 0, 0]])]) is None


def _one_exception_task(exception):
    # Every output is its input mirrored, but for the third pair's, which no chain makes.
    rng = np.random.default_rng(7)
    inputs = [rng.integers(1, 4, (4, 5)) for _ in range(3)]
    outputs = [g[:, ::-1] for g in inputs[:2]] + [exception]
    test = rng.integers(1, 4, (4, 5))
    return make_task([(g.tolist(), o.tolist()) for g, o in zip(inputs, outputs)], tests=[test.tolist()]), test


def test_a_chain_that_fits_every_train_pair_but_one_is_a_near_miss_when_nothing_fits_them_all():
    task, test = _one_exception_task(np.full((4, 5), 3))
    result = search_task(task, SearchConfig(budget_s=5, max_depth=1, rank_share=0))
    assert result.found == []
    assert result.near and result.near[0].steps == (Step("flip_lr"),)
    assert result.near[0].outputs == (tuple(map(tuple, test[:, ::-1].tolist())),)
    # Distinct answers only, and none breaking an output rule (here: an output of another shape).
    assert len({m.outputs for m in result.near}) == len(result.near)
    assert all(np.array(m.outputs[0]).shape == test.shape for m in result.near)
    assert search_task(task, SearchConfig(budget_s=5, max_depth=1, rank_share=0, near_share=0)).near == []


def test_a_task_with_a_trusted_program_has_no_near_misses():
    rng = np.random.default_rng(7)
    inputs = [rng.integers(1, 4, (4, 5)) for _ in range(3)]
    task, _ = _one_exception_task(inputs[2][:, ::-1])
    result = search_task(task, SearchConfig(budget_s=5, max_depth=1, rank_share=0))
    assert any(f.trusted and f.steps == (Step("flip_lr"),) for f in result.found)
    assert result.near == []
