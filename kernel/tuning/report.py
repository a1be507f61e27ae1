"""report.html: one self-contained page (no network) for a run: the summary, the plots, and
every task's pairs, test inputs, attempts and solution drawn in the ARC palette, with the
program behind an answer and its verification, and filters for solved / unsolved /
wrong-but-verified tasks."""

from __future__ import annotations

import base64
import html
import json
import logging
from pathlib import Path

from ..grids import parse_grid
from ..orchestrator.metrics import summary_lines
from ..orchestrator.selection import collect, rank_grids
from ..trace import read_trace, verified_candidates
from ..tasks import TaskSet
from .replay import load_recording

log = logging.getLogger(__name__)

# The standard ARC colors 0-9.
PALETTE = ["#000000", "#0074D9", "#FF4136", "#2ECC40", "#FFDC00", "#AAAAAA", "#F012BE", "#FF851B", "#7FDBFF",
           "#870C25"]

STYLE = """
body{font-family:system-ui,sans-serif;margin:20px;background:#fafafa;color:#222}
pre.summary{background:#fff;border:1px solid #ddd;max-height:none}
.task{background:#fff;border:1px solid #ddd;border-radius:6px;margin:12px 0;padding:8px 12px}
table.grids{border-collapse:collapse;font-size:12px;margin:4px 0}table.grids td,table.grids th{border:1px solid #ddd;padding:2px 6px;text-align:right}
.task h3{margin:4px 0}.solved h3{color:#1a7f37}.unsolved h3{color:#555}.wrongverified h3{color:#cf222e}
.row{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start;margin:6px 0}
.cell{display:flex;flex-direction:column;align-items:center;font-size:11px;color:#555}
canvas.grid{border:1px solid #999;image-rendering:pixelated;margin-top:2px}
pre{background:#f3f3f3;padding:6px;font-size:11px;max-height:240px;overflow:auto}
.filters button{margin-right:6px;padding:4px 10px}.filters button.on{background:#0074D9;color:#fff}
img.plot{max-width:48%;margin-right:1%;border:1px solid #ddd;background:#fff}
"""

SCRIPT = """
const PALETTE = %s;
function draw(c){const g=JSON.parse(c.dataset.grid);const h=g.length,w=g[0].length;
 const s=Math.max(4,Math.min(16,Math.floor(180/Math.max(h,w))));c.width=w*s;c.height=h*s;
 const x=c.getContext('2d');for(let i=0;i<h;i++)for(let j=0;j<w;j++){x.fillStyle=PALETTE[g[i][j]];x.fillRect(j*s,i*s,s,s);}}
document.querySelectorAll('canvas.grid').forEach(draw);
function show(kind){document.querySelectorAll('.task').forEach(t=>{t.style.display=(kind==='all'||t.classList.contains(kind))?'':'none';});
 document.querySelectorAll('.filters button').forEach(b=>b.classList.toggle('on',b.dataset.kind===kind));}
document.querySelectorAll('.filters button').forEach(b=>b.onclick=()=>show(b.dataset.kind));
""" % json.dumps(PALETTE)


def _canvas(grid, label: str) -> str:
    if grid is None:
        return f'<div class="cell">{html.escape(label)}<div>(none)</div></div>'
    data = html.escape(json.dumps([list(r) for r in grid], separators=(",", ":")))
    return f'<div class="cell">{html.escape(label)}<canvas class="grid" data-grid="{data}"></canvas></div>'


