"""Last steps whose parameters are read off the train pairs: a color map, a cell rule,
a tiling, a scale factor, a window, a stamp. Each takes the states the search reached (train and test) and
returns the step that maps every train state to its output, or None."""

from __future__ import annotations

from functools import cache
from itertools import combinations, permutations
from typing import Sequence

import numpy as np

from ..dsl.counting import COUNT_SOURCES, COUNT_SOURCES_PER_COLOR, count_of
from ..dsl.cropping import WINDOW_ANCHORS, blocks, separator_lines, window
from ..dsl.geometry import SYMMETRIES, apply_symmetry
from ..dsl.lines import DIRECTIONS, object_rays
from ..dsl.masks import BOOLEAN_OPS
from ..dsl.objects import objects
from ..dsl.pieces import cell_boxes
from ..dsl.properties import PROPERTIES, minority_color, property_values
from ..dsl.rules import FEATURES, OBJECT_FEATURES, POSITION_FEATURES, REGION_FEATURES, feature
from ..dsl.scaling import continue_pattern, downscale, edge_filler, smallest_period, upscale
from ..dsl.stamps import stamp
from .program import Step

Arrays = Sequence[np.ndarray]


def same_shapes(states: Arrays, outputs: Arrays) -> bool:
    return all(s.shape == o.shape for s, o in zip(states, outputs))


def _applies(step: Step, grids: Arrays) -> bool:
    """Whether `step` runs on every grid (a test input it fails on would leave its attempt empty)."""
    try:
        for g in grids:
            step.apply(g)
    except ValueError:
        return False
    return True


def infer_recolor(states: Arrays, outputs: Arrays, tests: Arrays) -> Step | None:
    """A color map (one output color per state color, the same in every pair)."""
    if not same_shapes(states, outputs):
        return None
    s = np.concatenate([a.ravel() for a in states])
    o = np.concatenate([a.ravel() for a in outputs])
    pairs = np.unique(s * 32 + o)
    src, dst = pairs // 32, pairs % 32
    if len(np.unique(src)) != len(src):
        return None  # some color goes to two colors
    mapping = {int(a): int(b) for a, b in zip(src, dst) if a != b}
    if not mapping:
        return None  # identical already: no step needed
    seen = set(src.tolist())
    names_placeholders_only = all(a >= 10 for a in mapping)
    default = _default_label_color({int(a): int(b) for a, b in zip(src, dst) if a >= 10})
    labels = [c for c in seen if c >= 10]
    for t in tests:
        unseen = set(np.unique(t).tolist()) - seen
        # A label the train pairs never showed (say an object size) takes the color most labels
        # take, when there is one; a real color never shown: unknown fate, unless the map only
        # names placeholders, so every real color plainly stays as it is.
        if default is not None:
            # Only between labels the pairs showed: a label past them (a bigger object than any
            # pair has) may well be the one the rule singles out.
            mapping |= {c: default for c in unseen if min(labels) < c < max(labels)}
            unseen = {c for c in unseen if c not in mapping}
        if unseen and not (names_placeholders_only and all(c < 10 for c in unseen)):
            return None
    return Step("recolor", (mapping,))


def _default_label_color(labels: dict[int, int]) -> int | None:
    """The color that most placeholders go to, if three at least do and no other color as many."""
    counts = np.bincount(list(labels.values()), minlength=1) if labels else np.zeros(1, int)
    top = int(np.argmax(counts))
    if counts[top] < 3 or (counts == counts[top]).sum() > 1:
        return None
    return top


