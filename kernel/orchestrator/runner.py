"""The orchestrator: spends a time budget on stages and never ends without a valid
submission.json.

Order of events: the fallback submission is written at once; the CPU search starts alongside;
the other stages run one after another, each until it finishes or reaches its deadline (time it
leaves unused flows to the next); after each stage, answers are selected from every candidate in
the trace and submission.json is rewritten atomically. A stage past its deadline gets SIGTERM,
then SIGKILL to its process group after `stop_grace`. SIGTERM or Ctrl-C to the orchestrator
stops the stages the same way and still writes the best submission it has.

Some of what a stage starts leaves its process group on purpose (each vLLM engine and each
sandboxed program has a group of its own, so it can be killed alone), and a grandchild of a
killed stage would otherwise be re-parented to init and live on, holding GPU memory. So the
orchestrator is a child subreaper: such orphans become its children, and it kills them."""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..pipeline import STAGES
from ..procs import become_subreaper, kill_group
from ..stages.context import StageContext
from ..stages.process import stage_main
from ..submission import build_submission, expected_entries, write_json_atomic, write_submission
from ..tasks import TaskSet
from ..trace import TraceWriter, read_trace, trace_size
from .budget import Plan, make_plan
from .metrics import stage_figures
from .selection import collect, ranked_answers

log = logging.getLogger(__name__)


@dataclass
class RunOptions:
    out: Path
    stages: list[str]
    total_s: float
    margin_s: float
    finish_reserve_s: float
    stop_grace_s: float
    budgets: dict[str, float | str]
    model: str | None = None
    adapter: str | None = None
    replay: tuple[str, ...] = ()
    programs_file: str | None = None
    faults: dict[str, str] = field(default_factory=dict)  # stage -> hang | crash | exit; "select" -> crash
    resume: bool = True
    verbose: bool = False
    submission_path: Path | None = None


@dataclass
class StageRun:
    name: str
    budget_s: float
    deadline: float
    started: float = 0.0
    ended: float = 0.0
    status: str = "pending"  # ok | stopped | killed | crashed | skipped | resumed
    detail: str = ""
    proc: mp.Process | None = None
    term_sent: float | None = None
    trace_offset: int = 0  # the trace's size when the stage started: its events come after

    @property
    def seconds(self) -> float:
        return max(0.0, self.ended - self.started) if self.started else 0.0

    def to_json(self) -> dict:
        return {"status": self.status, "seconds": round(self.seconds, 3), "budget_s": round(self.budget_s, 3),
                "detail": self.detail}


@dataclass
class RunResult:
    submission_path: Path
    stages: list[StageRun]
    metrics: dict
    overhead_s: float


def union_length(intervals: list[tuple[float, float]]) -> float:
    total, end = 0.0, float("-inf")
    for a, b in sorted(intervals):
        if b > end:
            total += b - max(a, end)
            end = b
    return total


