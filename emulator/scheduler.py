"""The embedded scheduler: one tick polls due flows, ingests stored deliveries and runs due runs.

Tests call :meth:`Scheduler.tick` directly with the time they want; ``RUNNER_THREAD`` starts a
daemon thread that ticks every ``interval`` seconds, or sooner when the hook ingress wakes it after
storing a delivery.

Scaled (:mod:`emulator.distributed`), the scheduler has a ``queue``: a tick then only sends what is due
to the workers, which call the same runner methods, and the ingress sends each delivery it committed.
The store is the outbox: a job sent is remembered for ``resend_seconds``; if its row is still open
after that (the send failed, or the worker holding it died), the next tick sends it again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from connector.errors import ConnectorError
from emulator.runner import FlowNotFound, Runner

log = logging.getLogger(__name__)

#: Most deliveries and runs one tick takes on, so a burst cannot starve polls. Deliveries go first and in
#: bigger numbers: parsing one is a fraction of running one, and a parsed delivery is a durable, deduplicated
#: run, so a burst is recorded as runs quickly while its runs follow (never starved: each tick runs some).
DELIVERY_BATCH = 1000
RUN_BATCH = 100
#: Hook deliveries come first: while they keep arriving (gaps under ``INGRESS_QUIET``) the thread waits
#: for a pause before it starts on new work, for at most ``INGRESS_MAX_DEFER``. The vendor waits for each
#: acknowledgement (Okta gives up after 3 s) and the ingress and the ticks share one interpreter, while
#: nobody waits on a parse that happens a few seconds later: a burst is acknowledged at full speed and
#: becomes runs right after it, and a stream that never pauses still has its deliveries processed
#: within ``INGRESS_MAX_DEFER`` of their arrival, then continuously.
INGRESS_QUIET = 0.05
INGRESS_MAX_DEFER = 5.0
#: Once working, while deliveries keep arriving, the thread rests this many times as long as its last
#: chunk of work took (or until a pause): the ingress keeps most of the interpreter and processing a
#: quarter of it, however long the stream lasts.
INGRESS_SHARE = 3.0
#: Deliveries claimed with one statement and parsed together (one trigger call per flow among them).
CLAIM_CHUNK = 100


class JobQueue(Protocol):
    """Where a scaled scheduler sends jobs (``connector.poll_flow`` etc.); False when it could not."""

    def send(self, task: str, item_id: str) -> bool: ...

    def backlog(self) -> int | None:
        """Jobs waiting in the queue for a worker (None: the queue cannot tell)."""
        ...


POLL_TASK = "connector.poll_flow"
DELIVERY_TASK = "connector.process_delivery"
RUN_TASK = "connector.execute_run"


@dataclass
class TickReport:
    """What one tick did, for tests and the UI's status line."""

    polled: list[str] = field(default_factory=list)
    poll_errors: dict[str, str] = field(default_factory=dict)
    deliveries: int = 0
    executed: dict[str, str] = field(default_factory=dict)
    #: Jobs sent to the queue (scaled mode), as ``task:id``.
    sent: list[str] = field(default_factory=list)


