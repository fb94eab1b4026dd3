"""Tell somebody when a flow fails or is paused: a JSON notice POSTed to the flow's notification URL.

A sweep (every few seconds on its own thread, or ``sweep(now)`` in tests) reads what the runner already
records: flows that are paused, polls that failed (``last_poll_error``) and runs that failed since the
last notice. It never sits on the run path, so a slow or dead notification endpoint cannot delay a run.

What was told is kept in ``emulator_flow_notices`` beside the URL (a watermark of failed runs, the pause
and poll error already told), so a notice is sent once per event, also across restarts; a notice the
endpoint did not accept (no 2xx) is tried again at the next sweep after ``RETRY_SECONDS``. The URL is
checked by the one outbound guard (:func:`connector.outbound.check_url`) when it is saved and again before
every send, and sent through its guarded transport, so it cannot reach this machine or its private network
(unless the operator allowed that origin with ``--allow-url``).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa

from connector.errors import ConnectorError
from emulator.rows import FlowRow
from emulator.store import Store, metadata, runs

log = logging.getLogger(__name__)

#: How long to wait before sending again to an endpoint that refused or failed a notice.
RETRY_SECONDS = 60.0
#: Failed runs described in one notice (the count covers them all).
MAX_LISTED_RUNS = 10

notices = sa.Table(
    "emulator_flow_notices",
    metadata,
    sa.Column("flow_id", sa.String(64), primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    #: ``finished`` of the newest failed run already told.
    sa.Column("runs_told_until", sa.Float, nullable=False, default=0.0),
    sa.Column("pause_told", sa.Text, nullable=True),
    sa.Column("poll_error_told", sa.Text, nullable=True),
    sa.Column("last_sent", sa.Float, nullable=True),
    sa.Column("last_status", sa.Integer, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("retry_at", sa.Float, nullable=True),
)

UrlCheck = Callable[[str], str]


@dataclass
class FlowNotices:
    """Notification URLs per flow, and the sweep that sends their notices."""

    store: Store
    check_url: UrlCheck
    public_url: str
    #: The guarded network in the emulator; a MockTransport in tests.
    transport: httpx.BaseTransport
    interval: float = 2.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _client: httpx.Client | None = None

    def __post_init__(self) -> None:
        notices.create(self.store.engine, checkfirst=True)

    # -- the URL ------------------------------------------------------------------------------------
    def set_url(self, flow_id: str, url: str | None, now: float) -> None:
        """Save (or with None/empty, remove) a flow's notification URL after the outbound check.

        Events that happened before the URL was set are not told: the watermark starts now.
        """
        with self.store.begin() as conn:
            conn.execute(notices.delete().where(notices.c.flow_id == flow_id))
            if url:
                conn.execute(notices.insert().values(flow_id=flow_id, url=self.check_url(url), runs_told_until=now))

    def status(self, flow_id: str) -> dict[str, Any] | None:
        """The URL and how its last notice went, for the API (None when the flow has no URL)."""
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(notices).where(notices.c.flow_id == flow_id)).mappings().first()
        if row is None:
            return None
        return {"url": row["url"], "last_sent": row["last_sent"], "last_status": row["last_status"],
                "last_error": row["last_error"]}

    def forget(self, flow_id: str) -> None:
        with self.store.begin() as conn:
            conn.execute(notices.delete().where(notices.c.flow_id == flow_id))

    # -- the sweep ----------------------------------------------------------------------------------
    def sweep(self, now: float) -> int:
        """Send the notices that are due; returns how many were accepted."""
        with self.store.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(sa.select(notices)).mappings()]
        sent = 0
        for row in rows:
            if row["retry_at"] is not None and row["retry_at"] > now:
                continue
            flow = self.store.get_flow(row["flow_id"])
            if flow is None:
                self.forget(row["flow_id"])
                continue
            notice, changes = self._due(row, flow)
            if notice is None:
                if changes:
                    self._update(row["flow_id"], changes)
                continue
            if self._send(row, notice, now):
                sent += 1
                self._update(row["flow_id"], {**changes, "last_sent": now, "retry_at": None})
        return sent

    def _due(self, row: dict[str, Any], flow: FlowRow) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """What to tell about ``flow`` now, and the bookkeeping that records it as told."""
        events: list[dict[str, Any]] = []
        changes: dict[str, Any] = {}
        if flow["state"] == "paused":
            if row["pause_told"] != (flow["paused_reason"] or ""):
                events.append({"event": "paused", "reason": flow["paused_reason"]})
                changes["pause_told"] = flow["paused_reason"] or ""
        elif row["pause_told"] is not None:
            changes["pause_told"] = None
        poll_error = json.dumps(flow["last_poll_error"], sort_keys=True) if flow["last_poll_error"] else None
        if poll_error != row["poll_error_told"]:
            if flow["last_poll_error"]:
                events.append({"event": "poll_failed", "error": flow["last_poll_error"]})
            changes["poll_error_told"] = poll_error
        with self.store.engine.connect() as conn:
            failed = conn.execute(
                sa.select(runs.c.id, runs.c.finished, runs.c.error)
                .where(runs.c.flow_id == flow["id"], runs.c.status == "failed",
                       runs.c.finished > row["runs_told_until"])
                .order_by(runs.c.finished)
            ).all()
        if failed:
            events.append({
                "event": "runs_failed", "count": len(failed),
                "runs": [{"id": r.id, "error": r.error, "url": f"{self.public_url}/runs/{r.id}"}
                         for r in failed[-MAX_LISTED_RUNS:]],
            })
            changes["runs_told_until"] = failed[-1].finished
        if not events:
            return None, changes
        notice = {
            "flow": {"id": flow["id"], "name": flow["name"], "state": flow["state"],
                     "paused_reason": flow["paused_reason"], "url": f"{self.public_url}/flows/{flow['id']}"},
            "events": events,
        }
        return notice, changes

    def _send(self, row: dict[str, Any], notice: dict[str, Any], now: float) -> bool:
        try:
            url = self.check_url(row["url"])
            if self._client is None:
                self._client = httpx.Client(transport=self.transport, timeout=5.0, follow_redirects=False)
            response = self._client.post(url, json=notice, headers={"User-Agent": "connector-emulator notices"})
        except (ConnectorError, httpx.HTTPError) as exc:
            message = exc.message if isinstance(exc, ConnectorError) else f"{type(exc).__name__}: {exc}"
            self._update(row["flow_id"], {"last_error": message, "last_status": None, "retry_at": now + RETRY_SECONDS})
            log.warning("notice for flow %s not sent: %s", row["flow_id"], message)
            return False
        if not response.is_success:
            self._update(row["flow_id"], {
                "last_status": response.status_code, "retry_at": now + RETRY_SECONDS,
                "last_error": f"the endpoint answered {response.status_code}; trying again in {RETRY_SECONDS:g} s",
            })
            return False
        self._update(row["flow_id"], {"last_status": response.status_code, "last_error": None})
        log.info("notice for flow %s sent (%s)", row["flow_id"], response.status_code)
        return True

    def _update(self, flow_id: str, values: dict[str, Any]) -> None:
        with self.store.begin() as conn:
            conn.execute(notices.update().where(notices.c.flow_id == flow_id).values(**values))

    # -- the thread ---------------------------------------------------------------------------------
    def start(self, clock: Callable[[], float]) -> None:
        def loop() -> None:
            while not self._stop.wait(self.interval):
                try:
                    self.sweep(clock())
                except Exception:  # a broken sweep must not end the thread
                    log.exception("the notice sweep failed")

        self._thread = threading.Thread(target=loop, name="flow-notices", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._client is not None:
            self._client.close()
