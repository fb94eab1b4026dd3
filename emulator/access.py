"""Who may use the emulator: the hosts it answers to, and the per-install access token.

The emulator listens on loopback, but "only this machine can reach it" is not enough on its own. A web
page the user has open can resolve its own name to 127.0.0.1 (DNS rebinding) and then talk to the
emulator as a same-origin site; any local process can too. Two checks close that, as notebook servers
do:

* **Host allow-list** (:class:`HostAllowList`, a WSGI layer in front of everything served on the port,
  sandboxes included): a request whose ``Host`` header is not one the emulator serves is refused with
  403 before anything runs. A rebinding page's requests carry *its* host name, so they stop here.
  Default hosts: the public URL's host, the bound host, ``localhost``, ``127.0.0.1`` and ``[::1]``,
  each with the port (the loopback names also bare, as in-process clients send them); more with
  ``connector emulate --allow-host``.
* **Access token** (:func:`init_access`): generated once per install and kept in
  ``<data>/access.token`` (owner-only). API clients send it in the ``X-Emulator-Token`` header; a
  browser opens the URL ``connector emulate`` prints (``/?token=...``) or types the token into the
  login form, and from then on its session cookie carries the login. Nothing else authenticates: an
  ``Authorization`` header (which a flow step may send with a connection's credential) never does.

Exempt from the token: ``/hooks/`` (vendors cannot send it; every delivery is authenticated by its
trigger), the login page and the static files. The CSRF check (:mod:`emulator.csrf`) skips requests
that carried a valid token header: a browser cannot add that header to a cross-site request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from flask import Blueprint, Flask, Response, current_app, g, jsonify, redirect, render_template, request, session

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ACCESS_TOKEN_HEADER = "X-Emulator-Token"
TOKEN_QUERY_PARAMETER = "token"
TOKEN_FILE_NAME = "access.token"
SESSION_KEY_FILE_NAME = "session.key"
SESSION_KEY = "emulator_access"
#: Paths that need no token: vendors' deliveries (authenticated per delivery), static files, the login page
#: and the icon browsers ask for on every page (the login page's too).
EXEMPT_PREFIXES = ("/hooks/", "/ui/static/")
LOGIN_PATH = "/login"
EXEMPT_PATHS = frozenset({LOGIN_PATH, "/favicon.ico"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_WILDCARD_BINDS = ("0.0.0.0", "::", "[::]", "")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def load_access_token(data_dir: str | Path) -> str:
    """This install's access token from ``<data_dir>/access.token``, created (0600) on first use."""
    return _owner_only_secret(Path(data_dir) / TOKEN_FILE_NAME)


def load_session_key(data_dir: str | Path) -> str:
    """The key that signs browser sessions, kept in ``<data_dir>/session.key`` (0600).

    Kept, not made per process, so a signed-in browser stays signed in across restarts of the emulator.
    """
    return _owner_only_secret(Path(data_dir) / SESSION_KEY_FILE_NAME)


def _owner_only_secret(path: Path) -> str:
    if path.exists():
        token = path.read_text().strip()
        if token:
            os.chmod(path, 0o600)
            return token
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, (token + "\n").encode())
    finally:
        os.close(fd)
    os.chmod(path, 0o600)
    return token


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def allowed_hosts(public_url: str, *, bound_host: str | None = None, extra: Iterable[str] = ()) -> frozenset[str]:
    """Every ``Host`` header value the emulator answers: ``name:port`` (and bare ``name`` on port 80/443).

    Args:
        public_url: where the emulator is served; its host and port are allowed, and the port is used
            for the loopback names.
        bound_host: the interface given to ``--host``; a wildcard (``0.0.0.0``) adds nothing.
        extra: more hosts (``name`` or ``name:port``; a bare name gets the public URL's port too).
    """
    parts = urlsplit(public_url)
    scheme = parts.scheme or "http"
    port = parts.port or _DEFAULT_PORTS.get(scheme, 80)
    names = [parts.hostname or "localhost", *LOOPBACK_NAMES]
    if bound_host and bound_host not in _WILDCARD_BINDS:
        names.append(bound_host)
    # A bare loopback name is what in-process clients (werkzeug's, Flask's) send; a browser always sends
    # the port, and no page can make it send a loopback name for the page's own origin.
    hosts: set[str] = set(LOOPBACK_NAMES)
    for name in names:
        name = _bracketed(name.lower())
        hosts.add(f"{name}:{port}")
        if port == _DEFAULT_PORTS.get(scheme):
            hosts.add(name)
    for value in extra:
        value = value.strip().lower()
        if not value:
            continue
        hosts.add(value)
        if not value.endswith("]") and value.rsplit(":", 1)[-1].isdigit():
            continue  # has a port already
        hosts.add(f"{_bracketed(value)}:{port}")
    return frozenset(hosts)


