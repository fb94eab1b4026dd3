"""Auth for the HighLevel-style Contacts API: a location API key, or OAuth 2.0 (authorization code).

Both send ``Authorization: Bearer <token>`` and ``Version: 2021-07-28`` (unless the operation names its
own version: the calendars calls send ``2021-04-15``). OAuth connections hold the
token response (``access_token``, ``refresh_token``, ``expires_at``) and the marketplace app's
``client_id``/``client_secret``, all encrypted at rest.

The authorize and token endpoints are paths relative to the connection's ``base_url``
(``/oauth/chooselocation`` and ``/oauth/token``), which is where the sandbox serves them. Real HighLevel
serves the token endpoint on ``https://services.leadconnectorhq.com`` and the consent page on
``https://marketplace.gohighlevel.com``: set the ``authorize_url`` field to that full URL.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Mapping
from typing import Any
from urllib.parse import urljoin

import httpx

from auth.oauth_flow import refresh_access_token
from auth.redaction import register_secret
from auth.token_refresh import (
    ExpiredCallback,
    RefreshingBearerAuth,
    TokenLoader,
    TokenSaver,
    TokenSet,
)
from connector.context import Context
from connector.definitions import AuthSpec, Field
from connector.errors import BadInput, ConnectorError, ResponseError

DEFAULT_BASE_URL = "https://services.leadconnectorhq.com"
API_VERSION = "2021-07-28"
AUTHORIZE_PATH = "/oauth/chooselocation"
TOKEN_PATH = "/oauth/token"
READ_SCOPE = "contacts.readonly"
WRITE_SCOPE = "contacts.write"
FIELDS_READ_SCOPE = "locations/customFields.readonly"
FIELDS_WRITE_SCOPE = "locations/customFields.write"
EVENTS_READ_SCOPE = "calendars/events.readonly"
EVENTS_WRITE_SCOPE = "calendars/events.write"
#: Contacts, the custom field definitions the External ID field lives in, and the calendar events
#: a contact's appointments are.
SCOPES = (READ_SCOPE, WRITE_SCOPE, FIELDS_READ_SCOPE, FIELDS_WRITE_SCOPE, EVENTS_READ_SCOPE, EVENTS_WRITE_SCOPE)
#: Phrases HighLevel uses when a token lacks the scope for a call (401 or 403).
_SCOPE_PHRASES = ("not authorized for this scope", "scope")


def base_url(fields: Mapping[str, Any]) -> str:
    return str(fields.get("base_url") or DEFAULT_BASE_URL).rstrip("/")


def authorize_url(fields: Mapping[str, Any]) -> str:
    return str(fields.get("authorize_url") or urljoin(base_url(fields) + "/", AUTHORIZE_PATH.lstrip("/")))


def token_url(fields: Mapping[str, Any]) -> str:
    return str(fields.get("token_url") or urljoin(base_url(fields) + "/", TOKEN_PATH.lstrip("/")))


def location_from_token(tokens: Mapping[str, Any]) -> dict[str, Any]:
    """The location the user picked on the consent page, which HighLevel returns as ``locationId``."""
    return {"location_id": tokens["locationId"]} if tokens.get("locationId") else {}


def needed_scope(method: str, path: str) -> str:
    """The scope HighLevel's documents give a call: reads need ``.readonly``, the search (a POST) too."""
    reading = method in ("GET", "HEAD") or path.endswith("/contacts/search")
    if "/locations/" in path and "/customFields" in path:  # the base URL may carry a path prefix
        return FIELDS_READ_SCOPE if reading else FIELDS_WRITE_SCOPE
    return READ_SCOPE if reading else WRITE_SCOPE


def missing_scope_error(response: httpx.Response) -> ConnectorError | None:
    """A clear error when a 401/403 says the token lacks the scope the call needs, else None."""
    if response.status_code not in (401, 403):
        return None
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        return None
    message = body.get("message") if isinstance(body, dict) else None
    text = " ".join(message) if isinstance(message, list) else str(message or "")
    if not any(phrase in text.lower() for phrase in _SCOPE_PHRASES):
        return None
    method = response.request.method
    scope = needed_scope(method, response.request.url.path)
    return ResponseError(
        f"this connection lacks {scope}, which {method} {response.request.url.path} needs; "
        f"reconnect and grant it",
        response=response,
    )


