"""Client-side rate pacing: spend a vendor's request budget without overflowing it.

A 429 costs more than the request it refuses: the seam then waits what the service asks, and HighLevel
rounds ``Retry-After`` up to whole seconds, so every 429 idles up to a second past the window's end.
The pacer reads the budget the service announces on every response and delays a request just enough
that no window overflows:

- **HighLevel style** (``X-RateLimit-Max`` requests per ``X-RateLimit-Interval-Milliseconds``, with no
  reset time): a sliding log of the last ``Max`` send times per budget. A request goes when fewer than
  ``Max`` were sent in the last interval, so *every* interval of that length, and so every window of a
  fixed-window limiter wherever its edges are, holds at most ``Max`` of ours. Bursts are free; the
  steady rate is the allowed rate less a small margin for network jitter. When the service says the
  budget is spent while our own log says it is not (another client shares it), the budget is closed
  for one whole interval.
- **Okta style** (``X-Rate-Limit-Limit``, ``-Remaining``, ``-Reset`` in epoch seconds): no pacing while
  budget remains; once it runs out, requests wait for the reset (measured against the response's
  ``Date``, the server's clock).

Budgets are keyed by host and a fingerprint of the credential (never the credential itself): HighLevel
counts per app and location, so every path shares one budget. Okta counts per endpoint family, so its
state is keyed by the first three path segments too (``/api/v1/users``, ``/api/v1/logs``).

One process-wide :data:`SHARED_PACER` serves every client ``make_client`` builds for a real network
transport; it is thread-safe. The pacer never sleeps itself: :meth:`RatePacer.reserve` books a send
slot and returns the wait, so the seam can refuse a wait that would pass a step's deadline.
"""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

#: Headers that carry the credential a budget belongs to.
CREDENTIAL_HEADERS = ("authorization", "x-api-key", "api-key")
#: Extra wait after a window, as a fraction of the interval: requests reach the server with jitter.
DEFAULT_MARGIN = 0.01
#: Never less than this margin, in seconds.
MIN_MARGIN = 0.005


@dataclass
class _SlidingBudget:
    """``limit`` requests per ``interval`` seconds, window edges unknown (HighLevel)."""

    limit: int
    interval: float
    sends: deque[float] = field(default_factory=deque)
    closed_until: float = 0.0

    def earliest(self, now: float, margin: float) -> float:
        slot = max(now, self.closed_until)
        if len(self.sends) >= self.limit:
            slot = max(slot, self.sends[-self.limit] + self.interval + margin)
        return slot

    def book(self, slot: float) -> None:
        self.sends.append(slot)
        while len(self.sends) > self.limit:
            self.sends.popleft()

    def sent_since(self, since: float) -> int:
        return sum(1 for sent in self.sends if sent > since)


@dataclass
class _ResetBudget:
    """``remaining`` requests until ``reset_at`` (monotonic seconds), as Okta announces."""

    remaining: int
    reset_at: float


def budget_key(request: httpx.Request) -> str:
    """Host and a short fingerprint of the request's credential: the unit a vendor counts."""
    credential = "\n".join(request.headers.get(name, "") for name in CREDENTIAL_HEADERS)
    fingerprint = hashlib.sha256(credential.encode()).hexdigest()[:16]
    return f"{request.url.host}:{request.url.port or ''}#{fingerprint}"


def endpoint_family(request: httpx.Request) -> str:
    """Okta counts per endpoint family; the first three path segments approximate it (``/api/v1/users``)."""
    return "/".join(request.url.path.split("/")[:4])


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


