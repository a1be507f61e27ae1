"""PNG plots of a recorded run: score against each stage's time (the scaling curve), and the
run's timeline against its deadline."""

from __future__ import annotations

from pathlib import Path

from ..pipeline import STAGES
from ..tasks import TaskSet
from .replay import Recording, replay

COLORS = {s.name: s.color for s in STAGES.values()}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only: no display here or on Kaggle
    import matplotlib.pyplot as plt

    return plt


def score_curves(rec: Recording, taskset: TaskSet, path: Path, points: int = 16) -> Path:
    """For each stage: the replayed score when only that stage's time is cut (the others keep
    what they had), against its time and the predictions per task it had made by then."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    tasks = max(1, len(taskset.tasks))
    for name, st in rec.stages.items():
        span = max(st.seconds, 1e-3)
        xs, ys, preds = [], [], []
        for k in range(points + 1):
            t = span * k / points
            budgets = dict(rec.budgets_s)
            budgets[name] = t
            ys.append(replay(rec, taskset, budgets, rec.total_s).score or 0.0)
            xs.append(t)
            preds.append(sum(1 for offset, _ in rec.candidates.get(name, []) if offset <= t) / tasks)
        ax.plot(xs, ys, marker=".", color=COLORS.get(name), label=f"{name} ({preds[-1]:.1f} predictions/task)")
    ax.set_xlabel("stage time, s (the other stages as recorded)")
    ax.set_ylabel("official score (replayed)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Score against each stage's time")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def timeline(rec: Recording, path: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.45 * max(1, len(rec.stages))), dpi=100)
    t0 = rec.events[0]["t"]
    for i, (name, st) in enumerate(rec.stages.items()):
        ax.barh(i, st.seconds, left=st.start - t0, color=COLORS.get(name, "#888888"))
        ax.barh(i, st.budget_s, left=st.start - t0, fill=False, edgecolor="#555555", linestyle=":")
    ax.axvline(rec.total_s, color="#FF4136", linewidth=2, label="deadline")
    ax.set_yticks(range(len(rec.stages)), list(rec.stages))
    ax.set_xlabel("seconds from the start of the run (dotted: each stage's budget)")
    ax.set_xlim(0, max(rec.total_s, max((st.start - t0 + st.seconds for st in rec.stages.values()), default=0)) * 1.02)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Timeline")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