class ContactsApiKeyAuth(httpx.Auth):
    """A location API key as a Bearer token, plus the API version header."""

    requires_response_body = True

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key
        register_secret(api_key)

    def __repr__(self) -> str:
        return "ContactsApiKeyAuth()"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._api_key}"
        request.headers.setdefault("Version", API_VERSION)
        response = yield request
        problem = missing_scope_error(response)
        if problem is not None:
            raise problem


class ContactsOAuth2Auth(RefreshingBearerAuth):
    """OAuth 2.0 access token with refresh-before-expiry, one retry on 401 and rotation saved first."""

    def __init__(
        self,
        fields: Mapping[str, Any],
        *,
        transport: httpx.BaseTransport | None = None,
        token_saver: TokenSaver | None = None,
        token_loader: TokenLoader | None = None,
        on_expired: ExpiredCallback | None = None,
        leeway: float = 60.0,
        **options: Any,
    ) -> None:
        client_id = str(fields.get("client_id") or "")
        client_secret = str(fields.get("client_secret") or "")
        url = token_url(fields)

        def refresh(refresh_token: str) -> Mapping[str, Any]:
            return refresh_access_token(url, client_id, client_secret, refresh_token, transport=transport)

        super().__init__(
            TokenSet.from_fields(fields),
            refresh,
            connection_id=fields.get("connection_id"),
            token_saver=token_saver,
            token_loader=token_loader,
            on_expired=on_expired,
            scope_error=missing_scope_error,
            headers={"Version": API_VERSION},
            leeway=leeway,
            **options,
        )


def handler(
    fields: Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    token_saver: TokenSaver | None = None,
    token_loader: TokenLoader | None = None,
    on_expired: ExpiredCallback | None = None,
) -> httpx.Auth:
    """OAuth auth when the connection holds tokens, else API-key auth."""
    if fields.get("access_token") or fields.get("refresh_token"):
        return ContactsOAuth2Auth(
            fields, transport=transport, token_saver=token_saver, token_loader=token_loader, on_expired=on_expired
        )
    if fields.get("api_key"):
        return ContactsApiKeyAuth(str(fields["api_key"]))
    raise BadInput("is missing: give a location API key or connect with OAuth (`--oauth`)", "api_key")


def connection_test(ctx: Context) -> dict[str, Any]:
    """A cheap authenticated call: a one-contact search of the connection's location, for its total."""
    location = ctx.connection.fields.get("location_id")
    if not location:
        raise BadInput("is required: the location this connection works in, e.g. loc_abc123", "location_id")
    response = ctx.http.post("/contacts/search", json={"locationId": location, "pageLimit": 1})
    data = response.json()
    total = data.get("total") if isinstance(data, dict) else None
    return {"locationId": location, "contacts": total}


def label(data: Mapping[str, Any]) -> str:
    return f"Location {data.get('locationId', '?')}"


CONTACTS_AUTH = AuthSpec(
    type="oauth2",
    fields=(
        Field("api_key", "Location API key", type="password",
              help_text="Settings > Business Profile > API key; leave empty to connect with OAuth"),
        Field("location_id", "Location ID", help_text="the location (sub-account) this connection works in"),
        Field("base_url", "API base URL", help_text=f"default {DEFAULT_BASE_URL}"),
        Field("authorize_url", "Authorize URL", help_text=f"default <base_url>{AUTHORIZE_PATH}"),
        Field("client_id", "OAuth client ID"),
        Field("client_secret", "OAuth client secret", type="password"),
        Field("access_token", "Access token", type="password"),
        Field("refresh_token", "Refresh token", type="password"),
        Field("expires_at", "Access token expiry (epoch seconds)", type="number"),
        Field("connection_id", "Connection ID"),
    ),
    scopes=SCOPES,
    authorize_url=AUTHORIZE_PATH,
    token_url=TOKEN_PATH,
    handler=handler,
    test=connection_test,
    label=label,
    base_url=base_url,
    fields_from_token=location_from_token,
)
