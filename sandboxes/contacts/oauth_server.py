"""The sandbox's OAuth 2.0 authorization server, modelled on HighLevel's marketplace apps.

Flow: ``GET /oauth/chooselocation`` shows a consent page (pick a location, Allow or Deny); the form
posts back with a one-time nonce that stands for the checked request, and the browser is redirected to
the client's ``redirect_uri`` with ``code`` and the same ``state`` (or ``error=access_denied``).
``POST /oauth/token`` swaps the code for tokens and refreshes them.

Rules enforced, stricter than HighLevel documents where the DESIGN asks for it:

* PKCE with ``S256`` is required; ``plain`` or no challenge is refused (``invalid_request``).
* ``redirect_uri`` must equal a registered one exactly; on a mismatch the page shows the error and
  never redirects (redirecting would hand the code to an unknown URL). The token request must send
  the very same ``redirect_uri`` the code was issued for (RFC 6749 §4.1.3); missing or different is
  ``invalid_grant``.
* The consent page cannot be framed (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``), so another
  site cannot overlay it and trick the user into clicking Allow; it also carries a strict CSP.
* Codes are single-use and live 60 s. Reusing a code revokes what it issued (RFC 6749 §4.1.2).
* Every refresh issues a new refresh token; presenting an already used one revokes the whole family
  (every access and refresh token descending from that grant), as OAuth 2.0 Security BCP §4.14 says.
* Access tokens live ``access_token_ttl`` seconds (HighLevel: 86399).

Token errors use RFC 6749's ``{error, error_description}`` body; HighLevel does not document its own.
Tokens are opaque random strings (HighLevel's are JWTs; clients must not read them either way).
"""

from __future__ import annotations

import dataclasses
import hmac
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from urllib.parse import urlencode, urlsplit, urlunsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from flask import Blueprint, Response, jsonify, redirect, render_template_string, request
from werkzeug.wrappers import Response as BaseResponse

CODE_TTL_SECONDS = 60
CONSENT_TTL_SECONDS = 600
KNOWN_SCOPES = (
    "contacts.readonly", "contacts.write", "locations/customFields.readonly", "locations/customFields.write",
    "calendars/events.readonly", "calendars/events.write",
)


@dataclass
class OAuthClient:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    scopes: list[str]


@dataclass
class Location:
    location_id: str
    name: str
    company_id: str


@dataclass
class PendingConsent:
    """An authorize request that passed every check and waits for the user's Allow or Deny."""

    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str | None
    code_challenge: str
    expires_at: float


@dataclass
class AuthorizationCode:
    client_id: str
    redirect_uri: str
    scopes: list[str]
    location_id: str
    code_challenge: str
    expires_at: float
    family_id: str
    used: bool = False


@dataclass
class IssuedToken:
    """An access or refresh token; ``family_id`` ties it to the grant it descends from."""

    token: str
    kind: str  # "access" | "refresh"
    client_id: str
    location_id: str
    company_id: str
    user_id: str
    scopes: list[str]
    family_id: str
    expires_at: float | None
    used: bool = False


@dataclass
class TokenFamily:
    tokens: set[str] = field(default_factory=set)
    revoked: bool = False


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


