"""Benchmark: runs per second with 1, 2 and 4 ``connector worker`` processes on PostgreSQL and Redis.

Each run has one step, the Contacts ``create_contact`` action (a search by email, then a create), against
a Contacts sandbox served on a real port whose create answers after 50 ms (an I/O-bound step, as a vendor
far away). The runs are created in the store as a poll would; the one ``connector scheduler`` sweeps them
to the workers through Redis; the clock stops when every run has succeeded. Every contact is checked to
exist exactly once.

Goal: 4 workers at least 3x the runs per second of one worker.

    python bench/scale_out.py                 # 120 runs per round, 1 thread per worker
    python bench/scale_out.py --runs 400 --threads 2
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import psycopg
import redis
import sqlalchemy as sa
from benchkit import BENCH_DIR, SCALE_API_KEY, SCALE_LOCATION, verdict

from emulator.serving import serve
from emulator.store import Store, engine_for, runs
from sandboxes.contacts import ContactsSandbox, ContactsSettings

SOCKET = "/var/run/postgresql"
REDIS_URL = "redis://127.0.0.1:6379/0"


def slow_creates(app: Any, delay: float, counts: Counter[str], answered: list[float]) -> Callable[..., Iterable[bytes]]:
    """WSGI wrapper: every POST /contacts/ answers after ``delay`` seconds; every status is counted."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") == "/contacts/":
            time.sleep(delay)

        def counting(status: str, headers: Any, exc_info: Any = None) -> Any:
            counts[status.split()[0]] += 1
            if not status.startswith("429"):
                answered.append(time.time())  # the sandbox's windows are aligned to the epoch
            return start_response(status, headers, exc_info)

        return app(environ, counting)  # type: ignore[no-any-return]

    return wrapped


def start(kind: str, env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "connector.cli", kind, *args], env=env, stdout=out,
                                stderr=subprocess.STDOUT)


