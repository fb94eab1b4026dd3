"""Client-side rate pacing: spend a vendor's request budget without overflowing it.

A 429 costs more than the request it refuses: the seam then waits what the service asks, and HighLevel
rounds ``Retry-After`` up to whole seconds, so every 429 idles up to a second past the window's end.
The pacer reads the budget the service announces on every response and delays a request just enough
that no window overflows:

- **HighLevel style** (``X-RateLimit-Max`` requests per ``X-RateLimit-Interval-Milliseconds``, with no
  reset time): at first a sliding log of the last ``Max`` send times per budget. A request goes when
  fewer than ``Max`` were sent in the last interval, so *every* interval of that length, and so every
  window of a fixed-window limiter wherever its edges are, holds at most ``Max`` of ours. That is safe
  against any limiter but wasteful against fixed windows: each send waits an interval plus a margin
  after the send ``Max`` back, so the pattern drifts by the margin every window, and when it reaches a
  window's end the next window is left nearly empty (benchmark 5 lost 5-6% that way).
  So the pacer also compares each answer's ``X-RateLimit-Remaining`` with its own log: a fixed window
  forgets requests younger than one interval, which a sliding window never does. Once it has seen that,
  it brackets a window edge (after the last send the service no longer counts, before the answer that
  showed it) and paces to the windows: spend the window's budget (the service's own count plus ours in
  flight), then wait for the latest possible start of the next window. The bracket narrows with every
  answer that crosses an edge; the pacing never drifts. A 429 in that mode (edges moved, or not fixed
  after all) returns the budget to the sliding log. When the service says the budget is spent while our
  own log says it is not (another client shares it), the budget is closed for one whole interval.
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

import bisect
import email.utils
import functools
import hashlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

#: Headers that carry the credential a budget belongs to.
CREDENTIAL_HEADERS = ("authorization", "x-api-key", "api-key")
#: Extra wait after a window, as a fraction of the interval: requests reach the server with jitter.
DEFAULT_MARGIN = 0.01
#: Never less than this margin, in seconds.
MIN_MARGIN = 0.005
#: Wait past a fixed window's latest possible start, seconds: covers the two clocks' rates drifting.
EDGE_MARGIN = 0.005
#: A send younger than this fraction of the interval that the service no longer counts proves fixed
#: windows (a sliding window counts every request of the last whole interval).
FIXED_WINDOW_EVIDENCE = 0.95


@dataclass
class _SlidingBudget:
    """``limit`` requests per ``interval`` seconds (HighLevel): a sliding log, then fixed windows once seen.

    ``sends`` holds the last ``limit + 1`` booked send times, oldest first. ``edge`` is a bracket
    ``(lo, hi)`` (pacer clock) holding one window boundary, once the service's own count has shown a
    fixed window; every boundary is then ``edge + k * interval``.
    """

    limit: int
    interval: float
    sends: list[float] = field(default_factory=list)
    closed_until: float = 0.0
    edge: tuple[float, float] | None = None
    #: Send time and ``X-RateLimit-Remaining`` of the latest-sent request whose answer has come back.
    last_sent: float = float("-inf")
    last_remaining: int = 0

    def earliest(self, now: float, margin: float) -> float:
        slot = max(now, self.closed_until)
        if self.edge is None:
            if len(self.sends) >= self.limit:
                slot = max(slot, self.sends[-self.limit] + self.interval + margin)
            return slot
        for _ in range(4):  # the next window is free unless sends already booked there fill it
            start_lo, start_hi = self._window_of(slot)
            if self._used(start_lo, start_hi) < self.limit:
                return slot
            slot = start_hi + self.interval + EDGE_MARGIN
        return slot

    def book(self, slot: float) -> None:
        bisect.insort(self.sends, slot)
        if len(self.sends) > self.limit + 1:
            del self.sends[: len(self.sends) - self.limit - 1]

    def sent_since(self, since: float) -> int:
        return len(self.sends) - bisect.bisect_right(self.sends, since)

    def learn_edge(self, sent_at: float, remaining: int, now: float) -> None:
        """Narrow the window boundary from one answer: what the service counts vs what we sent.

        The service counted ``limit - remaining`` requests in its current window, this one included, so
        the send before the latest that many of ours is outside that window: the window began after it
        was sent and before this answer came back. A sliding window never forgets a request younger than
        one interval; when that send is clearly younger, the service counts in fixed windows.
        """
        counted = self.limit - remaining
        if counted < 1:
            return
        # The window holds ``counted - 1`` that arrived before this one: at most that many of ours sent
        # strictly earlier (others sent at the same moment may be among them), so the ``counted``-th
        # latest of those is surely outside it.
        position = bisect.bisect_left(self.sends, sent_at) - counted
        if position < 0:
            return
        before = self.sends[position]
        if now - before >= self.interval * FIXED_WINDOW_EVIDENCE:
            return  # consistent with a sliding window: learn nothing
        lo, hi = before, now
        if self.edge is not None:
            old_lo, old_hi = self.edge
            nearest = round(((lo + hi) - (old_lo + old_hi)) / 2 / self.interval)
            overlaps = [
                (max(lo, old_lo + shift), min(hi, old_hi + shift))
                for shift in (self.interval * (nearest + k) for k in (-1, 0, 1))
                if max(lo, old_lo + shift) <= min(hi, old_hi + shift)
            ]
            if len(overlaps) == 1:
                lo, hi = overlaps[0]
            # None: the windows moved (or the clocks drifted); several: ambiguous. Either way this
            # answer's bracket alone is certain.
        self.edge = (lo, hi)

    def _window_of(self, moment: float) -> tuple[float, float]:
        """Bounds on the start of the window that surely holds a request sent at ``moment``."""
        assert self.edge is not None
        lo, hi = self.edge
        windows = math.floor((moment - hi) / self.interval)
        return lo + windows * self.interval, hi + windows * self.interval

    def _used(self, start_lo: float, start_hi: float) -> int:
        """Requests the window starting in ``[start_lo, start_hi]`` may already hold."""
        if self.last_sent >= start_hi:
            # The service's own count for this window (other clients included), plus ours sent since.
            return self.limit - self.last_remaining + self.sent_since(self.last_sent)
        # No answer from this window yet: every send of ours that may have reached it, counted high.
        return self.sent_since(start_lo - EDGE_MARGIN)


@dataclass
class _ResetBudget:
    """``remaining`` requests until ``reset_at`` (monotonic seconds), as Okta announces."""

    remaining: int
    reset_at: float


def budget_key(request: httpx.Request) -> str:
    """Host and a short fingerprint of the request's credential: the unit a vendor counts."""
    credential = "\n".join(request.headers.get(name, "") for name in CREDENTIAL_HEADERS)
    return f"{request.url.host}:{request.url.port or ''}#{_fingerprint(credential)}"


