"""Cross-site request forgery protection for the emulator's browser pages and JSON API.

The emulator has no login: anyone who can reach its port can use it, so the threat is another web site
making the user's browser send a state-changing request to it. Every such request coming from the
browser must therefore carry a per-session token that only our own pages know: in the
``X-CSRF-Token`` header (the JS fetch layer reads it from ``<meta name="csrf-token">``) or in a
``csrf_token`` form field. Tokens are compared in constant time; a request without a valid one gets a
403 JSON error.

Exempt:
    * safe methods (GET, HEAD, OPTIONS, TRACE);
    * paths under ``CSRF_EXEMPT_PREFIXES`` (default ``/hooks/``: vendors deliver there, and the hook
      receiver authenticates each delivery itself);
    * API clients that sent this install's access token in ``X-Emulator-Token`` (checked first by
      :mod:`emulator.access`, which marks the request). A browser cannot add that header to a
      cross-site request without a CORS preflight, which the emulator never grants. An
      ``Authorization`` header exempts nothing: a flow step may send a connection's credential in it.
    * everything when ``CSRF_ENABLED`` is false (unit tests of the JSON API with Flask's test client).

Config this module sets: ``SESSION_COOKIE_HTTPONLY = True`` always, and ``SESSION_COOKIE_SAMESITE =
"Lax"`` unless the app chose ``"Strict"``.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, request, session

CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrf_token"
SESSION_KEY = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
DEFAULT_EXEMPT_PREFIXES = ("/hooks/",)


def csrf_token() -> str:
    """This browser session's token, created on first use (pages embed it in a meta tag)."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def _is_exempt() -> bool:
    if request.method in SAFE_METHODS:
        return True
    config = current_app.config
    if not config.get("CSRF_ENABLED", True):
        return True
    if request.path.startswith(tuple(config.get("CSRF_EXEMPT_PREFIXES", DEFAULT_EXEMPT_PREFIXES))):
        return True  # str.startswith takes the tuple: one call on the hook ingress's hot path
    return bool(g.get("emulator_api_client"))


def _presented_token() -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.form.get(CSRF_FORM_FIELD, "")
    return ""


def _refuse(message: str) -> tuple[Response, int]:
    body = {"error": {"message": message, "field": CSRF_HEADER}}
    return jsonify(body), 403


def check_csrf() -> tuple[Response, int] | None:
    """``before_request`` hook: None lets the request through, else the 403 answer."""
    if _is_exempt():
        return None
    expected = session.get(SESSION_KEY)
    if not isinstance(expected, str) or not expected:
        return _refuse(
            "is missing: this browser session has no CSRF token yet; reload the page and try again"
        )
    presented = _presented_token()
    if not presented:
        return _refuse(
            f"is missing: send the page's csrf-token in the {CSRF_HEADER} header or the "
            f"{CSRF_FORM_FIELD} form field; reload the page if it is stale"
        )
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        return _refuse("does not match this session's token; reload the page and try again")
    return None


def init_csrf(app: Flask) -> None:
    """Install the check on every request of ``app`` and expose ``csrf_token()`` to templates."""
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if not app.config.get("SESSION_COOKIE_SAMESITE"):  # Flask's default is None: no SameSite attribute
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config.setdefault("CSRF_ENABLED", True)
    app.config.setdefault("CSRF_EXEMPT_PREFIXES", DEFAULT_EXEMPT_PREFIXES)
    if app.extensions.get("emulator_csrf"):
        return
    app.extensions["emulator_csrf"] = True
    app.before_request(check_csrf)

    @app.context_processor
    def _inject_token() -> dict[str, Any]:
        return {"csrf_token": csrf_token}


__all__ = ["CSRF_FORM_FIELD", "CSRF_HEADER", "check_csrf", "csrf_token", "init_csrf"]
