"""OAuth 2.0 client credentials with ``private_key_jwt`` (``POST /oauth2/v1/token``) and the token store.

Service apps prove themselves with a JWT signed by the private key whose public JWK was registered.
Errors are OAuth errors, ``{error, error_description}``, as Okta's OAuth document gives them for this
endpoint (not the management API's ``errorCode`` body).
"""

from __future__ import annotations

import base64
import json
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from authlib.deprecate import AuthlibDeprecationWarning
from flask import Blueprint, Response, jsonify, request

from sandboxes.okta.errors import OktaError
from sandboxes.okta.ids import random_token

with warnings.catch_warnings():
    # authlib.jose warns that joserfc is its successor; the API used here is stable until authlib 2.
    # authlib.deprecate installs an "always" filter on import, so ignore after it is loaded.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.jose import JsonWebKey, JsonWebToken
    from authlib.jose.errors import JoseError

SCOPES = (
    "okta.users.read",
    "okta.users.manage",
    "okta.groups.read",
    "okta.groups.manage",
    "okta.logs.read",
    "okta.eventHooks.read",
    "okta.eventHooks.manage",
)
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_LIFETIME = 3600
MAX_ASSERTION_LIFETIME = 3600
CLOCK_SKEW = 60
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]


@dataclass(frozen=True)
class Grant:
    """What a presented token may do."""

    scopes: frozenset[str]
    client_id: str | None  # None for SSWS tokens
    expires_at: float | None


@dataclass
class OAuthClient:
    client_id: str
    public_key: Any
    scopes: frozenset[str]


class OAuthError(OktaError):
    """A token endpoint refusal: the status of Okta's error ``code``, an OAuth body."""

    def __init__(self, code: str, oauth_error: str, description: str, status: int | None = None) -> None:
        super().__init__(code, description, status=status)
        self.oauth_error = oauth_error
        self.description = description

    def body(self) -> dict[str, object]:
        return {"error": self.oauth_error, "error_description": self.description}


def _oauth_error(code: str, oauth_error: str, description: str, status: int | None = None) -> OktaError:
    return OAuthError(code, oauth_error, description, status)


class TokenStore:
    """SSWS API tokens (every scope, no expiry) and issued Bearer access tokens."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._ssws: set[str] = set()
        self._bearer: dict[str, Grant] = {}
        self._used_jti: dict[str, float] = {}
        self.clients: dict[str, OAuthClient] = {}

    def add_ssws(self, token: str) -> None:
        with self._lock:
            self._ssws.add(token)

    def ssws(self, token: str) -> Grant | None:
        return Grant(frozenset(SCOPES), None, None) if token in self._ssws else None

    def bearer(self, token: str) -> Grant | None:
        grant = self._bearer.get(token)
        if grant is None or (grant.expires_at is not None and grant.expires_at <= self._clock()):
            return None
        return grant

    def revoke_bearer_tokens(self) -> None:
        """Expire every issued access token ("expire every token now"); API tokens stay valid."""
        with self._lock:
            self._bearer.clear()

    def register_client(self, client_id: str, public_jwk: dict[str, Any], scopes: list[str]) -> None:
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown:
            raise ValueError(f"scopes: unknown scope(s) {unknown}; use some of {list(SCOPES)}")
        key = JsonWebKey.import_key(public_jwk)
        self.clients[client_id] = OAuthClient(client_id, key, frozenset(scopes))

    def issue(self, form: dict[str, str], token_url: str) -> dict[str, Any]:
        """Check a client-credentials request and issue a 1-hour Bearer token."""
        if form.get("grant_type") != "client_credentials":
            raise _oauth_error("E0000001", "unsupported_grant_type",
                               "grant_type: only client_credentials is supported for service apps")
        if form.get("client_assertion_type") != JWT_BEARER:
            raise _oauth_error("E0000004", "invalid_client",
                               f"client_assertion_type: must be {JWT_BEARER} (private_key_jwt)")
        claims = self._verify_assertion(form.get("client_assertion", ""), token_url)
        client = self.clients[claims["iss"]]
        requested = form.get("scope", "").split()
        if not requested:
            raise _oauth_error("E0000001", "invalid_scope", "scope: name at least one scope, e.g. okta.users.read")
        for scope in requested:
            if scope not in SCOPES or scope not in client.scopes:
                raise _oauth_error(
                    "E0000001", "invalid_scope",
                    f"scope: '{scope}' is not granted to client {client.client_id}; "
                    f"granted: {' '.join(sorted(client.scopes))}",
                )
        token = random_token(48)
        now = self._clock()
        with self._lock:
            self._bearer[token] = Grant(frozenset(requested), client.client_id, now + TOKEN_LIFETIME)
        return {"token_type": "Bearer", "expires_in": TOKEN_LIFETIME, "access_token": token,
                "scope": " ".join(requested)}

    def _verify_assertion(self, assertion: str, token_url: str) -> dict[str, Any]:
        def fail(description: str) -> OktaError:
            return _oauth_error("E0000004", "invalid_client", description, status=401)

        if not assertion:
            raise fail("client_assertion: missing; send a JWT signed with the client's key")
        unverified = _unverified_claims(assertion)
        client = self.clients.get(str(unverified.get("iss", "")))
        if client is None:
            raise fail(f"client_assertion: iss '{unverified.get('iss')}' is not a registered client id")
        try:
            claims = JsonWebToken(SIGNING_ALGORITHMS).decode(assertion, client.public_key)
        except JoseError as exc:
            raise fail(f"client_assertion: signature verification failed ({exc.error})") from None
        now = self._clock()
        if claims.get("aud") != token_url and token_url not in (claims.get("aud") or []):
            raise fail(f"client_assertion: aud must be {token_url}, got {claims.get('aud')!r}")
        if claims.get("sub") != client.client_id:
            raise fail("client_assertion: sub must equal iss (the client id)")
        exp = claims.get("exp")
        if not isinstance(exp, int | float):
            raise fail("client_assertion: exp is required")
        if exp <= now - CLOCK_SKEW:
            raise fail("client_assertion: the JWT has expired; sign a new one")
        if exp > now + MAX_ASSERTION_LIFETIME + CLOCK_SKEW:
            raise fail("client_assertion: exp must be at most 1 hour ahead")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise fail("client_assertion: jti is required")
        with self._lock:
            for old, until in list(self._used_jti.items()):
                if until < now - CLOCK_SKEW:
                    del self._used_jti[old]
            if jti in self._used_jti:
                raise fail("client_assertion: jti was already used; every assertion needs a new jti")
            self._used_jti[jti] = float(exp)
        return dict(claims)


def _unverified_claims(assertion: str) -> dict[str, Any]:
    try:
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        raise _oauth_error("E0000004", "invalid_client", "client_assertion: not a JWT", status=401) from None
    return claims if isinstance(claims, dict) else {}


def token_blueprint(tokens: TokenStore, token_url: Callable[[], str]) -> Blueprint:
    """The ``/oauth2/v1/token`` endpoint."""
    blueprint = Blueprint("okta_oauth", __name__)

    @blueprint.post("/oauth2/v1/token")
    def issue_token() -> Response:
        form = {key: value for key, value in request.form.items()}
        return jsonify(tokens.issue(form, token_url()))

    return blueprint
