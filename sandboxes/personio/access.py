"""Who may call the Personio API: ``POST /v1/auth`` tokens, the Bearer guard and the rate limits.

- ``POST /v1/auth`` takes ``client_id`` and ``client_secret`` (JSON body, form or query string, as
  Personio accepts all three) and answers ``{success, data:{token, expires_in:86400, scope}}``. It is
  limited to 60 calls a minute per client id (per caller address when no id is given).
- Every ``/v1/company/...`` call needs ``Authorization: Bearer <token>``; an unknown, expired or
  blacklisted token is 401. Tokens last 24 h and may be used many times (Personio's current scheme).
  With ``rotate_tokens`` on, the sandbox plays Personio's former scheme instead: every answer carries a
  new token in its ``Authorization`` header and the used one is blacklisted.
- Employee calls count against 300 a minute and 15 a second per API credential; a spent window is 429
  with ``Retry-After`` (at least 1 s) and ``X-RateLimit-Limit/Remaining/Reset`` (reset in epoch seconds).
  Personio does not document its rate-limit headers; these are the common names.
"""

from __future__ import annotations

import hmac
import math
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, g, jsonify, request

from sandboxes.personio.errors import (
    INVALID_TOKEN,
    TOO_MANY_REQUESTS,
    WRONG_CREDENTIALS,
    PersonioApiError,
    error_response,
    invalid,
)
from sandboxes.ratelimit import RateDecision, WindowLimiter

TOKEN_TTL = 86400
BLACKLISTED = "The token has been blacklisted: each token works once; use the one from the last answer."


@dataclass
class ApiCredential:
    """An API credential made in Personio's settings: its secret and the attributes it may read."""

    client_id: str
    client_secret: str
    readable_attributes: frozenset[str] | None = None  # None: every attribute


@dataclass
class IssuedToken:
    client_id: str
    expires_at: float
    blacklisted: bool = False


class TokenIssuer:
    """API credentials and the tokens issued for them."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.credentials: dict[str, ApiCredential] = {}
        self.tokens: dict[str, IssuedToken] = {}
        self.issued = 0
        self._lock = threading.Lock()

    def register(self, credential: ApiCredential) -> None:
        self.credentials[credential.client_id] = credential

    def authenticate(self, client_id: str, client_secret: str) -> ApiCredential | None:
        credential = self.credentials.get(client_id)
        if credential is None or not hmac.compare_digest(credential.client_secret.encode(), client_secret.encode()):
            return None
        return credential

    def issue(self, client_id: str) -> str:
        token = "papi." + secrets.token_urlsafe(32)
        with self._lock:
            self.tokens[token] = IssuedToken(client_id, self.clock() + TOKEN_TTL)
            self.issued += 1
        return token

    def check(self, token: str) -> IssuedToken:
        """The live token, or a 401 saying why not."""
        with self._lock:
            issued = self.tokens.get(token)
        if issued is None or issued.expires_at <= self.clock():
            raise PersonioApiError(401, INVALID_TOKEN)
        if issued.blacklisted:
            raise PersonioApiError(401, BLACKLISTED)
        return issued

    def expire_all(self) -> None:
        with self._lock:
            self.tokens.clear()


class RateLimits:
    """The per-minute and per-second windows of the employee endpoints, and the ``/auth`` window."""

    def __init__(self, per_minute: WindowLimiter, per_second: WindowLimiter | None, auth: WindowLimiter) -> None:
        self.per_minute = per_minute
        self.per_second = per_second
        self.auth = auth

    def hit(self, key: str) -> RateDecision:
        minute = self.per_minute.hit(key)
        if not minute.allowed or self.per_second is None:
            return minute
        second = self.per_second.hit(key)
        return minute if second.allowed else second


def rate_headers(decision: RateDecision) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(decision.limit),
        "X-RateLimit-Remaining": str(decision.remaining),
        "X-RateLimit-Reset": str(math.ceil(decision.reset_at)),
    }


def too_many_requests(decision: RateDecision) -> Response:
    response = error_response(PersonioApiError(429, TOO_MANY_REQUESTS))
    response.headers.update(rate_headers(decision))
    response.headers["Retry-After"] = str(max(1, math.ceil(decision.retry_after)))
    return response


def _credentials_from_request() -> tuple[str, str]:
    body = request.get_json(silent=True) if request.is_json else None
    sources = [body if isinstance(body, dict) else {}, request.form, request.args]
    client_id = next((str(s["client_id"]) for s in sources if s.get("client_id")), "")
    client_secret = next((str(s["client_secret"]) for s in sources if s.get("client_secret")), "")
    return client_id, client_secret


def auth_blueprint(issuer: TokenIssuer, limits: RateLimits) -> Blueprint:
    blueprint = Blueprint("personio_auth", __name__)

    @blueprint.post("/v1/auth")
    def token() -> Response:
        client_id, client_secret = _credentials_from_request()
        decision = limits.auth.hit(client_id or f"addr:{request.remote_addr}")
        if not decision.allowed:
            return too_many_requests(decision)
        if not client_id or not client_secret:
            missing = "client_id" if not client_id else "client_secret"
            raise invalid(missing, "is required: send client_id and client_secret")
        credential = issuer.authenticate(client_id, client_secret)
        if credential is None:
            raise PersonioApiError(401, WRONG_CREDENTIALS)
        scope = "employees:read employees:write"
        return jsonify(success=True, data={"token": issuer.issue(client_id), "expires_in": TOKEN_TTL, "scope": scope})

    return blueprint


def install_api_guard(app: Flask, issuer: TokenIssuer, limits: RateLimits, rotate: Callable[[], bool]) -> None:
    """Check the Bearer token and count the call on every ``/v1/company/`` request."""

    @app.before_request
    def guard() -> Response | None:
        if not request.path.startswith("/v1/company/"):
            return None
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return error_response(PersonioApiError(401, INVALID_TOKEN))
        try:
            issued = issuer.check(token.strip())
        except PersonioApiError as error:
            return error_response(error)
        decision = limits.hit(issued.client_id)
        if not decision.allowed:
            return too_many_requests(decision)
        g.personio_credential = issuer.credentials.get(issued.client_id)
        g.personio_rate_headers = rate_headers(decision)
        if rotate():
            issued.blacklisted = True
            g.personio_next_token = issuer.issue(issued.client_id)
        return None

    @app.after_request
    def add_headers(response: Response) -> Response:
        for name, value in (g.get("personio_rate_headers") or {}).items():
            response.headers.setdefault(name, value)
        if g.get("personio_next_token"):
            response.headers["Authorization"] = f"Bearer {g.personio_next_token}"
        return response


def readable_attributes() -> frozenset[str] | None:
    """The running call's credential whitelist (None: every attribute)."""
    credential: ApiCredential | None = g.get("personio_credential")
    return credential.readable_attributes if credential else None
