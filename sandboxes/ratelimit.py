"""Fixed-window rate limiting for the sandboxes.

Okta and HighLevel both publish per-window budgets and tell the client, on every response, the limit,
what is left and when the window resets. A fixed window aligned to the clock (``floor(now / window)``)
reproduces exactly that: every key's window resets at the same instant, and ``reset_at`` is a whole
number of windows since the epoch, like Okta's ``X-Rate-Limit-Reset``.

The clock is injectable so tests can step through windows without sleeping, and ``limit`` and
``window_seconds`` are plain attributes so tests and admin endpoints can retune a running sandbox.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateDecision:
    """The outcome of one hit, with what the rate-limit headers should say.

    Attributes:
        allowed: False means answer 429.
        limit: the window's budget (``X-Rate-Limit-Limit``).
        remaining: hits left in this window after this one (``X-Rate-Limit-Remaining``).
        reset_at: epoch seconds when the window ends (``X-Rate-Limit-Reset``; use ``math.ceil``).
        retry_after: seconds to wait before trying again; 0.0 when allowed (``Retry-After``).
    """

    allowed: bool
    limit: int
    remaining: int
    reset_at: float
    retry_after: float


class WindowLimiter:
    """Counts hits per key in clock-aligned fixed windows. Thread-safe."""

    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float] = time.time) -> None:
        if limit < 0:
            raise ValueError(f"limit must be 0 or more, got {limit}")
        if window_seconds <= 0:
            raise ValueError(f"window_seconds must be above 0, got {window_seconds}")
        self.limit = limit
        self.window_seconds = window_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[float, int]] = {}

    def _window_start(self, now: float) -> float:
        return math.floor(now / self.window_seconds) * self.window_seconds

    def hit(self, key: str) -> RateDecision:
        """Count one request for ``key`` and say whether it is allowed.

        Refused hits are not counted, so a client hammering a closed window does not push its next
        window's budget down.
        """
        with self._lock:
            now = self.clock()
            start = self._window_start(now)
            reset_at = start + self.window_seconds
            window, count = self._counts.get(key, (start, 0))
            if window != start:
                count = 0
                if len(self._counts) > 10_000:
                    self._forget_old_windows(start)
            if count < self.limit:
                count += 1
                self._counts[key] = (start, count)
                return RateDecision(True, self.limit, self.limit - count, reset_at, 0.0)
            self._counts[key] = (start, count)
            return RateDecision(False, self.limit, 0, reset_at, max(0.0, reset_at - now))

    def peek(self, key: str) -> RateDecision:
        """What a hit would see now, without counting one."""
        with self._lock:
            now = self.clock()
            start = self._window_start(now)
            reset_at = start + self.window_seconds
            window, count = self._counts.get(key, (start, 0))
            used = count if window == start else 0
            remaining = max(0, self.limit - used)
            retry = 0.0 if remaining else max(0.0, reset_at - now)
            return RateDecision(remaining > 0, self.limit, remaining, reset_at, retry)

    def reset(self) -> None:
        """Forget every count (a fresh sandbox)."""
        with self._lock:
            self._counts.clear()

    def _forget_old_windows(self, current_start: float) -> None:
        self._counts = {k: v for k, v in self._counts.items() if v[0] == current_start}
