"""Run a piece of work under a time limit on a kept worker thread.

Every invocation runs on a thread of its own so the caller can stop waiting after the step's time
limit. Starting a new thread for each one costs more than the start itself: the scheduler places a new
thread afresh, often on another core than the caller's connection and caches were warm on. On the two
cores of the benchmark machine that was about a tenth of a 50-page first poll (120-140 core migrations
per nine polls against 7-9 with a kept thread). So workers are kept: an idle worker takes the next job,
and a new thread starts only when every kept one is busy.

A job that overruns its limit is abandoned, as before: the caller gets :class:`TimeLimit`, the worker
goes on with the job and rejoins the idle ones if the job ever returns. Workers are daemon threads, so
an abandoned one never holds up the process's exit; a forked child (a prefork worker pool) starts with
no kept workers, since its parent's threads do not exist in it.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from typing import Any

from connector.errors import TimeLimit

#: Idle workers kept at most; a busier moment starts more threads, which end when they finish.
IDLE_KEPT = 8


class _Job:
    __slots__ = ("done", "error", "label", "value", "work")

    def __init__(self, work: Callable[[], Any], label: str) -> None:
        self.work = work
        self.label = label
        self.value: Any = None
        self.error: BaseException | None = None
        self.done = threading.Event()


class _Worker:
    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool
        self.jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._serve, name="invoke:idle", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            job = self.jobs.get()
            self.thread.name = f"invoke:{job.label}"
            try:
                job.value = job.work()
            except BaseException as exc:  # re-raised in the caller's thread
                job.error = exc
            self.thread.name = "invoke:idle"
            # Back among the idle ones before the caller is told, so its next job finds this worker.
            kept = self.pool._rest(self)
            job.done.set()
            del job  # the caller has the result; an idle worker holds on to nothing of it
            if not kept:
                return


class WorkerPool:
    """Kept daemon threads that run jobs under a time limit (thread-safe)."""

    def __init__(self, idle_kept: int = IDLE_KEPT) -> None:
        self.idle_kept = idle_kept
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []

    def run(self, work: Callable[[], Any], limit: float, label: str) -> Any:
        """``work()``'s value (or its exception), or :class:`TimeLimit` once ``limit`` seconds have passed.

        The time limit stops the waiting, not the work: an overrunning job is abandoned on its thread.
        """
        worker = self._take()
        job = _Job(work, label)
        worker.jobs.put(job)
        if not job.done.wait(limit):
            raise TimeLimit(f"{label} ran longer than its {limit:g} s limit; it was stopped waiting for")
        if job.error is not None:
            error, job.error = job.error, None
            raise error
        return job.value

    def idle(self) -> int:
        """How many workers wait for a job now."""
        with self._lock:
            return len(self._idle)

    def forget(self) -> None:
        """Drop every kept worker (after a fork: the parent's threads do not exist in the child)."""
        with self._lock:
            self._idle.clear()

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.thread.is_alive():
                    return worker
        return _Worker(self)

    def _rest(self, worker: _Worker) -> bool:
        with self._lock:
            if len(self._idle) >= self.idle_kept:
                return False
            self._idle.append(worker)
            return True


#: The process's workers: the runtime runs every invocation on one of them.
WORKERS = WorkerPool()

os.register_at_fork(after_in_child=WORKERS.forget)

__all__ = ["IDLE_KEPT", "WORKERS", "WorkerPool"]
