"""How sandboxes send event-hook and webhook deliveries to receivers.

Okta delivers event hooks with a 3 s timeout and at most one retry: 5xx, timeouts and connection
errors are retried, 4xx are not. Verification is one GET with the same timeout and one retry. The
sandboxes reproduce that here, once, so both the Okta and the Contacts sandbox behave alike and tests
can inspect every attempt (:attr:`Outbox.deliveries`).

Deliveries are queued for background worker threads by default, so a sandbox request that triggers a
hook is not slowed by the receiver (as with the real vendor). ``synchronous=True`` delivers inline,
which makes simple tests deterministic; :meth:`Outbox.flush` waits for the queue either way.

The transport is settable: tests point it at an in-process receiver with ``httpx.WSGITransport``.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType

import httpx

HISTORY_LIMIT = 1_000


@dataclass
class DeliveryAttempt:
    """One POST (or GET) of a delivery: the status, or the transport error when there was no answer."""

    url: str
    status: int | None
    error: str | None
    started: float
    elapsed: float


@dataclass
class Delivery:
    """One message to one receiver and every attempt to deliver it."""

    id: str
    url: str
    headers: dict[str, str]
    body: bytes
    attempts: list[DeliveryAttempt] = field(default_factory=list)
    delivered: bool = False
    finished: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every attempt is made; True if finished (delivered or given up)."""
        return self.finished.wait(timeout)


def _should_retry(status: int | None) -> bool:
    """Retry on no answer or 5xx; a 4xx means the receiver refused it and will refuse it again."""
    return status is None or status >= 500


_STOP = object()


class Outbox:
    """Sends POST deliveries with bounded retries, inline or through background workers.

    Args:
        transport: httpx transport; None means the real network. Settable later.
        timeout: seconds per attempt (Okta: 3).
        retries: extra attempts after the first on 5xx, timeout or connection error (Okta: 1).
        synchronous: deliver inside :meth:`send` instead of queueing.
        workers: background threads when not synchronous.
        retry_delay: seconds between attempts.
    """

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 3.0,
        retries: int = 1,
        synchronous: bool = False,
        workers: int = 1,
        retry_delay: float = 0.0,
    ) -> None:
        if retries < 0:
            raise ValueError(f"retries must be 0 or more, got {retries}")
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.timeout = timeout
        self.retries = retries
        self.synchronous = synchronous
        self.retry_delay = retry_delay
        self.deliveries: list[Delivery] = []
        self._transport = transport
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._ids = itertools.count(1)
        self._queue: queue.Queue[object] = queue.Queue()
        self._closed = False
        self._workers: list[threading.Thread] = []
        self._worker_count = workers

    @property
    def transport(self) -> httpx.BaseTransport | None:
        return self._transport

    @transport.setter
    def transport(self, transport: httpx.BaseTransport | None) -> None:
        with self._lock:
            self._transport = transport
            old, self._client = self._client, None
        if old is not None:
            old.close()

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(transport=self._transport, timeout=self.timeout)
            return self._client

    def send(self, url: str, headers: dict[str, str], body: bytes) -> Delivery:
        """POST ``body`` to ``url`` now (synchronous) or via the queue; returns the delivery record.

        Raises:
            RuntimeError: the outbox is closed.
        """
        delivery = Delivery(id=f"dlv{next(self._ids):08d}", url=url, headers=dict(headers), body=body)
        with self._lock:
            if self._closed:
                raise RuntimeError("the outbox is closed; create a new Outbox to send deliveries")
            self.deliveries.append(delivery)
            if len(self.deliveries) > HISTORY_LIMIT:
                del self.deliveries[: len(self.deliveries) - HISTORY_LIMIT]
            if not self.synchronous:
                self._pending += 1
                self._start_workers()
        if self.synchronous:
            self._deliver(delivery)
        else:
            self._queue.put(delivery)
        return delivery

    def get(self, url: str, headers: dict[str, str]) -> httpx.Response:
        """A verification GET: same timeout, same retry rule as deliveries.

        Returns the last response (possibly a 5xx after the retries).

        Raises:
            httpx.HTTPError: every attempt failed without an answer (timeout, refused, reset).
        """
        client = self._http()
        last_error: httpx.HTTPError | None = None
        response: httpx.Response | None = None
        for attempt in range(self.retries + 1):
            if attempt and self.retry_delay:
                time.sleep(self.retry_delay)
            try:
                response = client.get(url, headers=headers)
            except httpx.TransportError as exc:
                last_error, response = exc, None
                continue
            except OSError as exc:  # an in-process receiver dropped the connection
                last_error = httpx.RemoteProtocolError(str(exc), request=httpx.Request("GET", url))
                response = None
                continue
            if not _should_retry(response.status_code):
                return response
        if response is not None:
            return response
        assert last_error is not None
        raise last_error

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until every queued delivery has finished all its attempts.

        Raises:
            TimeoutError: deliveries are still pending after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self._pending} deliveries still pending after {timeout} s")
                self._idle.wait(left)

    def close(self) -> None:
        """Finish what is queued, stop the workers and close the HTTP client. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._workers)
        for _ in workers:
            self._queue.put(_STOP)
        for worker in workers:
            worker.join(timeout=self.timeout * (self.retries + 1) + 5)
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _start_workers(self) -> None:
        """Start the worker threads on first use (called with the lock held)."""
        while len(self._workers) < self._worker_count:
            worker = threading.Thread(
                target=self._work, name=f"outbox-worker-{len(self._workers)}", daemon=True
            )
            self._workers.append(worker)
            worker.start()

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            assert isinstance(item, Delivery)
            try:
                self._deliver(item)
            finally:
                with self._idle:
                    self._pending -= 1
                    if not self._pending:
                        self._idle.notify_all()

    def _deliver(self, delivery: Delivery) -> None:
        client = self._http()
        try:
            for attempt in range(self.retries + 1):
                if attempt and self.retry_delay:
                    time.sleep(self.retry_delay)
                started = time.time()
                t0 = time.perf_counter()
                status: int | None = None
                error: str | None = None
                try:
                    response = client.post(delivery.url, headers=delivery.headers, content=delivery.body)
                    status = response.status_code
                except (httpx.HTTPError, OSError) as exc:  # OSError: an in-process receiver dropped us
                    error = f"{type(exc).__name__}: {exc}"
                delivery.attempts.append(
                    DeliveryAttempt(delivery.url, status, error, started, time.perf_counter() - t0)
                )
                if status is not None and 200 <= status < 300:
                    delivery.delivered = True
                    return
                if not _should_retry(status):
                    return
        finally:
            delivery.finished.set()
