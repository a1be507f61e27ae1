"""Search many tasks on N processes, one forked process per task (forking costs about a
millisecond against seconds of search, and buys isolation). A task whose search raises,
whose process dies (killed, out of memory) or overruns its hard wall-clock limit is reported
as failed; the other tasks are not affected."""

from __future__ import annotations

import logging
import multiprocessing
import time
from multiprocessing.connection import Connection, wait
from typing import Callable, Iterable, Iterator

from ..tasks import Task
from ..config import SearchConfig
from .engine import SearchResult, search_task

log = logging.getLogger(__name__)

Runner = Callable[[Task, SearchConfig], SearchResult]


def _search_one(task: Task, limits: SearchConfig) -> SearchResult:
    try:
        return search_task(task, limits)
    except Exception as e:  # a DSL bug must cost one task, not the run
        return SearchResult(task.id, stopped="failed", error=f"{type(e).__name__}: {e}")


def _child(conn: Connection, run: Runner, task: Task, limits: SearchConfig) -> None:
    conn.send(run(task, limits))
    conn.close()


def hard_limit_s(limits: SearchConfig) -> float:
    """Wall-clock limit for one task's process: the CPU budget with room for a slow machine."""
    return limits.budget_s * 3 + 10


def search_many(tasks: Iterable[Task], limits: SearchConfig, workers: int = 1, run: Runner = _search_one,
                deadline: float | None = None, stop: Callable[[], bool] | None = None) -> Iterator[SearchResult]:
    """Yield one SearchResult per task, in the order they finish. At `deadline`
    (time.monotonic()) or once `stop()` is true, running searches are killed and the tasks
    not finished yield nothing."""
    ctx = multiprocessing.get_context("fork")  # children inherit loaded modules: no re-import
    queue = list(tasks)[::-1]
    running: dict[Connection, tuple] = {}
    try:
        yield from _drive(ctx, queue, running, limits, workers, run, deadline, stop)
    finally:
        for _, proc, _ in running.values():
            proc.kill()
            proc.join()


def _drive(ctx, queue, running, limits, workers, run, deadline, stop) -> Iterator[SearchResult]:
    while queue or running:
        if (deadline is not None and time.monotonic() >= deadline) or (stop is not None and stop()):
            return
        while queue and len(running) < max(1, workers):
            task = queue.pop()
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(send, run, task, limits), daemon=True)
            proc.start()
            send.close()
            running[recv] = (task, proc, time.monotonic() + hard_limit_s(limits))
        ready = wait(list(running), timeout=0.2 if deadline is not None or stop is not None else 1.0)
        now = time.monotonic()
        for conn in list(running):
            task, proc, hard_deadline = running[conn]
            if conn in ready:
                try:
                    result = conn.recv()
                except (EOFError, OSError):
                    proc.join()
                    result = SearchResult(task.id, stopped="failed",
                                          error=f"search process died (exit code {proc.exitcode})")
            elif now > hard_deadline:
                proc.kill()
                result = SearchResult(task.id, stopped="failed",
                                      error=f"search process overran its {hard_limit_s(limits):.0f} s limit")
            else:
                continue
            del running[conn]
            conn.close()
            proc.join()
            if result.error:
                log.warning("search of task %s failed: %s", task.id, result.error)
            yield result