class Orchestrator:
    """Owns its process's children: run it in a process of its own (the CLI does), since it
    kills any child that is not one of its stages."""

    def __init__(self, taskset: TaskSet, cfg: Config, opts: RunOptions) -> None:
        self.taskset, self.cfg, self.opts = taskset, cfg, opts
        self.out = opts.out
        self.sub_path = opts.submission_path or self.out / "submission.json"
        self.trace_path = self.out / "trace.jsonl"
        self.n_tests = {t.id: len(t.test) for t in taskset.tasks}
        self.expected = expected_entries(taskset)
        self.terminating = False
        self.runs: list[StageRun] = []
        self.select_s = 0.0
        self.ttft_dir = self.out / "ttft"
        self.adapters: str | None = None  # set once test-time fine-tuning has left adapters

    # --- signals -------------------------------------------------------------------------------
    def _on_signal(self, signum, frame) -> None:
        if not self.terminating:
            log.warning("received %s: stopping the stages and writing the best submission so far",
                        signal.Signals(signum).name)
        self.terminating = True

    # --- resume --------------------------------------------------------------------------------
    def _prior(self, fingerprint: str) -> list[dict]:
        if not self.trace_path.exists():
            return []
        events = list(read_trace(self.trace_path))
        starts = [e for e in events if e["event"] == "run_start"]
        if not self.opts.resume or not starts or starts[0].get("tasks_fingerprint") != fingerprint:
            if self.opts.resume and starts:
                log.warning("%s is from another task set: starting afresh", self.trace_path)
            self.trace_path.unlink()
            shutil.rmtree(self.ttft_dir, ignore_errors=True)  # adapters trained for that other run
            return []
        return events

    @staticmethod
    def _done_keys(prior: list[dict], stage: str) -> frozenset[str]:
        keys = set()
        for e in prior:
            if e.get("stage") != stage:
                continue
            if e["event"] == "task_done":
                keys.add(e["task_id"])
            elif e["event"] == "candidate" and e.get("prompt_id"):
                keys.add(e["prompt_id"])
        return frozenset(keys)

    # --- stages --------------------------------------------------------------------------------
    def _start(self, run: StageRun, done: frozenset[str]) -> None:
        adapters = str(self.ttft_dir) if run.name == "ttft" else self.adapters
        ctx = StageContext(run.name, tuple(self.taskset.tasks), self.cfg, str(self.trace_path), run.deadline,
                           self.opts.model, self.opts.adapter, tuple(self.opts.replay), self.opts.programs_file,
                           self.opts.faults.get(run.name), done, self.opts.verbose, adapters)
        run.proc = mp.get_context("spawn").Process(target=stage_main, args=(ctx,), name=f"stage-{run.name}")
        run.trace_offset = trace_size(self.trace_path)
        run.started = time.monotonic()
        run.proc.start()
        self.trace.write("stage_start", stage=run.name, budget_s=round(run.budget_s, 3),
                         deadline_in_s=round(run.deadline - run.started, 3), resumed_keys=len(done))
        log.info("stage %s started (budget %.0f s)", run.name, run.budget_s)

    def _kill_group(self, run: StageRun) -> None:
        kill_group(run.proc.pid)

    def _supervise(self, runs: list[StageRun], until_done: list[StageRun]) -> None:
        """Watch `runs` (deadlines, exits) until every run in `until_done` has ended."""
        grace = self.opts.stop_grace_s
        next_sweep = 0.0
        while any(r.status == "running" for r in until_done):
            now = time.monotonic()
            if now >= next_sweep:
                self._sweep_orphans()
                next_sweep = now + 1.0
            for r in runs:
                if r.status != "running":
                    continue
                if not r.proc.is_alive():
                    self._finish(r)
                elif r.term_sent is None and (self.terminating or now >= r.deadline):
                    if not kill_group(r.proc.pid, signal.SIGTERM):  # not yet leading its group: still starting
                        try:
                            os.kill(r.proc.pid, signal.SIGTERM)
                        except (ProcessLookupError, PermissionError):
                            pass
                    r.term_sent = now
                    self.trace.write("stage_stop", stage=r.name, reason="terminating" if self.terminating else "deadline")
                elif r.term_sent is not None and now >= r.term_sent + grace:
                    self._kill_group(r)
                    r.proc.join(timeout=10)
                    self._finish(r, killed=True)
            time.sleep(0.05)

    def _sweep_orphans(self) -> int:
        """Kill every child that is not a stage process (those are reaped by multiprocessing):
        orphans re-parented here from stages that ended or from their crashed helpers."""
        import psutil
        from multiprocessing import resource_tracker

        known = {r.proc.pid for r in self.runs if r.proc is not None}
        known.add(getattr(resource_tracker._resource_tracker, "_pid", None))
        orphans = []
        for child in psutil.Process().children():
            if child.pid not in known:
                try:
                    orphans += child.children(recursive=True) + [child]
                except psutil.NoSuchProcess:
                    pass
        for p in orphans:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(orphans, timeout=5)
        if orphans:
            log.warning("killed %d process(es) left behind by stages", len(orphans))
        return len(orphans)

    def _finish(self, r: StageRun, killed: bool = False) -> None:
        r.proc.join(timeout=10)
        self._kill_group(r)  # whatever the stage left behind in its group (engine processes, sandboxes)
        self._sweep_orphans()
        r.ended = time.monotonic()
        done_event = next((e for e in read_trace(self.trace_path, r.trace_offset)
                           if e["event"] == "stage_done" and e.get("stage") == r.name), None)
        done = done_event is not None
        code = r.proc.exitcode
        if killed:
            r.status, r.detail = "killed", f"did not stop within {self.opts.stop_grace_s:g} s of SIGTERM"
        elif code == 0 and done:
            # A stage that stopped at its own deadline, before the SIGTERM came (on a loaded machine the
            # supervisor can be late), left work undone too: "ok" would keep a resumed run from finishing it.
            r.status = "stopped" if r.term_sent is not None or done_event.get("stopped") else "ok"
            r.detail = str((done_event.get("stats") or {}).get("note") or "")  # e.g. sampled without LoRA
        elif r.term_sent is not None and code == -signal.SIGTERM:
            r.status, r.detail = "stopped", "ended by SIGTERM while it was starting"
        else:
            r.status = "crashed"
            r.detail = (f"killed by signal {signal.Signals(-code).name}" if code is not None and code < 0
                        else f"exit code {code}")
        self.trace.write("stage_end", stage=r.name, status=r.status, detail=r.detail, seconds=round(r.seconds, 3))
        level = logging.INFO if r.status in ("ok", "stopped") else logging.ERROR
        log.log(level, "stage %s %s after %.1f s%s", r.name, r.status, r.seconds, f" ({r.detail})" if r.detail else "")

    # --- selection -----------------------------------------------------------------------------
    def select_and_write(self, after: str) -> None:
        t = time.monotonic()
        try:
            if self.opts.faults.get("select") == "crash" and after != "fallback":
                raise RuntimeError("fault drill: selection crashed")
            answers = ranked_answers(collect(read_trace(self.trace_path), self.n_tests), self.n_tests,
                                     self.cfg.selection.method)
            write_submission(self.sub_path, build_submission(self.taskset, answers), self.expected)
            self.trace.write("submission", after=after, tasks_answered=len(answers))
        except Exception as e:  # the last good file stays; a broken selection must not end the run
            log.error("selection after %s failed (%s: %s); keeping the previous submission", after, type(e).__name__, e)
            self.trace.write("submission_failed", after=after, error=f"{type(e).__name__}: {e}")
        self.select_s += time.monotonic() - t

    # --- the run -------------------------------------------------------------------------------
    def run(self) -> RunResult:
        t0 = time.monotonic()
        self.out.mkdir(parents=True, exist_ok=True)
        write_submission(self.sub_path, build_submission(self.taskset), self.expected)  # valid from the first second
        become_subreaper()
        fingerprint = self.taskset.fingerprint
        prior = self._prior(fingerprint)
        plan: Plan = make_plan(t0, self.opts.total_s, self.opts.margin_s, self.opts.finish_reserve_s,
                               self.opts.stop_grace_s, self.opts.budgets, self.opts.stages)
        self.trace = TraceWriter(self.trace_path)
        self.trace.write("run_start", tasks=len(self.taskset.order), tasks_fingerprint=fingerprint,
                         stages=self.opts.stages, budgets_s={k: round(v, 3) for k, v in plan.budgets.items()},
                         deadline_in_s=round(plan.total_s, 3), finish_reserve_s=self.opts.finish_reserve_s,
                         stop_grace_s=self.opts.stop_grace_s, resumed=bool(prior), pid=os.getpid(),
                         selection_method=self.cfg.selection.method)
        self.trace.write("submission", after="fallback", tasks_answered=0)
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self._run_stages(plan, prior)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.select_and_write("end")
        self._sweep_orphans()  # engines re-parented after their stage's last check
        metrics = self._metrics(plan, time.monotonic() - t0)
        self.trace.write("run_end", seconds=round(time.monotonic() - t0, 3), terminated=self.terminating)
        self.trace.close()
        return RunResult(self.sub_path, self.runs, metrics, metrics["orchestration_overhead_s"])

    def _skip(self, name: str, budget_s: float, why: str, status: str = "skipped") -> None:
        r = StageRun(name, budget_s, 0.0, status=status, detail=why)
        self.runs.append(r)
        self.trace.write("stage_end", stage=name, status=status, detail=why, seconds=0.0)
        log.info("stage %s %s: %s", name, status, why)

    def _blocked(self, name: str, prior: list[dict]) -> str | None:
        if any(e["event"] == "stage_end" and e.get("stage") == name and e.get("status") in ("ok", "resumed")
               for e in prior):
            return "finished in an earlier run"
        if STAGES[name].needs_model and self.opts.model is None and (name == "ttft" or self.cfg.sampling.engine != "replay"):
            return "no model given (--model)"
        if name == "programs" and not self.opts.programs_file:
            return "no programs file given (--programs)"
        return None

    def _run_stages(self, plan: Plan, prior: list[dict]) -> None:
        alongside = []
        for name in [s for s in self.opts.stages if STAGES[s].alongside]:
            why = self._blocked(name, prior)
            if why:
                self._skip(name, plan.budgets[name], why, "resumed" if "earlier" in why else "skipped")
                continue
            r = StageRun(name, plan.budgets[name], plan.alongside_deadline(name), status="running")
            self.runs.append(r)
            self._start(r, self._done_keys(prior, name))
            alongside.append(r)
        carried = 0.0
        for name in [s for s in self.opts.stages if not STAGES[s].alongside]:
            now = time.monotonic()
            why = self._blocked(name, prior)
            if why is None and self.terminating:
                why = "the run is stopping"
            if why is None and now >= plan.last_stage_end:
                why = "no time left"
            if why:
                self._skip(name, plan.budgets[name], why, "resumed" if "earlier" in why else "skipped")
                if name == "ttft" and "earlier" in why:
                    self._use_adapters()
                continue
            r = StageRun(name, plan.budgets[name], plan.sequential_deadline(name, now, carried), status="running")
            self.runs.append(r)
            self._start(r, self._done_keys(prior, name))
            self._supervise(alongside + [r], [r])
            carried = max(0.0, r.budget_s + carried - r.seconds)
            if name == "ttft":
                self._use_adapters()
            self.select_and_write(name)
        if alongside:
            self._supervise(alongside, alongside)
            self.select_and_write(",".join(r.name for r in alongside))

    def _use_adapters(self) -> None:
        """Whatever test-time fine-tuning saved, even if it was stopped or killed, serves the
        sampling stages (each save is atomic, so what is there is whole)."""
        from ..ttft import read_manifest

        manifest = read_manifest(self.ttft_dir)
        if manifest is None:
            log.warning("test-time fine-tuning left no adapter: sampling uses the model as given")
            return
        self.adapters = str(self.ttft_dir)
        log.info("sampling with %d test-time adapter(s) for %d tasks%s", len(manifest.adapters), len(manifest.tasks),
                 " (merged)" if manifest.merged else "")

    # --- figures -------------------------------------------------------------------------------
    def _metrics(self, plan: Plan, wall_s: float) -> dict:
        import json

        events = list(read_trace(self.trace_path))
        solutions = self.taskset.solutions()
        submission = json.loads(self.sub_path.read_text())
        metrics: dict = {"dataset": self.taskset.source, "tasks": len(self.taskset.order),
                         "malformed": [m.report() for m in self.taskset.malformed],
                         "wall_s": round(wall_s, 3), "deadline_s": round(plan.total_s, 3),
                         "terminated": self.terminating, "stages": {}}
        for r in self.runs:
            entry = r.to_json()
            col = collect(events, self.n_tests, {r.name})
            if col.programs or col.grids:
                answers = ranked_answers(col, self.n_tests, self.cfg.selection.method)
                entry.update(stage_figures(col, build_submission(self.taskset, answers), solutions))
            metrics["stages"][r.name] = entry
        # The orchestrator's own time: the run's wall time outside every stage process
        # (start-up, fallback, selection and writing, supervision).
        busy = union_length([(r.started, r.ended) for r in self.runs if r.started])
        overall = collect(events, self.n_tests)
        metrics.update(stage_figures(overall, submission, solutions))
        metrics["orchestration_overhead_s"] = round(max(0.0, wall_s - busy), 3)
        metrics["selection_s"] = round(self.select_s, 3)
        write_json_atomic(self.out / "metrics.json", metrics)
        return metrics
