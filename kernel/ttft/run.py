"""Test-time fine-tuning of a whole task set under one deadline: samples, one training
process per device (each on its share of the tasks), adapters, and the manifest that tells
the sampling stages which adapter serves which task.

One process per GPU rather than DDP: each T4 holds the whole 0.5B model with room to spare,
the tasks split cleanly, and the two processes share nothing (no NCCL over PCIe, no
gradient all-reduce, one GPU's failure costs only its tasks)."""

from __future__ import annotations

import json
import logging
import multiprocessing as mp
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

from ..config import Config
from ..tasks import Task

log = logging.getLogger(__name__)

MANIFEST = "adapters.json"
PART_MANIFESTS = "adapters.part-*.json"  # one per training process, kept up to date while it trains
MODES = ("shared", "per_task")


@dataclass(frozen=True)
class Manifest:
    base_model: str
    adapters: dict[str, str]      # adapter name -> folder, relative to the manifest's folder
    tasks: dict[str, str]         # task id -> adapter name
    merged: str | None = None     # a folder holding the base weights with the adapter merged in

    def adapter_for(self, task_id: str) -> tuple[str, str] | None:
        name = self.tasks.get(task_id)
        return (name, self.adapters[name]) if name in self.adapters else None


def read_manifest(folder: str | os.PathLike) -> Manifest | None:
    """The manifest run_ttft wrote at its end or, from a run stopped before that, the union of
    what each training process listed so far; adapters never saved are left out. None when no
    adapter is there."""
    folder = Path(folder)
    files = [folder / MANIFEST] if (folder / MANIFEST).is_file() else sorted(folder.glob(PART_MANIFESTS))
    adapters: dict[str, str] = {}
    tasks: dict[str, str] = {}
    base, merged = "", None
    for f in files:
        try:
            m = Manifest(**json.loads(f.read_text()))
        except (OSError, ValueError, TypeError):
            continue
        base, merged = m.base_model, m.merged if len(files) == 1 else None
        adapters.update(m.adapters)
        tasks.update(m.tasks)
    adapters = {k: v for k, v in adapters.items() if (folder / v / "adapter_config.json").is_file()}
    if not adapters:
        return None
    if merged and not (folder / merged / "config.json").is_file():
        merged = None
    return Manifest(base, adapters, {t: a for t, a in tasks.items() if a in adapters}, merged)


def write_manifest(path: Path, m: Manifest) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(asdict(m), indent=1))
    os.replace(tmp, path)


def split_tasks(tasks: Sequence[Task], parts: int) -> list[list[Task]]:
    """Balanced by the size of each task's train pairs (a proxy for its training tokens)."""
    def size(t: Task) -> int:
        return sum(len(p.input) * len(p.input[0]) + len(p.output) * len(p.output[0]) for p in t.train) * len(t.train)

    out: list[list[Task]] = [[] for _ in range(parts)]
    load = [0] * parts
    for t in sorted(tasks, key=size, reverse=True):
        k = load.index(min(load))
        out[k].append(t)
        load[k] += size(t)
    return out


def _devices(spec: str) -> list[str | None]:
    from ..engines.vllm_engine import resolve_devices

    return resolve_devices(spec)


def train_part(model_dir: str, cfg: Config, tasks: Sequence[Task], out: str, deadline: float, part: int,
               device: str | None, programs: Mapping[str, Sequence[str]], trace_path: str | None = None,
               stop: Callable[[], bool] = lambda: False, trace=None, merge: bool = False) -> dict:
    """Train the adapter(s) for `tasks` on one device, listing each in this part's manifest;
    returns the report. `device` is a GPU id (made the only visible one) or None for the CPU.
    `merge`: also write the base weights with the (single) adapter merged in."""
    if device is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = device  # before torch initialises CUDA in this process
    from ..trace import TraceWriter
    from ..prompting import load_template
    from ..prompting.builder import TokenizerRenderer
    from .data import code_samples, output_samples
    from .train import LoraTrainer, encode

    tc = cfg.ttft
    trainer = LoraTrainer(model_dir, tc, "cpu" if device is None else "cuda")
    renderer = TokenizerRenderer(trainer.tokenizer)
    out_template = load_template(cfg.prompts.output)
    code_template = load_template(cfg.prompts.code)
    own_trace = trace is None and trace_path is not None
    if own_trace:
        trace = TraceWriter(trace_path, "ttft")

    def samples_for(ts: Sequence[Task]):
        s = output_samples(ts, out_template, renderer, tc.max_seq_len, tc.augmentations, tc.keep_background,
                           tc.shuffle_examples, tc.seed)
        if tc.code_targets and programs:
            s += code_samples(ts, code_template, renderer, tc.max_seq_len, programs)
        return encode(trainer.tokenizer, s, tc.max_seq_len)

    groups = [(f"ttft-{part}", list(tasks))] if tc.mode == "shared" else [(f"ttft-{t.id}", [t]) for t in tasks]
    reports = []
    planned_adapters: dict[str, str] = {}
    planned_tasks: dict[str, str] = {}
    for i, (name, ts) in enumerate(groups):
        now = time.monotonic()
        if stop() or now >= deadline:
            break
        group_deadline = now + (deadline - now) / (len(groups) - i)  # per task: an even share of what is left
        data, skipped = samples_for(ts)
        if not data:
            log.warning("%s: no training samples (each task needs two train pairs that fit in %d tokens)",
                        name, tc.max_seq_len)
            continue
        if i:
            trainer.reset()
        # listed before training: once the first save lands, a stopped run can serve it
        planned_adapters[name] = name
        planned_tasks.update({t.id: name for t in ts})
        write_manifest(Path(out, PART_MANIFESTS.replace("*", str(part))),
                       Manifest(str(Path(model_dir).resolve()), planned_adapters, planned_tasks))

        def on_step(step: int, loss: float, tokens: int, name=name) -> None:
            if trace is not None:
                trace.write("ttft_step", adapter=name, step=step, loss=round(loss, 5), tokens=tokens)

        report = trainer.train(data, group_deadline, stop, on_step, save_to=Path(out, name))
        report.skipped = skipped
        reports.append({"adapter": name, "tasks": len(ts), "samples_available": len(data), **report.to_json()})
        if trace is not None:
            trace.write("ttft_adapter", task_ids=[t.id for t in ts], **reports[-1])
        log.info("%s: %d steps, %d tokens in %.0f s (%.0f tok/s), loss %s -> %s%s", name, report.steps, report.tokens,
                 report.seconds, report.tokens_per_s, report.losses[0] if report.losses else "-",
                 report.losses[-1] if report.losses else "-", f", stopped at {report.stopped}" if report.stopped else "")
    merged = None
    if merge and len(groups) == 1 and reports and reports[0]["steps"]:
        merged = "merged"
        trainer.merge_to(Path(out, merged))
    if own_trace:
        trace.close()
    return {"merged": merged, "reports": reports}