def wait_done(engine: sa.Engine, flow_id: str, count: int, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as c:
            done = c.execute(sa.select(sa.func.count()).select_from(runs).where(
                runs.c.flow_id == flow_id, runs.c.status == "succeeded")).scalar_one()
        if done >= count:
            return time.monotonic()
        time.sleep(0.05)
    raise SystemExit(f"timed out: {done} of {count} runs succeeded")


def add_runs(store: Store, flow_id: str, prefix: str, count: int) -> None:
    items = [(f"{prefix}{n}", {"email": f"{prefix}{n}@example.com", "name": f"{prefix} {n}"}) for n in range(count)]
    with store.begin() as conn:
        store.insert_runs(flow_id, items, "pending", time.time(), conn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=120)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker process")
    parser.add_argument("--delay", type=float, default=0.05, help="seconds the sandbox takes per create")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--limit", type=int, default=0,
                        help="rate-limited mode: the sandbox allows LIMIT requests per --window seconds; reports "
                             "429s and the accepted rate against the allowed one (goal: 0 429s, >= 95%%)")
    parser.add_argument("--window", type=float, default=2.0)
    options = parser.parse_args()

    counts: Counter[str] = Counter()
    answered: list[float] = []
    limit = options.limit or 1_000_000
    sandbox = ContactsSandbox(ContactsSettings(
        api_keys={SCALE_API_KEY: SCALE_LOCATION}, rate_limit=limit,
        rate_window_seconds=options.window if options.limit else 10.0,
    ))
    rounds: list[tuple[int, int, float]] = []
    name = f"scale_bench_{uuid.uuid4().hex[:10]}"
    queue = f"scale-bench-{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(f"host={SOCKET} user=postgres dbname=postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@/{name}?host={SOCKET}"
    table: list[tuple[int, float]] = []
    try:
        wrapped = slow_creates(sandbox.app, options.delay, counts, answered)
        with serve(wrapped, server="waitress", threads=32) as served, tempfile.TemporaryDirectory() as tmp:
            sandbox.base_url = f"http://127.0.0.1:{served.port}"
            env = {**os.environ, "CONNECTOR_DATABASE_URL": url, "CONNECTOR_BROKER_URL": REDIS_URL,
                   "CONNECTOR_QUEUE": queue, "CONNECTOR_APP_FACTORY": "benchkit:scale_config",
                   "CONNECTOR_DATA": tmp, "SCALE_CONTACTS_URL": sandbox.base_url,
                   "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), os.environ.get("PYTHONPATH", "")])}
            store = Store(engine_for(url))
            flow = store.create_flow({
                "name": "scale bench", "trigger_app": "contacts", "trigger_operation": "new_contact",
                "trigger_input": {}, "trigger_connection_id": "contacts-1", "state": "on",
                "steps": [{"key": "contact", "app": "contacts", "operation": "create_contact",
                           "connection_id": "contacts-1",
                           "mapping": {"email": "{{trigger.email}}", "name": "{{trigger.name}}"}}],
            }, time.time())
            done = 0
            scheduler = start("scheduler", env, Path(tmp) / "scheduler.log", "--interval=0.05")
            try:
                for workers in [int(w) for w in options.workers.split(",")]:
                    procs = [start("worker", env, Path(tmp) / f"worker{i}.log", f"--concurrency={options.threads}")
                             for i in range(workers)]
                    try:
                        # Warm-up runs prove every worker is up before the clock starts.
                        warm = workers * options.threads * 2
                        add_runs(store, flow["id"], f"w{workers}-warm", warm)
                        done += warm
                        wait_done(store.engine, flow["id"], done, 120)
                        refused_before = counts["429"]
                        began = time.monotonic()
                        add_runs(store, flow["id"], f"w{workers}-", options.runs)
                        done += options.runs
                        finished = wait_done(store.engine, flow["id"], done, 600)
                        table.append((workers, options.runs / (finished - began)))
                        wall = time.time() - (time.monotonic() - began), time.time() - (time.monotonic() - finished)
                        per_window = Counter(math.floor(t / options.window) for t in answered
                                             if wall[0] <= t <= wall[1])
                        full = sorted(per_window)[1:-1]  # the windows the round spanned from start to end
                        if full:
                            rate = sum(per_window[w] for w in full) / (len(full) * options.window)
                            rounds.append((workers, counts["429"] - refused_before, rate))
                    finally:
                        for proc in procs:
                            proc.terminate()
                        for proc in procs:
                            proc.wait(30)
            finally:
                scheduler.terminate()
                scheduler.wait(30)
            emails = Counter(c["email"] for c in sandbox.state.contacts.values() if c.get("email"))
            store.engine.dispose()
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(queue)
        client.close()

    one = table[0][1]
    print(f"runs/s of a 1-step flow whose action takes {options.delay * 1000:.0f} ms at the Contacts sandbox "
          f"({options.runs} runs per round, {options.threads} thread(s) per worker, PostgreSQL + Redis)")
    print(f"{'workers':>8} {'runs/s':>8} {'vs 1':>6}")
    for workers, rate in table:
        print(f"{workers:>8} {rate:>8.1f} {rate / one:>5.2f}x")
    duplicated = sum(1 for n in emails.values() if n > 1)
    expected = done
    print(f"contacts created: {len(emails)} of {expected} expected, {duplicated} duplicated")
    if options.limit:
        allowed = options.limit / options.window
        print(f"rate-limited sandbox: {options.limit} requests per {options.window:g} s ({allowed:.1f}/s allowed)")
        for workers, refused, rate in rounds:
            print(f"{workers:>8} workers: {refused} 429s, {rate:.1f} requests/s accepted = {rate / allowed:.1%} "
                  f"of the allowed rate: {verdict(refused == 0 and rate >= 0.95 * allowed)}")
    rates = dict(table)
    exact = duplicated == 0 and len(emails) == expected
    if 4 in rates and 1 in rates:
        print(f"goal 4 workers >= 3x one worker: {verdict(rates[4] >= 3 * rates[1] and exact)}")
    else:
        print(f"every run made its contact exactly once: {verdict(exact)}")


if __name__ == "__main__":
    main()
