"""The tasks a recorded run was made on, found from its folder (metrics.json names the dataset,
the trace's run_start the count and a fingerprint that must match)."""

from __future__ import annotations

import json
from pathlib import Path

from ..tasks import TaskSet, load_tasks


def recorded_tasks(run_dir: Path, run_start: dict, dataset: str | None = None, solutions: str | None = None,
                   need_solutions: bool = True) -> TaskSet:
    limit = None
    if dataset is None:
        try:
            dataset = json.loads((Path(run_dir) / "metrics.json").read_text())["dataset"]
        except (OSError, ValueError, KeyError):
            raise ValueError(f"no metrics.json in {run_dir} to say which tasks the run had: pass --dataset") from None
        limit = run_start.get("tasks")
    ts = load_tasks(dataset, solutions=solutions).limit(limit)
    if ts.fingerprint != run_start.get("tasks_fingerprint"):
        raise ValueError(f"{dataset}: not the tasks of that run (their fingerprint differs); pass the --dataset it ran on")
    if need_solutions and not ts.has_solutions:
        raise ValueError(f"{dataset}: no solutions known, so there is nothing to score: pass --solutions")
    return ts
