"""Auth for the Okta Management API: an ``SSWS`` API token, or OAuth 2.0 for a service app.

Service apps use the client-credentials grant with a ``private_key_jwt`` client assertion (Okta allows
no client secret for its management APIs): the app signs a short JWT with its private key, Okta checks it
against the public JWK registered for the app, and answers with a one-hour access token. Tokens are
cached per connection until 60 s before they expire, and fetched again once on a 401.

Scopes are requested from what the connection says (``scopes`` field) or, by default, every scope the
app's operations may need (:data:`SCOPES`). A 403 for a missing scope becomes an error naming it.
"""

from __future__ import annotations

import json
import re
import threading
import time
import warnings
from collections.abc import Generator, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from auth.authlib_parts import authlib_parts
from auth.redaction import register_secret
from connector.context import Context
from connector.definitions import AuthSpec, Field
from connector.errors import BadInput, ConnectorError, ExpiredAuth, ResponseError

SCOPES = (
    "okta.users.read",
    "okta.users.manage",
    "okta.groups.read",
    "okta.groups.manage",
    "okta.logs.read",
    "okta.eventHooks.read",
    "okta.eventHooks.manage",
)
TOKEN_PATH = "/oauth2/v1/token"
#: Refetch a cached access token this long before it expires.
TOKEN_LEEWAY = 60.0
#: Endpoint family -> (scope for reads, scope for writes); used when Okta does not name the scope.
_SCOPE_BY_FAMILY = {
    "users": ("okta.users.read", "okta.users.manage"),
    "groups": ("okta.groups.read", "okta.groups.manage"),
    "logs": ("okta.logs.read", "okta.logs.read"),
    "eventHooks": ("okta.eventHooks.read", "okta.eventHooks.manage"),
}


def base_url(fields: Mapping[str, Any]) -> str:
    org = str(fields.get("org_url") or "").strip().rstrip("/")
    if not org:
        raise BadInput("is required: your Okta org URL, e.g. https://dev-123456.okta.com", "org_url")
    if not org.startswith(("https://", "http://")):
        raise BadInput(f"{org!r} must start with https://, e.g. https://dev-123456.okta.com", "org_url")
    return org


def missing_scope_error(response: httpx.Response) -> ConnectorError | None:
    """A clear error when a 403 says the token lacks a scope, else None."""
    if response.status_code != 403:
        return None
    header = response.headers.get("www-authenticate", "")
    named = re.search(r'scope="([^"]+)"', header) if "insufficient_scope" in header else None
    body: Any = {}
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        body = {}
    causes = " ".join(
        str(c.get("errorSummary", "")) for c in (body.get("errorCauses") or []) if isinstance(c, dict)
    ) if isinstance(body, dict) else ""
    if named is None and (not isinstance(body, dict) or body.get("errorCode") != "E0000006" or "scope" not in causes):
        return None
    scope = named.group(1) if named else _scope_from(causes) or _scope_for_request(response.request)
    method = response.request.method
    return ResponseError(
        f"this connection lacks {scope}, which {method} {response.request.url.path} needs; "
        f"grant {scope} to the service app in Okta (and add it to the connection's scopes), then reconnect",
        response=response,
    )


def _scope_from(text: str) -> str | None:
    found = [s for s in SCOPES if s in text]
    manage = [s for s in found if s.endswith(".manage")]
    chosen = manage or found
    return chosen[0] if chosen else None


def _scope_for_request(request: httpx.Request) -> str:
    parts = request.url.path.split("/")
    family = parts[3] if len(parts) > 3 else ""
    read, write = _SCOPE_BY_FAMILY.get(family, ("okta.users.read", "okta.users.manage"))
    return read if request.method in ("GET", "HEAD") else write


class OktaTokenAuth(httpx.Auth):
    """``Authorization: SSWS <token>`` (with the space Okta documents)."""

    def __init__(self, api_token: str) -> None:
        self._token = api_token
        register_secret(api_token)

    def __repr__(self) -> str:
        return "OktaTokenAuth()"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"SSWS {self._token}"
        yield request


