"""Per-endpoint-family rate limits with Okta's ``X-Rate-Limit-*`` headers (and ``Date``) on every answer.

okta-sdk-python only retries a 429 when both ``Date`` and ``X-Rate-Limit-Reset`` are present, waiting
reset - Date + 1 s, so both come from the same (injectable) clock.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from email.utils import formatdate

from flask import Response

from sandboxes.okta.errors import OktaError
from sandboxes.ratelimit import RateDecision, WindowLimiter

_FAMILIES = (
    (re.compile(r"^/api/v1/users/?$"), "users"),
    (re.compile(r"^/api/v1/users/[^/]+"), "user"),
    (re.compile(r"^/api/v1/logs/?$"), "logs"),
    (re.compile(r"^/api/v1/groups(/|$)"), "groups"),
    (re.compile(r"^/api/v1/eventHooks(/|$)"), "eventHooks"),
    (re.compile(r"^/oauth2/v1/token$"), "oauth"),
)


def endpoint_family(path: str) -> str:
    """The rate-limit family of a request path (``other`` for everything unknown)."""
    for pattern, family in _FAMILIES:
        if pattern.match(path):
            return family
    return "other"


class RateLimits:
    """One fixed-window limiter per family; limits are read from the settings dict on every hit."""

    def __init__(self, limits: dict[str, int], window_seconds: float, clock: Callable[[], float]) -> None:
        self._limits = limits
        self._clock = clock
        self._limiters = {
            family: WindowLimiter(limit, window_seconds, clock) for family, limit in limits.items()
        }

    def hit(self, family: str) -> RateDecision:
        """Count one request; raise 429 E0000047 (with headers) when the family is over its limit."""
        limiter = self._limiters.get(family) or self._limiters["other"]
        limiter.limit = self._limits.get(family, limiter.limit)
        return limiter.hit(family)

    def peek(self, family: str) -> RateDecision:
        """The family's current standing without counting a request."""
        limiter = self._limiters.get(family) or self._limiters["other"]
        return limiter.peek(family)

    def reset(self) -> None:
        for limiter in self._limiters.values():
            limiter.reset()

    def stamp(self, response: Response, decision: RateDecision | None) -> None:
        """Add the rate-limit headers and ``Date`` to a response."""
        if decision is not None:
            response.headers["X-Rate-Limit-Limit"] = str(decision.limit)
            response.headers["X-Rate-Limit-Remaining"] = str(decision.remaining)
            response.headers["X-Rate-Limit-Reset"] = str(math.ceil(decision.reset_at))
        response.headers["Date"] = formatdate(self._clock(), usegmt=True)


def throttled() -> OktaError:
    return OktaError("E0000047")