def infer_cell_rule(states: Arrays, outputs: Arrays, tests: Arrays, bg: int,
                    max_features: int = 3, holdout: float = 0.0) -> Step | None:
    """The smallest set of cell features whose values decide each output cell in every pair,
    with every test cell's values seen in a train pair (or its color one no pair changes), and
    at least `holdout` of each pair's cells predicted by the other pairs (see
    _each_pair_predicted_by_the_others)."""
    if not same_shapes(states, outputs):
        return None
    if any(int(a.max()) > 15 for a in list(states) + list(tests)):
        return None  # the keys pack each feature in 4 bits; large placeholders do not fit
    out = np.concatenate([a.ravel() for a in outputs])
    bounds = np.cumsum([0] + [a.size for a in outputs])
    train_feats = {f: np.concatenate([feature(a, f, bg).ravel() for a in states]) for f in FEATURES}
    test_feats = {f: np.concatenate([feature(a, f, bg).ravel() for a in tests]) if tests else np.zeros(0, np.int64)
                  for f in FEATURES}
    # Cheap necessary condition: if all features together cannot decide the output, no subset can.
    mixed = np.zeros(len(out), dtype=np.uint64)
    for f in FEATURES:
        mixed = mixed * np.uint64(0x9E3779B97F4A7C15) + train_feats[f].astype(np.uint64)
    if len(np.unique(mixed)) != len(np.unique(mixed * np.uint64(31) + out.astype(np.uint64))):
        return None
    # One dense table per combination (4 bits per feature, so 4096 cases at most) tells in a
    # few vector operations whether its features decide the output: each case is written its
    # output, and every cell must read back its own. This is what makes a call cheap enough
    # to try at every same-shape state.
    table = np.empty(16 ** max_features, dtype=np.int64)
    # A test cell whose case no pair shows keeps its color (so cell_rule does); that is only
    # believable for a cell of a color every pair leaves alone, or of a color no pair has.
    self_train, self_test = train_feats["self"], test_feats["self"]
    changes = set(np.unique(self_train[out != self_train]).tolist())
    quiet_test = ~np.isin(self_test, list(changes)) if len(self_test) else np.zeros(0, bool)
    for size in range(1, max_features + 1):
        best = None  # of this size, the rule with the fewest distinct cases generalises best
        prefix, prefix_key = None, None  # combos come in order: consecutive ones share all but the last
        for combo in _rule_combos(size):
            if combo[:-1] != prefix:
                prefix, prefix_key = combo[:-1], None
                for f in prefix:
                    prefix_key = train_feats[f] if prefix_key is None else prefix_key * 16 + train_feats[f]
            key = train_feats[combo[-1]] if prefix_key is None else prefix_key * 16 + train_feats[combo[-1]]
            cases = table[:16 ** size]
            cases.fill(-1)
            cases[key] = out
            if (cases[key] != out).any():
                continue  # some case has two outputs
            n_cases = int(np.count_nonzero(cases >= 0))
            if best is not None and n_cases >= best[1]:
                continue
            if n_cases > max(8, len(out) // 4):
                continue  # a table nearly as big as the data is memorising, not a rule
            tkey = test_feats[combo[0]]
            for f in combo[1:]:
                tkey = tkey * 16 + test_feats[f]
            if len(tkey) and ((cases[tkey] < 0) & ~quiet_test).any():
                continue  # a test cell's case never occurs in a train pair, and its color may change
            if not _each_pair_predicted_by_the_others(key, bounds, holdout):
                continue
            best = (combo, n_cases, {k: int(cases[k]) for k in np.flatnonzero(cases >= 0).tolist()})
        if best is not None:
            combo, _, cases_out = best
            rule = {}
            for k, value in cases_out.items():
                parts = []
                for _ in combo:
                    parts.append(k % 16)
                    k //= 16
                rule[tuple(reversed(parts))] = value
            return Step("cell_rule", (combo, rule, bg))
    return None


@cache
def _rule_combos(size: int) -> tuple[tuple[str, ...], ...]:
    """The feature combinations a cell rule of `size` features may use."""
    return tuple(c for c in combinations(FEATURES, size)
                 if c != ("self",)  # that is a recolor
                 and (size == 2 and c[0] == "self" or not any(f in POSITION_FEATURES + REGION_FEATURES for f in c))
                 # keeps the triples to about the count before object features came
                 and not (size == 3 and "self" not in c and any(f in OBJECT_FEATURES for f in c)))


def _each_pair_predicted_by_the_others(key: np.ndarray, bounds: np.ndarray, share: float) -> bool:
    """Leave-one-out: at least `share` of each train pair's cells have a key that also occurs in
    another pair, so the table learned without that pair would have predicted them. A table
    that fits only because each pair brought its own entries says little about the test input."""
    if len(bounds) <= 2:
        return True  # one pair: nothing to hold out
    for a, b in zip(bounds[:-1], bounds[1:]):
        others = np.concatenate([key[:a], key[b:]])
        if np.isin(key[a:b], others).mean() < share:
            return False
    return True


def _shape_ratio(big: Arrays, small: Arrays) -> tuple[int, int] | None:
    ratios = set()
    for b, s in zip(big, small):
        if b.shape[0] % s.shape[0] or b.shape[1] % s.shape[1]:
            return None
        ratios.add((b.shape[0] // s.shape[0], b.shape[1] // s.shape[1]))
    if len(ratios) != 1:
        return None
    r = ratios.pop()
    return None if r == (1, 1) else r


def infer_tiling(states: Arrays, outputs: Arrays, tests: Arrays) -> Step | None:
    """Output = blocks, each the state under one symmetry (or blank), the same layout in every pair."""
    ratio = _shape_ratio(outputs, states)
    if ratio is None or ratio[0] > 6 or ratio[1] > 6:
        return None
    ry, rx = ratio
    layout = []
    for i in range(ry):
        row = []
        for j in range(rx):
            for name in list(SYMMETRIES) + ["blank"]:
                ok = True
                for s, o in zip(states, outputs):
                    h, w = s.shape
                    block = o[i * h:(i + 1) * h, j * w:(j + 1) * w]
                    cand = np.zeros_like(s) if name == "blank" else SYMMETRIES[name](s)
                    if cand.shape != block.shape or not (cand == block).all():
                        ok = False
                        break
                if ok:
                    row.append(name)
                    break
            else:
                return None
        layout.append(tuple(row))
    for t in tests:
        if t.shape[0] * ry > 30 or t.shape[1] * rx > 30:
            return None
    return Step("tile_layout", (tuple(layout),))


def infer_scale(states: Arrays, outputs: Arrays, tests: Arrays) -> Step | None:
    """Output = the state scaled up or down by a factor the shapes give."""
    up = _shape_ratio(outputs, states)
    if up is not None:
        if all((upscale(s, *up) == o).all() for s, o in zip(states, outputs)):
            return Step("upscale", up)
        return None
    down = _shape_ratio(states, outputs)
    if down is not None:
        try:
            if all((downscale(s, *down) == o).all() for s, o in zip(states, outputs)):
                return Step("downscale", down)
        except ValueError:
            return None
    return None


def infer_window(states: Arrays, outputs: Arrays, tests: Arrays) -> Step | None:
    """Output = a window of one fixed size at the same corner (or the center) of every state."""
    shapes = {o.shape for o in outputs}
    if len(shapes) != 1:
        return None
    h, w = shapes.pop()
    if any(s.shape[0] < h or s.shape[1] < w for s in list(states) + list(tests)) or \
            all(s.shape == (h, w) for s in states):
        return None
    for anchor in WINDOW_ANCHORS:
        try:
            if all((window(s, anchor, h, w) == o).all() for s, o in zip(states, outputs)):
                for t in tests:
                    window(t, anchor, h, w)
                return Step("window", (anchor, h, w))
        except ValueError:
            continue
    return None


def infer_corner_overlay(states: Arrays, outputs: Arrays, tests: Arrays, bg: int) -> Step | None:
    """Output = the four corner windows of its (fixed) size laid over each other."""
    shapes = {o.shape for o in outputs}
    if len(shapes) != 1:
        return None
    h, w = shapes.pop()
    if h < 2 or w < 2 or any(s.shape[0] < h or s.shape[1] < w for s in list(states) + list(tests)) or \
            any(s.shape == (h, w) for s in states):
        return None
    # Two corners at least must bring something in every state: else one window (infer_window) says it better.
    if any(sum((win != bg).any() for win in (s[:h, :w], s[:h, -w:], s[-h:, :w], s[-h:, -w:])) < 2 for s in states):
        return None
    step = Step("overlay_corners", (h, w, bg))
    if all((step.apply(s) == o).all() for s, o in zip(states, outputs)):
        return step
    return None


def infer_cell_positions(states: Arrays, outputs: Arrays, tests: Arrays, bg: int) -> Step | None:
    """Cells between separator lines filled with one color each by their place in the layout, the same in every
    pair (a cell left as it is in some pair is left alone everywhere)."""
    if not same_shapes(states, outputs):
        return None
    if any(separator_lines(s)[2] in (None, bg) for s in list(states) + list(tests)):
        return None  # lines of background are gaps, not a layout of cells
    try:
        layouts = [cell_boxes(s) for s in list(states) + list(tests)]
    except ValueError:
        return None
    shape = {(len(b), len(b[0])) for b in layouts}
    if len(shape) != 1:
        return None
    table: dict = {}
    kept: set = set()
    for boxes, s, o in zip(layouts, states, outputs):
        for i, row in enumerate(boxes):
            for j, (a, b, c, d) in enumerate(row):
                cell, was = o[a:b, c:d], s[a:b, c:d]
                if (cell == was).all():
                    kept.add((i, j))
                elif (cell == cell.flat[0]).all():
                    if table.setdefault((i, j), int(cell.flat[0])) != cell.flat[0]:
                        return None
                else:
                    return None
        if not (o != s).any():
            return None
    if not table or kept & set(table):
        return None
    return Step("paint_cells_at", (table,))


def infer_gathering(states: Arrays, outputs: Arrays, tests: Arrays, bg: int) -> Step | None:
    """Output = the scattered cells' colors gathered into a small grid of fixed size, in reading order (by row
    or by column, snaking or not)."""
    shapes = {o.shape for o in outputs}
    if len(shapes) != 1:
        return None
    h, w = shapes.pop()
    if h * w > 30 or any(s.size <= h * w for s in states):
        return None
    for by in ("column", "row"):
        for snake in (False, True):
            step = Step("gather_dots", (h, w, by, snake, bg))
            try:
                if all((step.apply(s) == o).all() for s, o in zip(states, outputs)) and _applies(step, tests):
                    return step
            except ValueError:
                break
    return None


def infer_stamp(states: Arrays, outputs: Arrays, tests: Arrays, bg: int, radius: int = 2,
                holdout: bool = True) -> Step | None:
    """A pattern per marker color painted on the background around each of its cells, the marker
    cell itself recolored or not (see dsl.stamp), every offset seen with one color in every pair;
    with `holdout`, the patterns learned from the other pairs must also draw each pair (leave-one-out)."""
    if not same_shapes(states, outputs):
        return None
    changed = [(s != o) for s, o in zip(states, outputs)]
    if not any(c.any() for c in changed):
        return None
    if any((ch & ~_near(s != bg, radius)).any() for s, ch in zip(states, changed)):
        return None  # a stamp paints only cells within `radius` of a marker: the cheap test first
    # A stamp paints background, and may recolor the marker itself: every cell of a marker color
    # that changes must change to one color, in every pair.
    patterns: dict[int, dict[tuple[int, int], int]] = {}
    for c in set().union(*(np.unique(s[(s != bg) & ch]).tolist() for s, ch in zip(states, changed))):
        became = set().union(*(np.unique(o[s == c]).tolist() for s, o in zip(states, outputs)))
        if len(became) != 1:
            return None
        patterns[c] = {(0, 0): became.pop()}
    # Ring by ring outward: a cell an inner ring already paints right is no evidence for an outer
    # offset, which would otherwise pick up another marker's pattern by coincidence.
    for r in range(1, radius + 1):
        ring = [(dy, dx) for dy in range(-r, r + 1) for dx in range(-r, r + 1) if max(abs(dy), abs(dx)) == r]
        votes: dict[int, dict[tuple[int, int], set]] = {}
        for s, o in zip(states, outputs):
            h, w = s.shape
            painted = (stamp(s, patterns, bg) == o) & (o != bg) & (s == bg) if patterns else np.zeros(s.shape, bool)
            for c in np.unique(s[s != bg]).tolist():
                ys, xs = np.nonzero(s == c)
                for off in ring:
                    ty, tx = ys + off[0], xs + off[1]
                    ok = (ty >= 0) & (ty < h) & (tx >= 0) & (tx < w)
                    ty, tx = ty[ok], tx[ok]
                    free = (s[ty, tx] == bg) & ~painted[ty, tx]
                    votes.setdefault(c, {}).setdefault(off, set()).update(o[ty[free], tx[free]].tolist())
        for c, per in votes.items():
            pat = {off: next(iter(v)) for off, v in per.items() if len(v) == 1 and next(iter(v)) != bg}
            if pat:
                patterns[c] = dict(sorted({**patterns.get(c, {}), **pat}.items()))
    if all(set(p) == {(0, 0)} for p in patterns.values()):
        return None  # nothing painted around the markers: a recolor, which infer_recolor finds
    if not all((stamp(s, patterns, bg) == o).all() for s, o in zip(states, outputs)):
        return None
    patterns = _without_redundant_entries(patterns, states, outputs, bg)
    if holdout and len(states) > 2:
        # Leave-one-out: the patterns of the other pairs must draw each pair (three pairs at
        # least, so two remain to learn from).
        for i in range(len(states)):
            rest = [j for j in range(len(states)) if j != i]
            step = infer_stamp([states[j] for j in rest], [outputs[j] for j in rest], [states[i]], bg, radius,
                               holdout=False)
            if step is None or not (stamp(states[i], step.args[0], bg) == outputs[i]).all():
                return None
    palettes = [set(np.unique(s).tolist()) for s in states]
    in_tests = set().union(*(set(np.unique(t).tolist()) for t in tests))
    # A pattern a test marker paints must be confirmed by two pairs: one pair alone shows a
    # marker's pattern and its neighbours' by coincidence alike.
    if holdout and len(states) >= 2 and any(sum(c in p for p in palettes) < 2 for c in patterns if c in in_tests):
        return None
    seen = set().union(*palettes)
    # A marker color the pairs never showed: unknown, unless the pairs show colors that paint
    # nothing, so a new color plainly is one more of those.
    quiet = seen - {bg} - set(patterns)
    if not quiet and any(not set(np.unique(t).tolist()) <= seen for t in tests):
        return None
    return Step("stamp", (patterns, bg))


def _near(mask: np.ndarray, radius: int) -> np.ndarray:
    """The cells within `radius` (rows and columns both) of a True cell of the boolean `mask`."""
    h, w = mask.shape
    # A square's reach is a row's reach of a column's: two passes of 2r+1 shifts, not (2r+1)^2.
    p = np.zeros((h + 2 * radius, w + 2 * radius), dtype=bool)
    p[radius:radius + h, radius:radius + w] = mask
    rows = np.zeros((h, w + 2 * radius), dtype=bool)
    for dy in range(2 * radius + 1):
        rows |= p[dy:dy + h]
    near = np.zeros((h, w), dtype=bool)
    for dx in range(2 * radius + 1):
        near |= rows[:, dx:dx + w]
    return near


def _without_redundant_entries(patterns, states: Arrays, outputs: Arrays, bg: int) -> dict:
    """Drop each entry the pairs are drawn right without (a marker next to another's pattern
    picks up its cells by coincidence), trying the rarest markers' entries first."""
    count = {c: sum(int((s == c).sum()) for s in states) for c in patterns}
    pats = {c: dict(p) for c, p in patterns.items()}
    for c in sorted(pats, key=lambda c: count[c]):
        for off in list(pats[c]):
            color = pats[c].pop(off)
            if not all((stamp(s, pats, bg) == o).all() for s, o in zip(states, outputs)):
                pats[c][off] = color
    return {c: p for c, p in pats.items() if p}


# A lookup table is learned only over small summaries (a color, a count as a row of cells): a
# whole grid seen again in the test input says nothing.
LOOKUP_MAX_CELLS = 30


def infer_lookup(states: Arrays, outputs: Arrays, inputs: Arrays, n_train: int) -> Step | None:
    """Output = the train output whose state equals this one (dsl.lookup), for states (train
    then test) that summarise their inputs in fewer cells and repeat: two pairs at least find
    the entry of an earlier pair (every lookup with one confirmation that the development harness
    found, on training and evaluation, was wrong), and every test state is one a pair has."""
    if n_train < 3 or any(s.size > min(LOOKUP_MAX_CELLS, i.size - 1) for s, i in zip(states, inputs)):
        return None
    tests = states[n_train:]
    table: dict = {}
    for s, o in zip(states[:n_train], outputs):
        key = tuple(map(tuple, s.tolist()))
        out = tuple(map(tuple, o.tolist()))
        if table.setdefault(key, out) != out:
            return None
    if n_train - len(table) < 2 or all(k == v for k, v in table.items()):
        return None  # fewer than two pairs confirm an entry another pair made, or nothing to look up
    if any(tuple(map(tuple, t.tolist())) not in table for t in tests):
        return None
    return Step("lookup", (table,))


def outputs_repeat(outputs: Arrays) -> bool:
    """Every output repeats a tile smaller than itself: worth trying infer_continuation at all."""
    return all(smallest_period(o) != o.shape for o in outputs)


def infer_continuation(states: Arrays, outputs: Arrays, tests: Arrays, bg: int) -> tuple[Step, ...] | None:
    """Output = the state's repeating tile continued over the output's size: the same size, a
    multiple of it, or one fixed size (see dsl.continue_pattern), then recolored if the pairs say so."""
    shapes = {o.shape for o in outputs}
    sizes = []
    if same_shapes(states, outputs):
        sizes.append((1, 1, False))
    ratio = _shape_ratio(outputs, states)
    if ratio is not None:
        sizes.append((ratio[0], ratio[1], False))
    if len(shapes) == 1 and not same_shapes(states, outputs):
        sizes.append((*next(iter(shapes)), True))
    # A one-color strip along an edge: a filler the pattern is to replace, maybe of another color in each grid.
    unknowns = (None, bg, "edge") if edge_filler(states[0]) is not None else (None, bg)
    for ky, kx, fixed in sizes:
        for unknown in unknowns:
            if unknown is None and (ky, kx, fixed) == (1, 1, False):
                continue  # a grid's own tile continued over its own size is the grid itself
            step = Step("continue_pattern", (ky, kx, unknown, fixed))
            try:
                first = step.apply(states[0])
                if first.shape == outputs[0].shape and not (first == outputs[0]).all() \
                        and (np.unique(first).tolist() == np.unique(outputs[0]).tolist()):
                    # The same pattern, shifted: the phase the first pair shows, for every pair to show.
                    phase = _phase(states[0], outputs[0], (ky, kx, unknown, fixed))
                    if phase is not None:
                        step = Step("continue_pattern", (ky, kx, unknown, fixed, phase))
                outs = []
                for s, o in zip(states, outputs):
                    # Pair by pair, so most candidates cost one continuation: each color of it
                    # must become one color of the output (itself, or another by a recolor after).
                    a = step.apply(s)
                    if a.shape != o.shape or len(np.unique(a * 16 + o)) != len(np.unique(a)):
                        break
                    outs.append(a)
                else:
                    test_outs = [step.apply(t) for t in tests]
                    if all((a == o).all() for a, o in zip(outs, outputs)):
                        return (step,)
                    # A pattern continued in other colors: a color map is read off the pairs as usual.
                    recolor = infer_recolor(outs, outputs, test_outs)
                    if recolor is not None:
                        return (step, recolor)
            except (ValueError, IndexError):
                continue
    return None


def _phase(state: np.ndarray, want: np.ndarray, args: tuple) -> tuple[int, int] | None:
    """The shift (not none) within one period that makes the state's continued pattern `want`, if any."""
    py, px = smallest_period(state, args[2])
    if py * px > 16:
        return None  # a tile this big shifted is more likely another pattern
    for sy in range(py):
        for sx in range(px):
            if (sy or sx) and (continue_pattern(state, *args, phase=(sy, sx)) == want).all():
                return sy, sx
    return None


def infer_drift(states: Arrays, outputs: Arrays, tests: Arrays, bg: int) -> Step | None:
    """Output = the state continued downward as its rows repeat, each period shifted sideways
    (dsl.continue_drift), over a multiple of its size or one fixed size. It tries dozens of
    shifts per period, so the search asks it of the inputs alone."""
    if same_shapes(states, outputs) or any(o.shape[0] <= s.shape[0] for s, o in zip(states, outputs)):
        return None
    shapes = {o.shape for o in outputs}
    ratio = _shape_ratio(outputs, states)
    sizes = ([(*ratio, False)] if ratio is not None else []) + ([(*shapes.pop(), True)] if len(shapes) == 1 else [])
    for ky, kx, fixed in sizes:
        step = Step("continue_drift", (ky, kx, fixed, bg))
        try:
            if all((step.apply(s) == o).all() for s, o in zip(states, outputs)):
                for t in tests:
                    step.apply(t)
                return step
        except ValueError:
            continue
    return None


# Object groupings tried by infer_object_recolor: one-color parts (4- then 8-connected), then
# objects of any colors.
_GROUPINGS = ((4, False), (8, False), (8, True))


def _object_targets(states: Arrays, outputs: Arrays, connectivity: int, multicolor: bool, bg: int):
    """Per pair, each object with what the output made of it: None (unchanged) or its one new
    color; None when some object is changed but not to one color."""
    per_pair = []
    for s, o in zip(states, outputs):
        targets = []
        for obj in objects(s, connectivity, multicolor, bg):
            ys, xs = map(list, zip(*obj.cells))
            new = o[ys, xs]
            if (new == s[ys, xs]).all():
                targets.append((obj, None))
            elif (new == new[0]).all():
                targets.append((obj, int(new[0])))
            else:
                return None
        per_pair.append(targets)
    return per_pair


def _values_without_conflict(prop: str, states: Arrays, targets: list[list], connectivity: int, multicolor: bool,
                             bg: int) -> list[list] | None:
    """Each pair's objects' values of `prop`, or None as soon as one value has met two targets
    (computed pair by pair: most properties fail on the first or second pair)."""
    seen: dict = {}
    values = []
    for s, ts in zip(states, targets):
        vs = [v for _, v in property_values(s, prop, connectivity, multicolor, bg)]
        for v, t in zip(vs, ts):
            if seen.setdefault(v, t) != t:
                return None
        values.append(vs)
    return values


def _property_table(values: list[list], targets: list[list], test_values: list) -> tuple[dict, object] | None:
    """The table value -> target that fits every object of every pair, with a default (the target
    of most distinct values, two at least, no other as many) standing in for the rest; None when
    pairs disagree, a test value is neither in the table nor covered by a default, or a value the
    table names occurs in one pair only."""
    table: dict = {}
    for vs, ts in zip(values, targets):
        for v, t in zip(vs, ts):
            if table.setdefault(v, t) != t:
                return None
    by_target: dict = {}
    for v, t in table.items():
        by_target[t] = by_target.get(t, 0) + 1
    top = max(by_target.values())
    default = MISSING = object()
    if top >= 2 and list(by_target.values()).count(top) == 1:
        default = next(t for t, n in by_target.items() if n == top)
    if default is MISSING and any(v not in table for v in test_values):
        return None
    if len(values) > 1:
        # Every value the table names must be confirmed by a second pair: a table of one entry
        # per object (an exact shape, a width) fits any pairs and predicts nothing.
        pairs_with = {}
        for vs in values:
            for v in set(vs):
                pairs_with[v] = pairs_with.get(v, 0) + 1
        if any(pairs_with[v] < 2 for v, t in table.items() if default is MISSING or t != default):
            return None
    if default is MISSING:
        return table, None
    return {v: t for v, t in table.items() if t != default}, default


def infer_object_recolor(states: Arrays, outputs: Arrays, tests: Arrays, bg: int) -> Step | None:
    """Whole objects recolored by one property (size, shape, solidity, rank...: dsl.PROPERTIES),
    learned as a table with a default; the smallest table over the first grouping that fits. Or,
    where only background changes, whole background areas (dsl.recolor_areas)."""
    if not same_shapes(states, outputs) or all((s == o).all() for s, o in zip(states, outputs)):
        return None
    if any(((s == bg) & (s != o)).any() for s, o in zip(states, outputs)):
        return _infer_area_recolor(states, outputs, tests, bg)
    # Every grouping's objects are unions of one-color 4-connected parts, so each such part must
    # come out in one color: a vector check that rejects most states before any labelling.
    for s, o in zip(states, outputs):
        for a, b, oa, ob in ((s[:, :-1], s[:, 1:], o[:, :-1], o[:, 1:]), (s[:-1], s[1:], o[:-1], o[1:])):
            if ((a == b) & (a != bg) & (oa != ob)).any():
                return None
    for connectivity, multicolor in _GROUPINGS:
        per_pair = _object_targets(states, outputs, connectivity, multicolor, bg)
        if per_pair is None:
            continue
        targets = [[t for _, t in pair] for pair in per_pair]
        # An object painted its own rarest color (a shape taking its marker's color) reads as
        # that, not as a color per pair: then one table entry covers every pair.
        if multicolor and all(t is None or (len(set(o.colors)) > 1 and t == minority_color(o))
                              for pair in per_pair for o, t in pair):
            targets = [[None if t is None else "minor" for t in ts] for ts in targets]
        best = _smallest_table(PROPERTIES, states, targets, tests, connectivity, multicolor, bg)
        if best is not None:
            prop, table, default = best
            return Step("recolor_by_property", (prop, table, default, connectivity, multicolor, bg))
    return None


# What a background area can be told apart by: one property, or whether it is enclosed and one more.
_AREA_PROPERTIES = tuple(p for p in PROPERTIES if p not in ("color", "n_colors", "color_count", "twin")) + tuple(
    f"touches_border+{p}" for p in ("size_extreme", "size", "shape_class", "solid_box"))


def _infer_area_recolor(states: Arrays, outputs: Arrays, tests: Arrays, bg: int) -> Step | None:
    if any(((s != bg) & (s != o)).any() for s, o in zip(states, outputs)):
        return None  # objects changed as well
    areas = [np.where(s == bg, 1, 0) for s in states]
    targets = []
    for a, o in zip(areas, outputs):
        ts = []
        for area in objects(a, 4, False, 0):
            ys, xs = map(list, zip(*area.cells))
            new = o[ys, xs]
            if not (new == new[0]).all():
                return None
            ts.append(None if new[0] == bg else int(new[0]))
        targets.append(ts)
    best = _smallest_table(_AREA_PROPERTIES, areas, targets, [np.where(t == bg, 1, 0) for t in tests], 4, False, 0)
    if best is None:
        return None
    prop, table, default = best
    return Step("recolor_areas", (prop, table, default, bg))


def _smallest_table(props: Sequence[str], grids: Arrays, targets: list[list], tests: Arrays, connectivity: int,
                    multicolor: bool, bg: int) -> tuple[str, dict, object] | None:
    """The property, table and default of the smallest table (see _property_table) that fits."""
    best = None
    for prop in props:
        values = _values_without_conflict(prop, grids, targets, connectivity, multicolor, bg)
        if values is None:
            continue
        test_values = [v for t in tests for _, v in property_values(t, prop, connectivity, multicolor, bg)]
        fit = _property_table(values, targets, test_values)
        if fit is not None and (best is None or len(fit[0]) < len(best[1])):
            best = (prop, *fit)
            if len(fit[0]) <= 1:
                break  # one exception to a default: no table is smaller but the one for all objects
    return best


def infer_object_rays(states: Arrays, outputs: Arrays, tests: Arrays, bg: int) -> Step | None:
    """Rays in each color's own directions (dsl.object_rays): every direction whose rays the
    outputs show for every object of that color, if together they draw exactly the outputs."""
    if not same_shapes(states, outputs):
        return None
    if any(((s != bg) & (s != o)).any() for s, o in zip(states, outputs)) or all(
            (s == o).all() for s, o in zip(states, outputs)):
        return None  # only background may change, and some must
    colors = set()
    for s, o in zip(states, outputs):
        colors |= set(np.unique(o[s != o]).tolist())
    table = {}
    for c in sorted(colors):
        if not any((s == c).any() for s in states):
            continue  # a color only the outputs have casts nothing
        dirs = tuple(d for d in DIRECTIONS if all(_rays_kept(s, o, c, d, bg) for s, o in zip(states, outputs)))
        if dirs:
            table[c] = dirs
    if not table:
        return None
    step = Step("object_rays", (table, bg))
    if not all((step.apply(s) == o).all() for s, o in zip(states, outputs)):
        return None
    if not all(set(np.unique(t).tolist()) & set(table) for t in tests):
        return None  # a test input with none of the colors that cast rays
    return step


def _rays_kept(s: np.ndarray, o: np.ndarray, c: int, direction: str, bg: int) -> bool:
    """Whether every ray of color c in `direction` is in output o, and draws something."""
    drawn = object_rays(s, {c: (direction,)}, bg)
    new = drawn != s
    return bool(new.any() and (o[new] == c).all())


def infer_kron(states: Arrays, outputs: Arrays, tests: Arrays, bg: int) -> Step | None:
    """A fractal (dsl.self_kron) when every output is its state's shape squared: a step the
    level-by-level search reaches late, as a state at another shape than the output's ranks low."""
    if not all(o.shape == (s.shape[0] ** 2, s.shape[1] ** 2) for s, o in zip(states, outputs)):
        return None
    colors = sorted(set().union(*(np.unique(s).tolist() for s in states)) - {bg})
    # The copies may sit on black in grids of another background color.
    fills = dict.fromkeys((bg, 0))
    for args in [(f, inv) for f in fills for inv in (False, True)] + [(0, False, "majority")] + [
            (bg, False, c) for c in colors]:
        step = Step("self_kron", args)
        try:
            if all((step.apply(s) == o).all() for s, o in zip(states, outputs)):
                return step
        except ValueError:
            return None
    return None


# The properties that pick one object to crop to, the likelier reasons first. A value shared by one
# object in every pair is a rule when it is "the one with a hole", a coincidence more often when it
# is "the one of 9 cells" or "the fifth smallest": sizes, ranks and exact shapes are left out.
_PICKING = ("size_extreme", "shape_count", "color_count", "holes", "symmetric", "solid_box", "touches_border",
            "n_colors", "bends", "twin", "color")


def infer_crop_by_property(states: Arrays, outputs: Arrays, tests: Arrays, bg: int) -> Step | None:
    """The crop to the one object (dsl.crop_by_property) that a property value singles out in every
    pair and in every test input."""
    windows = []
    for s, o in zip(states, outputs):
        if o.shape[0] > s.shape[0] or o.shape[1] > s.shape[1] or o.shape == s.shape:
            return None
        # Where the output's four corners match first (cheap, and rare), then the whole window.
        (h, w), (oh, ow) = s.shape, o.shape
        corners = ((s[:h - oh + 1, :w - ow + 1] == o[0, 0]) & (s[oh - 1:, ow - 1:] == o[-1, -1])
                   & (s[:h - oh + 1, ow - 1:] == o[0, -1]) & (s[oh - 1:, :w - ow + 1] == o[-1, 0]))
        hits = {(int(y), int(x)) for y, x in np.argwhere(corners) if (s[y:y + oh, x:x + ow] == o).all()}
        if not hits:
            return None  # the output is no part of the state
        windows.append(hits)
    for connectivity, multicolor in ((8, True), (4, False), (8, False)):
        chosen = []
        for s, o, spots in zip(states, outputs, windows):
            fits = [ob for ob in objects(s, connectivity, multicolor, bg)
                    if (ob.height, ob.width) == o.shape and (ob.top, ob.left) in spots]
            if not fits:
                break
            chosen.append(fits)
        else:
            for prop in _PICKING:
                value = _picking_value(prop, states, chosen, connectivity, multicolor, bg)
                if value is None:
                    continue
                step = Step("crop_by_property", (prop, value, connectivity, multicolor, bg))
                if _applies(step, tests):
                    return step
    return None


def _picking_value(prop: str, states: Arrays, chosen: list, connectivity: int, multicolor: bool, bg: int):
    """The value of `prop` that exactly one object has in each state, one of the chosen ones; or None."""
    common = None
    for s, fits in zip(states, chosen):
        values = property_values(s, prop, connectivity, multicolor, bg)
        counts: dict = {}
        for _, v in values:
            counts[v] = counts.get(v, 0) + 1
        here = {v for o, v in values if counts[v] == 1 and any(o is f for f in fits)}
        common = here if common is None else common & here
        if not common:
            return None
    return min(common, key=repr) if len(common) == 1 else None


def _count_form(outputs: Arrays):
    """(form, color, out_bg, counts) when every output draws a number the same way (see dsl.draw_count):
    one color on one background, as an n x n diagonal, a 1 x n row, an n x 1 column, an n x n square, or
    the first n cells of one fixed shape in reading order. None otherwise."""
    colors = [set(np.unique(o).tolist()) for o in outputs]
    same_shape = len({o.shape for o in outputs}) == 1
    for form in ("diag", "row", "column", "square", "fill"):
        if form == "diag":
            if not all(o.shape[0] == o.shape[1] and len(c) == 2 for o, c in zip(outputs, colors)):
                continue
            n = [o.shape[0] for o in outputs]
            color = {int(o[0, 0]) for o in outputs}
            out_bg = {int(o[0, 1]) for o in outputs}
            if len(color) != 1 or len(out_bg) != 1:
                continue
            drawn = [np.where(np.eye(k, dtype=bool), *color, *out_bg) for k in n]
        elif form in ("row", "column", "square"):
            if same_shape or not all(len(c) == 1 for c in colors):
                continue
            color = {int(o[0, 0]) for o in outputs}
            out_bg = {0}
            n = [o.shape[1] if form == "row" else o.shape[0] for o in outputs]
            if len(color) != 1:
                continue
            drawn = [np.full({"row": (1, k), "column": (k, 1), "square": (k, k)}[form], *color) for k in n]
        else:
            if not same_shape or not all(len(c) <= 2 for c in colors):
                continue
            flat = [o.ravel() for o in outputs]
            color = {int(f[0]) for f in flat}
            if len(color) != 1:
                continue
            others = set().union(*colors) - color
            if len(others) != 1:
                continue
            out_bg = others
            n = [int((f == f[0]).sum()) for f in flat]
            drawn = [np.where(np.arange(f.size) < k, *color, *out_bg).reshape(outputs[0].shape)
                     for f, k in zip(flat, n)]
            form = ("fill",) + outputs[0].shape
        if len(set(n)) > 1 and all((d == o).all() for d, o in zip(drawn, outputs)):
            return form, color.pop(), out_bg.pop(), n
    return None


def infer_count_drawing(states: Arrays, outputs: Arrays, tests: Arrays, bg: int) -> Step | None:
    """A number drawn (dsl.draw_count) when the outputs show how many of something each state has:
    the count that matches every pair, of objects, colors, or one color's objects, blocks or cells.
    The counts must differ between pairs, or a constant output would pass as one."""
    if same_shapes(states, outputs):
        return None
    found = _count_form(outputs)
    if found is None:
        return None
    form, color, out_bg, counts = found
    palette = sorted(set().union(*(np.unique(s).tolist() for s in states)) - {bg})
    sources = list(COUNT_SOURCES) + [f"{kind}:{c}" for kind in COUNT_SOURCES_PER_COLOR for c in palette]
    for source in sources:
        if all(count_of(s, source, bg) == n for s, n in zip(states, counts)):
            step = Step("draw_count", (source, form, color, bg, out_bg))
            if _applies(step, tests):
                return step
    return None


def _block_grid(states: Arrays, outputs: Arrays) -> tuple[int, int] | None:
    """(rows, columns) when every state cuts into that grid of blocks of its output's shape, with or
    without one-cell separators between them."""
    grids = set()
    for s, o in zip(states, outputs):
        (h, w), (oh, ow) = s.shape, o.shape
        if (h, w) == (oh, ow):
            return None
        if h % oh == 0 and w % ow == 0:
            grids.add((h // oh, w // ow))
        elif (h + 1) % (oh + 1) == 0 and (w + 1) % (ow + 1) == 0:
            grids.add(((h + 1) // (oh + 1), (w + 1) // (ow + 1)))
        else:
            return None
    return grids.pop() if len(grids) == 1 else None


def infer_block_logic(states: Arrays, outputs: Arrays, tests: Arrays, bg: int) -> tuple[Step, Step] | None:
    """A boolean op over the blocks a state cuts into (dsl.combine_parts), then the colors of its 1s and
    0s, when each output has one block's shape."""
    grid = _block_grid(states, outputs)
    if grid is None or not all(len(np.unique(o)) <= 2 for o in outputs):
        return None
    for op in BOOLEAN_OPS:
        step = Step("combine_parts", (op, bg, grid))
        try:
            masks, test_masks = [step.apply(s) for s in states], [step.apply(t) for t in tests]
        except ValueError:
            return None
        paint = infer_recolor(masks, outputs, test_masks)
        if paint is not None:
            return step, paint
    return None


def infer_overlay_order(states: Arrays, outputs: Arrays, tests: Arrays, bg: int) -> Step | None:
    """The parts of each state stacked in a learned order (dsl.overlay_parts) when every output has one
    part's shape: the state cut into equal blocks, with or without one-cell separators. The orders
    that fit every pair must agree on the test inputs, or none is believed."""
    grid = _block_grid(states, outputs)
    n = grid[0] * grid[1] if grid else 0
    if not 2 <= n <= 5:
        return None
    try:
        stacks = [np.stack(blocks(s, *grid)) for s in states]
        test_stacks = [np.stack(blocks(t, *grid)) for t in tests]
    except ValueError:
        return None
    # Stacking sees through the background: every part, the test inputs' too, must have some.
    if not all((p == bg).any(axis=(1, 2)).all() for p in stacks + test_stacks):
        return None
    if any(p.shape[1:] != o.shape for p, o in zip(stacks, outputs)):
        return None
    # Every output cell must be background where all parts are, and one part's color elsewhere.
    for p, o in zip(stacks, outputs):
        filled = (p != bg).any(axis=0)
        if (filled != (o != bg)).any() or not (p == o).any(axis=0)[filled].all():
            return None
    # By part (the first part of `order` at the bottom), or where parts are of several colors, by color.
    colors = sorted(set().union(*(np.unique(p).tolist() for p in stacks)) - {bg})
    candidates = [Step("overlay_parts", (bg, False, order, grid)) for order in permutations(range(n))]
    if any(len(np.unique(part[part != bg])) > 1 for p in stacks for part in p) and len(colors) <= 5:
        candidates += [Step("overlay_parts", (bg, False, None, grid, rank)) for rank in permutations(colors)]
    fits, answers = [], set()
    for step in candidates:
        if all((step.apply(s) == o).all() for s, o in zip(states, outputs)):
            fits.append(step)
            answers.add(tuple(step.apply(t).tobytes() for t in tests))
    if not fits or len(answers) > 1:
        return None
    return fits[0]


def _has_full_line(g: np.ndarray) -> bool:
    """Whether some row or column is one color all the way across."""
    return bool((g == g[:, :1]).all(axis=1).any() or (g == g[:1]).all(axis=0).any())


def infer_cell_copies(states: Arrays, outputs: Arrays, tests: Arrays, bg: int) -> Step | None:
    """Cells between separator lines filled with the first cell turned or flipped (dsl.transform_cells),
    one symmetry per cell position, the same in every pair."""
    if not same_shapes(states, outputs) or not all(_has_full_line(s) for s in states):
        return None  # no separator line, so no cells (a cheaper test than finding the cells)
    try:
        layouts = [[box for row in cell_boxes(s) for box in row] for s in list(states) + list(tests)]
    except ValueError:
        return None
    if len({len(boxes) for boxes in layouts}) != 1:
        return None
    ops = []
    for i in range(len(layouts[0])):
        fits = [None] + list(SYMMETRIES)
        for s, o, boxes in zip(states, outputs, layouts):
            a, b, c, d = boxes[i]
            a0, b0, c0, d0 = boxes[0]
            first, want = s[a0:b0, c0:d0], o[a:b, c:d]
            if len(np.unique(first)) < 2:
                return None  # a blank or one-color first cell: nothing to turn
            fits = [op for op in fits if op is None and (want == s[a:b, c:d]).all()
                    or op is not None and apply_symmetry(first, op).shape == want.shape
                    and (apply_symmetry(first, op) == want).all()]
            if not fits:
                return None
        ops.append(fits[0])
    if all(op is None for op in ops):
        return None
    step = Step("transform_cells", (tuple(ops),))
    return step if _applies(step, tests) else None


def infer_color_shifts(states: Arrays, outputs: Arrays, tests: Arrays, bg: int) -> Step | None:
    """Each color's cells moved by one offset of its own (dsl.shift_colors): the offset the first pair
    showing the color gives, kept only if every pair agrees; every test color must be one a pair has."""
    if not same_shapes(states, outputs) or all((s == o).all() for s, o in zip(states, outputs)):
        return None
    for s, o in zip(states, outputs):
        n = int(max(s.max(), o.max(), bg)) + 1  # placeholders count as colors too
        have, want = np.bincount(s.ravel(), minlength=n), np.bincount(o.ravel(), minlength=n)
        want[bg] = have[bg] = 0
        if (want > have).any():
            return None  # a move adds no cells of any color (only the background grows)
    seen = set().union(*(np.unique(s).tolist() for s in states))
    if any(not set(np.unique(t).tolist()) <= seen for t in tests):
        return None
    moves = {}
    for c in sorted(seen - {bg}):
        pairs = [(np.argwhere(s == c), np.argwhere(o == c)) for s, o in zip(states, outputs) if (s == c).any()]
        if all(len(a) == len(b) and (a == b).all() for a, b in pairs):
            continue  # the color stays
        a, b = pairs[0]
        if not len(b) or len(pairs[0][0]) > 200:
            return None
        for dy, dx in sorted({tuple(int(v) for v in cell - a[0]) for cell in b}, key=lambda d: abs(d[0]) + abs(d[1])):
            if all(_shifted_cells(s, c, dy, dx) == set(map(tuple, np.argwhere(o == c).tolist()))
                   for s, o in zip(states, outputs) if (s == c).any()):
                moves[c] = (dy, dx)
                break
        else:
            return None
    if not moves:
        return None
    step = Step("shift_colors", (moves, bg))
    if all((step.apply(s) == o).all() for s, o in zip(states, outputs)):
        return step
    return None


def _shifted_cells(g: np.ndarray, c: int, dy: int, dx: int) -> set[tuple[int, int]]:
    h, w = g.shape
    return {(y + dy, x + dx) for y, x in np.argwhere(g == c).tolist() if 0 <= y + dy < h and 0 <= x + dx < w}
