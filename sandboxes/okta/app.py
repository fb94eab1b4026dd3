"""The Okta sandbox: a Flask app over an in-memory org, and its Python handle ``OktaSandbox``.

Request pipeline: injected faults -> rate limit (per endpoint family) -> 411 check -> authentication and
scope -> route -> Okta error body for anything that went wrong -> rate-limit headers and ``Date``.
Events written during the request are delivered to event hooks when the request ends.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

import httpx
from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from sandboxes.contract_check import install_contract_check
from sandboxes.faults import Faults, install_faults
from sandboxes.okta.auth import actor_for, authenticate, require_scope
from sandboxes.okta.catalogue_store import CatalogueStore, catalogue_blueprint
from sandboxes.okta.errors import OktaError, error_response, throttle_response
from sandboxes.okta.event_hooks import event_hooks_blueprint
from sandboxes.okta.groups import groups_blueprint
from sandboxes.okta.logs import logs_blueprint
from sandboxes.okta.oauth import token_blueprint
from sandboxes.okta.ratelimits import RateLimits, endpoint_family, throttled
from sandboxes.okta.seeding import seed_users
from sandboxes.okta.settings import OktaSettings
from sandboxes.okta.state import OktaState
from sandboxes.okta.users import users_blueprint
from sandboxes.outbox import Outbox
from sandboxes.transport import sandbox_transport
from sandboxes.vendor_clock import install_date_header

logger = logging.getLogger(__name__)

ADMIN_PREFIX = "/_sandbox"
BODY_METHODS = frozenset({"POST", "PUT"})
HTTP_ERROR_CODES = {404: "E0000008", 405: "E0000022", 400: "E0000003"}


class OktaSandbox:
    """A working fake Okta org: users, groups, System Log, event hooks, OAuth service apps, and a generic
    store (catalogue_store.py) for every other management endpoint the catalogue reaches.

    Args:
        settings: behaviour knobs (token, Link style, rate limits, delivery duplication).
        base_url: the org URL used in links and as the OAuth audience; set it after serving on a port.
        clock: epoch-seconds clock for timestamps, rate-limit windows and token expiry (tests pass a fake).
    """

    def __init__(
        self,
        settings: OktaSettings | None = None,
        *,
        base_url: str = "http://okta.sandbox",
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.settings = settings or OktaSettings()
        self.clock = clock or time.time
        self.outbox = Outbox(synchronous=self.settings.synchronous_delivery)
        self.state = OktaState(self.settings, self.clock, base_url.rstrip("/"), self.outbox)
        self.faults = Faults()
        self.faults.on_expire_tokens(self.state.tokens.revoke_bearer_tokens)
        self.catalogue = CatalogueStore(self.clock, lambda: self.state.base_url, self._known_parent)
        self.rate_limits = RateLimits(self.settings.rate_limits, self.settings.rate_window_seconds, self.clock)
        self.app = self._build_app()

    @property
    def base_url(self) -> str:
        return self.state.base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        self.state.base_url = value.rstrip("/")

    def transport(self) -> httpx.BaseTransport:
        """An in-process httpx transport to this sandbox (no sockets)."""
        return sandbox_transport(self.app)

    def seed_users(self, count: int, *, seed: int = 1, status: str = "ACTIVE", log: bool = False) -> list[str]:
        """Add ``count`` generated users quickly; returns their ids (deterministic for a seed)."""
        return seed_users(self.state, count, seed=seed, status=status, log=log)

    def create_user(self, profile: dict[str, Any], *, activate: bool = True, password: str | None = None) -> dict:
        """Create a user through the API's code path: validates, logs, and fires event hooks."""
        with self.state.log.batch(), self.state.lock:
            user = self.state.users.create(profile, activate=activate, password=password)
            return user.single(self.state.base_url)

    def lock_out_user(self, user_id: str) -> None:
        """Put a user in LOCKED_OUT as too many failed sign-ins would (Okta has no API for it)."""
        with self.state.log.batch(), self.state.lock:
            self.state.lifecycle.lock_out(self.state.users.find(user_id))

    def register_oauth_client(self, client_id: str, public_jwk: dict[str, Any], scopes: list[str]) -> None:
        """Register a service app that signs ``private_key_jwt`` assertions with the matching private key."""
        self.state.tokens.register_client(client_id, public_jwk, scopes)

    def add_token(self, token: str) -> None:
        """Accept another SSWS API token (every scope)."""
        self.state.tokens.add_ssws(token)

    def _known_parent(self, collection: str, item_id: str) -> bool | None:
        """Whether a user or group id in a catalogue path exists (None: not a collection modelled here)."""
        if collection == "/api/v1/users":
            return item_id in self.state.users.records
        if collection == "/api/v1/groups":
            return item_id in self.state.groups.records
        return None

    def close(self) -> None:
        self.outbox.close()

    def _build_app(self) -> Flask:
        app = Flask("okta_sandbox")
        install_date_header(app, self.clock)
        state = self.state
        install_faults(app, self.faults, error_response=error_response, throttle_response=throttle_response)
        app.register_blueprint(token_blueprint(state.tokens, lambda: f"{state.base_url}/oauth2/v1/token"))
        app.register_blueprint(users_blueprint(state))
        app.register_blueprint(groups_blueprint(state))
        app.register_blueprint(logs_blueprint(state))
        app.register_blueprint(event_hooks_blueprint(state))
        app.register_blueprint(catalogue_blueprint(self.catalogue))  # every other documented /api/v1 path
        app.before_request(self._admit)
        app.after_request(self._stamp)
        app.teardown_request(self._finish)
        app.register_error_handler(OktaError, lambda error: error.response())
        app.register_error_handler(HTTPException, _http_error)
        app.register_error_handler(Exception, _unexpected_error)
        install_contract_check(app, "okta")
        return app

    def _admit(self) -> None:
        """Rate limit, 411 check, authentication and scope for one request (raises OktaError)."""
        path = request.path
        if path.startswith(ADMIN_PREFIX):
            return
        family = endpoint_family(path)
        decision = self.rate_limits.hit(family)
        g.rate_decision = decision
        if not decision.allowed:
            raise throttled()
        if request.method in BODY_METHODS and _no_length(request.environ):
            raise OktaError("E0000411")
        if path.startswith("/api/"):
            grant = authenticate(request.headers.get("Authorization"), self.state.tokens)
            require_scope(grant, family, request.method)
            g.grant = grant
            self.state.log.set_request_context(actor_for(grant), request.headers.get("User-Agent"))
            self.state.log.begin_batch()
            g.log_batch = True

    def _stamp(self, response: Response) -> Response:
        decision = g.get("rate_decision")
        if decision is None and not request.path.startswith(ADMIN_PREFIX):
            decision = self.rate_limits.peek(endpoint_family(request.path))
            if response.status_code == 429:  # an injected burst: tell clients to retry in a second
                response.headers["X-Rate-Limit-Limit"] = str(decision.limit)
                response.headers["X-Rate-Limit-Remaining"] = "0"
                response.headers["X-Rate-Limit-Reset"] = str(math.ceil(self.clock()) + 1)
                decision = None
        self.rate_limits.stamp(response, decision)
        return response

    def _finish(self, error: BaseException | None) -> None:
        if g.pop("log_batch", False):
            self.state.log.set_request_context(None, None)
            self.state.log.end_batch()


def _no_length(environ: dict[str, Any]) -> bool:
    """True when a request carries neither ``Content-Length`` nor ``Transfer-Encoding``."""
    return environ.get("CONTENT_LENGTH") in (None, "") and not environ.get("HTTP_TRANSFER_ENCODING")


def _http_error(error: HTTPException) -> Response:
    code = HTTP_ERROR_CODES.get(error.code or 500)
    if code is None:
        return OktaError("E0000009", status=error.code).response()
    return OktaError(code).response()


def _unexpected_error(error: Exception) -> Response:
    logger.exception("okta sandbox: unexpected error", exc_info=error)
    return OktaError("E0000009").response()


def create_app(settings: OktaSettings | None = None) -> Flask:
    """A ready Okta sandbox app (convenience for ``flask run`` and simple tests)."""
    return OktaSandbox(settings).app
