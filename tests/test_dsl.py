"""Each DSL function on small hand-made grids."""

import inspect

import numpy as np
import pytest

from kernel import dsl


def G(rows):
    return np.array(rows, dtype=np.int64)


def same(a, b):
    return a.shape == G(b).shape and (a == G(b)).all()


L3 = G([[1, 2, 0],
        [0, 3, 0]])


# geometry

def test_rotations_and_mirrors_follow_numpy_conventions():
    assert same(dsl.rot90(L3), [[0, 0], [2, 3], [1, 0]])
    assert same(dsl.rot180(L3), [[0, 3, 0], [0, 2, 1]])
    assert same(dsl.rot270(L3), [[0, 1], [3, 2], [0, 0]])
    assert same(dsl.flip_lr(L3), [[0, 2, 1], [0, 3, 0]])
    assert same(dsl.flip_ud(L3), [[0, 3, 0], [1, 2, 0]])
    assert same(dsl.transpose(L3), [[1, 0], [2, 3], [0, 0]])
    assert same(dsl.anti_transpose(L3), [[0, 0], [3, 2], [0, 1]])
    assert same(dsl.apply_symmetry(L3, "identity"), L3.tolist())


def test_shift_moves_content_and_fills_the_gap():
    assert same(dsl.shift(L3, 1, 1, fill=9), [[9, 9, 9], [9, 1, 2]])
    assert same(dsl.shift(L3, 0, -1), [[2, 0, 0], [3, 0, 0]])


# colors

def test_recolor_maps_listed_colors_and_keeps_the_rest():
    assert same(dsl.recolor(L3, {1: 5, 3: 1}), [[5, 2, 0], [0, 1, 0]])
    assert same(dsl.recolor(G([[10, 0]]), {10: 4}), [[4, 0]])


def test_color_filters_and_rankings():
    g = G([[1, 1, 2], [0, 1, 3], [3, 0, 0]])
    assert same(dsl.replace_color(g, 1, 7), [[7, 7, 2], [0, 7, 3], [3, 0, 0]])
    assert same(dsl.keep_color(g, 3), [[0, 0, 0], [0, 0, 3], [3, 0, 0]])
    assert same(dsl.remove_color(g, 1), [[0, 0, 2], [0, 0, 3], [3, 0, 0]])
    assert dsl.color_counts(g) == {0: 3, 1: 3, 2: 1, 3: 2}
    assert dsl.colors_by_count(g) == [1, 3, 2]
    assert dsl.most_common_color(g) == 1 and dsl.least_common_color(g) == 2
    assert same(dsl.keep_most_common(g), [[1, 1, 0], [0, 1, 0], [0, 0, 0]])
    assert same(dsl.keep_least_common(g), [[0, 0, 2], [0, 0, 0], [0, 0, 0]])
    assert same(dsl.swap_most_least(g), [[2, 2, 1], [0, 2, 3], [3, 0, 0]])
    assert same(dsl.binarize(g), [[1, 1, 1], [0, 1, 1], [1, 0, 0]])
    assert same(dsl.paint_nonzero(g, 4), [[4, 4, 4], [0, 4, 4], [4, 0, 0]])


# cropping and splitting

def test_crops_to_content_color_and_inside_a_frame():
    g = G([[0, 0, 0, 0, 0],
           [0, 5, 5, 5, 0],
           [0, 5, 2, 5, 0],
           [0, 5, 5, 5, 0]])
    assert same(dsl.crop_to_content(g), [[5, 5, 5], [5, 2, 5], [5, 5, 5]])
    assert same(dsl.crop_to_color(g, 2), [[2]])
    assert same(dsl.crop_inside_color(g, 5), [[2]])
    assert same(dsl.trim_border(g), [[5, 5, 5], [5, 2, 5]])
    assert dsl.bbox(g == 5) == (1, 1, 4, 4)
    with pytest.raises(ValueError):
        dsl.crop_to_color(g, 7)


def test_compress_drops_rows_and_columns_of_one_color():
    g = G([[0, 0, 0, 0], [1, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0]])
    assert same(dsl.compress(g), [[1, 2], [3, 4]])
    with pytest.raises(ValueError):
        dsl.compress(G([[1, 2], [3, 4]]))  # nothing to remove


