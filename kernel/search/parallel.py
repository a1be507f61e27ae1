"""Search many tasks on N processes. A task whose search raises is logged and skipped; a
worker that dies (killed, out of memory) takes only its own tasks down: the pool is rebuilt
and the tasks it held are tried once more, then skipped with a message."""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterable, Iterator

from ..tasks import Task
from .engine import SearchLimits, SearchResult, search_task

log = logging.getLogger(__name__)


def _search_one(task: Task, limits: SearchLimits) -> SearchResult:
    try:
        return search_task(task, limits)
    except Exception as e:  # a DSL bug must cost one task, not the run
        result = SearchResult(task.id, stopped="failed")
        result.error = f"{type(e).__name__}: {e}"
        return result


def search_many(tasks: Iterable[Task], limits: SearchLimits, workers: int = 1,
                run: Callable[[Task, SearchLimits], SearchResult] = _search_one) -> Iterator[SearchResult]:
    """Yield one SearchResult per task, in the order they finish."""
    pending = list(tasks)
    if workers <= 1:
        for task in pending:
            yield run(task, limits)
        return
    attempts: dict[str, int] = {}
    ctx = multiprocessing.get_context("fork")  # workers inherit loaded modules: no re-import per process
    while pending:
        broken: list[Task] = []
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures: dict[Future, Task] = {pool.submit(run, t, limits): t for t in pending}
            pending = []
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for fut in done:
                    task = futures.pop(fut)
                    try:
                        yield fut.result()
                    except BrokenProcessPool:
                        broken.append(task)
        for task in broken:
            attempts[task.id] = attempts.get(task.id, 0) + 1
            if attempts[task.id] >= 2:
                log.warning("search of task %s skipped: its worker process died twice", task.id)
                failed = SearchResult(task.id, stopped="failed")
                failed.error = "worker process died"
                yield failed
            else:
                pending.append(task)