class HostAllowList:
    """WSGI layer: answers 403 to any request whose ``Host`` is not in ``hosts`` (DNS rebinding)."""

    def __init__(self, app: WSGIApplication, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = frozenset(h.lower() for h in hosts)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        host = str(environ.get("HTTP_HOST", "")).lower()
        if host in self.hosts:
            return self.app(environ, start_response)
        shown = host or "(none)"
        message = (
            f"the Host header {shown!r} is not one this emulator serves; open it through one of "
            f"{', '.join(sorted(self.hosts))} or start it with `connector emulate --allow-host {host or 'HOST'}`"
        )
        body = json.dumps({"error": {"message": message, "field": "Host"}}).encode() + b"\n"
        start_response("403 Forbidden", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


# --- the access token -------------------------------------------------------------------------------


def _fingerprint(token: str) -> str:
    """What the session cookie keeps: proof of a login that dies when the token changes, not the token."""
    return hashlib.sha256(b"emulator-session:" + token.encode()).hexdigest()[:32]


def _expected_token() -> str:
    return str(current_app.config["ACCESS_TOKEN"])


def _matches(presented: str) -> bool:
    return hmac.compare_digest(presented.encode(), _expected_token().encode())


def _signed_in() -> bool:
    mark = session.get(SESSION_KEY)
    return isinstance(mark, str) and hmac.compare_digest(mark.encode(), _fingerprint(_expected_token()).encode())


def _refuse(message: str) -> tuple[Response, int]:
    response = jsonify({"error": {"message": message, "field": ACCESS_TOKEN_HEADER}})
    response.headers["WWW-Authenticate"] = f'{ACCESS_TOKEN_HEADER} realm="connector emulator"'
    return response, 401


def _safe_next(target: str | None) -> str:
    """Only a path on this emulator (never ``//other.host`` or an absolute URL): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _without_token_parameter() -> str:
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != TOKEN_QUERY_PARAMETER]
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in kept)
    return request.path + (f"?{query}" if query else "")


def check_access() -> Any:
    """``before_request`` hook: None lets the request through; else a 401 (API) or the login page."""
    path = request.path
    if path.startswith(EXEMPT_PREFIXES) or path in EXEMPT_PATHS:
        return None
    presented = request.headers.get(ACCESS_TOKEN_HEADER)
    if presented is not None:
        if _matches(presented.strip()):
            g.emulator_api_client = True
            return None
        return _refuse(
            f"the {ACCESS_TOKEN_HEADER} header does not match this emulator's access token; use the token "
            "`connector emulate` printed (it is kept in access.token in the data folder)"
        )
    if _signed_in():
        return None
    offered = request.args.get(TOKEN_QUERY_PARAMETER)
    if offered is not None and request.method in ("GET", "HEAD"):
        if _matches(offered):
            session[SESSION_KEY] = _fingerprint(_expected_token())
            return redirect(_safe_next(_without_token_parameter()))  # keep the token out of history
        return redirect("/login?error=wrong&next=" + quote(_without_token_parameter(), safe=""))
    if path.startswith("/api") or request.method not in ("GET", "HEAD"):
        return _refuse(
            f"this emulator needs its access token: send it in the {ACCESS_TOKEN_HEADER} header (it is "
            "printed by `connector emulate` and kept in access.token in the data folder)"
        )
    return redirect("/login?next=" + quote(_without_token_parameter(), safe=""))  # a token never rides along


login_bp = Blueprint("access", __name__)


@login_bp.route(LOGIN_PATH, methods=["GET", "POST"])
def login() -> Any:
    """The login form: the access token in, a signed-in session out."""
    target = _safe_next(request.values.get("next"))
    error = ""
    if request.args.get("error") == "wrong":
        error = "That token is not this emulator's access token."
    if request.method == "POST":
        if _matches(request.form.get(TOKEN_QUERY_PARAMETER, "").strip()):
            session[SESSION_KEY] = _fingerprint(_expected_token())
            return redirect(target)
        error = "That token is not this emulator's access token."
    status = 401 if error else 200
    return render_template("ui/login.html", title="Sign in", page="login", next=target, error=error), status


def init_access(app: Flask, token: str) -> None:
    """Require ``token`` on every request of ``app`` except the exempt paths (runs before any other hook)."""
    if not token:
        raise ValueError("the access token must not be empty")
    app.config["ACCESS_TOKEN"] = token
    if app.extensions.get("emulator_access"):
        return
    app.extensions["emulator_access"] = True
    app.before_request_funcs.setdefault(None, []).insert(0, check_access)
    app.register_blueprint(login_bp)


def tokenised_url(public_url: str, token: str) -> str:
    """The URL to open in a browser: it signs the browser in (like a notebook server's start URL)."""
    return f"{public_url.rstrip('/')}/?{TOKEN_QUERY_PARAMETER}={quote(token, safe='')}"


__all__ = [
    "ACCESS_TOKEN_HEADER",
    "HostAllowList",
    "allowed_hosts",
    "check_access",
    "init_access",
    "load_access_token",
    "tokenised_url",
]