def test_half_drops_a_middle_line():
    g = G([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert same(dsl.half(g, "top"), [[1, 2, 3]])
    assert same(dsl.half(g, "bottom"), [[7, 8, 9]])
    assert same(dsl.half(g, "left"), [[1], [4], [7]])
    assert same(dsl.half(g, "right"), [[3], [6], [9]])


def test_split_cells_by_separator_lines_and_selecting_one():
    g = G([[1, 0, 5, 2, 2, 5, 0, 0],
           [0, 0, 5, 2, 0, 5, 0, 3]])
    rows, cols, color = dsl.separator_lines(g)
    assert (rows, cols, color) == ([], [2, 5], 5)
    parts = dsl.split_cells(g)
    assert [p.tolist() for p in parts] == [[[1, 0], [0, 0]], [[2, 2], [2, 0]], [[0, 0], [0, 3]]]
    assert same(dsl.select_cell(g, "most_filled"), [[2, 2], [2, 0]])
    with pytest.raises(ValueError):
        dsl.select_cell(g, "least_filled")  # two parts tie with one cell


def test_split_cells_without_separators_cuts_equal_squares():
    g = G([[1, 0, 0, 2], [1, 1, 2, 2]])
    assert [p.tolist() for p in dsl.split_cells(g)] == [[[1, 0], [1, 1]], [[0, 2], [2, 2]]]


# scaling and tiling

def test_scaling_tiling_and_fractal():
    g = G([[1, 0], [0, 2]])
    assert same(dsl.upscale(g, 1, 2), [[1, 1, 0, 0], [0, 0, 2, 2]])
    assert same(dsl.downscale(dsl.upscale(g, 2, 2), 2, 2), g.tolist())
    assert same(dsl.shrink_repeats(G([[1, 1, 2], [1, 1, 2], [3, 3, 4]])), [[1, 2], [3, 4]])
    assert same(dsl.tile(g, 1, 2), [[1, 0, 1, 0], [0, 2, 0, 2]])
    assert same(dsl.tile_layout(g, (("identity", "flip_lr"), ("blank", "rot180"))),
                [[1, 0, 0, 1], [0, 2, 2, 0], [0, 0, 2, 0], [0, 0, 0, 1]])
    assert same(dsl.self_kron(G([[1, 0], [0, 1]])), [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    assert same(dsl.self_kron(G([[1, 0], [0, 1]]), invert=True),
                [[0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]])
    assert same(dsl.self_kron(G([[1, 2], [0, 0]]), color=2), [[0, 0, 1, 2], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])


# objects

OBJ = G([[1, 1, 0, 0, 2],
         [1, 0, 0, 0, 0],
         [0, 0, 3, 3, 0],
         [0, 0, 3, 3, 0]])


def test_objects_by_color_and_connectivity():
    objs = dsl.objects(OBJ)
    assert [(o.color, o.size) for o in objs] == [(1, 3), (2, 1), (3, 4)]
    assert [o.size for o in dsl.objects(G([[1, 0], [0, 1]]), connectivity=8)] == [2]
    assert [o.size for o in dsl.objects(G([[1, 0], [0, 1]]), connectivity=4)] == [1, 1]
    assert [o.size for o in dsl.objects(G([[1, 2]]), multicolor=True)] == [2]
    assert dsl.count_objects(OBJ) == 3


def test_selecting_cropping_keeping_and_removing_objects():
    assert same(dsl.crop_object(OBJ, "largest"), [[3, 3], [3, 3]])
    assert same(dsl.crop_object(OBJ, "smallest"), [[2]])
    assert same(dsl.extract_object(OBJ, "leftmost", 4, False), [[1, 1], [1, 0]])
    assert same(dsl.keep_object(OBJ, "rightmost"), [[0, 0, 0, 0, 2], [0] * 5, [0] * 5, [0] * 5])
    assert dsl.remove_object(OBJ, "largest")[2:].sum() == 0
    assert same(dsl.mark_object(OBJ, "smallest")[0:1], [[1, 1, 0, 0, 10]])
    two_dots_and_a_bar = G([[1, 0, 2, 0, 3, 3]])
    assert dsl.select_object(dsl.objects(two_dots_and_a_bar), "unique_shape").color == 3
    assert dsl.select_object(dsl.objects(two_dots_and_a_bar), "common_shape").color == 1
    with pytest.raises(ValueError):
        dsl.select_object(dsl.objects(G([[1, 0, 1]])), "largest")  # a tie is ambiguous
    dotted_boxes = dsl.objects(G([[1, 1, 0, 1, 1], [1, 2, 0, 2, 2]]), 8, True)
    assert dsl.select_object(dotted_boxes, "most_minority").left == 3
    with pytest.raises(ValueError):
        dsl.select_object([], "largest")


def test_noise_removal_and_labels():
    assert same(dsl.remove_noise(OBJ, 1), [[1, 1, 0, 0, 0], [1, 0, 0, 0, 0], [0, 0, 3, 3, 0], [0, 0, 3, 3, 0]])
    assert dsl.label_by_size(OBJ)[0, 0] == 13 and dsl.label_by_size(OBJ)[2, 2] == 14
    ranks = dsl.label_by_size_rank(OBJ)
    assert (ranks[2, 2], ranks[0, 0], ranks[0, 4]) == (10, 11, 12)
    shapes = dsl.label_by_shape(G([[1, 0, 2], [0, 0, 0], [3, 3, 0]]))
    assert shapes[0, 0] == shapes[0, 2] == 10 and shapes[2, 0] == 11
    holes = dsl.label_by_holes(G([[2, 2, 2, 0, 3], [2, 0, 2, 0, 3], [2, 2, 2, 0, 0]]))
    assert holes[0, 0] == 10 and holes[0, 4] == 3
    border = dsl.label_by_touching_border(G([[1, 0, 0], [0, 2, 0], [0, 0, 0]]))
    assert same(border, [[10, 0, 0], [0, 2, 0], [0, 0, 0]])


# regions

RING = G([[0, 0, 0, 0, 0],
          [0, 4, 4, 4, 0],
          [0, 4, 0, 4, 0],
          [0, 4, 4, 4, 0],
          [0, 0, 0, 0, 0]])


def test_enclosed_boxes_hollow_halo_border():
    assert same(dsl.fill_enclosed(RING, color=7)[1:4, 1:4], [[4, 4, 4], [4, 7, 4], [4, 4, 4]])
    assert dsl.fill_boxes(RING)[2, 2] == 10
    solid = G([[5, 5, 5], [5, 5, 5], [5, 5, 5]])
    assert same(dsl.hollow(solid), [[5, 5, 5], [5, 10, 5], [5, 5, 5]])
    dot = G([[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    assert same(dsl.halo(dot, diagonal=False), [[0, 10, 0], [10, 1, 10], [0, 10, 0]])
    assert (dsl.halo(dot) == 10).sum() == 8
    assert same(dsl.draw_border(dot, 2), [[2, 2, 2], [2, 1, 2], [2, 2, 2]])
    with pytest.raises(ValueError):
        dsl.fill_enclosed(dot)
    assert same(dsl.fill_empty_lines(G([[0, 0, 0], [1, 0, 2], [0, 0, 0]]), 0, 5), [[5, 5, 5], [1, 5, 2], [5, 5, 5]])
    with pytest.raises(ValueError):
        dsl.fill_empty_lines(solid)


# gravity

def test_cell_and_object_gravity():
    g = G([[1, 0], [0, 2], [0, 0]])
    assert same(dsl.gravity(g, "down"), [[0, 0], [0, 0], [1, 2]])
    assert same(dsl.gravity(g, "up"), [[1, 2], [0, 0], [0, 0]])
    assert same(dsl.gravity(g, "right"), [[0, 1], [0, 2], [0, 0]])
    assert same(dsl.gravity(g, "left"), [[1, 0], [2, 0], [0, 0]])
    shape = G([[3, 3], [0, 3], [0, 0], [0, 0]])
    assert same(dsl.object_gravity(shape, "down"), [[0, 0], [0, 0], [3, 3], [0, 3]])


# symmetry

def test_symmetrize_completes_mirror_images():
    g = G([[1, 0, 0], [2, 0, 0]])
    assert same(dsl.symmetrize(g, "lr"), [[1, 0, 1], [2, 0, 2]])
    assert same(dsl.symmetrize(G([[1, 0], [0, 0]]), "rot"), [[1, 1], [1, 1]])
    # about the shape's own center, not the grid's
    shape = G([[0, 0, 0, 0, 0], [0, 3, 3, 4, 0], [0, 3, 0, 0, 0], [0, 0, 0, 0, 0]])
    assert same(dsl.symmetrize_content(shape, "lr"), [[0, 0, 0, 0, 0], [0, 3, 3, 4, 0], [0, 3, 0, 3, 0], [0] * 5])


def test_fill_symmetry_restores_masked_cells():
    full = G([[1, 2, 3, 3, 2, 1],
              [4, 5, 6, 6, 5, 4],
              [7, 8, 9, 9, 8, 7],
              [7, 8, 9, 9, 8, 7],
              [4, 5, 6, 6, 5, 4],
              [1, 2, 3, 3, 2, 1]])
    masked = full.copy()
    masked[1:3, 0:2] = 0
    assert same(dsl.fill_symmetry(masked, 0), full.tolist())
    assert same(dsl.reveal_masked(masked, 0), [[4, 5], [7, 8]])


def test_fill_periodic_restores_a_repeating_tile():
    full = np.tile(G([[1, 2, 3], [3, 1, 2]]), (2, 3))
    masked = full.copy()
    masked[1:3, 2:5] = 0
    assert same(dsl.fill_periodic(masked, 0), full.tolist())
    assert same(dsl.reveal_periodic(masked, 0), full[1:3, 2:5].tolist())
    with pytest.raises(ValueError):
        dsl.fill_periodic(full, 0)


# masks and overlays

def test_combine_and_overlay_parts():
    g = G([[1, 0, 5, 1, 1],
           [0, 0, 5, 0, 1]])
    assert same(dsl.combine_parts(g, "and"), [[1, 0], [0, 0]])
    assert same(dsl.combine_parts(g, "or"), [[1, 1], [0, 1]])
    assert same(dsl.combine_parts(g, "xor"), [[0, 1], [0, 1]])
    assert same(dsl.combine_parts(g, "nor"), [[0, 0], [1, 0]])
    assert same(dsl.combine_parts(g, "right_only"), [[0, 1], [0, 1]])
    two = G([[2, 0, 5, 0, 3]])
    assert same(dsl.overlay_parts(G([[2, 0, 5, 3, 3]])), [[3, 3]])
    assert same(dsl.overlay_parts(G([[2, 0, 5, 3, 3]]), reverse=True), [[2, 3]])
    assert same(dsl.overlay(two, G([[0, 1, 0, 0, 0]])), [[2, 1, 5, 0, 3]])
    assert same(dsl.mask_with(two, two == 0, 7), [[0, 7, 0, 7, 0]])
    # No separator (a full row of one part looks like one): the halves of the longer side.
    halves = G([[9, 9, 9], [0, 9, 0], [1, 0, 0], [0, 0, 1]])
    assert same(dsl.combine_parts(halves, "nor"), [[0, 0, 0], [1, 0, 0]])
    with pytest.raises(ValueError):
        dsl.combine_parts(G([[1, 0], [0, 1]]), "or")  # square: which way to halve is not said


# lines

def test_rays_segments_and_crosses():
    g = G([[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    assert same(dsl.extend_rays(g, "up"), [[0, 1, 0], [0, 1, 0], [0, 0, 0]])
    assert same(dsl.extend_rays(g, "diagonal"), [[1, 0, 1], [0, 1, 0], [1, 0, 1]])
    assert same(dsl.connect_same_color(G([[2, 0, 0, 2], [3, 0, 0, 4]])), [[2, 2, 2, 2], [3, 0, 0, 4]])
    crossing = G([[0, 5, 0], [3, 0, 3], [0, 5, 0]])
    assert dsl.connect_same_color(crossing)[1, 1] == 5  # where a row and a column cross, the column shows
    assert dsl.connect_same_color(crossing, axis=1)[1, 1] == 3  # rows only
    assert same(dsl.draw_crosses(g), [[0, 1, 0], [1, 1, 1], [0, 1, 0]])
    assert same(dsl.draw_crosses(g, diagonal=True), [[1, 0, 1], [0, 1, 0], [1, 0, 1]])



def test_lone_cells_draw_lines_only_to_bigger_objects_they_see():
    g = G([[0, 0, 0, 0, 0],
           [3, 0, 0, 2, 2],
           [0, 0, 0, 2, 2],
           [0, 0, 0, 0, 0],
           [0, 0, 4, 0, 0]])
    # the 3 sees the block and draws to it; the 4 sees nothing above it but the border
    assert same(dsl.rays_to_objects(g), [[0, 0, 0, 0, 0],
                                         [3, 3, 3, 2, 2],
                                         [0, 0, 0, 2, 2],
                                         [0, 0, 0, 0, 0],
                                         [0, 0, 4, 0, 0]])
    diag = G([[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 2, 2], [0, 0, 2, 2]])
    assert same(dsl.rays_to_objects(diag, diagonal=True, color=10),
                [[1, 0, 0, 0], [0, 10, 0, 0], [0, 0, 2, 2], [0, 0, 2, 2]])
    with pytest.raises(ValueError):
        dsl.rays_to_objects(G([[3, 0, 0, 4]]))  # two lone cells: neither is a bigger object
    assert same(dsl.extend_rays(G([[1, 0], [0, 0]]), "down_right"), [[1, 0], [0, 1]])


def test_line_ends_grow_away_from_their_one_neighbour():
    g = G([[3, 3, 0, 0, 0],
           [3, 3, 0, 0, 0],
           [0, 0, 3, 0, 0],
           [0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0]])
    # The square's corner cells have three neighbours; the tail cell has one, diagonally.
    assert same(dsl.extend_ends(g), [[3, 3, 0, 0, 0],
                                     [3, 3, 0, 0, 0],
                                     [0, 0, 3, 0, 0],
                                     [0, 0, 0, 3, 0],
                                     [0, 0, 0, 0, 3]])
    with pytest.raises(ValueError):
        dsl.extend_ends(G([[1, 1], [1, 1]]))  # no cell has a single neighbour


def test_a_lone_cell_on_the_bottom_row_zigzags_up_between_the_side_edges():
    g = G([[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [2, 0, 0]])
    assert same(dsl.bounce_rays(g), [[2, 0, 0], [0, 2, 0], [0, 0, 2], [0, 2, 0], [2, 0, 0]])
    with pytest.raises(ValueError):
        dsl.bounce_rays(G([[0, 0], [0, 0], [2, 2]]))  # two cells side by side: no lone cell



# counting and majority

def test_counting_and_majority():
    g = G([[1, 1, 0], [2, 0, 1]])
    assert same(dsl.majority_cell(g), [[1]])
    assert same(dsl.majority_cell(G([[0, 0, 1]]), None), [[0]])  # the background counts too
    assert same(dsl.color_ranking_column(g), [[1], [2]])
    assert same(dsl.count_objects_row(g), [[1, 1, 1]])
    assert same(dsl.count_cells_row(G([[0, 4], [4, 4]])), [[4, 4, 4]])
    assert same(dsl.color_histogram(G([[2, 2, 1], [2, 3, 1], [1, 1, 1]])), [[1, 2, 3], [1, 2, 0], [1, 2, 0],
                                                                         [1, 0, 0], [1, 0, 0]])
    with pytest.raises(ValueError):
        dsl.count_cells_row(g)  # two colors: which one to count is not said
    votes = G([[1, 2, 5, 1, 3, 5, 1, 2]])
    assert same(dsl.majority_vote_cells(votes), [[1, 2]])
    noisy = G([[1, 1, 2], [3, 1, 3]])
    assert same(dsl.line_majority(noisy), [[1, 1, 1], [3, 3, 3]])
    assert same(dsl.line_majority(noisy, 0), [[1, 1, 2], [1, 1, 2]])  # ties go to the lower color
    columns = G([[1, 2, 3], [1, 2, 3], [1, 5, 3]])
    assert same(dsl.line_majority(columns, None), [[1, 2, 3]] * 3)  # the columns are the stripes


# cell rules

def test_features_and_cell_rule():
    g = G([[0, 3, 0], [0, 0, 0]])
    assert same(dsl.feature(g, "n"), [[11, 11, 11], [0, 3, 0]])
    assert same(dsl.feature(g, "ray_s")[0:1], [[11, 11, 11]])
    assert same(dsl.feature(g, "ray_n"), [[11, 11, 11], [11, 3, 11]])
    assert same(dsl.feature(g, "n4"), [[1, 0, 1], [0, 1, 0]])
    assert same(dsl.feature(g, "row_color"), [[3, 3, 3], [11, 11, 11]])
    below_three = dsl.cell_rule(g, ("self", "n"), {(0, 3): 4})
    assert same(below_three, [[0, 3, 0], [0, 4, 0]])
    with pytest.raises(ValueError):
        dsl.feature(g, "nonsense")


def test_object_features_describe_the_object_a_cell_belongs_to():
    g = G([[1, 1, 1, 0, 0, 0],
           [1, 0, 1, 0, 0, 3],
           [1, 1, 1, 0, 0, 0],
           [0, 0, 0, 0, 0, 0],
           [2, 0, 4, 4, 0, 0],
           [2, 0, 0, 0, 0, 0]])
    assert dsl.feature(g, "obj_size")[0, 0] == 8 and dsl.feature(g, "obj_size")[1, 5] == 1
    assert dsl.feature(g, "obj_rank")[0, 0] == 1 and dsl.feature(g, "obj_rank")[1, 5] == 2
    assert dsl.feature(g, "obj_rank")[4, 2] == 3 and dsl.feature(g, "obj_rank")[3, 3] == 0
    assert dsl.feature(g, "holes")[0, 0] == 1 and dsl.feature(g, "holes")[4, 0] == 0
    assert same(dsl.feature(g, "enclosed")[1:2], [[2, 1, 2, 0, 0, 2]])
    assert dsl.feature(g, "touches_border")[1, 5] == 1 and dsl.feature(g, "touches_border")[4, 2] == 0
    # the vertical and the horizontal pair differ in shape: every shape here is unique
    assert (dsl.feature(g, "unique_shape")[g != 0] == 1).all()
    two = G([[5, 6, 0], [6, 6, 0], [0, 0, 0]])
    assert dsl.feature(two, "obj_major")[0, 0] == 6 and dsl.feature(two, "obj_minor")[0, 0] == 5
    assert dsl.feature(two, "obj_colors")[1, 1] == 2 and dsl.feature(two, "size4")[0, 0] == 1


# pieces, windows, stamps, attraction

CELLS = G([[1, 1, 5, 2, 0],
           [1, 0, 5, 0, 2],
           [5, 5, 5, 5, 5],
           [0, 3, 5, 4, 4],
           [3, 3, 5, 4, 0]])


def test_cells_summarised_painted_and_changed_one_by_one():
    assert same(dsl.cell_colors(CELLS, "majority"), [[1, 2], [3, 4]])
    assert same(dsl.cell_colors(CELLS, "filled"), [[1, 1], [1, 1]])
    assert same(dsl.paint_cells(CELLS)[:2, :2], [[1, 1], [1, 1]])
    assert same(dsl.each_cell(CELLS, "flip_lr")[:2], [[1, 1, 5, 0, 2], [0, 1, 5, 2, 0]])
    with pytest.raises(ValueError):
        dsl.cell_colors(G([[1, 2], [3, 4]]))  # no separator lines


def test_objects_changed_in_place_and_stacked():
    g = G([[1, 2, 0, 0], [0, 0, 0, 0], [0, 0, 3, 0], [0, 0, 3, 3]])
    assert same(dsl.each_object(g, "flip_lr"), [[2, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 3], [0, 0, 3, 3]])
    assert same(dsl.stack_objects(G([[1, 0, 2], [1, 0, 2]]), "reading", 1), [[1, 2], [1, 2]])
    with pytest.raises(ValueError):
        dsl.stack_objects(g, "reading", 1)  # a 1x2 and a 2x2 box do not line up side by side


def test_window_at_corners_and_center():
    g = G([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert same(dsl.window(g, "top_right", 2, 2), [[2, 3], [5, 6]])
    assert same(dsl.window(g, "center", 1, 1), [[5]])
    with pytest.raises(ValueError):
        dsl.window(g, "center", 2, 2)


def test_stamp_paints_only_background_around_markers():
    g = G([[0, 0, 0], [0, 1, 0], [0, 0, 7]])
    assert same(dsl.stamp(g, {1: {(-1, 0): 4, (1, 1): 4}}), [[0, 4, 0], [0, 1, 0], [0, 0, 7]])


def test_attract_slides_objects_until_they_touch_the_anchor():
    g = G([[0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 2, 2, 2]])
    assert same(dsl.attract(g, 2), [[0, 0, 0, 0], [0, 0, 0, 0], [0, 1, 0, 0], [0, 2, 2, 2]])
    with pytest.raises(ValueError):
        dsl.attract(G([[1, 0], [0, 0]]), 2)
    # Two cells in one column stack; a cell touching the anchor already stays.
    stack = G([[3, 0], [0, 0], [3, 0], [0, 0], [2, 2], [0, 4]])
    assert same(dsl.attract(stack, 2), [[0, 0], [0, 0], [3, 0], [3, 0], [2, 2], [0, 4]])
    # Off the anchor's rows and columns: diagonally, only if that ends beside the anchor.
    diag = G([[5, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 2, 0], [0, 5, 0, 0, 0]])
    assert same(dsl.attract(diag, 2), [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 5, 0, 0], [0, 0, 0, 2, 0],
                                       [0, 5, 0, 0, 0]])


def test_patterns_continue_from_their_smallest_tile():
    g = G([[1, 2, 1, 2, 1, 2], [3, 3, 3, 3, 3, 3], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]])
    assert dsl.smallest_period(g) == (4, 2) and dsl.smallest_period(g, 0) == (2, 2)
    assert same(dsl.continue_pattern(g, 1, 1, 0)[2:], [[1, 2, 1, 2, 1, 2], [3, 3, 3, 3, 3, 3]])
    diagonal = G([[1, 2, 3, 1, 2], [2, 3, 1, 2, 3]])
    assert same(dsl.continue_pattern(diagonal, 1, 2)[0], [1, 2, 3, 1, 2, 3, 1, 2, 3, 1])
    assert same(dsl.continue_pattern(diagonal, 3, 3, fixed=True), [[1, 2, 3], [2, 3, 1], [1, 2, 3]])
    with pytest.raises(ValueError):
        dsl.smallest_period(G([[1, 0, 2]]), 0)  # neighbours agree through the unknown 0, the tile cannot


def test_lines_in_a_color_of_their_own():
    g = G([[1, 0, 0, 1], [0, 0, 0, 0]])
    assert same(dsl.connect_same_color(g, color=10), [[1, 10, 10, 1], [0, 0, 0, 0]])
    assert same(dsl.extend_rays(g, "down", color=10), [[1, 0, 0, 1], [10, 0, 0, 10]])


def test_a_chain_runs_over_color_ranks_and_its_colors_are_named_back():
    g = G([[3, 3, 5], [3, 0, 0], [3, 3, 3]])
    assert dsl.color_ranks(g) == {3: 0, 0: 1, 5: 2}  # by count, ties by first cell
    assert same(dsl.in_color_ranks(g, (("flip_lr", ()), ("recolor", ({1: 2, 2: 1},)))),
                [[0, 3, 3], [5, 5, 3], [3, 3, 3]])
    with pytest.raises(ValueError):
        dsl.in_color_ranks(g, (("recolor", ({2: 7},)),))  # rank 7: no color of g has it
    assert same(dsl.in_color_ranks(g, (("recolor", ({2: 24},)),)), [[3, 3, 4], [3, 0, 0], [3, 3, 3]])  # 20 + 4 is 4


def test_every_function_has_a_one_line_docstring_and_appears_in_the_catalogue():
    text = dsl.catalogue()
    for fns in dsl.GROUPS.values():
        for fn in fns:
            doc = inspect.getdoc(fn)
            assert doc and "\n" not in doc, fn.__name__
            assert f"dsl.{fn.__name__}(" in text
    assert "# geometry" in text and "# objects" in text


def test_background_areas_touching_a_color_are_flooded_with_it():
    g = G([[1, 0, 2, 0],
           [0, 0, 2, 0],
           [2, 2, 2, 0]])
    assert same(dsl.flood_touching(g, 1), [[1, 1, 2, 0],
                                          [1, 1, 2, 0],
                                          [2, 2, 2, 0]])
    with pytest.raises(ValueError):
        dsl.flood_touching(G([[1, 2]]), 1)


def test_scaling_by_the_number_of_colors_and_repeating_a_band():
    assert same(dsl.upscale_by_colors(G([[1, 0], [0, 2]])), [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 2, 2], [0, 0, 2, 2]])
    with pytest.raises(ValueError):
        dsl.upscale_by_colors(G([[1, 0]]))  # one color: scaling by one is no step
    band = G([[0, 0], [0, 0], [1, 0], [2, 2], [0, 0]])
    assert same(dsl.repeat_band(band), [[1, 0], [2, 2], [1, 0], [2, 2], [1, 0]])
    assert same(dsl.repeat_band(band.T, 1), G([[1, 0], [2, 2], [1, 0], [2, 2], [1, 0]]).T)


def test_the_fullest_cell_is_copied_onto_the_background_of_the_others():
    g = G([[1, 0, 5, 0, 0, 5, 0, 0],
           [0, 2, 5, 0, 3, 5, 0, 0]])
    assert same(dsl.spread_cell(g), [[1, 0, 5, 1, 0, 5, 1, 0],
                                     [0, 2, 5, 0, 3, 5, 0, 2]])
    with pytest.raises(ValueError):
        dsl.spread_cell(G([[1, 5, 2]]))  # two cells as full as each other
    assert same(dsl.spread_cell(g, in_separator_color=True), [[1, 0, 5, 5, 0, 5, 5, 0],
                                                            [0, 2, 5, 0, 3, 5, 0, 5]])
    # Only the fullest cells are filled, with their majority color; the others are cleared.
    cells = G([[1, 1, 5, 0, 0, 5, 0, 4],
               [0, 1, 5, 0, 3, 5, 0, 0]])
    assert same(dsl.paint_cells(cells, "fullest"), [[1, 1, 5, 0, 0, 5, 0, 0],
                                                   [1, 1, 5, 0, 0, 5, 0, 0]])


def test_each_color_fills_the_box_its_cells_span():
    g = G([[1, 0, 0],
           [0, 0, 1],
           [2, 0, 2]])
    assert same(dsl.fill_color_boxes(g), [[1, 1, 1],
                                         [1, 1, 1],
                                         [2, 2, 2]])
    with pytest.raises(ValueError):
        dsl.fill_color_boxes(G([[1, 1], [0, 0]]))  # a box already full


def test_the_commonest_color_takes_the_other_color_of_its_row_or_column():
    g = G([[1, 5, 5],
           [2, 0, 5],
           [0, 5, 0]])
    assert same(dsl.recolor_from_lines(g), [[1, 1, 1], [2, 0, 2], [0, 5, 0]])  # the last row has no other color
    assert same(dsl.recolor_from_lines(g.T, 0), G([[1, 1, 1], [2, 0, 2], [0, 5, 0]]).T)
    with pytest.raises(ValueError):
        dsl.recolor_from_lines(G([[5, 5], [0, 5]]))
    # Whole objects: a block takes the one other color of the columns it spans.
    block = G([[0, 2, 0, 0],
               [5, 5, 0, 5],
               [5, 5, 0, 5]])
    assert same(dsl.recolor_from_lines(block, 0, per_object=True), [[0, 2, 0, 0], [2, 2, 0, 5], [2, 2, 0, 5]])


def test_lone_cells_jump_to_the_nearest_line_of_their_color_or_go():
    g = G([[0, 3, 0, 0, 0],
           [0, 3, 0, 0, 3],
           [0, 3, 0, 0, 0],
           [0, 0, 0, 4, 0]])
    # the 3 jumps left next to the line of 3s; the 4 has no line of its color and goes
    assert same(dsl.dots_to_lines(g), [[0, 3, 0, 0, 0],
                                      [0, 3, 3, 0, 0],
                                      [0, 3, 0, 0, 0],
                                      [0, 0, 0, 0, 0]])


def test_a_repeating_grid_is_cropped_to_its_tile_and_objects_picked_by_holes():
    assert same(dsl.crop_to_tile(G([[1, 2, 1, 2], [3, 3, 3, 3]])), [[1, 2], [3, 3]])
    with pytest.raises(ValueError):
        dsl.crop_to_tile(G([[1, 2], [3, 3]]))
    g = G([[1, 1, 1, 0, 2, 2],
           [1, 0, 1, 0, 2, 2],
           [1, 1, 1, 0, 0, 0]])
    assert same(dsl.crop_object(g, "holed"), [[1, 1, 1], [1, 0, 1], [1, 1, 1]])
    assert same(dsl.crop_object(g, "solid"), [[2, 2], [2, 2]])


def test_skew_shears_rows_into_a_wider_grid():
    g = G([[1, 2], [3, 4], [5, 6]])
    assert same(dsl.skew(g), [[1, 2, 10, 10], [10, 3, 4, 10], [10, 10, 5, 6]])
    assert same(dsl.skew(g, False, 0), [[0, 0, 1, 2], [0, 3, 4, 0], [5, 6, 0, 0]])


def test_cells_are_mirrored_about_the_center_of_a_color():
    g = G([[0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0],
           [0, 0, 5, 0, 0],
           [0, 0, 0, 1, 2],
           [0, 0, 0, 0, 0]])
    assert same(dsl.symmetrize_around(g, 5), [[0, 0, 0, 0, 0],
                                             [2, 1, 0, 1, 2],
                                             [0, 0, 5, 0, 0],
                                             [2, 1, 0, 1, 2],
                                             [0, 0, 0, 0, 0]])
    assert same(dsl.symmetrize_around(g, 5, "lr")[3], [[2, 1, 0, 1, 2]][0])


def test_objects_line_up_with_the_anchor_object():
    g = G([[0, 2, 0, 0],
           [0, 0, 0, 1],
           [3, 0, 0, 1]])
    assert same(dsl.align_objects(g, 1), [[0, 0, 0, 0], [3, 2, 0, 1], [0, 0, 0, 1]])
    with pytest.raises(ValueError):
        dsl.align_objects(g, 4)  # no object of the anchor's color


def test_an_elbow_joins_the_start_cell_to_the_other_along_its_row_then_the_column():
    g = G([[0, 0, 0, 0],
           [2, 0, 0, 0],
           [0, 0, 0, 0],
           [0, 0, 0, 3]])
    assert same(dsl.connect_elbow(g, 2, color=8), [[0, 0, 0, 0], [2, 8, 8, 8], [0, 0, 0, 8], [0, 0, 0, 3]])
    assert same(dsl.connect_elbow(g, 3, color=8), [[0, 0, 0, 0], [2, 0, 0, 0], [8, 0, 0, 0], [8, 8, 8, 3]])
    with pytest.raises(ValueError):
        dsl.connect_elbow(g, 4)


def test_lines_run_through_the_centers_of_objects():
    g = G([[0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0],
           [0, 0, 0, 1, 1],
           [0, 0, 0, 1, 1],
           [3, 0, 0, 0, 0]])
    with pytest.raises(ValueError):
        dsl.center_lines(g)  # a 2x2 block has no center cell, a lone cell is no shape
    g[1:4, 2:5] = G([[2, 2, 2], [2, 0, 2], [2, 2, 2]])
    assert same(dsl.center_lines(g, color=6), [[0, 0, 0, 6, 0],
                                              [0, 0, 2, 2, 2],
                                              [6, 6, 2, 6, 2],
                                              [0, 0, 2, 2, 2],
                                              [3, 0, 0, 6, 0]])


def test_masked_cells_take_the_color_of_their_repeating_diagonal_stripe():
    g = G([[2, 8, 3, 0],
           [8, 3, 0, 0],
           [3, 0, 0, 0]])
    assert same(dsl.fill_diagonal_periodic(g, 0), [[2, 8, 3, 2], [8, 3, 2, 8], [3, 2, 8, 3]])
    with pytest.raises(ValueError):
        dsl.fill_diagonal_periodic(G([[1, 2, 3], [0, 0, 0], [0, 0, 0]]), 0)  # no period fits 1, 2, 3


def test_the_largest_background_rectangle_is_marked():
    g = G([[1, 0, 1, 0],
           [0, 0, 0, 1],
           [0, 0, 0, 1]])
    assert same(dsl.mark_largest_rectangle(g), [[1, 0, 1, 0], [10, 10, 10, 1], [10, 10, 10, 1]])
    with pytest.raises(ValueError):
        dsl.mark_largest_rectangle(G([[0, 1], [1, 0]]))  # two of the same area
    line = G([[0, 0, 0, 0, 0, 0, 0],
              [1, 1, 0, 0, 1, 1, 1],
              [1, 1, 0, 0, 1, 1, 1]])
    assert dsl.mark_largest_rectangle(line)[0].tolist() == [10] * 7  # the row of seven
    two_wide = dsl.mark_largest_rectangle(line, 0, 10, 2)
    assert (two_wide[:, 2:4] == 10).all() and (two_wide == 10).sum() == 6  # not a one-cell-high row


def test_only_the_middle_line_is_kept():
    g = G([[6, 4, 0], [0, 3, 9], [1, 0, 0]])
    assert same(dsl.keep_middle(g), [[0, 4, 0], [0, 3, 0], [0, 0, 0]])
    assert same(dsl.keep_middle(g, 0), [[0, 0, 0], [0, 3, 9], [0, 0, 0]])
    with pytest.raises(ValueError):
        dsl.keep_middle(G([[1, 2]]))


def test_the_largest_rectangular_frame_is_cropped_inside_or_whole():
    g = G([[0, 3, 3, 3, 3, 0],
           [0, 3, 5, 0, 3, 1],
           [0, 3, 0, 6, 3, 1],
           [0, 3, 3, 3, 3, 1]])
    assert same(dsl.crop_inside_frame(g), [[5, 0], [0, 6]])
    assert dsl.crop_inside_frame(g, 0, False).shape == (4, 4)
    with pytest.raises(ValueError):
        dsl.crop_inside_frame(G([[3, 3, 3], [3, 0, 0], [3, 3, 3]]))  # an open side is no frame


def test_a_grid_splits_into_equal_parts_with_or_without_separators():
    g = G([[1, 2, 3, 3, 4, 4]])
    assert same(dsl.split_part(g, 3, 0), [[1, 2]])
    assert same(dsl.split_part(G([[1, 5, 2, 5, 3]]), 3, 2), [[3]])
    assert same(dsl.split_part(G([[1], [2], [3]]), 3, 1, 0), [[2]])
    with pytest.raises(ValueError):
        dsl.split_part(G([[1, 2, 3, 4]]), 3, 0)


def test_objects_move_by_their_own_size_and_one_cell_toward_an_anchor():
    g = G([[0, 0, 0],
           [0, 0, 0],
           [2, 0, 1],
           [2, 0, 1]])
    assert same(dsl.move_by_size(g, "up"), [[2, 0, 1], [2, 0, 1], [0, 0, 0], [0, 0, 0]])
    assert same(dsl.move_by_size(G([[4, 4, 0, 0]]), "right"), [[0, 0, 4, 4]])
    floor = G([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [2, 0, 0, 0], [2, 3, 0, 0], [8, 8, 8, 8]])
    assert same(dsl.move_by_size(floor, "up", 0, True), [[0, 0, 0, 0], [2, 0, 0, 0], [2, 0, 0, 0], [0, 3, 0, 0],
                                                          [0, 0, 0, 0], [8, 8, 8, 8]])  # by cell count; the floor stays
    g = G([[3, 0, 0, 0],
           [0, 0, 0, 0],
           [0, 0, 0, 4]])
    assert same(dsl.nudge(g, 4), [[0, 0, 0, 0], [0, 3, 0, 0], [0, 0, 0, 4]])
    with pytest.raises(ValueError):
        dsl.nudge(g, 7)  # no anchor


def test_ring_colors_reverse_and_edges_pad_outward():
    g = G([[1, 1, 1],
           [1, 2, 1],
           [1, 1, 1]])
    assert same(dsl.reverse_rings(g), [[2, 2, 2], [2, 1, 2], [2, 2, 2]])
    with pytest.raises(ValueError):
        dsl.reverse_rings(G([[1, 2], [1, 1]]))  # the one ring has two colors
    assert same(dsl.pad_edge(G([[1, 2], [3, 8]])), [[0, 1, 2, 0], [1, 1, 2, 2], [3, 3, 8, 8], [0, 3, 8, 0]])
    assert same(dsl.grow_canvas(G([[5]]), 3), [[5, 0, 0], [0, 0, 0], [0, 0, 0]])


def test_the_cell_halfway_between_two_lone_cells_of_a_color_is_marked():
    g = G([[1, 0, 0, 0, 1],
           [0, 0, 2, 0, 0],
           [0, 0, 0, 0, 2]])
    assert same(dsl.mark_midpoints(g), [[1, 0, 10, 0, 1], [0, 0, 2, 0, 0], [0, 0, 0, 0, 2]])
    with pytest.raises(ValueError):
        dsl.mark_midpoints(G([[1, 0, 0, 1]]))  # no middle cell


def test_lookup_gives_the_grid_its_table_names_or_refuses():
    table = {((1,),): ((5, 5),), ((2,),): ((6,),)}
    assert same(dsl.lookup(G([[1]]), table), [[5, 5]])
    with pytest.raises(ValueError):
        dsl.lookup(G([[3]]), table)


def test_a_drifting_pattern_continues_down_its_shifted_period():
    g = G([[1, 1, 0, 0, 0],
           [0, 1, 0, 0, 0],
           [0, 1, 1, 0, 0],
           [0, 0, 1, 0, 0]])
    out = dsl.continue_drift(g, 6, 5, True)
    assert same(out[4:], [[0, 0, 1, 1, 0], [0, 0, 0, 1, 0]])
    with pytest.raises(ValueError):
        dsl.continue_drift(G([[1, 2], [3, 4]]), 2, 1)  # no period


def test_enclosed_areas_are_labelled_by_shape_or_by_parity():
    g = G([[1, 1, 1, 1, 1, 1, 1, 1],
           [1, 0, 0, 1, 0, 0, 0, 1],
           [1, 0, 0, 1, 1, 1, 1, 1],
           [1, 1, 1, 1, 0, 0, 0, 0]])
    assert same(dsl.label_enclosed(g)[1:3, 1:7], [[10, 10, 1, 11, 11, 11], [10, 10, 1, 1, 1, 1]])
    assert same(dsl.label_enclosed(g, "parity")[1, 1:7], [10, 10, 1, 11, 11, 11])
    with pytest.raises(ValueError):
        dsl.label_enclosed(G([[0, 1], [1, 0]]))


def test_lone_cells_paint_the_first_cell_of_a_bigger_object_they_see():
    g = G([[0, 7, 0, 0],
           [0, 0, 0, 0],
           [0, 8, 8, 0],
           [0, 8, 8, 3]])
    assert same(dsl.project_markers(g), [[0, 7, 0, 0], [0, 0, 0, 0], [0, 7, 8, 0], [0, 8, 3, 3]])
    with pytest.raises(ValueError):
        dsl.project_markers(G([[1, 0, 2]]))  # nothing bigger to see


def test_dotted_rays_alternate_their_color_and_the_placeholder():
    g = G([[3, 0, 0, 0, 2]])
    assert same(dsl.dotted_rays(g, "right"), [[3, 10, 3, 10, 2]])


def test_the_object_with_the_most_cells_of_a_color_is_cropped():
    g = G([[8, 1, 0, 8, 8],
           [8, 8, 0, 1, 1],
           [0, 0, 0, 0, 0]])
    assert same(dsl.crop_most_color(g, 1), [[8, 8], [1, 1]])
    with pytest.raises(ValueError):
        dsl.crop_most_color(g, 3)


def test_the_largest_and_smallest_background_areas_are_marked():
    g = G([[0, 0, 1, 0],
           [0, 0, 1, 1],
           [1, 1, 1, 0]])
    assert same(dsl.label_areas(g), [[10, 10, 1, 11], [10, 10, 1, 1], [1, 1, 1, 11]])


def test_half_of_each_object_is_marked():
    g = G([[2, 0, 0],
           [2, 0, 3],
           [2, 0, 3]])
    assert same(dsl.mark_half(g, "bottom"), [[2, 0, 0], [2, 0, 3], [10, 0, 10]])
    assert same(dsl.mark_half(g, "top"), [[10, 0, 0], [2, 0, 10], [2, 0, 3]])
    with pytest.raises(ValueError):
        dsl.mark_half(G([[1, 0, 1]]), "top")  # one-row objects have no half


def test_colors_unified_and_the_one_asymmetric_cell_selected():
    assert same(dsl.unify_colors(G([[2, 2, 8], [0, 2, 0]])), [[2, 2, 2], [0, 2, 0]])
    g = G([[1, 1, 5, 1, 2],
           [1, 1, 5, 3, 4]])
    assert same(dsl.select_cell(g, "asymmetric"), [[1, 2], [3, 4]])


def test_each_object_is_framed_one_cell_out():
    g = G([[0, 0, 0, 0],
           [0, 3, 0, 0],
           [0, 0, 0, 0],
           [0, 0, 0, 2]])
    assert same(dsl.frame_objects(g), [[10, 10, 10, 0], [10, 3, 10, 0], [10, 10, 10, 10], [0, 0, 10, 2]])


def test_cells_between_separators_are_summarised_by_their_count():
    g = G([[1, 1, 5, 0, 1],
           [0, 0, 5, 0, 0]])
    assert same(dsl.cell_colors(g, "count"), [[12, 11]])


def test_a_result_past_the_size_limit_is_its_own_error():
    big = np.zeros((12, 12), dtype=np.int64)
    for step in (dsl.self_kron, lambda g: dsl.grow_canvas(g, 3), lambda g: dsl.skew(np.zeros((20, 20), int))):
        with pytest.raises(dsl.TooLarge):
            step(big)
    assert issubclass(dsl.TooLarge, ValueError)  # callers that catch ValueError still do


def test_objects_are_recolored_by_a_property_with_a_default_for_unseen_values():
    g = G([[1, 1, 0, 1, 0],
           [1, 1, 0, 1, 0],
           [0, 0, 0, 1, 0],
           [1, 0, 0, 0, 0]])
    # four cells red, every other size (3 and 1 here) blue
    assert same(dsl.recolor_by_property(g, "size", {4: 2}, 3),
                [[2, 2, 0, 3, 0], [2, 2, 0, 3, 0], [0, 0, 0, 3, 0], [3, 0, 0, 0, 0]])
    assert same(dsl.recolor_by_property(g, "solid_box", {False: 5}), g)  # no value in the table, no default: kept
    assert dict((o.size, v) for o, v in dsl.property_values(g, "size_extreme")) == {4: "largest", 3: "between",
                                                                                     1: "smallest"}


def test_shape_class_ignores_rotation_and_bends_tell_lines_from_corners():
    ell = G([[1, 0], [1, 1]])
    other_ell = G([[1, 1], [0, 1]])
    key = [v for _, v in dsl.property_values(ell, "shape_class")]
    assert key == [v for _, v in dsl.property_values(other_ell, "shape_class")]
    assert [v for _, v in dsl.property_values(ell, "bends")] == [1]
    assert [v for _, v in dsl.property_values(G([[1, 1, 1]]), "bends")] == [0]


def test_a_template_is_copied_onto_markers_centered_over_boxes_or_by_its_color_cell():
    g = G([[2, 3, 2, 0, 0, 0],
           [0, 2, 0, 0, 0, 0],
           [0, 2, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 5, 0],
           [0, 0, 0, 0, 0, 0]])
    template = [[2, 3, 2], [0, 2, 0], [0, 2, 0]]
    assert same(dsl.copy_template(g, "center")[3:6, 3:6], template)
    boxes = g.copy()
    boxes[3:6, 3:6] = 5
    assert same(dsl.copy_template(boxes, "fill")[3:6, 3:6], template)
    anchored = g.copy()
    anchored[4, 4] = 3  # a lone 3: the template's own 3 goes there
    assert same(dsl.copy_template(anchored, "anchor")[4:6, 3:6], template[:2])
    with pytest.raises(ValueError):
        dsl.copy_template(g, "fill")  # no marker of the template's box


def test_each_color_casts_its_own_rays_from_the_cells_farthest_that_way():
    g = G([[0, 0, 0, 0, 0],
           [0, 1, 1, 0, 0],
           [0, 1, 1, 0, 0],
           [0, 0, 0, 0, 2],
           [0, 0, 0, 0, 0]])
    assert same(dsl.object_rays(g, {1: ("up_left",), 2: ("down",)}),
                [[1, 0, 0, 0, 0], [0, 1, 1, 0, 0], [0, 1, 1, 0, 0], [0, 0, 0, 0, 2], [0, 0, 0, 0, 2]])


def test_an_object_can_take_its_own_rarest_color_and_a_fractal_can_copy_at_the_majority_color():
    g = G([[5, 5, 0],
           [5, 3, 0],
           [0, 0, 0]])
    assert same(dsl.recolor_by_property(g, "n_colors", {2: "minor"}, None, 8, True), [[3, 3, 0], [3, 3, 0], [0, 0, 0]])
    two = G([[1, 2], [2, 2]])
    assert same(dsl.self_kron(two, 0, False, "majority"), [[0, 0, 1, 2], [0, 0, 2, 2], [1, 2, 1, 2], [2, 2, 2, 2]])


def test_background_areas_are_recolored_by_a_property():
    g = G([[5, 5, 5, 0, 0],
           [5, 0, 5, 0, 0],
           [5, 5, 5, 0, 0]])
    # the enclosed area (not touching the border) red; the open one stays
    assert same(dsl.recolor_areas(g, "touches_border", {False: 2}), [[5, 5, 5, 0, 0], [5, 2, 5, 0, 0], [5, 5, 5, 0, 0]])
    assert [v for _, v in dsl.property_values(np.where(g == 0, 1, 0), "touches_border+size")] == [(True, 6), (False, 1)]


def test_the_grid_is_cropped_to_the_one_object_a_property_value_singles_out():
    g = G([[1, 1, 1, 0, 2, 2],
           [1, 0, 1, 0, 2, 2],
           [1, 1, 1, 0, 0, 0]])
    assert same(dsl.crop_by_property(g, "holes", True), [[1, 1, 1], [1, 0, 1], [1, 1, 1]])
    with pytest.raises(ValueError):
        dsl.crop_by_property(g, "touches_border", True)  # both objects do


def test_a_count_is_drawn_as_a_diagonal_a_row_or_the_first_cells_of_a_fixed_grid():
    g = G([[1, 1, 0, 2],
           [1, 1, 0, 0],
           [0, 0, 0, 1],
           [2, 0, 0, 0]])
    assert dsl.count_of(g, "objects") == 4 and dsl.count_of(g, "blocks_of:1") == 1
    assert dsl.count_of(g, "cells_of:2") == 2 and dsl.count_of(g, "colors") == 2
    assert same(dsl.draw_count(g, "objects_of:2", "diag", 8), [[8, 0], [0, 8]])
    assert same(dsl.draw_count(g, "objects_of:1", "row", 3), [[3, 3]])
    assert same(dsl.draw_count(g, "objects", ("fill", 2, 3), 5, 0, 9), [[5, 5, 5], [5, 9, 9]])
    with pytest.raises(ValueError):
        dsl.draw_count(g, "cells_of:1", ("fill", 1, 3), 5)  # five cells do not fit in three


def test_every_third_column_counted_from_the_edge_is_a_cell_feature():
    g = np.zeros((2, 5), dtype=np.int64)
    assert dsl.feature(g, "col_mod3").tolist()[0] == [0, 1, 2, 0, 1]
    assert dsl.feature(g, "col_parity_r").tolist()[0] == [0, 1, 0, 1, 0]
    assert dsl.feature(g, "row_parity_b")[:, 0].tolist() == [1, 0]


def test_diagonal_rays_leave_convex_corners_and_the_notches_of_concave_ones():
    g = G([[0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0],
           [0, 0, 2, 0, 0],
           [2, 2, 4, 2, 2]])
    # the top cell's two free diagonals, in the object's rarest color (the base's corners point off the grid)
    assert same(dsl.corner_rays(g, "convex", "minor"), [[4, 0, 0, 0, 4], [0, 4, 0, 4, 0], [0, 0, 2, 0, 0],
                                                        [2, 2, 4, 2, 2]])
    l_shape = G([[0, 0, 0, 0],
                 [0, 0, 0, 0],
                 [7, 0, 0, 0],
                 [7, 7, 0, 0]])
    # out of the notch at (2, 1), starting beyond it
    assert same(dsl.corner_rays(l_shape, "concave"), [[0, 0, 0, 7], [0, 0, 7, 0], [7, 0, 0, 0], [7, 7, 0, 0]])


def test_parts_are_stacked_in_a_given_order_and_a_grid_cuts_into_equal_blocks():
    g = G([[1, 0, 2, 2],
           [0, 0, 0, 2]])
    assert [b.tolist() for b in dsl.blocks(g, 1, 2)] == [[[1, 0], [0, 0]], [[2, 2], [0, 2]]]
    assert same(dsl.overlay_parts(g, 0, False, (1, 0), (1, 2)), [[1, 2], [0, 2]])
    assert same(dsl.overlay_parts(G([[1, 1, 5, 2, 2]]), 0, False, (1, 0)), [[1, 1]])  # separator cut
    with pytest.raises(ValueError):
        dsl.overlay_parts(g, 0, False, (0, 0), (1, 2))


def test_empty_lines_inside_a_frame_and_gaps_between_facing_objects_are_filled():
    g = G([[8, 8, 8, 8],
           [8, 0, 0, 2],
           [8, 0, 8, 2],
           [8, 8, 8, 2]])
    assert same(dsl.fill_empty_lines(g, 0, 3, True), [[8, 8, 8, 8], [8, 3, 3, 2], [8, 3, 8, 2], [8, 8, 8, 2]])
    boxes = G([[1, 1, 1, 0, 0],
               [1, 1, 1, 0, 0],
               [0, 0, 0, 0, 0],
               [4, 4, 4, 4, 0]])
    # the gap row under the top box, over the three columns both boxes share, less one each side
    assert same(dsl.bridge_objects(boxes, 1, 0, 8), [[1, 1, 1, 0, 0], [1, 1, 1, 0, 0], [0, 8, 0, 0, 0],
                                                      [4, 4, 4, 4, 0]])
    with pytest.raises(ValueError):
        dsl.bridge_objects(G([[1, 0], [0, 2]]))


def test_a_run_of_colors_repeats_along_its_row_and_column():
    g = G([[0, 0, 0, 0],
           [0, 0, 2, 0],
           [0, 8, 3, 0],
           [0, 0, 0, 0]])
    # row 2's run 8 3 repeats from where it starts; column 2's run 2 3 likewise
    assert same(dsl.repeat_runs(g), [[0, 0, 3, 0], [0, 0, 2, 0], [3, 8, 3, 8], [0, 0, 2, 0]])
    with pytest.raises(ValueError):
        dsl.repeat_runs(G([[1, 0, 1]]))  # not one run


def test_one_color_rows_inside_stacked_squares_do_not_split_them():
    g = G([[8, 9, 8], [9, 8, 8], [8, 8, 8],
           [4, 4, 4], [4, 4, 3], [3, 3, 3]])
    # rows 2, 3 and 5 are one color, but the grid is two 3x3 squares
    assert [p.tolist() for p in dsl.split_cells(g)] == [g[:3].tolist(), g[3:].tolist()]
    assert same(dsl.select_cell(g, "asymmetric"), g[3:])


def test_a_template_is_copied_onto_markers_of_its_shape_and_can_be_erased():
    g = G([[2, 3, 0, 0, 0],
           [3, 0, 0, 0, 0],
           [0, 8, 8, 0, 8],
           [0, 8, 0, 0, 8]])
    # the marker touching the template at a corner is still a marker; the straight one is another shape
    assert same(dsl.copy_template(g, "shape", 0, True), [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 2, 3, 0, 8],
                                                         [0, 3, 0, 0, 8]])


def test_parts_of_several_colors_are_stacked_by_color_priority():
    g = G([[1, 2, 0, 3, 3, 0]])
    # 3 over 1 over 2, whatever part each is in
    assert same(dsl.overlay_parts(g, 0, False, None, (1, 2), (3, 1, 2)), [[3, 3, 0]])


def test_the_pattern_part_is_painted_by_a_key_part_or_by_the_corner_cells():
    g = G([[2, 4, 8, 0, 0, 0, 0],
           [1, 6, 8, 0, 0, 0, 0],
           [8, 8, 8, 8, 8, 8, 8],
           [0, 0, 8, 3, 0, 0, 3],
           [0, 0, 8, 0, 3, 0, 0],
           [0, 0, 8, 3, 0, 3, 0],
           [0, 0, 8, 0, 3, 0, 3]])
    assert same(dsl.paint_by_key(g), [[2, 0, 0, 4], [0, 2, 0, 0], [1, 0, 6, 0], [0, 1, 0, 6]])
    framed = G([[2, 1, 1, 1, 3],
                [1, 1, 1, 1, 1],
                [0, 1, 5, 1, 0],
                [1, 1, 1, 1, 1],
                [4, 1, 1, 1, 6]])
    with pytest.raises(ValueError):
        dsl.paint_by_key(framed)  # the middle part is 1x1: a 2x2 key does not divide it


def test_cells_are_filled_with_the_first_cell_turned_or_flipped():
    g = G([[1, 2, 5, 0, 0, 5, 0, 0],
           [3, 4, 5, 0, 0, 5, 0, 0]])
    assert same(dsl.transform_cells(g, (None, "flip_lr", "rot180")), [[1, 2, 5, 2, 1, 5, 4, 3],
                                                                      [3, 4, 5, 4, 3, 5, 2, 1]])
    with pytest.raises(ValueError):
        dsl.transform_cells(g, (None, "flip_lr"))  # three cells, two ops


def test_one_part_is_copied_at_each_cell_of_the_other_parts_shape_or_the_reverse():
    g = G([[1, 0, 5, 2, 3],
           [1, 1, 5, 0, 4]])
    assert same(dsl.kron_parts(g), [[2, 3, 0, 0], [0, 4, 0, 0], [2, 3, 2, 3], [0, 4, 0, 4]])
    assert same(dsl.kron_parts(g, 0, True), [[2, 0, 3, 0], [2, 2, 3, 3], [0, 0, 4, 0], [0, 0, 4, 4]])


def test_the_windows_around_each_anchor_cell_are_laid_over_each_other():
    g = G([[6, 6, 0, 0, 0],
           [0, 5, 0, 0, 7],
           [0, 0, 0, 5, 7],
           [0, 0, 0, 0, 0]])
    assert same(dsl.overlay_around(g, 5), [[6, 6, 7], [0, 5, 7], [0, 0, 0]])


def test_an_arrow_shoots_from_its_odd_cell_the_way_it_points():
    g = G([[0, 0, 0, 0, 0, 0],
           [2, 0, 0, 0, 0, 0],
           [1, 2, 0, 0, 0, 0],
           [2, 0, 0, 0, 0, 0]])
    assert same(dsl.minority_rays(g), [[0, 0, 0, 0, 0, 0], [2, 0, 0, 0, 0, 0], [1, 2, 1, 1, 1, 1],
                                       [2, 0, 0, 0, 0, 0]])


def test_each_object_of_two_colors_has_them_exchanged():
    g = G([[1, 1, 1, 0, 5],
           [1, 4, 1, 0, 5],
           [1, 1, 1, 0, 0]])
    assert same(dsl.swap_object_colors(g), [[4, 4, 4, 0, 5], [4, 1, 4, 0, 5], [4, 4, 4, 0, 0]])


def test_a_shape_is_completed_about_the_center_its_whole_symmetric_part_sits_on():
    g = G([[0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0],
           [0, 0, 4, 0, 4, 0, 0],
           [0, 0, 0, 4, 0, 0, 0],
           [0, 0, 4, 0, 4, 2, 2],
           [0, 0, 0, 0, 0, 0, 2],
           [0, 0, 0, 0, 0, 0, 0]])
    out = dsl.complete_symmetry(g, "both")
    assert same(out, [[0, 0, 0, 0, 0, 0, 0],
                      [2, 0, 0, 0, 0, 0, 2],
                      [2, 2, 4, 0, 4, 2, 2],
                      [0, 0, 0, 4, 0, 0, 0],
                      [2, 2, 4, 0, 4, 2, 2],
                      [2, 0, 0, 0, 0, 0, 2],
                      [0, 0, 0, 0, 0, 0, 0]])
    turned = dsl.complete_symmetry(G([[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0]]), "rot", 0, 7)
    assert same(turned, [[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 7, 0], [0, 0, 0, 0]])
    with pytest.raises(ValueError):
        dsl.complete_symmetry(G([[0, 1, 1, 0]]), "lr")  # symmetric already


def test_evenly_spaced_seeds_become_lines_repeated_to_the_far_edge():
    g = G([[0, 0, 0, 0, 0, 0, 0, 0],
           [0, 2, 0, 3, 0, 0, 0, 0]])
    assert same(dsl.repeat_seeds(g), [[0, 2, 0, 3, 0, 2, 0, 3], [0, 2, 0, 3, 0, 2, 0, 3]])
    with pytest.raises(ValueError):
        dsl.repeat_seeds(G([[1, 0, 1, 1, 0, 0]]))  # uneven spacing


def test_cells_inside_another_colors_box_read_that_color():
    g = G([[1, 0, 0, 0],
           [0, 8, 1, 8],
           [1, 0, 0, 1]])
    inside = dsl.feature(g, "in_box")
    assert inside[1, 2] == 8 and inside[0, 0] == 11 and inside[1, 1] == 11


def test_background_covered_by_an_empty_square_is_painted():
    g = G([[1, 0, 0, 1],
           [1, 0, 0, 0],
           [0, 1, 0, 1]])
    assert same(dsl.fill_empty_squares(g, 2, 0, 5), [[1, 5, 5, 1], [1, 5, 5, 0], [0, 1, 0, 1]])
    row = G(np.zeros((2, 5)))
    assert same(dsl.fill_empty_squares(row, 2, 0, 5), np.full((2, 5), 5))
    # Taken apart, in reading order: the squares at columns 0-1 and 2-3, and none fits at column 4.
    assert same(dsl.fill_empty_squares(row, 2, 0, 5, disjoint=True), [[5, 5, 5, 5, 0], [5, 5, 5, 5, 0]])


def test_a_spiral_winds_inward_one_cell_apart():
    assert same(dsl.draw_spiral(G(np.zeros((5, 5))), 3), [[3, 3, 3, 3, 3],
                                                       [0, 0, 0, 0, 3],
                                                       [3, 3, 3, 0, 3],
                                                       [3, 0, 0, 0, 3],
                                                       [3, 3, 3, 3, 3]])


def test_a_frame_with_a_gap_is_filled_and_pours_out_of_the_gap():
    g = G([[0, 0, 0, 0, 0],
           [5, 5, 0, 5, 0],
           [5, 0, 0, 5, 0],
           [5, 5, 5, 5, 0]])
    assert same(dsl.pour_boxes(g, 0, 8), [[0, 0, 8, 0, 0], [5, 5, 8, 5, 0], [5, 8, 8, 5, 0], [5, 5, 5, 5, 0]])


def test_content_moves_to_the_middle_of_its_corner_markers():
    g = G([[3, 0, 0, 0, 3, 0],
           [0, 0, 0, 0, 0, 2],
           [0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0],
           [3, 0, 0, 0, 3, 0]])
    assert same(dsl.move_into_corners(g, 3), [[3, 0, 0, 0, 3, 0], [0, 0, 0, 0, 0, 0], [0, 0, 2, 0, 0, 0],
                                              [0, 0, 0, 0, 0, 0], [3, 0, 0, 0, 3, 0]])
    with pytest.raises(ValueError):
        dsl.move_into_corners(g[1:], 3)  # two rows between the markers: no middle row


def test_bars_are_sorted_by_length_at_the_bottom_right():
    g = G([[2, 2, 2, 0],
           [0, 0, 0, 0],
           [0, 4, 0, 0]])
    assert same(dsl.sort_bars(g), [[0, 0, 0, 0], [0, 0, 0, 4], [0, 2, 2, 2]])


def test_the_four_corner_windows_are_laid_over_each_other():
    g = G([[1, 0, 0, 0, 2],
           [0, 0, 0, 0, 0],
           [0, 3, 0, 0, 0]])
    assert same(dsl.overlay_corners(g, 2, 2), [[1, 2], [0, 3]])


def test_two_pieces_join_into_the_one_rectangle_they_make():
    g = G([[3, 3, 3, 0, 0],
           [3, 0, 0, 0, 0],
           [0, 0, 0, 7, 7]])
    assert same(dsl.fit_pieces(g), [[3, 3, 3], [3, 7, 7]])
    with pytest.raises(ValueError):
        dsl.fit_pieces(G([[3, 3, 0, 0], [3, 0, 0, 7], [0, 0, 7, 7]]))  # they fit as 2x3 and as 3x2


def test_the_picked_cell_is_drawn_at_the_scale_of_the_grid():
    g = G([[1, 0, 5, 6, 0],
           [0, 2, 5, 2, 3],
           [5, 5, 5, 5, 5],
           [4, 4, 5, 1, 1],
           [4, 0, 5, 0, 9]])
    assert same(dsl.cells_from_cell(g, "least_filled"), [[1, 1, 5, 0, 0], [1, 1, 5, 0, 0], [5, 5, 5, 5, 5],
                                                         [0, 0, 5, 2, 2], [0, 0, 5, 2, 2]])


def test_color_bands_are_listed_in_the_order_they_lie():
    g = G([[4, 4, 2, 8],
           [4, 2, 2, 8]])
    assert same(dsl.color_bands(g), [[4, 2, 8]])
    assert same(dsl.color_bands(g.T), [[4], [2], [8]])


def test_each_colors_cells_are_centered_in_one_canvas():
    g = G([[1, 0, 1, 0, 0],
           [0, 0, 0, 0, 2],
           [1, 0, 1, 0, 0]])
    assert same(dsl.center_colors(g), [[1, 0, 1], [0, 2, 0], [1, 0, 1]])


def test_every_other_inner_cell_of_a_solid_rectangle_is_punched():
    g = G([[4, 4, 4, 4, 4],
           [4, 4, 4, 4, 4],
           [4, 4, 4, 4, 4],
           [0, 0, 0, 0, 0]])
    assert same(dsl.checker_rectangles(g, 0, 0, 0), [[4, 4, 4, 4, 4], [4, 0, 4, 0, 4], [4, 4, 4, 4, 4],
                                                     [0, 0, 0, 0, 0]])


def test_objects_of_a_color_take_the_color_of_the_nearest_other_cell():
    g = G([[1, 0, 0, 3, 2],
           [1, 3, 0, 0, 2],
           [1, 0, 0, 0, 2],
           [1, 0, 3, 0, 2]])
    assert same(dsl.take_nearest_color(g, 3), [[1, 0, 0, 2, 2], [1, 1, 0, 0, 2], [1, 0, 0, 0, 2], [1, 0, 3, 0, 2]])


def test_objects_shaped_like_the_framed_one_take_its_color():
    g = G([[5, 5, 5, 5, 0, 0, 0],
           [5, 2, 2, 5, 0, 1, 1],
           [5, 5, 5, 5, 0, 0, 0],
           [0, 0, 0, 0, 1, 0, 0],
           [0, 1, 1, 1, 0, 0, 0]])
    assert same(dsl.recolor_like_framed(g, 5), [[5, 5, 5, 5, 0, 0, 0], [5, 2, 2, 5, 0, 2, 2], [5, 5, 5, 5, 0, 0, 0],
                                                [0, 0, 0, 0, 1, 0, 0], [0, 1, 1, 1, 0, 0, 0]])
    assert same(dsl.recolor_like_framed(g, 5, True, True)[1], [5, 2, 2, 5, 0, 5, 5])


def test_a_marker_cell_drags_its_object_to_the_edge():
    g = G([[0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0],
           [0, 4, 2, 0, 0],
           [0, 4, 4, 0, 0],
           [0, 0, 0, 0, 0]])
    assert same(dsl.smear_from_markers(g, 2), [[0, 0, 0, 4, 4],
                                               [0, 0, 4, 4, 4],
                                               [0, 4, 4, 4, 0],
                                               [0, 4, 4, 0, 0],
                                               [0, 0, 0, 0, 0]])


def test_only_the_largest_solid_rectangle_survives_the_noise():
    g = G([[3, 2, 0, 3, 0],
           [0, 2, 2, 2, 3],
           [0, 2, 2, 2, 0],
           [3, 0, 0, 0, 0]])
    assert same(dsl.keep_largest_box(g), [[0, 0, 0, 0, 0], [0, 2, 2, 2, 0], [0, 2, 2, 2, 0], [0, 0, 0, 0, 0]])


def test_cells_are_painted_by_their_place_in_the_layout():
    g = G([[0, 5, 0],
           [5, 5, 5],
           [0, 5, 0]])
    assert same(dsl.paint_cells_at(g, {(0, 1): 2, (1, 0): 3}), [[0, 5, 2], [5, 5, 5], [3, 5, 0]])


def test_begun_lines_continue_the_full_lines_pattern_in_their_own_colors():
    g = G([[1, 2, 1, 1, 2],
           [0, 0, 0, 0, 0],
           [3, 4, 0, 0, 0]])
    assert same(dsl.complete_like_full_line(g), [[1, 2, 1, 1, 2], [0, 0, 0, 0, 0], [3, 4, 3, 3, 4]])


def test_four_corner_pieces_are_put_together_by_the_corner_each_shows():
    g = G([[0, 0, 0, 0, 0, 0],
           [0, 2, 2, 0, 0, 0],
           [0, 0, 2, 0, 0, 3],
           [1, 0, 0, 0, 3, 3],
           [1, 1, 0, 0, 0, 0],
           [0, 0, 0, 4, 4, 0],
           [0, 0, 0, 4, 0, 0]])
    assert same(dsl.assemble_corners(g), [[4, 4, 2, 2], [4, 0, 0, 2], [1, 0, 0, 3], [1, 1, 3, 3]])


def test_scattered_cells_are_gathered_column_by_column_in_a_snake():
    g = G([[0, 0, 4, 0],
           [3, 0, 0, 0],
           [0, 5, 0, 6]])
    assert same(dsl.gather_dots(g, 2, 2, "column", True), [[3, 5], [6, 4]])
    assert same(dsl.gather_dots(g, 1, 4, "row"), [[4, 3, 5, 6]])


def test_a_box_stretches_to_the_marker_in_line_with_it():
    g = G([[2, 2, 2, 0, 0, 0],
           [2, 1, 2, 0, 0, 8],
           [2, 2, 2, 0, 0, 0]])
    assert same(dsl.stretch_to_marker(g), [[2, 2, 2, 2, 2, 2], [2, 1, 1, 1, 1, 2], [2, 2, 2, 2, 2, 2]])


def test_evenly_spaced_copies_continue_to_the_edge():
    g = G([[1, 1, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 1, 1, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0, 0]])
    assert same(dsl.continue_objects(g, 0, 5), [[1, 1, 0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 0, 0, 0],
                                                [0, 0, 0, 0, 0, 0, 5, 5]])


def test_lone_cells_jump_onto_the_nearest_cells_of_the_block():
    g = G([[6, 0, 0, 0, 0, 7],
           [0, 0, 0, 0, 0, 0],
           [0, 0, 8, 8, 0, 0],
           [0, 0, 8, 8, 0, 0],
           [0, 0, 0, 0, 0, 0],
           [4, 0, 0, 0, 0, 9]])
    out = dsl.collapse_into_block(g)
    assert same(out[2:4, 2:4], [[6, 7], [4, 9]]) and out.sum() == 6 + 7 + 4 + 9


def test_each_seed_floods_the_area_of_its_neighbours_color():
    g = G([[1, 1, 1, 0, 0],
           [1, 2, 1, 0, 0],
           [1, 1, 1, 0, 3],
           [0, 0, 0, 0, 0]])
    assert same(dsl.flood_from_seeds(g), [[2, 2, 2, 3, 3], [2, 2, 2, 3, 3], [2, 2, 2, 3, 3], [3, 3, 3, 3, 3]])


def test_a_step_runs_on_the_cells_as_pixels_and_is_painted_back():
    g = G([[2, 5, 0, 5, 2],
           [5, 5, 5, 5, 5],
           [0, 5, 0, 5, 0]])
    assert same(dsl.at_cell_scale(g, "connect_same_color", 0), [[2, 5, 2, 5, 2], [5, 5, 5, 5, 5], [0, 5, 0, 5, 0]])


def test_cells_in_line_with_a_one_off_color_slide_up_against_it():
    g = G([[3, 0, 0, 2, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 3, 0, 0, 0]])
    assert same(dsl.pull_to_singletons(g), [[0, 0, 3, 2, 0, 0, 0], [0, 0, 0, 3, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0]])


def test_the_bottom_cell_under_each_objects_middle_is_marked():
    g = G([[1, 1, 1, 0, 2, 2],
           [0, 0, 0, 0, 0, 0]])
    assert same(dsl.mark_under_centers(g, 0, 4), [[1, 1, 1, 0, 2, 2], [0, 4, 0, 0, 0, 0]])


def test_the_cells_around_a_crossing_of_full_lines_are_ringed():
    g = G([[0, 3, 0],
           [2, 2, 2],
           [0, 3, 0]])
    assert same(dsl.ring_crossings(g, 0, 4), [[4, 4, 4], [4, 2, 4], [4, 4, 4]])


def test_a_shape_is_mirrored_onto_the_side_its_marker_touches():
    g = G([[0, 0, 4, 2, 0, 0],
           [0, 4, 4, 2, 0, 0]])
    assert same(dsl.mirror_toward_marker(g), [[0, 0, 4, 4, 0, 0], [0, 4, 4, 4, 4, 0]])


def test_ring_depth_is_a_cell_feature():
    g = G([[0, 0, 0, 0, 0],
           [0, 3, 3, 3, 0],
           [0, 3, 0, 3, 0],
           [0, 3, 3, 3, 0]])
    assert same(dsl.feature(g, "depth")[:, 0], [1, 1, 1, 1])
    assert dsl.feature(G(np.zeros((5, 5))), "depth")[2, 2] == 3
    assert dsl.feature(G(np.zeros((5, 5))), "depth_parity")[2, 2] == 1


def test_how_many_neighbours_share_a_cells_color_tells_corners_sides_and_inside_apart():
    g = G([[4, 4, 4, 0],
           [4, 4, 4, 0],
           [4, 4, 4, 0]])
    assert same(dsl.feature(g, "n4_same"), [[2, 3, 2, 1], [3, 4, 3, 2], [2, 3, 2, 1]])
    assert same(dsl.feature(g, "n8_same")[:, 1], [5, 8, 5])  # the grid's edge is no neighbour


def test_partial_copies_of_a_template_are_completed_where_one_fit_is_best():
    g = G([[1, 2, 0, 0, 0, 0, 0],
           [3, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 2, 0, 0],
           [0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 3, 0]])
    done = dsl.complete_copies(g)
    assert same(done[3:5, 3:5], [[1, 2], [3, 0]])
    assert same(done[4:6, 5:7], [[1, 2], [3, 0]])  # a lone 3 fits the template in one place only
    turned = G([[1, 2, 0, 0, 0],
                [3, 5, 0, 0, 0],
                [0, 0, 0, 0, 0],
                [0, 0, 0, 3, 1],
                [0, 0, 0, 0, 2]])
    assert same(dsl.complete_copies(turned, True)[3:5, 3:5], [[3, 1], [5, 2]])
    with pytest.raises(ValueError):
        dsl.complete_copies(turned)  # the copy is turned, so it fits only when turns are allowed
    moved = dsl.complete_copies(G([[1, 2, 0, 0], [3, 5, 0, 0], [0, 0, 0, 3], [0, 0, 2, 1]]), True, 0, True)
    assert same(moved, [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 5, 3], [0, 0, 2, 1]])  # the template moves onto its markers
    with pytest.raises(ValueError):
        dsl.complete_copies(G([[1, 2, 0], [0, 0, 0]]))  # nothing to complete


def test_a_piece_holding_the_templates_one_cell_color_grows_into_the_template_at_its_scale():
    g = G([[0, 3, 0, 0, 0, 0, 0],
           [3, 3, 1, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 4, 4, 1, 1],
           [0, 0, 0, 4, 4, 1, 1]])
    grown = dsl.grow_from_anchor(g)
    assert same(grown[2:6, 3:7], [[4, 4, 0, 0], [4, 4, 0, 0], [4, 4, 1, 1], [4, 4, 1, 1]])
    assert same(grown[4:6, 1:3], [[4, 4], [4, 4]])  # the template's left arm, scaled
    with pytest.raises(ValueError):
        dsl.grow_from_anchor(G([[3, 3, 1], [0, 0, 0]]))  # a template and nothing to grow


def test_two_facing_colors_grow_halfway_and_an_odd_middle_is_marked():
    g = G([[1, 0, 0, 0, 0, 2],
           [0, 0, 0, 0, 0, 0],
           [3, 0, 0, 0, 4, 0]])
    assert same(dsl.meet_halfway(g, 1, 0, 5), [[1, 1, 1, 2, 2, 2], [0, 0, 0, 0, 0, 0], [3, 3, 5, 4, 4, 0]])
    assert same(dsl.meet_halfway(G([[1], [0], [0], [2]]), 0), [[1], [1], [2], [2]])
    with pytest.raises(ValueError):
        dsl.meet_halfway(G([[1, 0, 1]]))  # same colors do not meet


def test_rows_above_a_bar_at_the_edge_grow_and_rows_below_shrink_like_a_staircase():
    g = G([[0, 0, 0, 0],
           [0, 0, 0, 0],
           [0, 2, 2, 2],
           [0, 0, 0, 0],
           [0, 0, 0, 0]])
    assert same(dsl.staircase(g, 1, -1, 0, (3, 1)), [[3, 3, 3, 3], [3, 3, 3, 3], [0, 2, 2, 2], [0, 0, 1, 1],
                                                    [0, 0, 0, 1]])
    with pytest.raises(ValueError):
        dsl.staircase(G([[0, 2, 0]]))  # the bar touches no edge


def test_a_ray_from_the_edge_steps_aside_around_an_obstacle_and_goes_on():
    g = G([[0, 0, 0, 0],
           [0, 5, 0, 0],
           [0, 0, 0, 0],
           [0, 2, 0, 0]])
    assert same(dsl.sidestep_rays(g, "cw"), [[0, 0, 2, 0], [0, 5, 2, 0], [0, 2, 2, 0], [0, 2, 0, 0]])
    assert same(dsl.sidestep_rays(g, "ccw")[:3, 0], [2, 2, 2])
    with pytest.raises(ValueError):
        dsl.sidestep_rays(G([[0, 0, 0], [0, 3, 0], [0, 0, 0]]))  # nothing on an edge


def test_rays_turn_along_the_edge_until_an_earlier_ray_stops_them():
    g = G([[0, 2, 0, 0],
           [0, 0, 0, 0],
           [3, 0, 0, 0],
           [0, 0, 0, 0]])
    assert same(dsl.edge_turning_rays(g, "right", "cw"), [[0, 2, 2, 2], [0, 0, 0, 2], [3, 3, 3, 3], [0, 0, 0, 3]])
    with pytest.raises(ValueError):
        dsl.edge_turning_rays(G([[1, 1], [0, 0]]))  # no lone cell


def test_a_hole_in_a_band_cuts_across_it_the_short_way():
    g = G([[4, 4, 4, 4],
           [4, 0, 4, 4],
           [8, 8, 8, 8],
           [8, 8, 8, 0],
           [8, 8, 8, 8]])
    assert same(dsl.holes_across_bands(g), [[4, 0, 4, 4], [4, 0, 4, 4], [8, 8, 8, 0], [8, 8, 8, 0], [8, 8, 8, 0]])
    with pytest.raises(ValueError):
        dsl.holes_across_bands(G([[4, 4], [4, 4]]))  # no hole


def test_a_two_colored_seed_floods_its_path_with_its_colors_taking_turns():
    g = G([[8, 8, 8, 8, 8, 8],
           [0, 3, 2, 0, 0, 8],
           [8, 8, 8, 8, 0, 8],
           [8, 8, 8, 8, 8, 8]])
    assert same(dsl.flood_alternating(g, 0), [[8, 8, 8, 8, 8, 8], [2, 3, 2, 3, 2, 8], [8, 8, 8, 8, 3, 8],
                                              [8, 8, 8, 8, 8, 8]])
    with pytest.raises(ValueError):
        dsl.flood_alternating(G([[0, 0, 8], [8, 8, 8]]), 0)  # no seed


def test_a_box_is_drawn_just_inside_the_lone_marker_cells_in_the_other_color():
    g = G([[0, 0, 5, 0, 0, 0],
           [0, 0, 0, 0, 0, 0],
           [5, 0, 1, 0, 0, 5],
           [0, 0, 0, 0, 0, 0],
           [0, 0, 0, 5, 0, 0]])
    assert same(dsl.box_by_markers(g), [[0, 0, 5, 0, 0, 0], [0, 1, 1, 1, 1, 0], [5, 1, 1, 0, 1, 5],
                                        [0, 1, 1, 1, 1, 0], [0, 0, 0, 5, 0, 0]])
    assert dsl.box_by_markers(g, 0, 0, 7)[0, 0] == 7  # through the markers, in a given color
    with pytest.raises(ValueError):
        dsl.box_by_markers(G([[5, 0, 0], [0, 0, 0]]))  # one marker marks out no box


def test_a_yes_or_no_about_the_whole_grid_is_a_one_cell_grid():
    g = G([[2, 0, 2],
           [2, 2, 2]])
    assert same(dsl.holds(g, "symmetric_lr"), [[1]]) and same(dsl.holds(g, "symmetric_ud"), [[0]])
    assert same(dsl.holds(g, "connected"), [[1]]) and same(dsl.holds(g, "enclosed"), [[0]])
    parts = G([[3, 0, 0, 3], [8, 8, 8, 8]])
    assert same(dsl.holds(parts, "joined", 0, 3), [[1]])
    assert same(dsl.holds(G([[3, 0, 0, 3]]), "joined", 0, 3), [[0]])
    with pytest.raises(ValueError):
        dsl.holds(g, "joined", 0, 5)  # no such color


def test_the_colors_of_the_largest_objects_stand_as_columns_as_tall_as_they_are_big():
    g = G([[4, 0, 0, 6, 0],
           [4, 0, 0, 6, 0],
           [0, 0, 3, 0, 0],
           [0, 0, 0, 0, 0]])
    assert same(dsl.largest_colors(g), [[4, 6], [4, 6]])
    with pytest.raises(ValueError):
        dsl.largest_colors(G([[0, 0]]))  # nothing to list


def test_the_rest_moves_once_per_marker_cell_and_lines_run_on_past_the_edge():
    g = G([[0, 2, 0, 5],
           [2, 2, 2, 2],
           [0, 2, 0, 0],
           [0, 2, 0, 0]])
    assert same(dsl.move_by_count(g, 5, 1, -1), [[2, 0, 0, 0], [2, 0, 0, 0], [2, 2, 2, 2], [2, 0, 0, 0]])
    with pytest.raises(ValueError):
        dsl.move_by_count(g, 7, 1, 0)  # no marker


def test_a_template_beside_a_separator_line_is_copied_without_the_line():
    g = G([[1, 2, 0, 5, 0, 0, 0],
           [2, 3, 1, 5, 0, 4, 0],
           [1, 2, 0, 5, 0, 0, 0]])
    assert same(dsl.copy_template(g, "center")[:, 4:7], [[1, 2, 0], [2, 3, 1], [1, 2, 0]])


def test_each_color_moves_by_its_own_offset():
    g = G([[0, 7, 0],
           [0, 0, 0],
           [2, 0, 0]])
    assert same(dsl.shift_colors(g, {7: (1, 0), 2: (0, 2)}), [[0, 0, 0], [0, 7, 0], [0, 0, 2]])
    assert same(dsl.shift_colors(g, {7: (-1, 0)}), [[0, 0, 0], [0, 0, 0], [2, 0, 0]])  # lost off the edge


def test_the_colors_along_a_path_come_in_reverse_order():
    g = G([[4, 0, 0],
           [7, 1, 6],
           [0, 0, 2]])
    assert same(dsl.reverse_paths(g), [[2, 0, 0], [6, 1, 7], [0, 0, 4]])
    with pytest.raises(ValueError):
        dsl.reverse_paths(G([[3, 3, 3]]))  # one color: nothing to reverse


def test_an_object_is_scaled_up_to_fill_the_inside_of_the_frame():
    g = G([[2, 2, 2, 2, 0, 8],
           [2, 0, 0, 2, 0, 0],
           [2, 0, 0, 2, 0, 0],
           [2, 2, 2, 2, 0, 0]])
    assert same(dsl.scale_into_frame(g), [[2, 2, 2, 2], [2, 8, 8, 2], [2, 8, 8, 2], [2, 2, 2, 2]])
    tall = G([[2, 2, 2, 2, 0, 8],
              [2, 0, 0, 2, 0, 8],
              [2, 0, 0, 2, 0, 8],
              [2, 2, 2, 2, 0, 0]])
    with pytest.raises(ValueError):
        dsl.scale_into_frame(tall)  # three rows do not scale to the inside's two


def test_lines_join_the_ends_that_share_a_color_found_on_the_edges_alone():
    g = G([[0, 0, 3, 0],
           [6, 4, 0, 6],
           [0, 0, 4, 0],
           [4, 0, 3, 4]])
    assert same(dsl.edge_pair_lines(g), [[0, 0, 3, 0], [6, 6, 3, 6], [0, 0, 3, 0], [0, 0, 3, 0]])  # not the 4s


def test_an_upscaled_grid_is_scaled_back_by_the_largest_factors_its_blocks_allow():
    small = G([[1, 1, 0], [1, 1, 1]])
    assert same(dsl.unscale(dsl.upscale(small, 3, 2)), small)  # its two equal columns stay two
    assert dsl.shrink_repeats(dsl.upscale(small, 3, 2)).shape == (2, 2)
    with pytest.raises(ValueError):
        dsl.unscale(small)  # no factor above one


def test_the_marker_lines_are_cut_off_and_the_rest_rolled_to_the_marker():
    g = G([[5, 1, 2, 1],
           [2, 3, 4, 6],
           [1, 6, 7, 8],
           [1, 8, 9, 3]])  # top row marks column 1 of the rest, left column marks row 0
    assert same(dsl.roll_to_marker(g), [[6, 3, 4], [8, 6, 7], [3, 8, 9]])
    one = G([[3, 4, 1],
             [5, 6, 2],
             [7, 8, 1]])  # the right column alone, marker at row 1
    assert same(dsl.roll_to_marker(one), [[7, 8], [3, 4], [5, 6]])
    with pytest.raises(ValueError):
        dsl.roll_to_marker(G([[1, 2, 3], [4, 5, 6], [7, 8, 9]]))


def test_each_cell_becomes_the_grid_cut_down_to_that_cells_color():
    g = G([[1, 2], [2, 2]])
    assert same(dsl.self_kron(g, 0, False, "same"), [[1, 0, 0, 2], [0, 0, 2, 2], [0, 2, 0, 2], [2, 2, 2, 2]])
    with pytest.raises(ValueError):
        dsl.self_kron(G([[1] * 6] * 6), 0, False, "same")  # 36 by 36 is too large


def test_the_cells_where_the_parts_disagree_are_marked():
    g = G([[1, 2, 5, 1, 2, 5, 1, 2],
           [3, 4, 5, 3, 4, 5, 3, 3]])
    assert same(dsl.majority_vote_cells(g, 9), [[1, 2], [3, 9]])
    assert same(dsl.majority_vote_cells(g), [[1, 2], [3, 4]])
    with pytest.raises(ValueError):
        dsl.majority_vote_cells(G([[1, 2, 5, 1, 2]]), 9)  # the parts all agree


def test_colors_are_nested_as_rings_the_most_frequent_outermost():
    g = G([[0, 3, 3, 0],
           [0, 3, 0, 4],
           [6, 0, 0, 4]])
    assert same(dsl.nest_colors(g), [[3, 3, 3, 3, 3], [3, 4, 4, 4, 3], [3, 4, 6, 4, 3], [3, 4, 4, 4, 3],
                                     [3, 3, 3, 3, 3]])
    with pytest.raises(ValueError):
        dsl.nest_colors(G([[0, 3, 4]]))  # a tie leaves no order


def test_overlapping_frames_are_listed_from_the_bottom_layer_up():
    g = G([[2, 2, 2, 0, 0],
           [2, 0, 3, 3, 3],
           [2, 2, 3, 2, 3],
           [0, 0, 3, 3, 3]])  # 3 crosses the edge of 2's box
    assert same(dsl.layer_colors(g), [[2], [3]])
    assert same(dsl.nest_colors(g, 0, "layer"), [[2, 2, 2], [2, 3, 2], [2, 2, 2]])
    apart = G([[2, 0, 3]])
    with pytest.raises(ValueError):
        dsl.layer_colors(apart)  # neither lies on the other


def test_objects_of_one_size_are_laid_over_each_other_their_odd_cells_on_top():
    g = G([[5, 5, 5, 0, 0, 0, 0],
           [5, 1, 5, 0, 5, 5, 5],
           [5, 5, 5, 0, 5, 5, 2],
           [0, 0, 0, 0, 5, 5, 5]])
    assert same(dsl.overlay_objects(g), [[5, 5, 5], [5, 1, 2], [5, 5, 5]])
    on_4 = np.pad(np.where(g == 0, 4, g), 2, constant_values=4)  # each grid's commonest color is its background
    assert same(dsl.overlay_objects(on_4, None), [[5, 5, 5], [5, 1, 2], [5, 5, 5]])
    with pytest.raises(ValueError):
        dsl.overlay_objects(G([[5, 5, 0, 5, 5, 5], [5, 1, 0, 5, 5, 3]]))  # boxes of two sizes


def test_each_line_swaps_its_commonest_color_with_the_background():
    g = G([[3, 3, 0, 1],
           [0, 5, 0, 0]])
    assert same(dsl.complement_lines(g), [[0, 0, 3, 3], [5, 0, 5, 5]])
    assert same(dsl.complement_lines(G([[2, 0], [2, 2]]), 0), [[0, 2], [0, 0]])
    with pytest.raises(ValueError):
        dsl.complement_lines(G([[1, 1], [0, 0]]))  # the second row holds no color to swap


def test_square_box_outlines_get_ticks_outside_their_corners():
    g = G([[0, 0, 0, 0, 0, 0],
           [0, 4, 4, 0, 0, 0],
           [0, 4, 4, 0, 5, 5],
           [0, 0, 0, 0, 5, 5],
           [0, 0, 0, 0, 5, 5]])
    assert same(dsl.corner_ticks(g, 0, 7), [[0, 7, 7, 0, 0, 0],
                                           [7, 4, 4, 7, 0, 0],
                                           [7, 4, 4, 7, 5, 5],
                                           [0, 7, 7, 0, 5, 5],
                                           [0, 0, 0, 0, 5, 5]])  # the 3x2 block is not square
    ring = G([[0, 0, 0, 0, 0],
              [0, 1, 1, 1, 0],
              [0, 1, 0, 1, 0],
              [0, 1, 1, 1, 0],
              [0, 0, 0, 0, 0]])
    assert dsl.corner_ticks(ring, 0, 7)[0].tolist() == [0, 7, 0, 7, 0]
    assert dsl.corner_ticks(g, 0, 7, False)[1, 3] == 7 and dsl.corner_ticks(g, 0, 7, False)[1, 4] == 7
    with pytest.raises(ValueError):
        dsl.corner_ticks(G([[0, 0, 0], [0, 1, 1], [0, 1, 0]]))  # an L is no box outline


def test_a_key_of_color_pairs_recolors_the_rest_pair_after_pair():
    g = G([[1, 2, 0, 0, 1],
           [2, 3, 0, 4, 0],
           [0, 0, 0, 2, 0]])
    # 1 turns 2, then every 2 (the new one too) turns 3; the key itself and the 4 stay
    assert same(dsl.recolor_by_pairs(g), [[1, 2, 0, 0, 3], [2, 3, 0, 4, 0], [0, 0, 0, 3, 0]])
    tall = G([[5, 6, 0], [7, 8, 0], [0, 0, 5]])  # a 2x2 key reads by rows: 5 to 6, 7 to 8
    assert same(dsl.recolor_by_pairs(tall), [[5, 6, 0], [7, 8, 0], [0, 0, 6]])
    with pytest.raises(ValueError):
        dsl.recolor_by_pairs(G([[1, 1, 0], [1, 1, 0], [0, 0, 1]]))  # a one-color block is no key


def test_objects_along_a_line_take_placeholder_colors_in_turn():
    g = G([[0, 4, 0, 0, 0, 0, 4, 0],
           [0, 0, 0, 3, 3, 0, 0, 0],
           [4, 0, 0, 0, 0, 0, 0, 4]])
    # each column holds one object at most: left to right, 10, 11, 10, ...
    assert same(dsl.label_in_turn(g, 2), [[0, 11, 0, 0, 0, 0, 11, 0],
                                          [0, 0, 0, 10, 10, 0, 0, 0],
                                          [10, 0, 0, 0, 0, 0, 0, 10]])
    tall = G([[5, 0], [0, 0], [0, 5], [0, 0], [5, 0]])  # each row holds one at most: top to bottom
    assert same(dsl.label_in_turn(tall, 2), [[10, 0], [0, 0], [0, 11], [0, 0], [10, 0]])
    with pytest.raises(ValueError):
        dsl.label_in_turn(G([[5, 0, 5], [0, 0, 0], [5, 0, 5]]), 2)  # rows and columns both hold two


def test_crossing_boxes_and_diagonals_swap_which_one_lies_on_top():
    g = G([[4, 0, 0, 0, 6],
           [4, 0, 0, 6, 0],
           [2, 2, 2, 2, 0],
           [4, 6, 0, 0, 0],
           [6, 0, 0, 0, 0]])
    # the 4 bar and the 6 diagonal were under the 2 bar
    assert same(dsl.reverse_overlaps(g), [[4, 0, 0, 0, 6],
                                          [4, 0, 0, 6, 0],
                                          [4, 2, 6, 2, 0],
                                          [4, 6, 0, 0, 0],
                                          [6, 0, 0, 0, 0]])
    with pytest.raises(ValueError):
        dsl.reverse_overlaps(G([[1, 1, 0], [0, 0, 0], [0, 2, 2]]))  # nothing crosses


def test_blocks_whose_corners_face_on_a_diagonal_are_joined_corner_to_corner():
    g = G([[2, 2, 0, 0, 0, 0],
           [2, 2, 0, 0, 0, 3],
           [0, 0, 0, 0, 0, 0],
           [0, 0, 0, 2, 2, 0],
           [0, 0, 0, 2, 2, 0],
           [3, 0, 0, 0, 0, 0]])
    # The 2s join between their facing corners only; the lone 3s are not on one diagonal.
    assert same(dsl.connect_corners(g), [[2, 2, 0, 0, 0, 0],
                                         [2, 2, 0, 0, 0, 3],
                                         [0, 0, 2, 0, 0, 0],
                                         [0, 0, 0, 2, 2, 0],
                                         [0, 0, 0, 2, 2, 0],
                                         [3, 0, 0, 0, 0, 0]])
    with pytest.raises(ValueError):
        dsl.connect_corners(G([[1, 0, 0], [0, 0, 0], [0, 0, 2]]))  # two colors: nothing to join


def test_a_lone_cell_fills_the_rectangle_to_its_nearest_corner():
    g = G([[0, 0, 0, 0, 0],
           [0, 0, 0, 4, 0],
           [0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0]])
    assert same(dsl.fill_to_corner(g), [[0, 0, 0, 4, 4],
                                        [0, 0, 0, 4, 4],
                                        [0, 0, 0, 0, 0],
                                        [0, 0, 0, 0, 0]])
    with pytest.raises(ValueError):
        dsl.fill_to_corner(G([[0, 0, 0], [0, 5, 0], [0, 0, 0]]))  # the middle cell has no nearest corner


def test_cells_are_mirrored_across_the_full_lines_of_one_color():
    g = G([[0, 2, 1, 0, 0],
           [3, 0, 1, 0, 0],
           [1, 1, 1, 1, 1],
           [0, 0, 1, 0, 0],
           [0, 0, 1, 0, 0]])
    assert same(dsl.mirror_across_lines(g), [[0, 2, 1, 2, 0],
                                             [3, 0, 1, 0, 3],
                                             [1, 1, 1, 1, 1],
                                             [3, 0, 1, 0, 3],
                                             [0, 2, 1, 2, 0]])
    with pytest.raises(ValueError):
        dsl.mirror_across_lines(G([[0, 2, 0], [3, 0, 0], [0, 0, 0]]))  # no full line


def test_objects_lying_inside_the_box_of_an_object_of_another_color_are_marked():
    g = G([[3, 3, 3, 0, 0],
           [3, 5, 0, 0, 4],
           [3, 0, 3, 0, 4],
           [0, 3, 0, 0, 0]])
    # The 5 lies in the 3s' box, the 4s do not.
    assert same(dsl.mark_contained(g), [[3, 3, 3, 0, 0],
                                        [3, 10, 0, 0, 4],
                                        [3, 0, 3, 0, 4],
                                        [0, 3, 0, 0, 0]])
    with pytest.raises(ValueError):
        dsl.mark_contained(G([[1, 0, 2], [1, 0, 2]]))  # side by side, neither inside


def test_a_cell_that_four_segments_point_at_across_equal_gaps_is_marked():
    g = G([[0, 0, 0, 3, 0, 0, 0],
           [0, 0, 0, 3, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0],
           [5, 5, 0, 0, 0, 6, 6],
           [0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 3, 0, 0, 0],
           [0, 0, 0, 3, 0, 0, 0]])
    want = g.copy()
    want[3, 3] = 10  # the segments on each side are two cells off; no other cell sees four alike
    assert same(dsl.mark_plus_centers(g), want.tolist())
    with pytest.raises(ValueError):
        dsl.mark_plus_centers(G([[0, 1, 0, 0], [1, 0, 0, 1], [0, 0, 0, 0], [0, 1, 0, 0]]))  # lone dots, no segments


def test_each_ring_takes_the_one_color_found_on_it():
    g = G([[0, 0, 0, 0, 0],
           [0, 0, 0, 0, 2],
           [0, 0, 3, 0, 0],
           [0, 0, 0, 0, 0]])
    # Ring 0 (the edge) holds a 2, ring 1 (the inner 2x3) a 3.
    assert same(dsl.spread_rings(g), [[2, 2, 2, 2, 2],
                                      [2, 3, 3, 3, 2],
                                      [2, 3, 3, 3, 2],
                                      [2, 2, 2, 2, 2]])
    with pytest.raises(ValueError):
        dsl.spread_rings(G([[1, 0, 0], [0, 0, 0], [0, 0, 2]]))  # two colors on the edge ring


def test_fly_to_walls_objects_slide_to_edge_line_of_their_color():
    g = np.array([[3, 3, 3, 3, 3],
                  [0, 0, 0, 0, 0],
                  [0, 3, 0, 4, 0],
                  [0, 3, 0, 4, 0],
                  [0, 0, 0, 0, 0],
                  [0, 3, 0, 0, 0]])
    out = dsl.fly_to_walls(g, 0)
    assert out.tolist() == [[3, 3, 3, 3, 3],
                            [0, 3, 0, 0, 0],
                            [0, 3, 0, 4, 0],
                            [0, 3, 0, 4, 0],
                            [0, 0, 0, 0, 0],
                            [0, 0, 0, 0, 0]]
    with pytest.raises(ValueError):
        dsl.fly_to_walls(np.array([[0, 3], [3, 0]]), 0)


def test_gather_to_middle_lays_all_cells_in_a_centered_middle_run():
    g = np.array([[0, 2, 0, 0, 0],
                  [0, 0, 0, 2, 0],
                  [0, 0, 0, 2, 0]])
    assert dsl.gather_to_middle(g, 0).tolist() == [[0, 0, 0, 0, 0],
                                                   [0, 2, 2, 2, 0],
                                                   [0, 0, 0, 0, 0]]
    with pytest.raises(ValueError):
        dsl.gather_to_middle(np.array([[1, 0], [0, 2], [0, 0]]), 0)


def test_quadrant_holding_the_color_is_painted_and_the_rest_cleared():
    g = G([[0, 1, 0, 0],
           [0, 0, 0, 3],
           [0, 0, 0, 0],
           [1, 0, 0, 0]])
    assert same(dsl.paint_quadrant(g, 3), [[0, 0, 3, 3],
                                           [0, 0, 3, 3],
                                           [0, 0, 0, 0],
                                           [0, 0, 0, 0]])
    with pytest.raises(ValueError):
        dsl.paint_quadrant(g, 1)  # two quadrants hold a 1


def test_every_second_row_from_the_first_varied_row_rolls_by_one():
    g = G([[5, 5, 5, 5],
           [1, 2, 0, 0],
           [1, 2, 0, 0],
           [1, 2, 0, 0]])
    # Row 1 is the first of more than one color: it stays, row 2 moves, row 3 stays.
    assert same(dsl.roll_alternate_rows(g, 1), [[5, 5, 5, 5],
                                                [1, 2, 0, 0],
                                                [0, 1, 2, 0],
                                                [1, 2, 0, 0]])
    with pytest.raises(ValueError):
        dsl.roll_alternate_rows(G([[3, 3], [4, 4]]), 1)  # every row of one color


def test_cells_regrouped_by_color_count_fill_columns_from_the_bottom_left():
    g = G([[1, 0, 2],
           [0, 1, 0]])
    # Counts: 0 thrice, 1 twice, 2 once; columns filled upward, left to right.
    assert same(dsl.sort_cells(g, "column"), [[0, 1, 2],
                                              [0, 0, 1]])
    assert same(dsl.sort_cells(g, "row"), [[0, 0, 0],
                                           [1, 1, 2]])
    with pytest.raises(ValueError):
        dsl.sort_cells(G([[4, 4], [4, 4]]))  # one color only


def test_background_cells_take_their_half_turn_image():
    g = G([[1, 2, 0],
           [0, 0, 0],
           [0, 0, 0]])
    # Only the 180-degree turn: the mirror images across either axis stay empty.
    assert same(dsl.symmetrize(g, "rot180"), [[1, 2, 0],
                                              [0, 0, 0],
                                              [0, 2, 1]])
    with pytest.raises(KeyError):
        dsl.symmetrize(g, "half")  # no such kind


def test_mirror_rarest_across_line_reflects_the_rarest_color_over_a_diagonal():
    g = G([[4, 0, 0, 0],
           [0, 4, 0, 0],
           [2, 0, 4, 3],
           [2, 3, 3, 4]])
    assert dsl.mirror_rarest_across_line(g).tolist() == [[4, 0, 2, 2],
                                                         [0, 4, 0, 0],
                                                         [2, 0, 4, 3],
                                                         [2, 3, 3, 4]]
    with pytest.raises(ValueError):
        dsl.mirror_rarest_across_line(G([[1, 0, 2], [1, 0, 0], [1, 0, 0]]))  # the only shape's mirror is off the grid


def test_step_to_corner_marker_moves_a_shape_one_cell_toward_its_corner_cell():
    g = G([[2, 2, 0, 0],
           [2, 5, 0, 0],
           [0, 0, 0, 0],
           [0, 0, 0, 3]])
    assert dsl.step_to_corner_marker(g).tolist() == [[0, 0, 0, 0],
                                                     [0, 2, 2, 0],
                                                     [0, 2, 2, 0],
                                                     [0, 0, 0, 3]]
    with pytest.raises(ValueError):
        dsl.step_to_corner_marker(G([[2, 5, 2], [2, 2, 2], [0, 0, 0]]))  # the odd cell sits mid-edge


def test_fill_missing_color_gives_holes_the_color_their_cell_lacks():
    g = G([[1, 2, 5, 1, 2],
           [3, 0, 5, 3, 3],
           [5, 5, 5, 5, 5],
           [0, 2, 5, 1, 0],
           [3, 3, 5, 3, 3]])
    assert dsl.fill_missing_color(g).tolist() == [[1, 2, 5, 1, 2],
                                                  [3, 3, 5, 3, 3],
                                                  [5, 5, 5, 5, 5],
                                                  [1, 2, 5, 1, 2],
                                                  [3, 3, 5, 3, 3]]
    with pytest.raises(ValueError):
        dsl.fill_missing_color(G([[1, 0, 5, 1, 2], [0, 3, 5, 3, 4]]))  # the left cell lacks two colors


def test_turn_objects_turns_each_object_a_quarter_clockwise_about_its_center():
    g = G([[0, 0, 0, 0, 0],
           [2, 2, 2, 0, 0],
           [0, 0, 0, 0, 0],
           [0, 0, 0, 3, 0],
           [0, 0, 0, 3, 3]])
    assert dsl.turn_objects(g).tolist() == [[0, 2, 0, 0, 0],
                                            [0, 2, 0, 0, 0],
                                            [0, 2, 0, 0, 0],
                                            [0, 0, 0, 3, 3],
                                            [0, 0, 0, 3, 0]]
    assert dsl.turn_objects(g, False)[3:].tolist() == [[0, 0, 0, 0, 3], [0, 0, 0, 3, 3]]
    with pytest.raises(ValueError):
        dsl.turn_objects(G([[1, 1, 0], [0, 0, 0]]))  # a 1 x 2 bar's center lies between cells
    with pytest.raises(ValueError):
        dsl.turn_objects(G([[0, 0, 0], [0, 1, 0], [0, 0, 0]]))  # nothing changes


def test_absorb_markers_objects_take_the_touching_marker_color_and_markers_vanish():
    g = G([[5, 5, 0, 0],
           [5, 3, 0, 5],
           [0, 0, 0, 5],
           [4, 0, 0, 0]])
    assert dsl.absorb_markers(g, 5).tolist() == [[3, 3, 0, 0],
                                                 [3, 0, 0, 5],
                                                 [0, 0, 0, 5],
                                                 [0, 0, 0, 0]]
    with pytest.raises(ValueError):
        dsl.absorb_markers(G([[5, 0, 3], [0, 0, 0]]), 5)  # no object touches a marker
    with pytest.raises(ValueError):
        dsl.absorb_markers(G([[3, 5, 4], [0, 0, 0]]), 5)  # markers of two colors on one object


def test_extend_segments_stretch_each_segment_across_its_line_one_direction_on_top():
    g = G([[0, 0, 0, 0, 0],
           [0, 2, 2, 0, 0],
           [0, 0, 0, 0, 3],
           [0, 0, 0, 0, 3],
           [0, 0, 0, 0, 0]])
    assert dsl.extend_segments(g).tolist() == [[0, 0, 0, 0, 3],
                                               [2, 2, 2, 2, 2],
                                               [0, 0, 0, 0, 3],
                                               [0, 0, 0, 0, 3],
                                               [0, 0, 0, 0, 3]]
    assert dsl.extend_segments(g, 0, "cols")[1].tolist() == [2, 2, 2, 2, 3]
    with pytest.raises(ValueError):
        dsl.extend_segments(G([[0, 1, 0], [0, 0, 0]]))  # a lone cell has no direction
    with pytest.raises(ValueError):
        dsl.extend_segments(G([[1, 1], [0, 0]]))  # the segment already spans its row


def test_repel_from_anchor_slides_touching_pieces_away_to_the_edge():
    g = G([[0, 0, 0, 0, 0],
           [0, 0, 2, 0, 0],
           [0, 3, 5, 0, 0],
           [0, 0, 0, 0, 0],
           [0, 0, 0, 4, 0]])
    assert dsl.repel_from_anchor(g, 5).tolist() == [[0, 0, 2, 0, 0],
                                                    [0, 0, 0, 0, 0],
                                                    [3, 0, 5, 0, 0],
                                                    [0, 0, 0, 0, 0],
                                                    [0, 0, 0, 4, 0]]
    with pytest.raises(ValueError):
        dsl.repel_from_anchor(G([[5, 0, 2], [0, 0, 0]]), 5)  # nothing touches the anchor


def test_uncover_rects_noise_cells_take_the_topmost_box_over_them():
    g = G([[5, 1, 1, 0, 0],
           [1, 2, 2, 2, 0],
           [1, 5, 5, 2, 0],
           [0, 2, 5, 2, 0]])
    # the 2 box shows inside the 1 box, so it lies on top where they overlap
    assert dsl.uncover_rects(g, 5).tolist() == [[1, 1, 1, 0, 0],
                                                [1, 2, 2, 2, 0],
                                                [1, 2, 2, 2, 0],
                                                [0, 2, 2, 2, 0]]
    with pytest.raises(ValueError):
        dsl.uncover_rects(G([[1, 5, 2]]), 5)  # no box over the noise cell


def test_pointer_rays_fire_from_a_line_head_and_mark_the_cell_they_hit():
    g = G([[2, 2, 3, 0, 0, 4],
           [0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0]])
    assert dsl.pointer_rays(g).tolist() == [[2, 2, 3, 0, 0, 10],
                                            [0, 0, 0, 0, 0, 0],
                                            [0, 0, 0, 0, 0, 0]]
    assert dsl.pointer_rays(g, 0, 7, True)[0].tolist() == [2, 2, 3, 7, 7, 7]
    with pytest.raises(ValueError):
        dsl.pointer_rays(G([[2, 2, 2, 0, 4]]))  # no head of another color


def test_label_by_symmetry_codes_each_object_by_its_mirrors_and_drops_lone_cells():
    g = G([[7, 7, 7, 7, 7, 7],
           [2, 2, 2, 7, 2, 7],
           [7, 2, 7, 7, 2, 2],
           [7, 7, 7, 7, 7, 7],
           [7, 2, 7, 7, 7, 2]])
    assert dsl.label_by_symmetry(g, None).tolist() == [[7, 7, 7, 7, 7, 7],
                                                       [11, 11, 11, 7, 14, 7],
                                                       [7, 11, 7, 7, 14, 14],
                                                       [7, 7, 7, 7, 7, 7],
                                                       [7, 7, 7, 7, 7, 7]]
    with pytest.raises(ValueError):
        dsl.label_by_symmetry(G([[0, 3], [0, 0]]))  # only a lone cell


def test_spread_cell_to_marked_copies_the_pattern_cell_over_cells_with_one_marker():
    g = G([[1, 7, 0, 7, 7, 0, 7, 7],
           [1, 1, 0, 7, 5, 0, 7, 7],
           [0, 0, 0, 0, 0, 0, 0, 0],
           [7, 7, 0, 7, 7, 0, 0, 7],
           [7, 7, 0, 7, 7, 0, 7, 7]])
    assert dsl.spread_cell_to_marked(g).tolist() == [[1, 7, 0, 1, 7, 0, 7, 7],
                                                     [1, 1, 0, 1, 1, 0, 7, 7],
                                                     [0, 0, 0, 0, 0, 0, 0, 0],
                                                     [7, 7, 0, 7, 7, 0, 1, 7],
                                                     [7, 7, 0, 7, 7, 0, 1, 1]]
    with pytest.raises(ValueError):
        dsl.spread_cell_to_marked(G([[1, 7, 0, 7, 7], [1, 1, 0, 7, 7]]))  # no marked cell


def test_bounce_diagonals_run_on_to_the_edge_bouncing_off_wall_cells_and_over_others():
    g = G([[0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0],
           [2, 2, 2, 2, 2, 2],
           [0, 0, 0, 3, 0, 0],
           [0, 0, 1, 0, 0, 0],
           [0, 1, 0, 0, 0, 0]])
    assert dsl.bounce_diagonals(g, 2).tolist() == [[0, 0, 0, 0, 0, 0],
                                                   [0, 0, 0, 0, 0, 0],
                                                   [2, 2, 2, 2, 2, 2],
                                                   [0, 0, 0, 1, 0, 0],
                                                   [0, 0, 1, 0, 1, 0],
                                                   [0, 1, 0, 0, 0, 1]]
    with pytest.raises(ValueError):
        dsl.bounce_diagonals(G([[0, 0, 0], [0, 1, 1], [0, 0, 0]]), 2)  # no diagonal segment


def test_attract_to_body_moves_strays_of_a_color_until_they_touch_its_largest_piece():
    g = G([[2, 2, 0, 0, 2],
           [2, 2, 0, 0, 0],
           [0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0],
           [0, 0, 0, 2, 0]])
    assert dsl.attract_to_body(g).tolist() == [[2, 2, 2, 0, 0],
                                               [2, 2, 0, 0, 0],
                                               [0, 2, 0, 0, 0],
                                               [0, 0, 0, 0, 0],
                                               [0, 0, 0, 0, 0]]
    with pytest.raises(ValueError):
        dsl.attract_to_body(G([[2, 0, 2], [0, 0, 0]]))  # no one largest piece


def test_halo_by_key_surrounds_each_shape_in_its_colors_partner_but_not_its_holes():
    g = G([[0, 0, 0, 0, 0, 0, 0],
           [0, 3, 3, 3, 0, 0, 0],
           [0, 3, 0, 3, 0, 0, 0],
           [0, 3, 3, 3, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 3, 1],
           [0, 0, 0, 0, 0, 3, 1]])
    assert dsl.halo_by_key(g).tolist() == [[1, 1, 1, 1, 1, 0, 0],
                                           [1, 3, 3, 3, 1, 0, 0],
                                           [1, 3, 0, 3, 1, 0, 0],
                                           [1, 3, 3, 3, 1, 0, 0],
                                           [1, 1, 1, 1, 1, 0, 0],
                                           [0, 0, 0, 0, 0, 3, 1],
                                           [0, 0, 0, 0, 0, 3, 1]]
    with pytest.raises(ValueError):
        dsl.halo_by_key(G([[0, 0, 0], [0, 3, 0], [0, 0, 0]]))  # no key


def test_orbit_satellites_turn_each_satellite_about_its_nearest_anchor_in_line():
    g = G([[0, 0, 0, 0, 0],
           [0, 0, 6, 0, 0],
           [0, 0, 1, 0, 0],
           [0, 0, 0, 0, 0],
           [0, 0, 0, 1, 6]])
    assert dsl.orbit_satellites(g, 1, 6, "ccw").tolist() == [[0, 0, 0, 0, 0],
                                                            [0, 0, 0, 0, 0],
                                                            [0, 10, 1, 0, 0],
                                                            [0, 0, 0, 10, 0],
                                                            [0, 0, 0, 1, 0]]
    assert dsl.orbit_satellites(g, 1, 6, "half")[3, 2] == 10
    with pytest.raises(ValueError):
        dsl.orbit_satellites(G([[6, 0], [0, 1]]), 1, 6)  # the satellite has no anchor in its row or column


def test_split_apart_pulls_the_halves_one_cell_apart_diagonally():
    g = G([[1, 2],
           [3, 4]])
    assert dsl.split_apart(g, 0, 9).tolist() == [[1, 2, 9],
                                                 [9, 9, 9],
                                                 [9, 3, 4]]
    assert dsl.split_apart(g, 1, 9).tolist() == [[1, 9, 9],
                                                 [3, 9, 2],
                                                 [9, 9, 4]]
    with pytest.raises(ValueError):
        dsl.split_apart(G([[1, 2, 3]]), 1)  # an odd width has no halves


def test_fractal_from_cells_draws_the_cells_common_pattern_where_it_has_a_minor_color():
    g = G([[4, 1, 0, 1, 1],
           [1, 1, 0, 1, 1],
           [5, 0, 0, 0, 0],
           [4, 5, 0, 4, 4],
           [1, 1, 0, 4, 4]])  # the 5 strewn over a line is noise, in the cells too
    assert dsl.fractal_from_cells(g).tolist() == [[4, 1, 0, 1, 1],
                                                  [1, 1, 0, 1, 1],
                                                  [0, 0, 0, 0, 0],
                                                  [1, 1, 0, 1, 1],
                                                  [1, 1, 0, 1, 1]]
    with pytest.raises(ValueError):
        dsl.fractal_from_cells(G([[1, 2, 0, 1], [2, 1, 0, 1], [0, 0, 0, 0], [1, 1, 0, 1]]))  # not 2 x 2 cells of 2 x 2


def test_edge_marker_lines_draw_each_edge_cells_color_across_toggling_its_own_color():
    g = G([[0, 2, 0, 3, 0],
           [0, 0, 0, 0, 0],
           [0, 2, 2, 2, 0],
           [0, 0, 0, 0, 0]])
    assert dsl.edge_marker_lines(g, "top", 0).tolist() == [[0, 2, 0, 3, 0],
                                                           [0, 2, 0, 3, 0],
                                                           [0, 0, 2, 3, 0],
                                                           [0, 2, 0, 3, 0]]
    assert dsl.edge_marker_lines(g, "top", 0, False)[2].tolist() == [0, 2, 2, 3, 0]
    assert dsl.edge_marker_lines(G([[0, 0, 0], [0, 0, 1], [0, 0, 0]]), "right", 0)[1].tolist() == [1, 1, 1]
    with pytest.raises(ValueError):
        dsl.edge_marker_lines(g, "bottom", 0)  # nothing on the bottom edge


def test_stack_part_bands_piles_each_cells_band_of_content_from_one_edge():
    g = G([[0, 0, 0, 5, 0, 0, 0],
           [1, 1, 0, 5, 0, 0, 0],
           [0, 1, 0, 5, 2, 0, 0],
           [0, 0, 0, 5, 0, 0, 0]])
    assert dsl.stack_part_bands(g, 0, "bottom").tolist() == [[0, 0, 0],
                                                             [2, 0, 0],
                                                             [1, 1, 0],
                                                             [0, 1, 0]]
    assert dsl.stack_part_bands(g, 0, "left").tolist() == [[0, 0, 0],
                                                           [1, 1, 0],
                                                           [0, 1, 2],
                                                           [0, 0, 0]]
    with pytest.raises(ValueError):
        dsl.stack_part_bands(G([[1, 1, 0], [0, 1, 2]]), 0)  # no separator lines


def test_repeat_around_border_repeats_the_one_run_on_the_border_all_the_way_round():
    g = G([[0, 0, 0, 0],
           [0, 0, 0, 2],
           [0, 0, 0, 3],
           [0, 0, 0, 0]])
    assert dsl.repeat_around_border(g, 0).tolist() == [[2, 3, 0, 0],
                                                       [0, 0, 0, 2],
                                                       [0, 0, 0, 3],
                                                       [3, 2, 0, 0]]
    with pytest.raises(ValueError):
        dsl.repeat_around_border(G([[2, 0, 0, 2], [0, 0, 0, 0], [0, 0, 0, 0]]), 0)  # two runs on the border


def test_line_layers_lists_the_crossing_lines_colors_bottom_first():
    g = G([[0, 3, 0, 0, 1],
           [2, 2, 2, 2, 2],
           [0, 3, 1, 0, 0],
           [0, 1, 0, 0, 0],
           [1, 3, 0, 0, 0]])  # the anti-diagonal 1 lies over the column 3 and under the row 2
    assert dsl.line_layers(g, 0).tolist() == [[3, 1, 2]]
    with pytest.raises(ValueError):
        dsl.line_layers(G([[0, 3, 0], [2, 2, 2], [0, 2, 0]]), 0)  # the 2s are not one straight line


def test_meet_halfway_flared_grows_a_cell_wider_either_way_on_the_grids_own_background():
    g = G([[4, 4, 4],
           [4, 1, 4],
           [4, 4, 4],
           [4, 4, 4],
           [4, 4, 4],
           [4, 2, 4],
           [4, 4, 4]])
    assert dsl.meet_halfway(g, None, None, None, True).tolist() == [[4, 4, 4],
                                                                    [4, 1, 4],
                                                                    [1, 1, 1],
                                                                    [4, 4, 4],
                                                                    [2, 2, 2],
                                                                    [4, 2, 4],
                                                                    [4, 4, 4]]
    with pytest.raises(ValueError):
        dsl.meet_halfway(G([[1, 4, 4, 1], [4, 4, 4, 4]]), None, None, None, True)  # same colors do not meet