class RatePacer:
    """Books send slots per budget from what the services' rate-limit headers announce. Thread-safe.

    Args:
        clock: monotonic seconds (tests pass a fake clock).
        wall_clock: epoch seconds, used when a response carries no ``Date``.
        margin: extra wait after a HighLevel-style window, as a fraction of its interval.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        margin: float = DEFAULT_MARGIN,
    ) -> None:
        self.clock = clock
        self.wall_clock = wall_clock
        self.margin = margin
        self._lock = threading.Lock()
        self._sliding: dict[str, _SlidingBudget] = {}
        self._resets: dict[str, _ResetBudget] = {}

    def reserve(self, request: httpx.Request) -> float:
        """Book the earliest slot that keeps every known budget; returns the seconds to wait for it."""
        key = budget_key(request)
        family = f"{key}{endpoint_family(request)}"
        with self._lock:
            now = self.clock()
            slot = now
            sliding = self._sliding.get(key)
            if sliding is not None:
                slot = sliding.earliest(now, self._margin_for(sliding))
            reset = self._resets.get(family)
            if reset is not None:
                if reset.reset_at <= slot:
                    del self._resets[family]  # that window is over; the next response says what is left
                elif reset.remaining <= 0:
                    slot = reset.reset_at
                    del self._resets[family]
                else:
                    reset.remaining -= 1  # in-flight requests of other threads count too
            if sliding is not None:
                sliding.book(slot)
            return slot - now

    def observe(self, request: httpx.Request, response: httpx.Response, sent_at: float) -> None:
        """Learn the budget from ``response``'s headers; ``sent_at`` is the clock when it was sent."""
        headers = response.headers
        limit = _int_header(headers, "x-ratelimit-max")
        interval_ms = _int_header(headers, "x-ratelimit-interval-milliseconds")
        if limit and interval_ms and limit > 0 and interval_ms > 0:
            self._observe_sliding(request, headers, limit, interval_ms / 1000.0, sent_at)
        remaining = _int_header(headers, "x-rate-limit-remaining")
        reset = _int_header(headers, "x-rate-limit-reset")
        if remaining is not None and reset is not None:
            self._observe_reset(request, headers, remaining, reset)

    def forget(self) -> None:
        """Drop everything learned (tests; a credential rotated)."""
        with self._lock:
            self._sliding.clear()
            self._resets.clear()

    def _margin_for(self, budget: _SlidingBudget) -> float:
        return max(MIN_MARGIN, budget.interval * self.margin)

    def _observe_sliding(
        self, request: httpx.Request, headers: httpx.Headers, limit: int, interval: float, sent_at: float
    ) -> None:
        key = budget_key(request)
        with self._lock:
            now = self.clock()
            budget = self._sliding.get(key)
            if budget is None:
                # The request that taught us the budget was sent unbooked: count it.
                budget = self._sliding[key] = _SlidingBudget(limit, interval, deque([sent_at]))
            elif budget.limit != limit or budget.interval != interval:
                budget.limit, budget.interval = limit, interval  # retuned: the log keeps its newest sends
                while len(budget.sends) > limit:
                    budget.sends.popleft()
            if _int_header(headers, "x-ratelimit-remaining") == 0 and budget.sent_since(now - interval) < limit:
                # Spent, but not by us alone: someone else shares this budget. Its window ends within
                # one interval of now.
                budget.closed_until = max(budget.closed_until, now + interval + self._margin_for(budget))

    def _observe_reset(self, request: httpx.Request, headers: httpx.Headers, remaining: int, reset: int) -> None:
        server_now = _server_date(headers)
        if server_now is None:
            server_now = self.wall_clock()
        family = f"{budget_key(request)}{endpoint_family(request)}"
        with self._lock:
            # Date has whole seconds, so this errs late, never early.
            reset_at = self.clock() + max(0.0, reset - server_now)
            self._resets[family] = _ResetBudget(remaining, reset_at)


def _server_date(headers: httpx.Headers) -> float | None:
    """The response's ``Date`` as epoch seconds (the first one, when a proxy repeated it)."""
    dates = headers.get_list("date")
    if not dates:
        return None
    try:
        return email.utils.parsedate_to_datetime(dates[0]).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


#: The process-wide pacer: budgets are per vendor account, not per client object.
SHARED_PACER = RatePacer()