class Scheduler:
    """Drives a :class:`Runner` on a clock."""

    def __init__(self, runner: Runner, interval: float = 0.25, resend_seconds: float = 30.0) -> None:
        self.runner = runner
        self.interval = interval
        #: Scaled mode: jobs go to workers through this queue instead of running in :meth:`tick`.
        self.queue: JobQueue | None = None
        self.resend_seconds = resend_seconds
        self._sent: dict[str, float] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._last_delivery = 0.0
        #: When the thread's current stretch of work began (see :meth:`_rest_for_ingress`).
        self._working_since = 0.0
        self._thread: threading.Thread | None = None
        self._tick_lock = threading.Lock()
        #: More work each tick does after flows, deliveries and runs (two-way syncs register here).
        self.also: list[Callable[[float], None]] = []

    def tick(self, now: float | None = None, pace: bool = False) -> TickReport:
        """Do everything that is due at ``now`` (default: the runner's clock).

        ``pace`` (the thread's own ticks): between chunks of work, rest while deliveries arrive
        (:data:`INGRESS_SHARE`).
        """
        runner = self.runner
        now = runner.settings.clock() if now is None else now
        report = TickReport()

        def rest() -> None:
            if pace:
                self._rest_for_ingress()
        if self.queue is not None:
            return self._sweep(now, report)
        with self._tick_lock:
            for flow in runner.store.due_flows(now):
                try:
                    runner.poll_flow(flow["id"], now)
                    report.polled.append(flow["id"])
                except (ConnectorError, FlowNotFound) as exc:
                    report.poll_errors[flow["id"]] = str(exc)
                except Exception as exc:  # one flow's failure must not starve the others
                    log.exception("polling flow %s failed", flow["id"])
                    report.poll_errors[flow["id"]] = f"{type(exc).__name__}: {exc}"
            pending = runner.store.pending_deliveries(DELIVERY_BATCH, now)
            for start in range(0, len(pending), CLAIM_CHUNK):
                if start:
                    rest()
                chunk = pending[start : start + CLAIM_CHUNK]
                # Long enough for every delivery of the chunk to take its whole time limit.
                until = now + runner.settings.run_lease_seconds + len(chunk) * runner.settings.time_limit
                claimed = runner.store.claim_deliveries(chunk, now, until)
                taken = [d for d in chunk if d in claimed]
                try:  # each flow's deliveries in one trigger call (Okta: one profile read for all of them)
                    runner.process_deliveries(taken, now, claimed=True)
                except Exception:
                    log.exception("processing deliveries %s failed", ", ".join(taken))
                report.deliveries += len(taken)
            if pending:
                rest()
            runnable = runner.store.runnable_runs(now, RUN_BATCH)
            try:
                report.executed.update(runner.execute_runs(runnable, now))
            except Exception:  # claiming or reading the batch failed: every run stays for the next tick
                log.exception("executing runs %s failed", ", ".join(runnable))
                report.executed.update(dict.fromkeys(runnable, "error"))
            for work in self.also:
                try:
                    work(now)
                except Exception:  # a failing sync must not stop flows
                    log.exception("scheduled work %s failed", getattr(work, "__name__", work))
        return report

    def _sweep(self, now: float, report: TickReport) -> TickReport:
        """Scaled mode: send every due poll, open delivery and runnable run not sent recently."""
        store = self.runner.store
        assert self.queue is not None
        with self._tick_lock:
            moment = now
            # While workers still have a backlog, what was sent is waiting its turn, not lost: sending it
            # again would only lengthen the queue. Once the queue is empty, what is still open is resent.
            if not self.queue.backlog():
                self._sent = {job: at for job, at in self._sent.items() if moment - at < self.resend_seconds}
            jobs = [(POLL_TASK, flow["id"]) for flow in store.due_flows(now)]
            jobs += [(DELIVERY_TASK, d) for d in store.pending_deliveries(DELIVERY_BATCH * 5, now)]
            jobs += [(RUN_TASK, r) for r in store.runnable_runs(now, RUN_BATCH * 5)]
            for task, item_id in jobs:
                job = f"{task}:{item_id}"
                if job not in self._sent and self._send(task, item_id):
                    self._sent[job] = moment
                    report.sent.append(job)
        return report

    def _send(self, task: str, item_id: str) -> bool:
        assert self.queue is not None
        return self.queue.send(task, item_id)

    def enqueue_runs(self, run_ids: list[str]) -> None:
        """Scaled mode: send runs just created to the workers (a failed send waits for the sweep)."""
        if self.queue is None:
            self._wake.set()
            return
        for run_id in run_ids:
            self._send(RUN_TASK, run_id)

    def delivered(self, delivery_id: str) -> None:
        """A delivery was committed: process it now (wake the thread, or send it to a worker)."""
        if self.queue is None:
            self._last_delivery = time.monotonic()
            self._wake.set()
        else:
            self._send(DELIVERY_TASK, delivery_id)

    def wake(self) -> None:
        """Ask the thread to tick now (a delivery arrived)."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="emulator-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _wait_for_pause(self, longest: float) -> None:
        """Wait while deliveries are arriving (see :data:`INGRESS_QUIET`), at most ``longest`` seconds."""
        until = time.monotonic() + longest
        while not self._stop.is_set():
            now = time.monotonic()
            if now - self._last_delivery >= INGRESS_QUIET or now >= until:
                return
            self._stop.wait(min(INGRESS_QUIET, until - now))

    def _rest_for_ingress(self) -> None:
        """Wait for a pause, at most ``INGRESS_SHARE`` times as long as the work since the last rest."""
        self._wait_for_pause(INGRESS_SHARE * (time.monotonic() - self._working_since))
        self._working_since = time.monotonic()

    def _loop(self) -> None:
        backlog = False
        while not self._stop.is_set():
            if backlog:
                self._rest_for_ingress()  # still working off a backlog: keep the ingress's share
            else:
                self._wait_for_pause(INGRESS_MAX_DEFER)  # new work: let a burst finish first
                self._working_since = time.monotonic()
            try:
                report = self.tick(pace=True)
            except Exception:  # the loop must survive anything one tick meets
                log.exception("scheduler tick failed")
                report = TickReport()
            backlog = report.deliveries >= DELIVERY_BATCH or len(report.executed) >= RUN_BATCH
            if backlog:
                continue  # more work is waiting: do not sleep
            self._wake.wait(self.interval)
            self._wake.clear()