@functools.lru_cache(maxsize=256)
def _fingerprint(credential: str) -> str:
    """A short hash of a credential, worked out once per credential (every request of a walk asks)."""
    return hashlib.sha256(credential.encode()).hexdigest()[:16]


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
            self._observe_sliding(request, response, limit, interval_ms / 1000.0, sent_at)
        remaining = _int_header(headers, "x-rate-limit-remaining")
        reset = _int_header(headers, "x-rate-limit-reset")
        if remaining is not None and reset is not None:
            self._observe_reset(request, headers, remaining, reset)

    def _margin_for(self, budget: _SlidingBudget) -> float:
        return max(MIN_MARGIN, budget.interval * self.margin)

    def _observe_sliding(
        self, request: httpx.Request, response: httpx.Response, limit: int, interval: float, sent_at: float
    ) -> None:
        key = budget_key(request)
        remaining = _int_header(response.headers, "x-ratelimit-remaining")
        with self._lock:
            now = self.clock()
            budget = self._sliding.get(key)
            if budget is None:
                # The request that taught us the budget was sent unbooked: count it.
                budget = self._sliding[key] = _SlidingBudget(limit, interval, [sent_at])
            elif budget.limit != limit or budget.interval != interval:
                # Retuned: the log keeps its newest sends; what was learnt about windows no longer holds.
                budget.limit, budget.interval, budget.edge = limit, interval, None
                del budget.sends[: max(0, len(budget.sends) - limit - 1)]
            if response.status_code == 429:
                # Refused although we paced: the windows are not where we thought (or not fixed at
                # all). Back to the sliding log, which holds for any window.
                budget.edge = None
                return
            if remaining is None:
                return
            budget.learn_edge(sent_at, remaining, now)
            if sent_at >= budget.last_sent:
                budget.last_sent, budget.last_remaining = sent_at, remaining
            # The service counted at arrival, after ``sent_at``: ours it could still count were sent after this.
            ours = budget.sent_since(sent_at - interval - self._margin_for(budget))
            if budget.edge is None and remaining == 0 and ours < limit:
                # Spent, but not by us alone: someone else shares this budget. Its window ends within
                # one interval of now. (Once fixed windows are known, the service's count covers this.)
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
    return _date_seconds(dates[0]) if dates else None


