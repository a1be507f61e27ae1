"""The steps the search may chain, with their parameters drawn from the task at hand
(background color, colors present), cheapest and most often useful first."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..dsl.cropping import CELL_SELECTORS
from ..dsl.geometry import SYMMETRIES
from ..dsl.lines import CORNER_KINDS, RAY_SETS
from ..dsl.masks import BOOLEAN_OPS
from ..dsl.objects import PLACEHOLDER, SELECTORS
from ..dsl.pieces import CELL_SUMMARIES, OBJECT_ORDERS
from ..dsl.properties import GRID_TESTS
from ..dsl.regions import ENCLOSED_LABELS
from ..dsl.stamps import TEMPLATE_PLACEMENTS
from ..dsl.symmetry import COMPLETIONS
from .program import Step


def background(inputs: Sequence[np.ndarray]) -> int:
    """The most frequent color over all inputs (ARC's background is nearly always 0)."""
    counts = np.bincount(np.concatenate([g.ravel() for g in inputs]), minlength=10)
    return int(np.argmax(counts))


def step_library(train_inputs: Sequence[np.ndarray], all_inputs: Sequence[np.ndarray]) -> list[Step]:
    bg = background(train_inputs)
    in_all = set(range(10))
    for g in all_inputs:
        in_all &= set(np.unique(g).tolist())
    some = set()
    for g in train_inputs:
        some |= set(np.unique(g).tolist())
    colors = sorted(in_all - {bg})
    any_colors = sorted(some - {bg})
    S = Step
    steps: list[Step] = [S(name) for name in SYMMETRIES if name != "identity"]
    steps += [S("crop_to_content", (bg,)), S("trim_border"), S("roll_to_marker")]
    steps += [S("roll_alternate_rows", (k,)) for k in (1, -1)]
    steps += [S("crop_to_color", (c,)) for c in colors]
    steps += [S("crop_inside_color", (c,)) for c in colors]
    steps += [S("compress", (c,)) for c in sorted(in_all)]
    steps += [S("half", (w,)) for w in ("top", "bottom", "left", "right")] + [S("crop_to_tile")]
    steps += [S("split_part", (3, i, axis)) for axis in (1, 0) for i in range(3)]
    steps += [S("crop_inside_frame", (bg, inside)) for inside in (True, False)]
    steps += [S("keep_middle", (axis, bg)) for axis in (1, 0)]
    steps += [S("select_cell", (sel, bg)) for sel in CELL_SELECTORS]
    steps += [S("cells_from_cell", (sel, bg)) for sel in CELL_SELECTORS]
    # Cells between separator lines treated as the pixels of a small grid: a few pixel-level steps at that scale.
    steps += [S("at_cell_scale", ("connect_same_color", bg)), S("at_cell_scale", ("fill_enclosed", bg))]
    steps += [S("at_cell_scale", ("extend_rays", r, bg)) for r in ("orthogonal", "diagonal")]
    steps += [S("at_cell_scale", ("gravity", d, bg)) for d in ("down", "up", "left", "right")]
    steps += [S("at_cell_scale", ("symmetrize", k, bg)) for k in ("lr", "ud", "both")]
    steps += [S("combine_parts", (op, bg)) for op in BOOLEAN_OPS]
    steps += [S("overlay_parts", (bg, r)) for r in (False, True)] + [S("majority_vote_cells")]
    steps += [S("majority_vote_cells", (PLACEHOLDER,))]  # where the parts disagree, for a recolor to name
    steps += [S("fit_pieces", (bg,)), S("center_colors", (bg,)), S("assemble_corners", (bg,))]
    steps += [S("overlay_objects", (None,))]  # the background told by each grid, which may change between pairs
    steps += [S("reverse_overlaps", (bg,))]
    steps += [S("uncover_rects", (c,)) for c in sorted(in_all)]
    steps += [S("kron_parts", (bg, i)) for i in (False, True)] + [S("overlay_around", (c, 1, bg)) for c in colors]
    for conn, multi in ((8, True), (4, False), (8, False)):
        steps += [S("crop_object", (sel, conn, multi, bg)) for sel in SELECTORS]
    steps += [S("crop_most_color", (c, bg)) for c in any_colors]
    for conn, multi in ((8, True), (4, False)):
        steps += [S("extract_object", (sel, conn, multi, bg)) for sel in SELECTORS]
    steps += [S("keep_object", (sel, 8, True, bg)) for sel in SELECTORS]
    steps += [S("remove_object", (sel, 8, True, bg)) for sel in SELECTORS]
    steps += [S("mark_object", (sel, 4, False, bg)) for sel in SELECTORS]
    steps += [S("mark_half", (side, bg)) for side in ("top", "bottom", "left", "right")]
    steps += [S("mark_contained", (bg,))]
    steps += [S("remove_noise", (n, 8, bg)) for n in (1, 2)]
    steps += [S("keep_color", (c, bg)) for c in any_colors] + [S("remove_color", (c, bg)) for c in any_colors]
    steps += [S("swap_object_colors", (bg,))] + [S("take_nearest_color", (c, bg)) for c in colors]
    steps += [S("absorb_markers", (c, bg)) for c in colors]
    steps += [S("recolor_like_framed", (c, to, shut, bg)) for c in colors
              for to, shut in ((False, False), (False, True), (True, False))]
    steps += [S("keep_most_common", (bg,)), S("keep_least_common", (bg,)), S("swap_most_least", (bg,)),
              S("unify_colors", (bg,))]
    steps += [S("recolor_from_lines", (axis, bg, each)) for axis in (1, 0) for each in (False, True)]
    steps += [S("complement_lines", (axis, bg)) for axis in (1, 0)]
    steps += [S("recolor_by_pairs", (None,))]
    steps += [S("label_by_size", (4, bg)), S("label_by_size", (8, bg)), S("label_by_size_rank", (4, bg)),
              S("label_by_size_rank", (8, bg)), S("label_by_shape", (4, bg)), S("label_by_shape", (8, bg)),
              S("label_by_touching_border", (4, bg)), S("label_by_holes", (4, bg)), S("label_by_holes", (8, bg))]
    steps += [S("label_by_symmetry", (None, 8))]  # each grid's own background: it may change between pairs
    steps += [S("label_in_turn", (k, bg)) for k in (2, 3)]
    steps += [S("fill_empty_lines", (c,)) for c in sorted(in_all)]  # lines of one color, background or not
    steps += [S("fill_empty_lines", (bg, PLACEHOLDER, True))]
    steps += [S("bridge_objects", (inset, bg)) for inset in (0, 1)]
    steps += [S("label_enclosed", (how, bg)) for how in ENCLOSED_LABELS] + [S("label_areas", (bg,))]
    steps += [S("fill_enclosed", (bg,)), S("fill_boxes", (bg,)), S("frame_objects", (bg,)), S("hollow", (bg,)),
              S("mark_largest_rectangle", (bg,)), S("mark_largest_rectangle", (bg, PLACEHOLDER, 2)),
              S("keep_largest_box", (bg,)),
              S("halo", (bg, 10, True)), S("halo", (bg, 10, False)), S("draw_border")]
    steps += [S("halo_by_key", (bg,))]
    steps += [S("corner_ticks", (bg, PLACEHOLDER, square)) for square in (True, False)]
    steps += [S("fill_empty_squares", (k, bg)) for k in (2, 3)] + [S("fill_empty_squares", (3, bg, PLACEHOLDER, True))]
    steps += [S("draw_spiral", (PLACEHOLDER, bg))]
    steps += [S("pour_boxes", (bg,))] + [S("checker_rectangles", (p, bg)) for p in (0, 1)]
    steps += [S("holes_across_bands", (0,))] if 0 in in_all and bg != 0 else []
    steps += [S("gravity", (d, bg)) for d in ("down", "up", "left", "right")]
    steps += [S("object_gravity", (d, bg)) for d in ("down", "up", "left", "right")]
    steps += [S("step_to_corner_marker", (bg,))]
    steps += [S("symmetrize", (k, bg)) for k in ("lr", "ud", "both", "rot", "rot180", "diag")]
    steps += [S("symmetrize_content", (k, bg)) for k in ("lr", "ud", "both", "rot", "diag")]
    steps += [S("symmetrize_around", (c, k, bg)) for c in colors for k in ("both", "lr", "ud")]
    steps += [S("complete_symmetry", (k, bg)) for k in COMPLETIONS] + [S("mirror_toward_marker", (bg,))]
    steps += [S("complete_symmetry", (k, bg, PLACEHOLDER)) for k in ("both", "rot")]
    steps += [S("mirror_across_lines", (bg,)), S("mirror_rarest_across_line", (bg,))]
    steps += [S("fill_symmetry", (c,)) for c in sorted(in_all)]
    steps += [S("reveal_masked", (c,)) for c in sorted(in_all)]
    steps += [S("fill_periodic", (c,)) for c in sorted(in_all)]
    steps += [S("fill_diagonal_periodic", (c,)) for c in sorted(in_all)]
    steps += [S("reveal_periodic", (c,)) for c in sorted(in_all)]
    steps += [S("extend_rays", (r, bg)) for r in RAY_SETS]
    steps += [S("connect_same_color", (bg, d)) for d in (False, True)]
    steps += [S("rays_to_objects", (bg, d)) for d in (False, True)]
    # The same lines in the placeholder color, for a finishing recolor to name.
    steps += [S("extend_rays", (r, bg, False, PLACEHOLDER)) for r in RAY_SETS]
    steps += [S("dotted_rays", (r, bg)) for r in ("up", "down", "left", "right", "vertical", "horizontal", "orthogonal",
                                                  "diagonal")]
    steps += [S("connect_same_color", (bg, d, PLACEHOLDER)) for d in (False, True)]
    steps += [S("connect_same_color", (bg, False, PLACEHOLDER, axis)) for axis in (1, 0)]
    steps += [S("rays_to_objects", (bg, d, PLACEHOLDER)) for d in (False, True)]
    steps += [S("draw_crosses", (bg, d)) for d in (False, True)]
    steps += [S("center_lines", (bg,)), S("mark_midpoints", (bg,)), S("project_markers", (bg,)),
              S("mark_under_centers", (bg,)), S("ring_crossings", (bg,))]
    steps += [S("meet_halfway", (axis, bg)) for axis in (1, 0)]
    steps += [S("meet_halfway", (None, None, None, True))]  # blocks flaring as they meet, either way, on any background
    steps += [S("staircase", (a, -a, bg)) for a in (1, -1)] + [S("sidestep_rays", (t, bg)) for t in ("cw", "ccw")]
    steps += [S("edge_turning_rays", (d, t, bg)) for d in ("up", "down", "left", "right") for t in ("cw", "ccw")]
    steps += [S("box_by_markers", (inset, bg)) for inset in (1, 0)] + [S("box_by_markers", (0, bg, PLACEHOLDER))]
    steps += [S("reverse_paths", (bg,)), S("edge_pair_lines", (bg,)), S("connect_corners", (bg,))]
    steps += [S("edge_marker_lines", (e, bg, t)) for e in ("top", "bottom", "left", "right") for t in (True, False)]
    steps += [S("mark_plus_centers", (bg,))]
    steps += [S("corner_rays", (kind, how, bg)) for kind in CORNER_KINDS for how in ("own", "minor")]
    steps += [S("minority_rays", (bg,))] + [S("smear_from_markers", (c, bg)) for c in colors]
    steps += [S("extend_ends", (bg,)), S("bounce_rays", (bg,))] + [S("connect_elbow", (c, bg)) for c in any_colors]
    steps += [S("extend_segments", (bg, top)) for top in ("rows", "cols")]
    steps += [S("pointer_rays", (bg, PLACEHOLDER, t)) for t in (False, True)]
    steps += [S("bounce_diagonals", (c, bg)) for c in any_colors]  # a pair without walls still has rays
    steps += [S("flood_touching", (c, bg)) for c in colors]
    steps += [S("fill_color_boxes", (bg,)), S("flood_from_seeds", (bg,)), S("fill_to_corner", (bg,))]
    counts = np.bincount(np.concatenate([g.ravel() for g in train_inputs]), minlength=10)
    second = int(np.argsort(-counts, kind="stable")[1])
    steps += [S("flood_alternating", (c,)) for c in dict.fromkeys((bg, second))]
    steps += [S("self_kron", (bg, inv)) for inv in (False, True)] + [S("self_kron", (bg, False, c)) for c in colors]
    steps += [S("self_kron", (PLACEHOLDER, False, "same"))]
    steps += [S("shrink_repeats"), S("unscale"), S("upscale", (2, 2)), S("upscale", (3, 3)), S("tile", (2, 2)),
              S("upscale_by_colors", (bg,)), S("scale_into_frame", (bg,)), S("repeat_band", (0, bg)),
              S("repeat_band", (1, bg)),
              S("repeat_runs", (bg,)), S("repeat_around_border", (bg,)), S("repeat_seeds", (bg,)),
              S("complete_like_full_line", (bg,)),
              S("continue_objects", (bg,)), S("continue_objects", (bg, PLACEHOLDER))]
    steps += [S("pad_edge", (bg,)), S("grow_canvas", (2, bg)), S("reverse_rings"), S("spread_rings", (bg,))]
    steps += [S("split_apart", (axis, PLACEHOLDER)) for axis in (0, 1)]
    steps += [S("paint_quadrant", (c, bg)) for c in colors]
    # Pieces: one step that changes every cell or object, or builds the output from them.
    steps += [S("each_cell", (f,)) for f in ("flip_lr", "flip_ud", "rot180", "transpose")]
    steps += [S("each_object", (f, bg)) for f in ("flip_lr", "flip_ud", "rot180", "transpose")]
    steps += [S("turn_objects", (True, bg))]  # no training task asks for the other turn
    steps += [S("cell_colors", (how, bg)) for how in CELL_SUMMARIES]
    steps += [S("paint_cells", (how, bg)) for how in ("majority", "minority", "fullest")]
    steps += [S("fill_missing_color", (bg,)), S("fractal_from_cells")]
    steps += [S("paint_by_key", (b,)) for b in dict.fromkeys((bg, 0))]  # separators can outnumber the background
    steps += [S("spread_cell", (bg, sep)) for sep in (False, True)] + [S("spread_cell_to_marked")]
    steps += [S("stack_objects", (order, axis, bg)) for order in OBJECT_ORDERS for axis in (0, 1)]
    steps += [S("stack_part_bands", (bg, e)) for e in ("bottom", "top", "left", "right")]
    steps += [S("copy_template", (p, bg)) for p in TEMPLATE_PLACEMENTS] + [S("copy_template", ("shape", bg, True))]
    steps += [S("complete_copies", (turns, bg, erase)) for erase in (False, True) for turns in (False, True)]
    steps += [S("grow_from_anchor", (bg,))]
    steps += [S("attract", (c, bg)) for c in colors] + [S("dots_to_lines", (bg,))] + [S("attract_to_body", (bg,))]
    steps += [S("repel_from_anchor", (c, bg)) for c in colors]
    steps += [S("align_objects", (c, axis, bg)) for c in colors for axis in (0, 1)]
    steps += [S("nudge", (c, bg)) for c in colors] + [S("move_into_corners", (c, bg)) for c in colors]
    steps += [S("move_by_size", (d, bg, n)) for d in ("up", "down", "left", "right") for n in (False, True)]
    steps += [S("sort_bars", (bg,)), S("fly_to_walls", (bg,))]
    rarest = sorted(colors, key=lambda c: counts[c])[:1]  # a marker to count is the rarest color
    steps += [S("move_by_count", (m, dy, dx, bg)) for m in rarest for dy in (-1, 0, 1) for dx in (-1, 0, 1)
              if dy or dx]
    steps += [S("stretch_to_marker", (bg,)), S("collapse_into_block", (bg,)), S("pull_to_singletons", (bg,))]
    # Satellites turning about anchors: every ordered pair of colors, or of the two rarest where there are many.
    orbiting = colors if len(colors) <= 3 else sorted(colors, key=lambda c: counts[c])[:2]
    steps += [S("orbit_satellites", (a, s, turn, bg, PLACEHOLDER)) for a in orbiting for s in orbiting if a != s
              for turn in ("ccw", "cw", "half")]
    steps += [S("majority_cell", (bg,)), S("majority_cell", (None,)), S("color_ranking_column", (bg,)),
              S("count_objects_row", (bg,)), S("count_cells_row", (bg,)), S("color_histogram", (None,)),
              S("color_bands", (None,)), S("color_bands", (bg,)), S("largest_colors", (bg,)),
              S("nest_colors", (bg,)), S("nest_colors", (bg, "layer")), S("layer_colors", (bg,)),
              S("line_layers", (bg,)), S("gather_to_middle", (bg,))]
    steps += [S("sort_cells", (by,)) for by in ("column", "row")]
    steps += [S("draw_count", ("colors", "row", 1, None))]  # how many colors (the background too), to look up
    # A yes or no about the whole grid, for the lookup finisher to name each answer's output.
    steps += [S("holds", (t, bg)) for t in GRID_TESTS if t != "joined"]
    steps += [S("holds", ("joined", bg, c)) for c in colors]
    steps += [S("shift", (dy, dx, bg)) for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1))]
    steps += [S("skew", (down, PLACEHOLDER)) for down in (True, False)]
    steps += [S("line_majority", (axis,)) for axis in (1, 0, None)]
    return steps
