"""The scaled deployment: the same runner on Celery workers, a Redis broker and PostgreSQL.

The single-process emulator ticks one :class:`~emulator.scheduler.Scheduler` thread that polls, parses
deliveries and executes runs itself. Scaled, the same three jobs become Celery tasks
(:data:`POLL_TASK`, :data:`DELIVERY_TASK`, :data:`RUN_TASK`) that call the same :class:`Runner` methods
on a worker, and the store is the outbox between the web processes and the queue:

- a delivery is committed by ``connector web`` and only then enqueued; a due poll and a runnable run
  exist only as rows. Whatever is committed but not (or no longer) queued, because a process died
  between commit and send or a worker died holding the task, is sent again by the one active
  ``connector scheduler``'s sweep (:meth:`Scheduler.tick` with a queue);
- tasks are acknowledged late and rejected when their worker is lost, so the broker hands them to
  another worker; a task sent twice is harmless, because every job claims its row first: a run with
  its lease (one conditional ``UPDATE``, renewed before each step, so a finished step never runs
  again), a delivery with its lease, a poll by moving the flow's ``next_poll_at`` past now;
- exactly one scheduler sweeps at a time: it holds a PostgreSQL advisory lock on its own connection
  (a file lock on SQLite); standbys try every second and take over when the holder's connection dies.

Configuration: ``CONNECTOR_DATABASE_URL`` (SQLAlchemy URL) and ``CONNECTOR_BROKER_URL`` (Celery broker,
``redis://...``), or the same as flags of ``connector web``, ``worker`` and ``scheduler``. What a
worker runs (apps, connections) comes from :func:`build_process`: by default the emulator over
``CONNECTOR_DATA`` (the saved connections ``connector emulate`` uses; no sandboxes, whose state lives in
one process's memory: serve them with ``connector sandbox`` and connect to their URLs);
``CONNECTOR_APP_FACTORY=module:function`` names a function returning ``create_app`` configuration.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from emulator.scheduler import DELIVERY_TASK, POLL_TASK, RUN_TASK

if TYPE_CHECKING:
    from celery import Celery

    from emulator.app import Emulator

log = logging.getLogger(__name__)

#: The Celery queue jobs go to (``CONNECTOR_QUEUE``): deployments sharing one broker keep theirs apart.
QUEUE = os.environ.get("CONNECTOR_QUEUE", "connector")
#: The advisory lock key the active scheduler holds (any constant shared by every scheduler process).
SCHEDULER_LOCK_KEY = 0x636F6E6E  # "conn"

DATABASE_ENV = "CONNECTOR_DATABASE_URL"
BROKER_ENV = "CONNECTOR_BROKER_URL"
FACTORY_ENV = "CONNECTOR_APP_FACTORY"
DATA_ENV = "CONNECTOR_DATA"
PUBLIC_URL_ENV = "CONNECTOR_PUBLIC_URL"
#: Where shared rate budgets and refresh locks live; default the broker when it is Redis.
REDIS_ENV = "CONNECTOR_REDIS_URL"


def make_celery(broker_url: str) -> Celery:
    """A Celery app whose tasks survive a lost worker and never wait behind a prefetched batch."""
    from celery import Celery

    app = Celery("connector", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        # A task whose worker vanished without a word is handed out again after this long; the
        # scheduler's sweep usually resends it sooner.
        broker_transport_options={"visibility_timeout": 300},
        task_serializer="json",
        accept_content=["json"],
    )
    app.task(name=POLL_TASK, bind=False)(_poll_task)
    app.task(name=DELIVERY_TASK, bind=False)(_delivery_task)
    app.task(name=RUN_TASK, bind=False)(_run_task)
    return app


class CeleryQueue:
    """Sends the runner's jobs to Celery; what cannot be sent waits in the store for the sweep."""

    def __init__(self, celery: Celery, broker_url: str = "") -> None:
        self.celery = celery
        self._redis: Any = None
        if broker_url.startswith(("redis://", "rediss://")):
            import redis

            self._redis = redis.Redis.from_url(broker_url)

    def backlog(self) -> int | None:
        """Messages waiting in the queue (Redis brokers; None for others or when Redis does not answer)."""
        if self._redis is None:
            return None
        try:
            return int(self._redis.llen(QUEUE))
        except Exception:
            return None

    def send(self, task: str, item_id: str) -> bool:
        """Enqueue one job; False (logged, not raised) when the broker is unreachable."""
        try:
            self.celery.send_task(task, args=[item_id], queue=QUEUE)
        except Exception as exc:  # the row is committed: the scheduler's sweep sends it again
            log.warning("could not enqueue %s %s (the sweep will send it again): %s", task, item_id, exc)
            return False
        return True


# --- the worker side -------------------------------------------------------------------------------

_worker_lock = threading.Lock()
_worker: Emulator | None = None
_worker_queue: CeleryQueue | None = None


