"""The OAuth 2.0 authorization-code dance with PKCE (S256) and a single-use ``state``.

Used by ``connector connect contacts --oauth`` and by the emulator's Connect button::

    url = start_authorization(authorize_url, client_id, redirect_uri, scopes, session)
    # ... the user consents; the provider redirects to redirect_uri?code=...&state=...
    tokens = complete_authorization(token_url, client_id, client_secret, redirect_uri, request.args, session)

``session`` is where started authorizations wait (:class:`PendingAuthorizations`): a dict for the CLI,
which holds it in memory, or the emulator's server-side store (:mod:`auth.oauth_pending`), never a
cookie a browser could replay. Each state is claimed once, atomically: a missing, unknown, reused or
expired state raises ``BadInput`` and no token request is made.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Mapping, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from auth.authlib_parts import authlib_parts
from connector.errors import BadInput, ExpiredAuth, ResponseError

if TYPE_CHECKING:
    from authlib.integrations.httpx_client import OAuth2Client

SESSION_KEY = "connector_oauth_pending"
#: How long a started authorization may wait for its callback.
PENDING_TTL_SECONDS = 600


class PendingAuthorizations(Protocol):
    """Where started authorizations wait for their callback: ``state`` -> verifier, redirect URI, extras.

    ``claim`` must be atomic and single use: of two callbacks with the same ``state`` (a double click, a
    replayed cookie, a stolen URL) at most one gets the entry, so at most one token request is made.
    """

    def remember(self, state: str, entry: dict[str, Any]) -> None: ...

    def claim(self, state: str) -> dict[str, Any] | None: ...


class SessionPendingAuthorizations:
    """Pending authorizations in a per-user mapping (the CLI's in-memory dict).

    Fine within one process that holds the mapping; a web server must not use it with a cookie
    session, which a browser can replay (see :mod:`auth.oauth_pending` for the server-side store).
    """

    def __init__(self, session: MutableMapping[str, Any]) -> None:
        self.session = session
        self._lock = threading.Lock()

    def remember(self, state: str, entry: dict[str, Any]) -> None:
        now = time.time()
        with self._lock:
            pending = {k: v for k, v in dict(self.session.get(SESSION_KEY) or {}).items() if v.get("expires", 0) > now}
            pending[state] = entry
            self.session[SESSION_KEY] = pending  # reassigned, so cookie sessions notice the change

    def claim(self, state: str) -> dict[str, Any] | None:
        with self._lock:
            pending = dict(self.session.get(SESSION_KEY) or {})
            entry = pending.pop(state, None)
            self.session[SESSION_KEY] = pending  # single use: gone whatever happens next
        return entry


def _pending(store: PendingAuthorizations | MutableMapping[str, Any]) -> PendingAuthorizations:
    if isinstance(store, MutableMapping):
        return SessionPendingAuthorizations(store)
    return store


def start_authorization(
    authorize_url: str,
    client_id: str,
    redirect_uri: str,
    scopes: Sequence[str],
    session: PendingAuthorizations | MutableMapping[str, Any],
    *,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The URL to send the user to; remembers ``state``, the PKCE verifier and ``extra`` for the callback."""
    state = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(64)
    url = str(
        httpx.URL(
            authorize_url,
            params={
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "scope": " ".join(scopes),
                "state": state,
                "code_challenge": authlib_parts().create_s256_code_challenge(verifier),
                "code_challenge_method": "S256",
            },
        )
    )
    entry = {**dict(extra or {}), "verifier": verifier, "redirect_uri": redirect_uri,
             "expires": time.time() + PENDING_TTL_SECONDS}
    _pending(session).remember(state, entry)
    return url


def claim_callback(
    callback_params: Mapping[str, str], session: PendingAuthorizations | MutableMapping[str, Any]
) -> dict[str, Any]:
    """Check a callback's ``state`` and claim its pending authorization (once); returns it with the ``code``.

    Raises:
        BadInput: state missing, unknown, already used or expired; the user denied access; no code.
    """
    state = callback_params.get("state")
    if not state:
        raise BadInput("is missing from the callback; start the connection again", "state")
    entry = _pending(session).claim(state)
    if entry is None:
        raise BadInput(
            "does not match an authorization started in this session (it is unknown or was already used); "
            "start the connection again",
            "state",
        )
    if entry.get("expires", 0) <= time.time():
        raise BadInput("belongs to an authorization that timed out; start the connection again", "state")
    if callback_params.get("error"):
        description = callback_params.get("error_description") or "the provider refused the authorization"
        raise BadInput(f"{callback_params['error']}: {description}; connect again and allow access", "authorization")
    code = callback_params.get("code")
    if not code:
        raise BadInput("is missing from the callback; start the connection again", "code")
    return {**entry, "code": code}


def exchange_code(
    token_url: str,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    claimed: Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, Any]:
    """Swap a claimed callback's ``code`` (with its PKCE verifier) for tokens at ``token_url``.

    Raises:
        BadInput: ``redirect_uri`` is not the one the authorization was started with.
        ResponseError: the token endpoint refused the code or could not be reached.
    """
    if claimed.get("redirect_uri") != redirect_uri:
        raise BadInput(f"must be exactly {claimed.get('redirect_uri')!r}, the one used to authorize", "redirect_uri")
    with _token_client(client_id, client_secret, transport) as client:
        try:
            token = client.fetch_token(
                token_url,
                grant_type="authorization_code",
                code=claimed["code"],
                redirect_uri=redirect_uri,
                code_verifier=claimed["verifier"],
                user_type="Location",
            )
        except authlib_parts().OAuthError as exc:
            raise ResponseError(
                f"the token endpoint refused the authorization code ({exc.error}: {exc.description or ''}); "
                "start the connection again"
            ) from None
        except httpx.HTTPError as exc:
            raise ResponseError(f"could not reach the token endpoint {token_url} ({type(exc).__name__})") from None
        except ValueError:  # the token endpoint answered something that is not JSON
            raise ResponseError(f"the token endpoint {token_url} answered with something that is not JSON") from None
    return with_expiry(dict(token))


def complete_authorization(
    token_url: str,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    callback_params: Mapping[str, str],
    session: PendingAuthorizations | MutableMapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, Any]:
    """Check the callback's ``state`` and swap its ``code`` (with the PKCE verifier) for tokens.

    Returns:
        The token response with ``expires_at`` (epoch seconds) added.

    Raises:
        BadInput: state missing, unknown, reused or expired; redirect URI differs; the user denied
            access; no code. No token request is made in any of these cases.
        ResponseError: the token endpoint refused the code.
    """
    claimed = claim_callback(callback_params, session)
    return exchange_code(token_url, client_id, client_secret, redirect_uri, claimed, transport=transport)


def refresh_access_token(
    token_url: str,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    *,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, Any]:
    """Swap a refresh token for new tokens (the provider rotates the refresh token too).

    Raises:
        ExpiredAuth: the provider refused the refresh token (``invalid_grant``, ``invalid_client``);
            the user must reconnect. Never retried.
        ResponseError: any other failure (the provider is down: worth another try later).
    """
    with _token_client(client_id, client_secret, transport) as client:
        try:
            token = client.refresh_token(token_url, refresh_token=refresh_token, user_type="Location")
        except authlib_parts().OAuthError as exc:
            if exc.error in ("invalid_grant", "invalid_client", "unauthorized_client"):
                raise ExpiredAuth(
                    f"the provider refused to refresh this connection ({exc.error}: {exc.description or ''}); "
                    "reconnect it"
                ) from None
            raise ResponseError(f"token refresh failed ({exc.error}: {exc.description or ''})") from None
        except httpx.HTTPError as exc:
            raise ResponseError(f"could not reach the token endpoint {token_url} ({type(exc).__name__})") from None
        except ValueError:  # the token endpoint answered something that is not JSON
            raise ResponseError(f"the token endpoint {token_url} answered with something that is not JSON") from None
    return with_expiry(dict(token))


def with_expiry(token: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """``token`` with ``expires_at`` computed from ``expires_in`` when the provider sent only that."""
    if not token.get("expires_at") and token.get("expires_in"):
        token["expires_at"] = int((now or time.time()) + int(token["expires_in"]))
    return token


def _token_client(client_id: str, client_secret: str, transport: httpx.BaseTransport | None) -> OAuth2Client:
    return authlib_parts().OAuth2Client(
        client_id=client_id,
        client_secret=client_secret,
        token_endpoint_auth_method="client_secret_post",
        transport=transport,
        timeout=30.0,
    )
