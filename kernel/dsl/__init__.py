"""The project's ARC DSL: pure numpy functions on grids (2-D integer arrays).

Programs written by the search, and by models, use it inside the sandbox:

    import numpy as np
    from kernel import dsl

    def transform(grid):
        g = np.array(grid)
        return dsl.crop_object(dsl.rot90(g), "largest")

`catalogue()` renders the function list (signature and one line each), e.g. for a prompt.
"""

from __future__ import annotations

import inspect

from .colors import (binarize, color_counts, colors_by_count, complement_lines, keep_color, keep_least_common,
                     keep_most_common, least_common_color, most_common_color, paint_nonzero,
                     recolor, recolor_by_pairs, recolor_from_lines, remove_color, replace_color, swap_most_least,
                     unify_colors)
from .counting import (COUNT_FORMS, COUNT_SOURCES, COUNT_SOURCES_PER_COLOR, color_bands, color_histogram,
                       color_ranking_column, count_cells_row, count_objects_row, count_of, draw_count, gather_dots,
                       gather_to_middle, largest_colors, layer_colors, line_layers, line_majority, lookup,
                       majority_cell, majority_vote_cells, nest_colors, sort_cells)
from .cropping import (bbox, blocks, compress, crop_inside_color, crop_inside_frame, crop_to_color, crop_to_content,
                       half, keep_middle, select_cell, separator_lines, split_cells, split_part, trim_border, window)
from .geometry import (anti_transpose, apply_symmetry, flip_lr, flip_ud, grow_canvas, pad_edge, roll_alternate_rows,
                       roll_to_marker, rot90, rot180, rot270, shift, skew, split_apart, transpose)
from .gravity import (align_objects, attract, attract_to_body, collapse_into_block, dots_to_lines, fly_to_walls,
                      gravity, move_by_count, move_by_size, move_into_corners, nudge, object_gravity, orbit_satellites,
                      pull_to_singletons, repel_from_anchor, shift_colors, sort_bars, step_to_corner_marker,
                      stretch_to_marker)
from .lines import (CORNER_KINDS, bounce_diagonals, bounce_rays, box_by_markers, center_lines, connect_corners,
                    connect_elbow, connect_same_color, corner_rays, dotted_rays, draw_crosses, draw_spiral,
                    edge_marker_lines, edge_pair_lines, edge_turning_rays, extend_ends, extend_rays, extend_segments,
                    mark_midpoints, mark_plus_centers, mark_under_centers, meet_halfway, minority_rays, object_rays,
                    pointer_rays, project_markers, rays_to_objects, reverse_paths, ring_crossings, sidestep_rays,
                    smear_from_markers, staircase)
from .limits import MAX_SIDE, TooLarge
from .masks import (assemble_corners, center_colors, combine_parts, fit_pieces, kron_parts, mask_with, overlay,
                    overlay_around, overlay_corners, overlay_objects, overlay_parts, reverse_overlaps, uncover_rects)
from .objects import (PLACEHOLDER, Obj, absorb_markers, count_objects, crop_most_color, crop_object, extract_object,
                      keep_object, label_by_shape, label_by_size, label_by_size_rank, label_by_symmetry,
                      label_by_touching_border, label_in_turn, mark_contained, mark_half, mark_object, objects,
                      recolor_like_framed, remove_noise, remove_object, select_object, swap_object_colors,
                      take_nearest_color, turn_objects)
from .pieces import (at_cell_scale, cell_boxes, cell_colors, cells_from_cell, color_ranks, combine_changes, each_cell,
                     each_object, fill_missing_color, fractal_from_cells, in_color_ranks, paint_by_key, paint_cells,
                     paint_cells_at, spread_cell, spread_cell_to_marked, stack_objects, stack_part_bands,
                     transform_cells)
from .properties import (GRID_TESTS, PROPERTIES, crop_by_property, holds, property_values, recolor_areas,
                         recolor_by_property)
from .regions import (bridge_objects, checker_rectangles, corner_ticks, draw_border, fill_boxes, fill_color_boxes,
                      fill_empty_lines, fill_empty_squares, fill_enclosed, fill_to_corner, flood_alternating,
                      flood_from_seeds, flood_touching, frame_objects, halo, halo_by_key, hollow, holes_across_bands,
                      keep_largest_box, label_areas, label_by_holes, label_enclosed, mark_largest_rectangle, pour_boxes,
                      reverse_rings, spread_rings, paint_quadrant)
from .rules import cell_rule, feature
from .scaling import (complete_like_full_line, continue_drift, continue_objects, continue_pattern, crop_to_tile,
                      downscale, repeat_around_border, repeat_band, repeat_runs, repeat_seeds, scale_into_frame,
                      self_kron, shrink_repeats, smallest_period, tile, tile_layout, unscale, upscale,
                      upscale_by_colors)
from .stamps import TEMPLATE_PLACEMENTS, complete_copies, copy_template, grow_from_anchor, stamp
from .symmetry import (COMPLETIONS, complete_symmetry, fill_diagonal_periodic, fill_periodic, fill_symmetry,
                       mirror_across_lines, mirror_rarest_across_line, mirror_toward_marker, reveal_masked,
                       reveal_periodic, symmetrize, symmetrize_around, symmetrize_content)

