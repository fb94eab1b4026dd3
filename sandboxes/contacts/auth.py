"""Who is calling the Contacts API, and may they: Version header, bearer token, scope, rate limit.

One ``before_request`` guard runs for every API route, in this order (HighLevel does not document its
order; this is the cheapest-first choice):

1. ``Version`` must be present and one the documents use (``2021-07-28``, ``v3``; the calendars
   document's ``2021-04-15`` on ``/calendars/``), else 400;
2. ``Authorization: Bearer <token>`` must be a location API key or a live OAuth access token (401);
3. the token's scopes must cover the call: reads (GET, and ``POST /contacts/search``) need
   ``contacts.readonly``, other calls ``contacts.write``; ``/locations/{id}/customFields`` needs
   ``locations/customFields.readonly`` or ``.write``, ``/calendars/events`` needs
   ``calendars/events.readonly`` or ``.write`` (401 "The token is not authorized for this scope.", as
   HighLevel answers);
4. the rate limiter counts the call (429 when the window is spent).

Location API keys carry every scope and are bound to one location. Rate limits are counted per app
and location (per API key, or per OAuth client + location), as HighLevel does, so rotating tokens on
refresh does not reset the budget.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, g, request

from sandboxes.contacts.errors import (
    SCOPE_DENIED,
    ApiError,
    bad_request,
    error_response,
    forbidden,
    unauthorized,
)
from sandboxes.contacts.oauth_server import OAuthServer
from sandboxes.ratelimit import RateDecision, WindowLimiter

API_VERSION = "2021-07-28"
#: The versions HighLevel's documents use: ``2021-07-28`` (v2 documents) and ``v3`` (the v3 documents,
#: and the only value HighLevel's official SDKs send). The routes served answer the same under both.
API_VERSIONS = (API_VERSION, "v3")
#: The calendars document's version, which its routes (the contact's appointments) require instead.
CALENDARS_PREFIX = "/calendars/"
CALENDARS_VERSIONS = ("2021-04-15",)
READ_SCOPE = "contacts.readonly"
WRITE_SCOPE = "contacts.write"
FIELDS_READ_SCOPE = "locations/customFields.readonly"
FIELDS_WRITE_SCOPE = "locations/customFields.write"
EVENTS_READ_SCOPE = "calendars/events.readonly"
EVENTS_WRITE_SCOPE = "calendars/events.write"
ALL_SCOPES = frozenset({
    READ_SCOPE, WRITE_SCOPE, FIELDS_READ_SCOPE, FIELDS_WRITE_SCOPE, EVENTS_READ_SCOPE, EVENTS_WRITE_SCOPE,
})
#: Reads that HighLevel sends as POST (the search body), so they need only the read scope.
READ_POSTS = ("/contacts/search",)
#: Paths outside the Contacts API proper: OAuth and the sandbox's admin endpoints.
UNGUARDED_PREFIXES = ("/oauth/", "/_sandbox")


@dataclass(frozen=True)
class Principal:
    """The caller of one request."""

    location_id: str
    scopes: frozenset[str]
    rate_key: str
    via: str  # "api_key" | "oauth"


class RateLimits:
    """The burst window (100 / 10 s by default) and the daily budget, counted together."""

    def __init__(self, burst: WindowLimiter, daily: WindowLimiter) -> None:
        self.burst = burst
        self.daily = daily

    def hit(self, key: str) -> tuple[RateDecision, RateDecision]:
        burst = self.burst.hit(key)
        daily = self.daily.hit(key) if burst.allowed else self.daily.peek(key)
        return burst, daily

    def headers(self, burst: RateDecision, daily: RateDecision) -> dict[str, str]:
        return {
            "X-RateLimit-Max": str(burst.limit),
            "X-RateLimit-Remaining": str(burst.remaining),
            "X-RateLimit-Interval-Milliseconds": str(int(self.burst.window_seconds * 1000)),
            "X-RateLimit-Limit-Daily": str(daily.limit),
            "X-RateLimit-Daily-Remaining": str(daily.remaining),
        }


def too_many_requests(headers: dict[str, str], retry_after: float) -> Response:
    """429 body. HighLevel does not document it; NestJS' throttler shape is the best guess."""
    response = error_response(ApiError(429, "Too many requests"))
    response.headers.update(headers)
    response.headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    return response


def scope_for(method: str, path: str) -> str:
    """The scope a call needs, as HighLevel's documents list it per operation."""
    reading = method in ("GET", "HEAD") or path in READ_POSTS
    if path.startswith("/locations/"):
        return FIELDS_READ_SCOPE if reading else FIELDS_WRITE_SCOPE
    if path.startswith(CALENDARS_PREFIX):
        return EVENTS_READ_SCOPE if reading else EVENTS_WRITE_SCOPE
    return READ_SCOPE if reading else WRITE_SCOPE


def current_principal() -> Principal:
    """The caller of the running request (set by the guard)."""
    principal: Principal = g.contacts_principal
    return principal


def require_location(location_id: str | None) -> str:
    """The location a call acts on: the token's own, and a different one is refused with 403."""
    principal = current_principal()
    if location_id and location_id != principal.location_id:
        raise forbidden()
    return principal.location_id


def install_api_guard(
    app: Flask,
    *,
    api_keys: Callable[[], dict[str, str]],
    oauth: OAuthServer,
    limits: RateLimits,
) -> None:
    """Check version, token, scope and rate on every API request; add rate headers to the answers."""

    def principal_for(token: str) -> Principal | None:
        for key, location_id in api_keys().items():
            if hmac.compare_digest(key.encode(), token.encode()):
                return Principal(location_id, ALL_SCOPES, f"key:{key}", "api_key")
        issued = oauth.access_token(token)
        if issued is None:
            return None
        return Principal(
            issued.location_id, frozenset(issued.scopes), f"app:{issued.client_id}:{issued.location_id}", "oauth"
        )

    @app.before_request
    def guard() -> Response | None:
        if request.path.startswith(UNGUARDED_PREFIXES):
            return None
        version = request.headers.get("Version")
        if not version:
            return error_response(bad_request("Version header was not found"))
        versions = CALENDARS_VERSIONS if request.path.startswith(CALENDARS_PREFIX) else API_VERSIONS
        if version not in versions:
            return error_response(
                bad_request(f"Version header {version!r} is not supported: use one of {', '.join(versions)}")
            )
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        principal = principal_for(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if principal is None:
            return error_response(unauthorized())
        needed = scope_for(request.method, request.path)
        if needed not in principal.scopes:
            return error_response(unauthorized(SCOPE_DENIED))
        burst, daily = limits.hit(principal.rate_key)
        headers = limits.headers(burst, daily)
        if not burst.allowed:
            return too_many_requests(headers, burst.retry_after)
        if not daily.allowed:
            return too_many_requests(headers, daily.retry_after)
        g.contacts_principal = principal
        g.contacts_rate_headers = headers
        return None

    @app.after_request
    def add_rate_headers(response: Response) -> Response:
        headers = g.get("contacts_rate_headers")
        if headers:
            for name, value in headers.items():
                response.headers.setdefault(name, value)
        return response
