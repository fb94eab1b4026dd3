"""Auth for Personio's v1 API: an API credential (client id and secret) exchanged for a Bearer token.

``POST /v1/auth`` with ``client_id`` and ``client_secret`` answers a token that lasts 24 h
(``expires_in: 86400``). The token is cached process-wide per credential and API host until five
minutes before it expires, because the runtime builds a fresh ``httpx.Auth`` for every run and
``/v1/auth`` allows only 60 calls a minute: a busy emulator must not authenticate on every poll.
A 401 means the token was revoked or expired early: the handler fetches a new one once and retries.
A rejected credential is :class:`~connector.errors.ExpiredAuth` (reconnect), never retried.

Personio's former scheme rotated the token on every answer (the new one in the ``Authorization``
response header, the used one blacklisted). The handler adopts a rotated token whenever an answer
carries one, so it works with both schemes. The secret is registered for redaction and never logged.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Generator, Mapping
from typing import Any

import httpx

from auth.redaction import register_secret
from connector.context import Context
from connector.definitions import AuthSpec, Field
from connector.errors import BadInput, ExpiredAuth, ResponseError, Throttled

DEFAULT_BASE_URL = "https://api.personio.de"
AUTH_PATH = "/v1/auth"
#: Fetch a new token this long before the cached one expires.
TOKEN_LEEWAY = 300.0
DEFAULT_TTL = 86400.0

_cache_lock = threading.Lock()
#: (API origin, client id, secret digest) -> (token, expires at).
_token_cache: dict[tuple[str, str, str], tuple[str, float]] = {}


def base_url(fields: Mapping[str, Any]) -> str:
    url = str(fields.get("base_url") or DEFAULT_BASE_URL).strip().rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise BadInput(f"{url!r} must start with https://, e.g. {DEFAULT_BASE_URL}", "base_url")
    return url


def forget_cached_tokens() -> None:
    """Drop every cached token (tests; a credential rotated in Personio)."""
    with _cache_lock:
        _token_cache.clear()


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    return response.reason_phrase


class PersonioAuth(httpx.Auth):
    """Bearer token from ``POST /v1/auth``: cached, renewed before expiry, fetched again once on a 401."""

    #: A 401 can be fixed by getting a new token, so the seam reports RefreshAuth, not ExpiredAuth.
    refreshable = True
    requires_response_body = True

    def __init__(
        self, client_id: str, client_secret: str, *, leeway: float = TOKEN_LEEWAY, base_url: str | None = None
    ) -> None:
        if not client_id:
            raise BadInput("is required: the API credential's client ID (Settings > Integrations > API credentials)",
                           "client_id")
        if not client_secret:
            raise BadInput("is required: the API credential's client secret, shown once when it was made",
                           "client_secret")
        self.client_id = client_id
        self._client_secret = client_secret
        self._digest = hashlib.sha256(client_secret.encode()).hexdigest()
        self.leeway = leeway
        #: The API's base URL (it may carry a path, e.g. behind a gateway); None: the request's host.
        self.base_url = base_url.rstrip("/") if base_url else None
        #: How many token requests this object sent (tests and diagnostics).
        self.token_requests = 0
        register_secret(client_secret)

    def __repr__(self) -> str:
        return f"PersonioAuth(client_id={self.client_id!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        origin = self.base_url or f"{request.url.scheme}://{request.url.netloc.decode()}"
        key = (origin, self.client_id, self._digest)
        token = self._cached(key)
        if token is None:
            token = yield from self._fetch(request, key)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            self._forget(key, token)
            token = yield from self._fetch(request, key)
            request.headers["Authorization"] = f"Bearer {token}"
            response = yield request
        self._adopt_rotated(key, response)

    def _cached(self, key: tuple[str, str, str]) -> str | None:
        with _cache_lock:
            entry = _token_cache.get(key)
        if entry is None or entry[1] - self.leeway <= time.time():
            return None
        return entry[0]

    def _forget(self, key: tuple[str, str, str], token: str) -> None:
        with _cache_lock:
            if _token_cache.get(key, ("", 0.0))[0] == token:
                del _token_cache[key]

    def _adopt_rotated(self, key: tuple[str, str, str], response: httpx.Response) -> None:
        scheme, _, rotated = response.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and rotated.strip():
            register_secret(rotated.strip())
            with _cache_lock:
                _token_cache[key] = (rotated.strip(), time.time() + DEFAULT_TTL)

    def _fetch(
        self, request: httpx.Request, key: tuple[str, str, str]
    ) -> Generator[httpx.Request, httpx.Response, str]:
        url = (
            httpx.URL(self.base_url + AUTH_PATH) if self.base_url
            else request.url.copy_with(path=AUTH_PATH, query=None, fragment=None)
        )
        token_request = httpx.Request(
            "POST", url, json={"client_id": self.client_id, "client_secret": self._client_secret},
            extensions=request.extensions,
        )
        self.token_requests += 1
        response = yield token_request
        message = _message(response)
        if response.status_code in (400, 401, 403):
            raise ExpiredAuth(
                f"Personio refused the API credential {self.client_id!r} ({response.status_code}: {message}); "
                "check the client ID and secret under Settings > Integrations > API credentials, then reconnect"
            )
        if response.status_code == 429:
            raise Throttled(f"Personio's /v1/auth is rate limited (60 a minute): {message}",
                            delay=float(response.headers.get("retry-after") or 60), response=response)
        try:
            data = response.json().get("data") or {}
            token = str(data["token"])
        except (ValueError, KeyError, AttributeError, TypeError):
            raise ResponseError(
                f"Personio's {AUTH_PATH} answered {response.status_code} without a token ({message}); "
                "try again later", response=response,
            ) from None
        register_secret(token)
        ttl = float(data.get("expires_in") or DEFAULT_TTL)
        with _cache_lock:
            _token_cache[key] = (token, time.time() + ttl)
        return token


def handler(fields: Mapping[str, Any]) -> httpx.Auth:
    return PersonioAuth(
        str(fields.get("client_id") or ""), str(fields.get("client_secret") or ""), base_url=base_url(fields)
    )


def connection_test(ctx: Context) -> dict[str, Any]:
    """One employee (``limit=1``): proves the credential and reads the company's headcount."""
    body = ctx.http.get("/v1/company/employees", params={"limit": 1, "offset": 0}).json()
    total = (body.get("metadata") or {}).get("total_elements") if isinstance(body, dict) else None
    return {"client_id": ctx.connection.fields.get("client_id"), "employees": total}


def label(data: Mapping[str, Any]) -> str:
    count = data.get("employees")
    people = f"{count} employees" if count is not None else "employees"
    return f"Personio {data.get('client_id', '?')} ({people})"


PERSONIO_AUTH = AuthSpec(
    type="api_key",
    fields=(
        Field("client_id", "Client ID", required=True,
              help_text="Settings > Integrations > API credentials: the credential's client ID"),
        Field("client_secret", "Client secret", type="password", required=True,
              help_text="shown once when the API credential was made"),
        Field("base_url", "API base URL", help_text=f"default {DEFAULT_BASE_URL}"),
    ),
    token_url=AUTH_PATH,
    handler=handler,
    test=connection_test,
    label=label,
    base_url=base_url,
)
