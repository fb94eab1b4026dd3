"""System Log queries: polling (no ``until``, always a ``next`` link) and bounded (ends with no ``next``).

The ``after`` cursor is an opaque token encoding a position in the append-only log, so a poller that keeps
its ``next`` link sees every later event exactly once, even events written while the page was empty.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sandboxes.okta.errors import validation_error
from sandboxes.okta.expressions import LOG_FILTER
from sandboxes.okta.listing import compile_or_400
from sandboxes.okta.system_log import SystemLog
from sandboxes.okta.timestamps import parse_timestamp

DEFAULT_WINDOW = 7 * 24 * 3600
RETENTION = 90 * 24 * 3600
Q_FIELDS = ("displayMessage", "eventType")


@dataclass(frozen=True)
class LogQuery:
    since: str | None = None
    until: str | None = None
    after: str | None = None
    filter: str | None = None
    q: str | None = None
    limit: int = 100
    sort_order: str = "ASCENDING"


@dataclass(frozen=True)
class LogPage:
    events: list[dict[str, Any]]
    next_cursor: str | None  # None: no next link


def encode_cursor(log: SystemLog, position: int, direction: str, now: float) -> str:
    """An opaque cursor: a position in this log, and the time to resume from in another one.

    The time is that of the next event not yet returned (or ``now`` when caught up), so a client whose
    sandbox was restarted (a fresh log) neither skips the events written since nor sees old ones again.
    """
    resume = log.times[position] if 0 <= position < len(log.times) else now
    data = {"p": position, "d": direction[0], "i": log.incarnation, "t": round(resume, 6)}
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(log: SystemLog, cursor: str) -> tuple[int, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        direction = "DESCENDING" if data["d"] == "D" else "ASCENDING"
        if data.get("i") not in (None, log.incarnation) and "t" in data:
            return log.position_at(float(data["t"])), direction
        return int(data["p"]), direction
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise validation_error("after", "is not a cursor from a previous next link; start with since") from None


def _time(text: str, field: str) -> float:
    try:
        return parse_timestamp(text, field)
    except ValueError as exc:
        raise validation_error(field, str(exc).split(": ", 1)[1]) from None


def _keyword_matcher(q: str) -> Callable[[Mapping[str, Any]], bool]:
    terms = [term.casefold() for term in q.split()]

    def matches(event: Mapping[str, Any]) -> bool:
        haystack = " ".join(
            [str(event.get(name) or "") for name in Q_FIELDS]
            + [str(event["actor"].get("alternateId") or ""), str(event["actor"].get("displayName") or "")]
            + [str(t.get("alternateId") or "") + " " + str(t.get("displayName") or "") for t in event["target"]]
        ).casefold()
        return all(term in haystack for term in terms)

    return matches


def query_log(log: SystemLog, query: LogQuery, now: float) -> LogPage:
    """Run one System Log request and return its events and the next cursor."""
    order = query.sort_order.upper()
    if order not in ("ASCENDING", "DESCENDING"):
        raise validation_error("sortOrder", f"'{query.sort_order}' is not ASCENDING or DESCENDING")
    if query.after and query.since:
        raise validation_error("after", "cannot be combined with since; follow the next link as it is")
    predicates: list[Callable[[Mapping[str, Any]], bool]] = []
    if query.filter:
        predicates.append(compile_or_400(query.filter, LOG_FILTER, "filter"))
    if query.q:
        predicates.append(_keyword_matcher(query.q))
    polling = query.until is None and order == "ASCENDING"
    until = _time(query.until, "until") if query.until else now
    since = _time(query.since, "since") if query.since else until - DEFAULT_WINDOW
    since = max(since, now - RETENTION)
    end = len(log.events) if polling else log.position_at(until)
    low = log.position_at(since)
    if query.after:
        position, direction = decode_cursor(log, query.after)
        if direction != order:
            raise validation_error("after", "belongs to a query with the other sortOrder")
    else:
        position = low if order == "ASCENDING" else end
    found: list[dict[str, Any]] = []
    if order == "ASCENDING":
        index = max(position, 0)
        while index < end and len(found) < query.limit:
            event = log.events[index]
            index += 1
            if all(p(event) for p in predicates):
                found.append(event)
        more = polling or _any_match(log, range(index, end), predicates)
        return LogPage(found, encode_cursor(log, index, order, now) if more else None)
    index = min(position, end)
    while index > low and len(found) < query.limit:
        index -= 1
        event = log.events[index]
        if all(p(event) for p in predicates):
            found.append(event)
    more = _any_match(log, range(index - 1, low - 1, -1), predicates)
    return LogPage(found, encode_cursor(log, index, order, now) if more else None)


def _any_match(log: SystemLog, positions: range, predicates: list[Callable[[Mapping[str, Any]], bool]]) -> bool:
    return any(all(p(log.events[i]) for p in predicates) for i in positions)
