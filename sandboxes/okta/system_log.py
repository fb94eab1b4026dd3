"""The org's System Log: an append-only list of LogEvents in persistence order, plus change listeners.

Events written while handling one request are collected into a batch and handed to listeners (the
event-hook dispatcher) together when the request ends, which is how one delivery carries several events.
"""

from __future__ import annotations

import bisect
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sandboxes.okta.timestamps import iso_timestamp

SEVERITY = {"user.account.lock": "WARN"}


@dataclass(frozen=True)
class Actor:
    """Who made a change: the admin behind an SSWS token, an OAuth service app, or the system."""

    id: str
    type: str
    alternate_id: str
    display_name: str

    def as_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "type": self.type,
            "alternateId": self.alternate_id,
            "displayName": self.display_name,
        }


SYSTEM_ACTOR = Actor("00usandboxadmin00001", "User", "admin@sandbox.example.com", "Sandbox Admin")

Target = dict[str, str]
Listener = Callable[[list[dict[str, Any]]], None]


class SystemLog:
    """LogEvents in the order they were written, searchable by time with bisect."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        #: Names this log's lifetime; cursors from another one (a restarted sandbox) resume by time.
        self.incarnation = uuid.uuid4().hex[:12]
        self.events: list[dict[str, Any]] = []
        self.times: list[float] = []
        self._listeners: list[Listener] = []
        self._local = threading.local()
        self._lock = threading.RLock()

    def listen(self, listener: Listener) -> None:
        """Call ``listener`` with each finished batch of new events."""
        self._listeners.append(listener)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Collect events written inside the block (on this thread) and publish them once at the end."""
        self.begin_batch()
        try:
            yield
        finally:
            self.end_batch()

    def begin_batch(self) -> None:
        """Start collecting this thread's events (nests; the outermost end publishes)."""
        depth = getattr(self._local, "depth", 0)
        if depth == 0:
            self._local.pending = []
        self._local.depth = depth + 1

    def end_batch(self) -> None:
        """Close one level of batching; at the outermost level hand the events to the listeners."""
        depth = getattr(self._local, "depth", 0)
        if depth == 0:
            return
        self._local.depth = depth - 1
        if depth == 1:
            pending: list[dict[str, Any]] = self._local.pending
            self._local.pending = []
            if pending:
                self._publish(pending)

    def record(
        self,
        event_type: str,
        display_message: str,
        targets: list[Target],
        *,
        actor: Actor | None = None,
        outcome: str = "SUCCESS",
        debug_data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Append a LogEvent in Okta's documented shape and queue it for the hooks."""
        now = self._clock()
        transaction_id = getattr(self._local, "transaction_id", None) or uuid.uuid4().hex[:24]
        who = actor or getattr(self._local, "actor", None) or SYSTEM_ACTOR
        event: dict[str, Any] = {
            "uuid": str(uuid.uuid4()),
            "published": iso_timestamp(now),
            "eventType": event_type,
            "version": "0",
            "displayMessage": display_message,
            "severity": SEVERITY.get(event_type, "INFO"),
            "legacyEventType": None,
            "actor": who.as_dict() | {"detailEntry": None},
            "client": {
                "userAgent": {"rawUserAgent": getattr(self._local, "user_agent", None) or "sandbox",
                              "os": "Unknown", "browser": "UNKNOWN"},
                "zone": "null",
                "device": "Unknown",
                "id": None,
                "ipAddress": "127.0.0.1",
                "geographicalContext": None,
            },
            "outcome": {"result": outcome, "reason": None},
            "target": [target | {"detailEntry": None} for target in targets],
            "transaction": {"type": "WEB", "id": transaction_id, "detail": {}},
            "debugContext": {"debugData": debug_data or {}},
            "authenticationContext": {"authenticationStep": 0, "externalSessionId": "sandbox"},
            "securityContext": {},
            "request": {"ipChain": [{"ip": "127.0.0.1", "version": "V4"}]},
        }
        with self._lock:
            self.events.append(event)
            self.times.append(now)
        if getattr(self._local, "depth", 0) > 0:
            self._local.pending.append(event)
        else:
            self._publish([event])
        return event

    def set_request_context(self, actor: Actor | None, user_agent: str | None) -> None:
        """Remember who is acting on this thread (called per request)."""
        self._local.actor = actor
        self._local.user_agent = user_agent
        self._local.transaction_id = uuid.uuid4().hex[:24] if actor else None

    def position_at(self, epoch: float) -> int:
        """Index of the first event published at or after ``epoch``."""
        with self._lock:
            return bisect.bisect_left(self.times, epoch)

    def _publish(self, events: list[dict[str, Any]]) -> None:
        for listener in self._listeners:
            listener(events)