def build_process(database_url: str, broker_url: str, **extra: Any) -> tuple[Any, Emulator]:
    """The WSGI app and emulator of one scaled process: shared store, jobs sent to the broker, no thread.

    ``CONNECTOR_APP_FACTORY=module:function`` names a function returning ``create_app`` configuration
    (apps, connection resolver); without it the process is the emulator over ``CONNECTOR_DATA``
    (:func:`emulator.local.build_local`: UI, saved connections, access token), without sandboxes: a
    sandbox keeps its state in one process's memory, so every process would serve a different one.
    """
    config = {"DATABASE_URL": database_url, "RUNNER_THREAD": False, "RECOVER_ON_START": False, **extra}
    factory = os.environ.get(FACTORY_ENV)
    if factory:
        from emulator.access import init_access, load_access_token
        from emulator.app import create_app

        module, _, name = factory.partition(":")
        build: Callable[[], Mapping[str, Any]] = getattr(importlib.import_module(module), name)
        app = create_app({**build(), **config})
        # Every process of the deployment wants the same install token, kept in the shared data folder.
        data = Path(os.environ.get(DATA_ENV, "data"))
        data.mkdir(mode=0o700, parents=True, exist_ok=True)
        init_access(app, load_access_token(data))
        wsgi: Any = app
    else:
        from emulator.local import build_local

        public_url = str(extra.get("PUBLIC_URL") or os.environ.get(PUBLIC_URL_ENV, "http://127.0.0.1:5000"))
        platform = build_local(
            public_url, Path(os.environ.get(DATA_ENV, "data")), runner_thread=False, config=config
        )
        app, wsgi = platform.emulator, platform.wsgi
    emulator: Emulator = app.extensions["emulator"]
    emulator.scheduler.queue = CeleryQueue(make_celery(broker_url), broker_url)
    share_limits(os.environ.get(REDIS_ENV) or (broker_url if broker_url.startswith("redis") else None))
    return wsgi, emulator


def share_limits(redis_url: str | None) -> None:
    """Make vendor rate budgets and OAuth refreshes shared by every process on ``redis_url``.

    Without Redis (a RabbitMQ broker and no ``CONNECTOR_REDIS_URL``) each process paces and refreshes
    on its own, as the single-process emulator does.
    """
    if not redis_url:
        return
    from auth.token_refresh import redis_refresh_lock, use_refresh_lock
    from connector.http import use_shared_pacer
    from connector.pacing import RedisPacer

    use_shared_pacer(RedisPacer(redis_url))
    use_refresh_lock(redis_refresh_lock(redis_url))


def worker_emulator() -> Emulator:
    """This worker process's emulator, built on first use from the environment."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = build_process(_required(DATABASE_ENV), _required(BROKER_ENV))[1]
        return _worker


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set; pass it as an environment variable or the matching flag")
    return value


def poll_job(emulator: Emulator, flow_id: str) -> None:
    """Poll a due flow once, if no other worker took this poll; send the runs it made."""
    now = emulator.clock()
    if not emulator.store.claim_poll(flow_id, now, now + emulator.settings.run_lease_seconds):
        return  # not due any more: another worker polled it
    try:
        result = emulator.runner.poll_flow(flow_id, now)
    except Exception as exc:  # recorded on the flow by the runner; the next poll is scheduled
        log.info("poll of flow %s failed: %s", flow_id, exc)
        return
    emulator.scheduler.enqueue_runs(result.run_ids)


def delivery_job(emulator: Emulator, delivery_id: str) -> None:
    """Parse a stored delivery (if no other worker holds it) and send the runs it made."""
    emulator.scheduler.enqueue_runs(emulator.runner.process_delivery(delivery_id))


def run_job(emulator: Emulator, run_id: str) -> None:
    """Execute a run's unfinished steps, if it is runnable and no other worker holds its lease."""
    emulator.runner.execute_run(run_id)


JOBS: dict[str, Callable[[Emulator, str], None]] = {POLL_TASK: poll_job, DELIVERY_TASK: delivery_job, RUN_TASK: run_job}


def _poll_task(flow_id: str) -> None:
    poll_job(worker_emulator(), flow_id)


def _delivery_task(delivery_id: str) -> None:
    delivery_job(worker_emulator(), delivery_id)


def _run_task(run_id: str) -> None:
    run_job(worker_emulator(), run_id)


# --- one active scheduler -------------------------------------------------------------------------


@contextlib.contextmanager
def scheduler_lock(engine: sa.Engine, stop: threading.Event, wait: float = 1.0) -> Iterator[Callable[[], bool]]:
    """Block until this process is the one active scheduler; yields ``still_held()``.

    PostgreSQL: a session advisory lock on a connection kept for it (the server frees it the moment
    that connection dies, so a standby takes over within ``wait``). SQLite: an exclusive file lock
    beside the database file.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            while not conn.execute(sa.select(sa.func.pg_try_advisory_lock(SCHEDULER_LOCK_KEY))).scalar_one():
                if stop.wait(wait):
                    raise InterruptedError("stopped while waiting to become the active scheduler")

            def held() -> bool:
                try:
                    conn.execute(sa.text("SELECT 1"))
                except sa.exc.DBAPIError:
                    return False
                return True

            try:
                yield held
            finally:
                with contextlib.suppress(sa.exc.DBAPIError):
                    conn.execute(sa.select(sa.func.pg_advisory_unlock(SCHEDULER_LOCK_KEY)))
        return
    database = engine.url.database or ""
    path = Path(f"{database}.scheduler.lock") if database and database != ":memory:" else None
    if path is None:
        yield lambda: True
        return
    with path.open("a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if stop.wait(wait):
                    raise InterruptedError("stopped while waiting to become the active scheduler") from None
        try:
            yield lambda: True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_scheduler(emulator: Emulator, stop: threading.Event, interval: float, announce: Callable[[str], None]) -> None:
    """Be a standby until the lock is ours, then sweep every ``interval`` seconds until ``stop``."""
    while not stop.is_set():
        try:
            with scheduler_lock(emulator.store.engine, stop) as held:
                announce("active: sweeping due polls, deliveries and runs")
                last_check = time.monotonic()
                while not stop.is_set():
                    try:
                        emulator.scheduler.tick()
                    except Exception:
                        log.exception("scheduler sweep failed")
                    if time.monotonic() - last_check > 1.0:
                        last_check = time.monotonic()
                        if not held():
                            announce("lost the scheduler lock; standing by")
                            break
                    stop.wait(interval)
        except InterruptedError:
            return
        except sa.exc.OperationalError as exc:
            announce(f"database unreachable ({exc.orig}); trying again")
            stop.wait(1.0)