@functools.lru_cache(maxsize=64)
def _date_seconds(value: str) -> float | None:
    """An HTTP date as epoch seconds; whole seconds, so a walk's pages share a few values."""
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


#: The process-wide pacer: budgets are per vendor account, not per client object.
SHARED_PACER = RatePacer()


#: Book a send slot in a budget every process shares (Redis). KEYS: the sliding log (a sorted set of
#: booked send times), the budget's settings (hash: limit, interval), the reset budget (hash: remaining,
#: reset_at). ARGV: margin fraction, minimum margin. Times are the Redis server's clock, the one clock
#: every worker on every machine agrees on. Returns the wait in seconds, as a string (Lua numbers
#: become integers on the way back).
_RESERVE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local slot = now
local limit = tonumber(redis.call('HGET', KEYS[2], 'limit') or '0')
local interval = tonumber(redis.call('HGET', KEYS[2], 'interval') or '0')
if limit > 0 and interval > 0 then
  local margin = math.max(tonumber(ARGV[2]), interval * tonumber(ARGV[1]))
  local closed = tonumber(redis.call('HGET', KEYS[2], 'closed_until') or '0')
  if closed > slot then slot = closed end
  if redis.call('ZCARD', KEYS[1]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[1], -limit, -limit, 'WITHSCORES')
    local earliest = tonumber(oldest[2]) + interval + margin
    if earliest > slot then slot = earliest end
  end
end
local remaining = redis.call('HGET', KEYS[3], 'remaining')
if remaining then
  local reset_at = tonumber(redis.call('HGET', KEYS[3], 'reset_at'))
  if reset_at <= slot then
    redis.call('DEL', KEYS[3])
  elseif tonumber(remaining) <= 0 then
    slot = reset_at
    redis.call('DEL', KEYS[3])
  else
    redis.call('HINCRBY', KEYS[3], 'remaining', -1)
  end