def _png(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def _summary(metrics: dict) -> str:
    """The same summary the commands print at the end of a run."""
    return f'<pre class="summary">{html.escape(chr(10).join(summary_lines(metrics)))}</pre>'


def write_report(run_dir: Path, taskset: TaskSet, out: Path | None = None) -> Path:
    from .plots import score_curves, timeline

    run_dir = Path(run_dir)
    out = out or run_dir / "report.html"
    events = list(read_trace(run_dir / "trace.jsonl"))
    metrics = json.loads((run_dir / "metrics.json").read_text())
    submission = json.loads((run_dir / "submission.json").read_text())
    rec = load_recording(events)
    plots = []
    # The plots are also left beside the report as PNG files, for slides and notes.
    try:
        if taskset.has_solutions:
            plots.append(_png(score_curves(rec, taskset, out.with_name("score_curves.png"))))
        plots.append(_png(timeline(rec, out.with_name("timeline.png"))))
    except ImportError as e:  # matplotlib missing: the page without plots
        log.warning("no plots in the report (%s)", e)
    programs = verified_candidates(rec.events)
    collected = collect(rec.events, {t.id: len(t.test) for t in taskset.tasks})
    sections, counts = [], {"solved": 0, "unsolved": 0, "wrongverified": 0}
    for task in taskset.tasks:
        attempts = submission.get(task.id, [])
        solutions = [p.output for p in task.test]
        right = [sol is not None and any(_grid(a.get(k)) == sol for k in ("attempt_1", "attempt_2"))
                 for a, sol in zip(attempts, solutions)]
        verified = programs.get(task.id, [])
        solved = bool(right) and all(right) and len(right) == len(task.test)
        kind = "solved" if solved else ("wrongverified" if verified and all(s is not None for s in solutions)
                                        else "unsolved")
        counts[kind] += 1
        train = "".join(f'<div class="row">{_canvas(p.input, f"train {i + 1} input")}'
                        f'{_canvas(p.output, "output")}</div>' for i, p in enumerate(task.train))
        tests = []
        for i, p in enumerate(task.test):
            a = attempts[i] if i < len(attempts) else {}
            tests.append(f'<div class="row">{_canvas(p.input, f"test {i + 1} input")}'
                         f'{_canvas(_grid(a.get("attempt_1")), "attempt 1")}{_canvas(_grid(a.get("attempt_2")), "attempt 2")}'
                         f'{_canvas(p.output, "solution")}</div>' + _grid_table(collected, task.id, i, p.output, rec.method))
        program = ""
        if verified:
            best = min(verified, key=lambda e: len(e["code"]))
            outs = [_grid(g) for g in (best.get("test") or [])]
            verdict = ("its test outputs match the solutions" if outs == solutions else
                       "its test outputs do not match the solutions (a false positive)") \
                if all(s is not None for s in solutions) else "no solution known"
            program = (f"<p>verified program ({len(verified)} passed every train pair; the shortest, from "
                       f"{html.escape(str(best.get('stage')))}): {verdict}</p><pre>{html.escape(best['code'])}</pre>")
        label = {"solved": "solved", "unsolved": "unsolved", "wrongverified": "wrong but verified"}[kind]
        sections.append(f'<section class="task {kind}" id="{html.escape(task.id)}"><h3>{html.escape(task.id)} '
                        f'&mdash; {label}</h3>{train}{"".join(tests)}{program}</section>')
    on = ' class="on"'
    filters = ('<div class="filters">' + "".join(
        f'<button data-kind="{k}"{on if k == "all" else ""}>{t}</button>'
        for k, t in (("all", f"all ({len(taskset.tasks)})"), ("solved", f"solved ({counts['solved']})"),
                     ("unsolved", f"unsolved ({counts['unsolved']})"),
                     ("wrongverified", f"wrong but verified ({counts['wrongverified']})"))) + "</div>")
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>ARC run report</title><style>{STYLE}</style>"
            f"</head><body><h1>ARC run report</h1>{_summary(metrics)}"
            + "".join(f'<img class="plot" src="{p}" alt="plot">' for p in plots)
            + f"<h2>Tasks</h2>{filters}{''.join(sections)}<script>{SCRIPT}</script></body></html>")
    out.write_text(page, encoding="utf-8")
    return out


def _grid_table(col, task_id: str, i: int, solution, method: str, rows: int = 5) -> str:
    """The sampled grids of one test input as selection.method ranked them, with their votes,
    the samples' mean log-probability and the likelihood under the scoring views."""
    key = (task_id, i)
    votes = col.grid_votes.get(key)
    if not votes:
        return ""
    logprobs, scores = col.grid_logprobs.get(key, {}), col.scores.get(key) or {}
    ranked = rank_grids(votes, logprobs, scores or None, method)
    body = "".join(
        f"<tr><td>{k + 1}</td><td>{len(g)}x{len(g[0])}</td><td>{votes[g]}</td>"
        f"<td>{'' if not logprobs.get(g) else f'{sum(logprobs[g]) / len(logprobs[g]):.2f}'}</td>"
        f"<td>{'' if g not in scores else f'{scores[g]:.2f}'}</td><td>{'yes' if g == solution else ''}</td></tr>"
        for k, g in enumerate(ranked[:rows]))
    return (f'<table class="grids"><tr><th>rank ({html.escape(method)})</th><th>shape</th><th>votes</th>'
            f'<th>sampled log-prob</th><th>likelihood (views)</th><th>right</th></tr>{body}</table>')


def _grid(obj):
    try:
        return parse_grid(obj) if obj is not None else None
    except Exception:  # a malformed attempt is drawn as none
        return None
