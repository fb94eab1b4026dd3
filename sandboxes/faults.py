"""Fault injection shared by every sandbox.

Reliability claims ("nothing lost, nothing duplicated under 500s, 429s, resets and slow answers") are
only worth something if the failures can be produced on demand and reproduced exactly. A sandbox owns
one :class:`Faults` object and calls :func:`install_faults` on its Flask app; tests and the emulator UI
then change the settings in-process (``faults.update(error_rate=0.2)``) or over HTTP
(``PUT /_sandbox/faults``).

How a request is treated, in order (admin paths under ``/_sandbox/`` are never faulted):

1. sleep ``latency_ms``;
2. if ``burst_429`` is above zero, count it down and answer the sandbox's throttle response;
3. with probability ``drop_rate``, drop the connection without an answer;
4. with probability ``error_rate``, answer the sandbox's error response, alternating 500 and 503.

The random draws come from one seeded RNG, two draws per request, so the same seed and the same request
sequence give the same faults.

A dropped connection is signalled by raising :class:`ConnectionDropped` out of the WSGI app. On a real
server the socket is also reset, so a client sees a transport error; in-process,
:func:`sandboxes.transport.sandbox_transport` turns the exception into ``httpx.RemoteProtocolError``.
"""

from __future__ import annotations

import hmac
import random
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

ADMIN_PREFIX = "/_sandbox/"
_DROP_FLAG = "sandbox.faults.drop"


@dataclass
class FaultSettings:
    """What goes wrong, and how often. All zero means a well-behaved sandbox."""

    latency_ms: float = 0.0
    error_rate: float = 0.0
    burst_429: int = 0
    drop_rate: float = 0.0
    seed: int = 0


class FaultSettingError(ValueError):
    """A fault setting name or value is wrong; ``field`` names the setting."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ConnectionDropped(ConnectionResetError):
    """Raised out of the WSGI app when a fault drops the connection without an answer."""


@dataclass(frozen=True)
class FaultDecision:
    """What to do with one request; ``kind`` is ``"pass"``, ``"throttle"``, ``"drop"`` or ``"error"``."""

    kind: str
    latency_s: float = 0.0
    status: int | None = None


_FIELD_NAMES = tuple(f.name for f in fields(FaultSettings))


def _validated(name: str, value: Any) -> Any:
    """Return ``value`` converted for the setting ``name``, or raise ValueError naming the field."""
    if name not in _FIELD_NAMES:
        raise FaultSettingError(name, f"unknown fault setting {name!r}; use one of {', '.join(_FIELD_NAMES)}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultSettingError(name, f"fault setting {name!r} must be a number, got {value!r}")
    if name in ("burst_429", "seed"):
        if isinstance(value, float) and not value.is_integer():
            raise FaultSettingError(name, f"fault setting {name!r} must be a whole number, got {value!r}")
        value = int(value)
        if name == "burst_429" and value < 0:
            raise FaultSettingError(name, f"fault setting 'burst_429' must be 0 or more, got {value}")
        return value
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise FaultSettingError(name, f"fault setting {name!r} must be a finite number, got {value!r}")
    if name == "latency_ms" and not 0 <= value <= 60_000:
        raise FaultSettingError(name, f"fault setting 'latency_ms' must be between 0 and 60000, got {value}")
    if name in ("error_rate", "drop_rate") and not 0.0 <= value <= 1.0:
        raise FaultSettingError(
            name, f"fault setting {name!r} is a fraction and must be between 0 and 1, got {value}"
        )
    return value


class Faults:
    """The fault settings of one sandbox, plus the "expire every token now" switch.

    Thread-safe: the threaded server decides faults for concurrent requests under one lock.
    """

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self._lock = threading.Lock()
        initial = settings or FaultSettings()
        for name in _FIELD_NAMES:
            _validated(name, getattr(initial, name))
        self.settings = replace(initial)
        self._initial = replace(initial)
        self._rng = random.Random(self.settings.seed)
        self._errors_sent = 0
        self._expire_callbacks: list[Callable[[], None]] = []

    def update(self, **changes: Any) -> FaultSettings:
        """Change some settings at once; all are validated before any is applied.

        Changing ``seed`` restarts the random sequence so a test can replay a fault pattern.

        Raises:
            FaultSettingError: (a ValueError) a name is unknown or a value is out of range; the
                message and ``field`` name the setting.
        """
        checked = {name: _validated(name, value) for name, value in changes.items()}
        with self._lock:
            self.settings = replace(self.settings, **checked)
            if "seed" in checked:
                self._rng = random.Random(self.settings.seed)
                self._errors_sent = 0
            return replace(self.settings)

    def reset(self) -> None:
        """Back to the settings this object was created with, RNG restarted."""
        with self._lock:
            self.settings = replace(self._initial)
            self._rng = random.Random(self.settings.seed)
            self._errors_sent = 0

    def on_expire_tokens(self, callback: Callable[[], None]) -> None:
        """Register what "expire every token now" means for the sandbox that owns these faults."""
        self._expire_callbacks.append(callback)

    def expire_tokens(self) -> None:
        """Run every registered expiry callback (each sandbox forgets its issued tokens)."""
        for callback in list(self._expire_callbacks):
            callback()

    def decide(self) -> FaultDecision:
        """Decide the fate of one request. Consumes the burst counter and two random draws."""
        with self._lock:
            s = self.settings
            latency = s.latency_ms / 1000.0
            drop_draw = self._rng.random()
            error_draw = self._rng.random()
            if s.burst_429 > 0:
                s.burst_429 -= 1
                return FaultDecision("throttle", latency, 429)
            if drop_draw < s.drop_rate:
                return FaultDecision("drop", latency)
            if error_draw < s.error_rate:
                status = 503 if self._errors_sent % 2 else 500
                self._errors_sent += 1
                return FaultDecision("error", latency, status)
            return FaultDecision("pass", latency)


def _reset_socket(environ: dict[str, Any]) -> None:
    """Reset the client's TCP connection (RST, not FIN) when running on a real werkzeug server."""
    sock = environ.get("werkzeug.socket")
    if sock is None:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # the client may already be gone; the drop happened either way


