#!/usr/bin/env python3
"""Sandbox throughput and timeout latency, printed as figures (no assertions).

Compares, in one run, verified programs per second for a trivial program on a task with
4 train pairs up to 30x30:
  (a) this sandbox (fork server, seccomp, rlimits), through the real Verifier;
  (b) a fresh `python -I` interpreter per program, importing numpy as programs may;
  (b') the same without numpy (the cheapest possible fresh interpreter);
  (c) unsandboxed in-process exec.
Then the time to reject a program whose first train output is wrong (the early stop), and
the time to get control back from an infinite loop under a 1 s timeout.

    python benchmarks/sandbox.py [--workers N] [--seconds S]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kernel.config import SandboxConfig  # noqa: E402
from kernel.sandbox import Sandbox, SandboxLimits  # noqa: E402
from kernel.tasks import Pair, Task  # noqa: E402
from kernel.verify import Verifier  # noqa: E402

PROGRAM = "def transform(grid):\n    return [row[::-1] for row in grid]\n"
PRELOAD = SandboxConfig().preload
SHAPES = [(30, 30), (25, 20), (12, 30), (8, 8)]


def make_task() -> Task:
    rng = random.Random(0)
    pairs = []
    for h, w in SHAPES:
        g = tuple(tuple(rng.randrange(10) for _ in range(w)) for _ in range(h))
        pairs.append(Pair(g, tuple(r[::-1] for r in g)))
    test = tuple(tuple(rng.randrange(10) for _ in range(30)) for _ in range(30))
    return Task("bench", tuple(pairs), (Pair(test),))


def unique(i: int) -> str:
    return PROGRAM + f"NONCE = {i}\n"  # distinct programs, so the verifier cache never answers


def bench_sandbox(task: Task, workers: int, seconds: float) -> tuple[float, int]:
    with Sandbox(workers, SandboxLimits(1.0, 512), PRELOAD) as sb, Verifier(sb) as v:
        v.verify_many([(task, unique(-i - 1)) for i in range(20 * workers)])  # warm up
        done, i, t0 = 0, 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            batch = [(task, unique(i + k)) for k in range(50 * workers)]
            i += len(batch)
            results = v.verify_many(batch)
            assert all(r.passed for r in results)
            done += len(results)
        rate = done / (time.perf_counter() - t0)
        rss = sum(psutil.Process(w.proc.pid).memory_info().rss for w in sb._all) // (1 << 20)
    return rate, rss


HARNESS = """
import json, sys
{imports}
job = json.loads(sys.stdin.read())
ns = {{}}
exec(job["code"], ns)
print(json.dumps([ns["transform"]([list(r) for r in g]) for g in job["inputs"]]))
"""


def bench_fresh_interpreter(task: Task, seconds: float, with_numpy: bool) -> float:
    harness = HARNESS.format(imports="import numpy" if with_numpy else "")
    inputs = [[list(r) for r in p.input] for p in task.train]
    expected = [[list(r) for r in p.output] for p in task.train]
    done, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        out = subprocess.run([sys.executable, "-I", "-c", harness], input=json.dumps({"code": PROGRAM, "inputs": inputs}),
                             capture_output=True, text=True, timeout=10)
        assert json.loads(out.stdout) == expected
        done += 1
    return done / (time.perf_counter() - t0)


def bench_in_process(task: Task, seconds: float) -> float:
    done, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        ns: dict = {}
        exec(PROGRAM, ns)
        for p in task.train:
            out = ns["transform"]([list(r) for r in p.input])
            assert tuple(tuple(r) for r in out) == p.output
        done += 1
    return done / (time.perf_counter() - t0)


def bench_timeout(task: Task, repeats: int) -> list[float]:
    waits = []
    with Sandbox(1, SandboxLimits(1.0, 512), PRELOAD) as sb, Verifier(sb) as v:
        for i in range(repeats):
            t0 = time.perf_counter()
            r = v.verify(task, f"def transform(grid):\n    while True:\n        pass\nN = {i}\n")
            waits.append(time.perf_counter() - t0)
            assert r.train[0].status == "timeout"
    return waits


WRONG_FIRST = "def transform(grid):\n    return [row[:] for row in grid]\nNONCE = {i}\n"


def bench_reject(task: Task, repeats: int) -> list[float]:
    """Seconds from submitting to the verdict for a program wrong on the first train pair
    (the identity, where a flip is expected), one at a time through the Verifier."""
    waits = []
    with Sandbox(1, SandboxLimits(1.0, 512), PRELOAD) as sb, Verifier(sb) as v:
        for i in range(-20, repeats):  # the first 20 warm the worker up and are not counted
            t0 = time.perf_counter()
            r = v.verify(task, WRONG_FIRST.format(i=i))
            if i >= 0:
                waits.append(time.perf_counter() - t0)
            assert r.train[0].status == "wrong" and len(r.train) == 1
    return waits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=1, help="sandbox workers for (a) (default 1)")
    ap.add_argument("--seconds", type=float, default=5.0, help="time spent on each measurement")
    args = ap.parse_args()
    task = make_task()
    print(f"machine: {psutil.cpu_count()} CPUs, Python {sys.version.split()[0]}, pid {os.getpid()}")
    print(f"task: {len(task.train)} train pairs {SHAPES}, 1 test input 30x30; trivial program (row flip)")

    rate_1, rss = bench_sandbox(task, 1, args.seconds)
    rate_n, rss_n = (rate_1, rss) if args.workers == 1 else bench_sandbox(task, args.workers, args.seconds)
    fresh_np = bench_fresh_interpreter(task, args.seconds, with_numpy=True)
    fresh_bare = bench_fresh_interpreter(task, args.seconds, with_numpy=False)
    inproc = bench_in_process(task, args.seconds)

    print(f"(a)  sandbox, 1 worker:            {rate_1:9.1f} verified programs/s  (worker RSS {rss} MiB)")
    if args.workers > 1:
        print(f"(a)  sandbox, {args.workers} workers:           {rate_n:9.1f} verified programs/s  "
              f"({rate_n / args.workers:.1f} per worker; workers' RSS {rss_n} MiB)")
    print(f"(b)  fresh python -I + numpy:      {fresh_np:9.1f} programs/s")
    print(f"(b') fresh python -I, no numpy:    {fresh_bare:9.1f} programs/s")
    print(f"(c)  in-process exec (unsafe):     {inproc:9.1f} programs/s")
    print(f"ratios, 1 worker: (a)/(b) = {rate_1 / fresh_np:.1f}x (goal >= 20x), (a)/(b') = {rate_1 / fresh_bare:.1f}x, "
          f"(c)/(a) = {inproc / rate_1:.0f}x")
    if args.workers > 1:
        print(f"ratios per worker with {args.workers} workers: (a)/(b) = {rate_n / args.workers / fresh_np:.1f}x, "
              f"(a)/(b') = {rate_n / args.workers / fresh_bare:.1f}x  (all workers share one verifying parent)")

    rejects = sorted(bench_reject(task, 400))
    print(f"program wrong on the first train pair: rejected in {statistics.median(rejects) * 1000:.2f} ms median, "
          f"{rejects[int(len(rejects) * 0.9)] * 1000:.2f} ms 90th percentile (one at a time, 1 worker)")

    waits = bench_timeout(task, 5)
    over = [(w - 1.0) * 1000 for w in waits]
    print(f"infinite loop, 1 s timeout: control back after {statistics.mean(waits):.3f} s on average, "
          f"worst overshoot {max(over):.0f} ms (goal <= 100 ms)")


if __name__ == "__main__":
    main()