GROUPS = {
    "geometry": (rot90, rot180, rot270, flip_lr, flip_ud, transpose, anti_transpose, apply_symmetry, shift, skew,
                 pad_edge, grow_canvas, split_apart, roll_to_marker, roll_alternate_rows),
    "cropping": (crop_to_content, crop_to_color, crop_inside_color, crop_inside_frame, split_part, compress,
                 trim_border, half, split_cells, blocks, select_cell, separator_lines, bbox, window, keep_middle),
    "scaling and tiling": (upscale, upscale_by_colors, downscale, shrink_repeats, tile, tile_layout, self_kron,
                           smallest_period, continue_pattern, continue_drift, repeat_band, repeat_runs, repeat_seeds,
                           repeat_around_border, complete_like_full_line, continue_objects, crop_to_tile,
                           scale_into_frame, unscale),
    "colors": (recolor, replace_color, keep_color, remove_color, keep_most_common, keep_least_common,
               swap_most_least, binarize, paint_nonzero, color_counts, colors_by_count,
               most_common_color, least_common_color, recolor_from_lines, unify_colors, complement_lines,
               recolor_by_pairs),
    "objects": (objects, select_object, crop_object, crop_most_color, extract_object, keep_object, remove_object,
                mark_object, mark_half, mark_contained, remove_noise, label_by_size, label_by_size_rank, label_by_shape,
                label_by_symmetry, label_by_holes, label_by_touching_border, label_in_turn, count_objects,
                property_values, recolor_by_property, crop_by_property, swap_object_colors, take_nearest_color,
                absorb_markers, recolor_like_framed, holds, turn_objects),
    "regions": (bridge_objects, fill_enclosed, fill_empty_lines, fill_empty_squares, fill_boxes, frame_objects, hollow,
                halo, halo_by_key, draw_border, flood_touching, fill_color_boxes, mark_largest_rectangle, reverse_rings,
                label_enclosed, label_areas, recolor_areas, pour_boxes, checker_rectangles, keep_largest_box,
                flood_from_seeds, flood_alternating, holes_across_bands, corner_ticks, fill_to_corner, spread_rings,
                paint_quadrant),
    "gravity and moving": (gravity, object_gravity, attract, attract_to_body, repel_from_anchor, dots_to_lines,
                           align_objects, move_by_size, nudge, move_into_corners, sort_bars, stretch_to_marker,
                           collapse_into_block, pull_to_singletons, move_by_count, shift_colors, fly_to_walls,
                           step_to_corner_marker, orbit_satellites),
    "pieces": (cell_boxes, each_cell, at_cell_scale, transform_cells, cell_colors, cells_from_cell, paint_cells,
               paint_cells_at, paint_by_key, spread_cell, spread_cell_to_marked, each_object, stack_objects,
               stack_part_bands, combine_changes, color_ranks, in_color_ranks, fill_missing_color, fractal_from_cells),
    "stamps": (stamp, copy_template, complete_copies, grow_from_anchor),
    "symmetry": (symmetrize, symmetrize_content, symmetrize_around, complete_symmetry, mirror_toward_marker,
                 fill_symmetry, reveal_masked, fill_periodic, reveal_periodic, fill_diagonal_periodic,
                 mirror_across_lines, mirror_rarest_across_line),
    "masks and overlays": (combine_parts, overlay_parts, kron_parts, overlay, overlay_around, overlay_corners,
                           fit_pieces, center_colors, assemble_corners, mask_with, overlay_objects,
                           reverse_overlaps, uncover_rects),
    "lines": (extend_rays, dotted_rays, connect_same_color, rays_to_objects, draw_crosses, extend_ends, bounce_rays,
              bounce_diagonals, connect_elbow, center_lines, mark_midpoints, meet_halfway, project_markers, object_rays,
              corner_rays, minority_rays, draw_spiral, smear_from_markers, mark_under_centers, ring_crossings,
              staircase, sidestep_rays, edge_turning_rays, box_by_markers, reverse_paths, edge_pair_lines,
              edge_marker_lines, connect_corners, mark_plus_centers, extend_segments, pointer_rays),
    "counting and majority": (majority_cell, color_ranking_column, color_bands, color_histogram, count_objects_row,
                              count_cells_row, count_of, draw_count, gather_dots, majority_vote_cells, line_majority,
                              lookup, largest_colors, nest_colors, layer_colors, line_layers, gather_to_middle,
                              sort_cells),
    "cell rules": (cell_rule, feature),
}


def catalogue() -> str:
    """The DSL's functions by group, one line each: `name(signature)  # docstring`."""
    lines = []
    for group, fns in GROUPS.items():
        lines.append(f"# {group}")
        for fn in fns:
            sig = str(inspect.signature(fn)).replace("np.ndarray", "grid")
            doc = (fn.__doc__ or "").strip().splitlines()[0]
            lines.append(f"dsl.{fn.__name__}{sig}  # {doc}")
    return "\n".join(lines)


__all__ = sorted({fn.__name__ for fns in GROUPS.values() for fn in fns}
                 | {"COMPLETIONS", "GRID_TESTS", "PLACEHOLDER", "PROPERTIES", "TEMPLATE_PLACEMENTS", "MAX_SIDE",
                    "TooLarge", "Obj", "catalogue"})