end
-- Booked even before the budget is known: the sends that teach it count against it too.
redis.call('ZADD', KEYS[1], slot, string.format('%.6f', slot) .. ':' .. redis.call('INCR', KEYS[1] .. ':n'))
local keep = 1000
if limit > 0 then keep = limit + 1 end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(keep + 1))
local ttl = math.ceil((math.max(interval, 1) * 2 + 60) * 1000)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[1] .. ':n', ttl)
return tostring(slot - now)
"""

#: Learn a budget from one answer. KEYS: settings hash, reset hash, sliding log. ARGV: limit, interval
#: (0 when not announced), HighLevel-style remaining, Okta-style remaining (-1 when absent), Okta's reset
#: delay from now in seconds (-1 when absent), whether the answer was a 429, margin, seconds since the send.
_OBSERVE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local limit = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local remaining = tonumber(ARGV[3])
local reset_remaining = tonumber(ARGV[4])
if limit > 0 and interval > 0 then
  redis.call('HSET', KEYS[1], 'limit', limit, 'interval', interval)
  redis.call('PEXPIRE', KEYS[1], 86400000)
  if remaining == 0 or ARGV[6] == '1' then
    -- Spent or refused: someone counts more than this log (another client, a request not booked).
    -- The service counted at arrival, after the send: ours it could still count were sent after this.
    local margin = math.max(0.005, interval * tonumber(ARGV[7]))
    local ours = redis.call('ZCOUNT', KEYS[3], now - tonumber(ARGV[8]) - interval - margin, '+inf')
    if ours < limit or ARGV[6] == '1' then
      redis.call('HSET', KEYS[1], 'closed_until', now + interval * (1 + tonumber(ARGV[7])))
    end
  end
end
local reset_in = tonumber(ARGV[5])
if reset_in >= 0 and reset_remaining >= 0 then
  redis.call('HSET', KEYS[2], 'remaining', reset_remaining, 'reset_at', now + reset_in)
  redis.call('PEXPIRE', KEYS[2], math.ceil((reset_in + 60) * 1000))
end
return 1
"""


class RedisPacer(RatePacer):
    """The pacer of :class:`RatePacer`, with its budgets in Redis: N processes together keep one budget.

    A scaled deployment runs many workers against the same vendor account; a pacer per process would
    let each spend the whole budget. Here every booking is one Lua script on the Redis server (atomic,
    on the server's clock), keeping a sliding log of the last ``limit`` send times per budget: every
    interval of that length holds at most ``limit`` sends of all workers together, whatever window the
    vendor counts in. Okta-style reset budgets are shared the same way. The fixed-window learning of
    :class:`RatePacer` stays per process; it needs each answer's order, which many senders blur.

    Args:
        url: ``redis://host:port/db``.
        prefix: key prefix, so deployments sharing one Redis keep their budgets apart.
    """

    def __init__(self, url: str, prefix: str = "connector:pace", margin: float = DEFAULT_MARGIN) -> None:
        super().__init__(margin=margin)
        import redis

        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix
        self._reserve = self.redis.register_script(_RESERVE_SCRIPT)
        self._observe = self.redis.register_script(_OBSERVE_SCRIPT)

    def _keys(self, request: httpx.Request) -> tuple[str, str, str]:
        key = budget_key(request)
        return (f"{self.prefix}:{key}:log", f"{self.prefix}:{key}:cfg",
                f"{self.prefix}:{key}{endpoint_family(request)}:reset")

    def reserve(self, request: httpx.Request) -> float:
        log, cfg, reset = self._keys(request)
        wait = self._reserve(keys=[log, cfg, reset], args=[self.margin, MIN_MARGIN])
        return max(0.0, float(wait))

    def observe(self, request: httpx.Request, response: httpx.Response, sent_at: float) -> None:
        headers = response.headers
        limit = _int_header(headers, "x-ratelimit-max") or 0
        interval_ms = _int_header(headers, "x-ratelimit-interval-milliseconds") or 0
        remaining = _int_header(headers, "x-ratelimit-remaining")
        reset = _int_header(headers, "x-rate-limit-reset")
        reset_remaining = _int_header(headers, "x-rate-limit-remaining")
        reset_in = -1.0
        if reset is not None and reset_remaining is not None:
            server_now = _server_date(headers)
            reset_in = max(0.0, reset - (server_now if server_now is not None else self.wall_clock()))
        log, cfg, reset_key = self._keys(request)
        self._observe(
            keys=[cfg, reset_key, log],
            args=[max(0, limit), max(0, interval_ms) / 1000.0, -1 if remaining is None else remaining,
                  -1 if reset_remaining is None else reset_remaining, reset_in,
                  "1" if response.status_code == 429 else "0", self.margin, max(0.0, self.clock() - sent_at)],
        )

    def forget(self) -> None:
        for key in self.redis.scan_iter(f"{self.prefix}:*"):
            self.redis.delete(key)