class OktaPrivateKeyJwtAuth(httpx.Auth):
    """Client credentials with a ``private_key_jwt`` assertion; the access token is cached.

    Args:
        org_url: the org, e.g. ``https://dev-123456.okta.com``; the token endpoint is under it.
        client_id: the service app's client id (the assertion's ``iss`` and ``sub``).
        private_key: PEM of the key whose public JWK is registered with the app.
        scopes: what to request; default every scope in :data:`SCOPES`.
        key_id: the registered JWK's ``kid`` (sent in the JWT header when given).
        transport: where token requests go (a sandbox in tests).
    """

    #: A 401 can be fixed by getting a new token, so the seam reports RefreshAuth, not ExpiredAuth.
    refreshable = True

    requires_response_body = True

    def __init__(
        self,
        org_url: str,
        client_id: str,
        private_key: str,
        scopes: Iterable[str] = SCOPES,
        *,
        key_id: str | None = None,
        transport: httpx.BaseTransport | None = None,
        leeway: float = TOKEN_LEEWAY,
    ) -> None:
        self.token_url = org_url.rstrip("/") + TOKEN_PATH
        self.client_id = client_id
        self.scopes = tuple(scopes)
        self._private_key = private_key
        self._key_id = key_id
        self._transport = transport
        self.leeway = leeway
        self._lock = threading.Lock()
        self._access_token: str | None = None
        self._expires_at = 0.0
        #: How many token requests were sent (tests and diagnostics).
        self.token_requests = 0
        register_secret(private_key)

    def __repr__(self) -> str:
        return f"OktaPrivateKeyJwtAuth(client_id={self.client_id!r}, scopes={self.scopes!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        used = self.access_token()
        request.headers["Authorization"] = f"Bearer {used}"
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = f"Bearer {self.access_token(rejected=used)}"
            response = yield request
        problem = missing_scope_error(response)
        if problem is not None:
            raise problem

    def access_token(self, rejected: str | None = None) -> str:
        """A cached token good for at least ``leeway`` more seconds, fetching one when needed."""
        with self._lock:
            fresh = self._access_token is not None and self._expires_at - self.leeway > time.time()
            if fresh and self._access_token != rejected:
                return str(self._access_token)
            self._fetch()
            return str(self._access_token)

    def _fetch(self) -> None:
        headers = {"kid": self._key_id} if self._key_id else None
        authlib = authlib_parts()
        client = authlib.OAuth2Client(
            client_id=self.client_id,
            client_secret=self._private_key,
            token_endpoint_auth_method=authlib.PrivateKeyJWT(self.token_url, headers=headers),
            scope=" ".join(self.scopes),
            transport=self._transport,
            timeout=30.0,
        )
        self.token_requests += 1
        with client, warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                token = client.fetch_token(self.token_url, grant_type="client_credentials")
            except authlib.OAuthError as exc:
                message = (
                    f"Okta refused the service app {self.client_id!r} ({exc.error}: {exc.description or ''}); "
                    "check the client id, the registered public key and the granted scopes, then reconnect"
                )
                if exc.error in ("invalid_client", "unauthorized_client"):
                    raise ExpiredAuth(message) from None
                raise ResponseError(message) from None
            except httpx.HTTPError as exc:
                raise ResponseError(f"could not reach {self.token_url} ({type(exc).__name__})") from None
        self._access_token = str(token["access_token"])
        register_secret(self._access_token)
        self._expires_at = float(token.get("expires_at") or time.time() + float(token.get("expires_in") or 3600))


_MANAGEMENT_SCOPE = re.compile(r"okta\.[A-Za-z]+(\.[A-Za-z]+)*\.(read|manage)")


def _scopes(fields: Mapping[str, Any]) -> tuple[str, ...]:
    raw = fields.get("scopes")
    if not raw:
        return SCOPES
    listed = raw.split() if isinstance(raw, str) else [str(s) for s in raw]
    # Beyond the default set, any Okta management scope (``okta.<resource>.<read|manage>``) may be asked for:
    # the catalogue's operations name theirs, and Okta itself refuses a scope it does not grant the app.
    unknown = [s for s in listed if s not in SCOPES and not _MANAGEMENT_SCOPE.fullmatch(s)]
    if unknown:
        raise BadInput(f"unknown Okta scope(s) {unknown}; use okta.<resource>.read or .manage scopes, such as "
                       f"{' '.join(SCOPES)}", "scopes")
    return tuple(listed)


def handler(fields: Mapping[str, Any], *, transport: httpx.BaseTransport | None = None) -> httpx.Auth:
    """SSWS auth when the connection has an API token, else client credentials with a signed assertion."""
    if fields.get("api_token"):
        return OktaTokenAuth(str(fields["api_token"]))
    if fields.get("client_id") and fields.get("private_key"):
        return OktaPrivateKeyJwtAuth(
            base_url(fields),
            str(fields["client_id"]),
            str(fields["private_key"]),
            _scopes(fields),
            key_id=fields.get("key_id") or None,
            transport=transport,
        )
    raise BadInput("is missing: give an API token, or a service app's client_id and private_key", "api_token")


def connection_test(ctx: Context) -> dict[str, Any]:
    """``GET /api/v1/users/me`` for an API token (its owner), one user for a service app."""
    fields = ctx.connection.fields
    org = urlsplit(base_url(fields)).netloc
    if fields.get("api_token"):
        response = ctx.http.get("/api/v1/users/me", extensions={"allow_status": (404,)})
        if response.status_code == 200:
            me = response.json()
            return {"org": org, "login": (me.get("profile") or {}).get("login") or me.get("id"), "via": "api_token"}
        # An org (or sandbox) that cannot resolve the token's owner: a cheap listing proves the token.
        ctx.http.get("/api/v1/users", params={"limit": 1})
        return {"org": org, "login": "API token", "via": "api_token"}
    ctx.http.get("/api/v1/users", params={"limit": 1})
    return {"org": org, "login": f"service app {fields.get('client_id')}", "via": "oauth"}


def label(data: Mapping[str, Any]) -> str:
    return f"{data.get('org', '?')} ({data.get('login', '?')})"


OKTA_AUTH = AuthSpec(
    type="api_key",
    fields=(
        Field("org_url", "Org URL", required=True, placeholder="https://dev-123456.okta.com",
              help_text="your Okta org, e.g. https://dev-123456.okta.com"),
        Field("api_token", "API token", type="password", help_text="Security > API > Tokens (sent as SSWS)"),
        Field("client_id", "Service app client ID", help_text="for OAuth 2.0 with a private_key_jwt assertion"),
        Field("private_key", "Service app private key (PEM)", type="password"),
        Field("key_id", "Public key ID (kid)"),
        Field("scopes", "Scopes", help_text="space-separated; default every scope the app's operations need"),
    ),
    scopes=SCOPES,
    token_url=TOKEN_PATH,
    handler=handler,
    test=connection_test,
    label=label,
    base_url=base_url,
    url_field="org_url",
)