def _part_main(args: tuple, result_file: str) -> None:
    import signal
    import threading

    from ..procs import die_with_parent

    die_with_parent()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s [ttft] %(message)s")
    stop = threading.Event()
    # SIGTERM (the stage being stopped reaches its whole group): finish the step, save, report
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    Path(result_file).write_text(json.dumps(train_part(*args, stop=stop.is_set)))


def run_ttft(model_dir: str, tasks: Sequence[Task], cfg: Config, out: str | os.PathLike, deadline: float,
             programs: Mapping[str, Sequence[str]] | None = None, trace_path: str | None = None,
             stop: Callable[[], bool] = lambda: False, trace=None) -> dict:
    """Train, save the adapters under `out` and write its manifest; returns a report. Steps
    and adapters go to `trace` (a TraceWriter), or to a trace file of their own."""
    tc = cfg.ttft
    if tc.mode not in MODES:
        raise ValueError(f"ttft.mode = {tc.mode!r}: expected one of {', '.join(MODES)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob(MANIFEST), *out.glob(PART_MANIFESTS), *out.glob(".part-*.json")]:  # an earlier run's
        old.unlink()
    devices = _devices(tc.devices)
    parts = [p for p in split_tasks(tasks, len(devices)) if p]
    programs = programs or {}
    t0 = time.monotonic()
    merge = tc.merge and len(parts) == 1 and tc.mode == "shared"
    if tc.merge and not merge:
        log.warning("ttft.merge needs exactly one adapter (mode shared on one device): serving the adapters through LoRA")
    if len(parts) == 1:
        results = [train_part(model_dir, cfg, parts[0], str(out), deadline, 0, devices[0], programs, trace_path, stop,
                              trace, merge)]
    else:
        ctx = mp.get_context("spawn")
        procs = []
        for k, part in enumerate(parts):
            args = (model_dir, cfg, part, str(out), deadline, k, devices[k], programs,
                    str(trace.path) if trace is not None else trace_path)
            p = ctx.Process(target=_part_main, args=(args, str(out / f".part-{k}.json")), name=f"ttft-{k}")
            p.start()
            procs.append(p)
        for p in procs:
            p.join(max(0.0, deadline - time.monotonic()) + 10)  # each part stops itself by then
            if p.is_alive():
                p.kill()
                p.join()
        results = []
        for k, p in enumerate(procs):
            try:
                results.append(json.loads((out / f".part-{k}.json").read_text()))
            except (OSError, ValueError):
                log.error("ttft part %d on device %s ended without a result (exit code %s): its tasks get "
                          "whatever adapter it saved last, or the base model", k, devices[k], p.exitcode)
    manifest = read_manifest(out)  # the parts' own lists: what each saved, even a part that died
    if manifest is not None:
        merged = results[0]["merged"] if merge and results else None
        manifest = Manifest(manifest.base_model, manifest.adapters, manifest.tasks, merged)
        write_manifest(out / MANIFEST, manifest)
    return {"devices": [d or "cpu" for d in devices[:len(parts)]],
            "adapters": len(manifest.adapters) if manifest else 0, "tasks_adapted": len(manifest.tasks) if manifest else 0,
            "merged": bool(manifest and manifest.merged), "seconds": round(time.monotonic() - t0, 3),
            "parts": [rep for r in results for rep in r["reports"]]}