class _DropMiddleware:
    """Wraps ``app.wsgi_app`` so a drop decided in ``before_request`` escapes Flask's error handling.

    Flask would turn an exception raised inside a request into a 500; a dropped connection must
    instead leave the WSGI app with no answer at all.
    """

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def start_unless_dropped(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if environ.get(_DROP_FLAG):  # set by the fault hook before any response exists
                return lambda data: None
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, start_unless_dropped)
        if environ.get(_DROP_FLAG):
            close = getattr(result, "close", None)
            if close is not None:
                close()
            _reset_socket(environ)
            raise ConnectionDropped("sandbox fault: connection dropped without an answer")
        return result


def _admin_authorized(admin_token: str | None) -> bool:
    if admin_token is None:
        return True
    supplied = request.headers.get("X-Sandbox-Admin-Token", "")
    auth = request.headers.get("Authorization", "")
    if not supplied and auth.startswith("Bearer "):
        supplied = auth[len("Bearer ") :]
    return hmac.compare_digest(supplied.encode(), admin_token.encode())


def _refuse_plain_form_post() -> Response | None:
    """Changes need a JSON body: another site's page can post a form, but not JSON without CORS.

    Mounted under the emulator the admin endpoints have no token, so this is what keeps a page the
    user has open from resetting faults or expiring every token with a plain ``<form>``.
    """
    if request.method in ("GET", "HEAD", "OPTIONS") or request.mimetype == "application/json":
        return None
    response = jsonify(
        error=f"the Content-Type must be application/json, not {request.mimetype or 'none'!r}",
        hint="send a JSON body, e.g. {} for the endpoints that take no settings",
    )
    response.status_code = 415
    return response


def _admin_blueprint(faults: Faults, admin_token: str | None) -> Blueprint:
    admin = Blueprint("sandbox_faults_admin", __name__, url_prefix="/_sandbox")

    @admin.before_request
    def require_admin_token() -> Response | None:
        if _admin_authorized(admin_token):
            return _refuse_plain_form_post()
        response = jsonify(
            error="admin token missing or wrong",
            hint="send the sandbox admin token in the X-Sandbox-Admin-Token header",
        )
        response.status_code = 401
        return response

    @admin.get("/faults")
    def show_faults() -> Response:
        return jsonify(asdict(faults.settings))

    @admin.route("/faults", methods=["PUT", "PATCH"])
    def change_faults() -> Response | tuple[Response, int]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify(
                error="the body must be a JSON object of fault settings",
                hint=f"send e.g. {{\"error_rate\": 0.1}}; fields: {', '.join(_FIELD_NAMES)}",
            ), 400
        try:
            settings = faults.update(**body)
        except ValueError as exc:
            return jsonify(error=str(exc), field=getattr(exc, "field", None)), 400
        return jsonify(asdict(settings))

    @admin.post("/faults/reset")
    def reset_faults() -> Response:
        faults.reset()
        return jsonify(asdict(faults.settings))

    @admin.post("/expire-tokens")
    def expire_tokens() -> tuple[str, int]:
        faults.expire_tokens()
        return "", 204

    return admin


def install_faults(
    app: Flask,
    faults: Faults,
    *,
    error_response: Callable[[int], Response],
    throttle_response: Callable[[], Response],
    admin_token: str | None = None,
) -> None:
    """Apply ``faults`` to every request of ``app`` and mount the ``/_sandbox`` admin endpoints.

    The fault hook runs before any other ``before_request`` hook, so a throttled or failed request
    never reaches the sandbox's auth or rate limiter, as with a real overloaded front end.

    Args:
        app: the sandbox's Flask app; call once per app.
        faults: the settings object the sandbox and its tests share.
        error_response: builds the vendor-shaped body for a 500 or 503.
        throttle_response: builds the vendor-shaped 429 (with its rate-limit headers).
        admin_token: when set, the admin endpoints need it in ``X-Sandbox-Admin-Token`` (or as a
            Bearer token); when None they are open, which suits local tests.
    """

    def apply_faults() -> Response | None:
        if request.path.startswith(ADMIN_PREFIX) or request.path == ADMIN_PREFIX.rstrip("/"):
            return None
        decision = faults.decide()
        if decision.latency_s > 0:
            time.sleep(decision.latency_s)
        if decision.kind == "throttle":
            return throttle_response()
        if decision.kind == "drop":
            request.environ[_DROP_FLAG] = True
            return Response(b"", status=500)  # never sent: the middleware raises instead
        if decision.kind == "error" and decision.status is not None:
            return error_response(decision.status)
        return None

    app.before_request_funcs.setdefault(None, []).insert(0, apply_faults)
    app.wsgi_app = _DropMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    app.register_blueprint(_admin_blueprint(faults, admin_token))
