"""Invocations run on kept worker threads: reused, never blocking one another, abandoned on overrun."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import time
import weakref

import httpx
import pytest
from recipes_app import APP, recipes_service

from connector.context import Connection
from connector.errors import TimeLimit
from connector.runtime import invoke
from connector.workers import WorkerPool


def test_one_call_after_another_runs_on_the_same_kept_thread():
    pool = WorkerPool()
    threads = [pool.run(threading.get_ident, 5, "probe") for _ in range(5)]
    assert len(set(threads)) == 1
    assert threads[0] != threading.get_ident()
    assert pool.idle() == 1


def test_invocations_through_the_runtime_reuse_a_worker_thread():
    service = recipes_service()
    seen: list[int] = []
    original = service.wsgi_app

    def spy(environ, start_response):
        seen.append(threading.get_ident())
        return original(environ, start_response)

    service.wsgi_app = spy
    transport = httpx.WSGITransport(app=service)
    connection = Connection(app="recipes", fields={"token": "secret-token-123"}, transport=transport)
    for name in ("Pho", "Laksa", "Ramen"):
        invoke(APP, "create_recipe", connection, {"name": name})
    assert len(seen) == 3 and len(set(seen)) == 1
    assert seen[0] != threading.get_ident()


def test_the_value_and_the_exception_of_the_work_reach_the_caller():
    pool = WorkerPool()
    assert pool.run(lambda: 42, 5, "answer") == 42

    def broken() -> None:
        raise KeyError("missing")

    with pytest.raises(KeyError, match="missing"):
        pool.run(broken, 5, "broken")
    # The worker that raised is kept and takes the next job.
    assert pool.run(lambda: "next", 5, "next") == "next"
    assert pool.idle() == 1


def test_an_idle_worker_keeps_nothing_of_the_last_result():
    pool = WorkerPool()

    class Result:
        pass

    result = pool.run(Result, 5, "big answer")
    gone = weakref.ref(result)
    del result
    gc.collect()
    assert gone() is None
    assert pool.idle() == 1


def test_an_overrunning_job_raises_time_limit_and_its_worker_comes_back_when_it_returns():
    pool = WorkerPool()
    release = threading.Event()
    with pytest.raises(TimeLimit, match=r"slow ran longer than its 0\.1 s limit"):
        pool.run(lambda: release.wait(5), 0.1, "slow")
    # Meanwhile other work is not held up by the abandoned job: it gets a thread of its own.
    assert pool.run(lambda: "quick", 5, "quick") == "quick"
    release.set()
    deadline = time.monotonic() + 5
    while pool.idle() < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pool.idle() == 2


def test_concurrent_calls_run_side_by_side():
    pool = WorkerPool()
    both_started = threading.Barrier(2, timeout=5)
    results: list[int] = []

    def call() -> None:
        results.append(pool.run(lambda: both_started.wait() + 1, 5, "together"))

    callers = [threading.Thread(target=call) for _ in range(2)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(10)
    assert sorted(results) == [1, 2]  # each waited for the other: they ran at the same time
    assert pool.idle() == 2


def test_no_more_than_the_kept_number_of_workers_stay_idle():
    pool = WorkerPool(idle_kept=2)
    gate = threading.Barrier(4, timeout=5)

    def call() -> None:
        pool.run(gate.wait, 5, "busy")

    callers = [threading.Thread(target=call) for _ in range(4)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(10)
    assert pool.idle() == 2


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_starts_its_own_workers():
    # A prefork worker pool forks after the parent ran invocations: the child must not hand jobs to
    # the parent's threads, which do not exist in it.
    code = (
        "import os, threading\n"
        "from connector.workers import WORKERS\n"
        "WORKERS.run(threading.get_ident, 5, 'parent')\n"
        "assert WORKERS.idle() == 1\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    idle = WORKERS.idle()\n"
        "    value = WORKERS.run(lambda: 'child ran', 2, 'child')\n"
        "    os._exit(0 if (idle, value) == (0, 'child ran') else 3)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "print(os.waitstatus_to_exitcode(status))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "0"