class OAuthServer:
    """Clients, consents, codes and tokens of the sandbox's authorization server. Thread-safe."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        locations: list[Location],
        access_token_ttl: int,
        user_id: str,
    ) -> None:
        self.clock = clock
        self.locations = {location.location_id: location for location in locations}
        self.access_token_ttl = access_token_ttl
        self.user_id = user_id
        self.clients: dict[str, OAuthClient] = {}
        self._lock = threading.Lock()
        self._consents: dict[str, PendingConsent] = {}
        self._codes: dict[str, AuthorizationCode] = {}
        self._tokens: dict[str, IssuedToken] = {}
        self._families: dict[str, TokenFamily] = {}

    # -- set-up -------------------------------------------------------------------------------------
    def register_client(self, client_id: str, client_secret: str, redirect_uris: list[str], scopes: list[str]) -> None:
        unknown = [scope for scope in scopes if scope not in KNOWN_SCOPES]
        if unknown:
            raise ValueError(f"scopes: unknown scope(s) {unknown}; use {', '.join(KNOWN_SCOPES)}")
        if not redirect_uris:
            raise ValueError("redirect_uris: register at least one redirect URI")
        self.clients[client_id] = OAuthClient(client_id, client_secret, list(redirect_uris), list(scopes))

    # -- token checks used by the API guard ---------------------------------------------------------
    def access_token(self, token: str) -> IssuedToken | None:
        """The live access token ``token``, or None when unknown, expired or revoked."""
        with self._lock:
            issued = self._tokens.get(token)
            if issued is None or issued.kind != "access":
                return None
            if self._families[issued.family_id].revoked:
                return None
            if issued.expires_at is not None and self.clock() >= issued.expires_at:
                return None
            return issued

    def expire_all_access_tokens(self) -> None:
        """Fault "expire every token now": access tokens die, refresh tokens keep working."""
        with self._lock:
            past = self.clock() - 1
            for issued in self._tokens.values():
                if issued.kind == "access":
                    issued.expires_at = past

    # -- authorize ----------------------------------------------------------------------------------
    def check_authorize_request(self, args: dict[str, str]) -> tuple[OAuthClient, str]:
        """Validate what must be right before anything may redirect: the client and its redirect URI.

        Raises:
            OAuthError: shown on the page itself, never sent to the redirect URI.
        """
        client = self.clients.get(args.get("client_id", ""))
        if client is None:
            raise OAuthError("invalid_client", "client_id is unknown: register the app first")
        redirect_uri = args.get("redirect_uri", "")
        if redirect_uri not in client.redirect_uris:
            raise OAuthError(
                "invalid_request",
                f"redirect_uri {redirect_uri!r} does not exactly match a registered redirect URI",
            )
        return client, redirect_uri

    def begin_consent(self, client: OAuthClient, redirect_uri: str, args: dict[str, str]) -> str:
        """Check the rest of the request and park it under a one-time nonce for the consent form.

        Raises:
            OAuthError: sent back to the (already verified) redirect URI.
        """
        if args.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", "response_type must be 'code'")
        scopes = args.get("scope", "").split()
        if not scopes:
            raise OAuthError("invalid_scope", "scope is missing: ask for contacts.readonly and/or contacts.write")
        refused = [scope for scope in scopes if scope not in client.scopes]
        if refused:
            raise OAuthError("invalid_scope", f"scope {' '.join(refused)} is not granted to this app")
        method = args.get("code_challenge_method")
        challenge = args.get("code_challenge", "")
        if not challenge or method != "S256":
            raise OAuthError(
                "invalid_request",
                "PKCE is required: send code_challenge with code_challenge_method=S256 (plain is refused)",
            )
        nonce = secrets.token_urlsafe(24)
        with self._lock:
            self._consents[nonce] = PendingConsent(
                client.client_id,
                redirect_uri,
                scopes,
                args.get("state"),
                challenge,
                self.clock() + CONSENT_TTL_SECONDS,
            )
        return nonce

    def take_consent(self, nonce: str) -> PendingConsent | None:
        """The parked request for ``nonce``; each nonce works once."""
        with self._lock:
            pending = self._consents.pop(nonce, None)
        if pending is None or self.clock() >= pending.expires_at:
            return None
        return pending

    def issue_code(self, pending: PendingConsent, location_id: str) -> str:
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes[code] = AuthorizationCode(
                pending.client_id,
                pending.redirect_uri,
                pending.scopes,
                location_id,
                pending.code_challenge,
                self.clock() + CODE_TTL_SECONDS,
                family_id=uuid.uuid4().hex,
            )
        return code

    # -- token endpoint -----------------------------------------------------------------------------
    def exchange(self, form: dict[str, str], basic_auth: tuple[str, str] | None) -> dict[str, object]:
        """Handle one ``POST /oauth/token``; returns the token response body.

        Raises:
            OAuthError: the RFC 6749 error to answer with.
        """
        client = self._authenticate_client(form, basic_auth)
        grant_type = form.get("grant_type", "")
        user_type = form.get("user_type", "Location") or "Location"
        if user_type != "Location":
            raise OAuthError(
                "invalid_request", f"user_type {user_type!r} is not modelled by the sandbox: use 'Location'"
            )
        if grant_type == "authorization_code":
            return self._redeem_code(client, form)
        if grant_type == "refresh_token":
            return self._refresh(client, form)
        raise OAuthError("unsupported_grant_type", "grant_type must be authorization_code or refresh_token")

    def _authenticate_client(self, form: dict[str, str], basic_auth: tuple[str, str] | None) -> OAuthClient:
        client_id, secret = basic_auth if basic_auth else (form.get("client_id", ""), form.get("client_secret", ""))
        client = self.clients.get(client_id)
        if client is None or not hmac.compare_digest(client.client_secret.encode(), secret.encode()):
            raise OAuthError("invalid_client", "client_id or client_secret is wrong", status=401)
        return client

    def _redeem_code(self, client: OAuthClient, form: dict[str, str]) -> dict[str, object]:
        with self._lock:
            code = self._codes.get(form.get("code", ""))
            if code is None or code.client_id != client.client_id:
                raise OAuthError("invalid_grant", "code is unknown or was issued to another client")
            if code.used:
                self._revoke_family(code.family_id)
                raise OAuthError("invalid_grant", "code was already used; every token it issued is now revoked")
            if self.clock() >= code.expires_at:
                raise OAuthError("invalid_grant", f"code expired (codes live {CODE_TTL_SECONDS} s): authorize again")
            if form.get("redirect_uri") != code.redirect_uri:  # RFC 6749 §4.1.3: required, and identical
                raise OAuthError(
                    "invalid_grant",
                    "redirect_uri is missing or differs from the one used to authorize; send exactly that one",
                )
            verifier = form.get("code_verifier", "")
            if not verifier or not hmac.compare_digest(
                create_s256_code_challenge(verifier).encode(), code.code_challenge.encode()
            ):
                raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge (PKCE S256)")
            code.used = True
            location = self.locations[code.location_id]
            return self._issue_pair(client, location, code.scopes, code.family_id)

    def _refresh(self, client: OAuthClient, form: dict[str, str]) -> dict[str, object]:
        with self._lock:
            old = self._tokens.get(form.get("refresh_token", ""))
            if old is None or old.kind != "refresh" or old.client_id != client.client_id:
                raise OAuthError("invalid_grant", "refresh_token is unknown or was issued to another client")
            family = self._families[old.family_id]
            if family.revoked:
                raise OAuthError("invalid_grant", "refresh_token was revoked: the user must authorize again")
            if old.used:
                self._revoke_family(old.family_id)
                raise OAuthError(
                    "invalid_grant",
                    "refresh_token was already used (tokens rotate on every refresh); "
                    "every token of this grant is now revoked",
                )
            old.used = True
            location = self.locations[old.location_id]
            return self._issue_pair(client, location, old.scopes, old.family_id)

    def _issue_pair(
        self, client: OAuthClient, location: Location, scopes: list[str], family_id: str
    ) -> dict[str, object]:
        family = self._families.setdefault(family_id, TokenFamily())
        access = IssuedToken(
            secrets.token_urlsafe(32),
            "access",
            client.client_id,
            location.location_id,
            location.company_id,
            self.user_id,
            scopes,
            family_id,
            self.clock() + self.access_token_ttl,
        )
        refresh = dataclasses.replace(access, token=secrets.token_urlsafe(32), kind="refresh", expires_at=None)
        for issued in (access, refresh):
            self._tokens[issued.token] = issued
            family.tokens.add(issued.token)
        return {
            "access_token": access.token,
            "token_type": "Bearer",
            "expires_in": self.access_token_ttl,
            "refresh_token": refresh.token,
            "scope": " ".join(scopes),
            "userType": "Location",
            "locationId": location.location_id,
            "companyId": location.company_id,
            "userId": self.user_id,
        }

    def grant(self, client_id: str, location_id: str) -> dict[str, object]:
        """The token answer a completed consent would give ``client_id`` for ``location_id`` (its registered scopes).

        For tests that need a token with particular scopes without driving the consent page.
        """
        client = self.clients[client_id]
        return self._issue_pair(client, self.locations[location_id], list(client.scopes), secrets.token_urlsafe(16))

    def _revoke_family(self, family_id: str) -> None:
        family = self._families.get(family_id)
        if family is not None:
            family.revoked = True


def _with_query(url: str, params: dict[str, str | None]) -> str:
    parts = urlsplit(url)
    extra = urlencode({key: value for key, value in params.items() if value is not None})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _consent_template() -> str:
    return resources.files("sandboxes.contacts").joinpath("consent.html").read_text(encoding="utf-8")


def _error_page(error: OAuthError) -> Response:
    page = render_template_string(
        "<!doctype html><title>Authorization error</title><h1>{{ error }}</h1><p>{{ description }}</p>",
        error=error.error,
        description=error.description,
    )
    return Response(page, status=400, mimetype="text/html")


#: Headers of the consent page and its error pages. No ``form-action``: the decision's redirect goes to
#: the client's registered redirect URI, which browsers would check against it.
CONSENT_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def oauth_blueprint(server: OAuthServer) -> Blueprint:
    """Routes ``/oauth/chooselocation`` (GET page, POST decision) and ``/oauth/token``."""
    blueprint = Blueprint("contacts_oauth", __name__)

    @blueprint.after_request
    def _page_headers(response: BaseResponse) -> BaseResponse:
        if request.path.endswith("/oauth/chooselocation"):
            for name, value in CONSENT_PAGE_HEADERS.items():
                response.headers.setdefault(name, value)
        return response

    @blueprint.get("/oauth/chooselocation")
    def choose_location() -> BaseResponse:
        args = request.args.to_dict()
        try:
            client, redirect_uri = server.check_authorize_request(args)
        except OAuthError as error:
            return _error_page(error)
        try:
            nonce = server.begin_consent(client, redirect_uri, args)
        except OAuthError as error:
            target = _with_query(
                redirect_uri,
                {
                    "error": error.error,
                    "error_description": error.description,
                    "state": args.get("state"),
                },
            )
            return redirect(target, code=302)
        page = render_template_string(
            _consent_template(),
            client_id=client.client_id,
            scopes=args.get("scope", "").split(),
            locations=list(server.locations.values()),
            nonce=nonce,
        )
        return Response(page, mimetype="text/html")

    @blueprint.get("/oauth/consent.css")
    def consent_stylesheet() -> BaseResponse:
        css = resources.files("sandboxes.contacts").joinpath("consent.css").read_text(encoding="utf-8")
        return Response(css, mimetype="text/css", headers={"Cache-Control": "max-age=3600"})

    @blueprint.post("/oauth/chooselocation")
    def decide() -> BaseResponse:
        pending = server.take_consent(request.form.get("nonce", ""))
        if pending is None:
            return _error_page(
                OAuthError("invalid_request", "the consent form expired or was already used: start again")
            )
        if request.form.get("decision") != "allow":
            return redirect(_with_query(pending.redirect_uri, {"error": "access_denied", "state": pending.state}))
        location_id = request.form.get("locationId", "")
        if location_id not in server.locations:
            return _error_page(
                OAuthError("invalid_request", f"locationId {location_id!r} is not a location you can pick")
            )
        code = server.issue_code(pending, location_id)
        return redirect(_with_query(pending.redirect_uri, {"code": code, "state": pending.state}))

    @blueprint.post("/oauth/token")
    def token() -> tuple[Response, int] | Response:
        basic = request.authorization
        basic_auth = (basic.username or "", basic.password or "") if basic and basic.type == "basic" else None
        try:
            body = server.exchange(request.form.to_dict(), basic_auth)
        except OAuthError as error:
            response = jsonify(error=error.error, error_description=error.description)
            response.headers["Cache-Control"] = "no-store"
            return response, error.status
        response = jsonify(body)
        response.headers["Cache-Control"] = "no-store"
        return response

    return blueprint
