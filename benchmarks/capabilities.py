#!/usr/bin/env python3
"""What the DSL search still misses on ARC-AGI-1 training, by capability: reads the
classification of the tasks the search did not solve before the breadth work
(benchmarks/data/arc1-training-unsolved.tsv: task, missing capability, a note; made by reading
each task) and a search run's submission, and prints a table: capability, tasks, solved now.

    python benchmarks/capabilities.py runs/bench-search/arc-agi-1_training
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kernel.scoring import score_submission  # noqa: E402
from kernel.tasks import load_tasks  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "arc1-training-unsolved.tsv"

# The DSL families added for each capability; a capability without one was left for later.
ADDED = {
    "pieces-assemble": "each_cell, cell_colors, paint_cells, each_object, stack_objects",
    "select-piece": "window finisher; most_minority selector, compress; crop_inside_frame, split_part, "
                    "crop_most_color; crop_by_property finisher",
    "stamp-template": "stamp finisher (one pattern per marker color, rings inside out); copy_template",
    "object-move": "attract; move_by_size, nudge",
    "pattern-continue": "continue_pattern finisher; continue_drift",
    "line-drawing": "rays and segments in a placeholder color; dotted_rays, project_markers, mark_midpoints; "
                    "object_rays finisher",
    "object-recolor-by-property": "object features in cell rules; mark_half, unify_colors; "
                                  "recolor_by_property finisher",
    "fill-regions": "object features in cell rules (enclosed, holes); fill_empty_lines; label_enclosed, label_areas; "
                    "recolor_areas finisher",
    "local-rule": "object features in cell rules",
    "multi-rule": "composition of partial chains (combine_changes)",
    "denoise": "line_majority",
    "symmetry-complete": "symmetrize_content",
    "count-to-output": "lookup finisher over small summaries",
    "tile-transformed": "self_kron finisher",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    ap.add_argument("run", help="a `python -m kernel search --dataset arc-agi-1/training` output folder")
    args = ap.parse_args()
    rows = list(csv.DictReader(DATA.open(), delimiter="\t"))
    sub = json.loads((Path(args.run) / "submission.json").read_text())
    report = score_submission(sub, load_tasks("arc-agi-1/training").solutions())
    solved = {t.task_id: t.score for t in report.tasks}
    per, now = Counter(), Counter()
    for r in rows:
        per[r["capability"]] += 1
        now[r["capability"]] += solved.get(r["task"], 0.0)
    print(f"{len(rows)} ARC-AGI-1 training tasks unsolved before; solved by the run in {args.run}: "
          f"{sum(now.values()):g}\n")
    print("| missing capability | tasks | solved now | added |")
    print("|---|---|---|---|")
    for cap, n in per.most_common():
        print(f"| {cap} | {n} | {now[cap]:g} | {ADDED.get(cap, 'no')} |")


if __name__ == "__main__":
    main()
