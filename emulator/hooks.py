"""Hook ingress: ``/hooks/<flow_id>`` receives vendor deliveries, stores them, and answers fast.

The order of checks, each with the status a vendor understands:

1. unknown flow, or a flow that is off -> 410 Gone (REST-hook vendors stop sending on 410);
2. body over ``MAX_HOOK_BODY`` -> 413 (the declared Content-Length first, then the bytes read);
3. a vendor handshake (Okta's ``x-okta-verification-challenge``) -> the trigger's answer; it echoes
   a challenge and reveals nothing, so it is answered while the flow is still subscribing;
4. the trigger's ``authenticate`` (constant-time compares are the trigger's job) -> 401 on failure;
5. otherwise the delivery is committed to the store, then acknowledged 200. Parsing, dedupe and
   runs happen later in the scheduler, so the vendor never waits for the flow's actions (Okta gives
   up after 3 s). A delivery the store cannot commit is answered 503 with ``Retry-After``: the vendor
   sends it again, and nothing was acknowledged that was not stored.

:func:`receive_delivery` holds all of that and knows no web framework. The path is hot (a vendor may
send thousands of deliveries a second), so :class:`HookIngress`, a WSGI layer in front of the Flask
app, answers ``GET`` and ``POST /hooks/<flow_id>`` itself: Flask's request context, URL matching,
session, CSRF hook, request and response objects cost about as much per delivery as everything the
ingress does (about 120 of 240 us in-process). Every other request, including other methods on a hook
URL, goes on to Flask, where the blueprint's route (the same function behind Flask's request) also
keeps the URL in the app's URL map and the API document. The body is never parsed here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import EnvironHeaders, MultiDict
from werkzeug.wsgi import get_content_length, get_input_stream

from connector.context import HookRequest
from connector.definitions import Trigger
from connector.errors import ConnectorError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from emulator.app import Emulator

log = logging.getLogger(__name__)
bp = Blueprint("hooks", __name__)
#: Where deliveries arrive; no browser page lives under it.
HOOK_PREFIX = "/hooks/"
_JSON = ("Content-Type", "application/json")


@dataclass(frozen=True)
class HookAnswer:
    """What the ingress answers a vendor: a status, a JSON body and any extra headers."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def _json(status: int, body: Any, *headers: tuple[str, str]) -> HookAnswer:
    return HookAnswer(status, json.dumps(body).encode() + b"\n", headers)


def _refuse(status: int, message: str, *headers: tuple[str, str]) -> HookAnswer:
    return _json(status, {"error": {"message": message, "field": None}}, *headers)


def _accepted(delivery_id: str) -> HookAnswer:
    return HookAnswer(200, f'{{"delivery":{json.dumps(delivery_id)},"status":"accepted"}}\n'.encode())


def receive_delivery(
    emulator: Emulator,
    flow_id: str,
    method: str,
    headers: dict[str, str],
    query: dict[str, str],
    content_length: int | None,
    read: Callable[[int], bytes],
) -> HookAnswer:
    """Check, store and acknowledge one request to ``/hooks/<flow_id>`` (see the module docstring).

    Args:
        content_length: the declared length, if any (checked before anything is read).
        read: reads up to that many bytes of the body.
    """
    flow = emulator.store.hook_target(flow_id)
    subscribing = flow_id in emulator.runner.subscribing
    if flow is None or (flow["state"] == "off" and not subscribing):
        return _refuse(410, "this hook URL is not active: its flow is off or was deleted")
    try:
        _app, trigger = emulator.invoker.trigger(flow)
    except ConnectorError:
        return _refuse(410, "this hook URL is not active: its trigger is no longer installed")
    if not isinstance(trigger, Trigger) or trigger.kind != "hook":
        return _refuse(410, "this flow is polled; it does not receive hook deliveries")

    limit = emulator.max_hook_body
    if content_length is not None and content_length > limit:
        return _refuse(413, f"the delivery is larger than the {limit} byte limit")
    body = read(limit + 1)
    if len(body) > limit:
        return _refuse(413, f"the delivery is larger than the {limit} byte limit")

    hook_request = HookRequest(method=method, headers=headers, body=body, query=query)
    if trigger.handshake is not None:
        try:
            challenge_answer = trigger.handshake(hook_request)
        except Exception:  # a definition bug must not become a 500 the vendor retries forever
            return _refuse(400, "the handshake could not be answered")
        if challenge_answer is not None:
            return _json(200, challenge_answer)
    if subscribing or (flow["state"] != "on" and not flow["subscription"]):
        return _refuse(503, "the flow is still subscribing; send again shortly", ("Retry-After", "1"))
    if trigger.authenticate is not None:
        try:
            trusted = bool(trigger.authenticate(hook_request, dict(flow["subscription"] or {})))
        except Exception:
            trusted = False
        if not trusted:
            return _refuse(401, "the delivery could not be authenticated; check the hook's secret")
    if method in ("GET", "HEAD"):  # a vendor checking the URL: nothing to store
        return _json(200, {"status": "active"})
    try:
        delivery_id = emulator.store.store_delivery(flow_id, method, headers, query, body, emulator.clock())
    except Exception:
        log.exception("a delivery to flow %s could not be stored", flow_id)
        return _refuse(503, "the delivery could not be stored; send it again shortly", ("Retry-After", "1"))
    emulator.scheduler.delivered(delivery_id)
    return _accepted(delivery_id)


@bp.route("/hooks/<flow_id>", methods=["GET", "POST"])
def receive(flow_id: str) -> Response:
    """The ingress behind Flask's request: reached when :class:`HookIngress` is not in front (and for HEAD)."""
    answer = receive_delivery(
        current_app.extensions["emulator"], flow_id, request.method, dict(request.headers.items()),
        request.args.to_dict(), request.content_length, request.stream.read,
    )
    return Response(answer.body, status=answer.status, headers=[_JSON, *answer.headers])


class HookIngress:
    """WSGI layer that answers ``GET``/``POST /hooks/<flow_id>`` with :func:`receive_delivery`, before Flask.

    It reads the request as Flask would (werkzeug's header view of the environ, the first value of each
    query parameter, the body through werkzeug's length-limited input stream) and never raises to the
    server: anything unexpected is logged and answered with the JSON 500 the API gives.
    """

    def __init__(self, app: WSGIApplication, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        method: str = environ.get("REQUEST_METHOD", "GET")
        flow_id = path[len(HOOK_PREFIX):]
        if not path.startswith(HOOK_PREFIX) or not flow_id or "/" in flow_id or method not in ("GET", "POST"):
            return self.app(environ, start_response)
        try:
            answer = receive_delivery(
                self.emulator, flow_id, method, dict(EnvironHeaders(environ).items()),
                MultiDict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)).to_dict(),
                get_content_length(environ), get_input_stream(environ).read,
            )
        except Exception:
            log.exception("unhandled error on %s %s", method, path)
            answer = _refuse(500, "the emulator failed unexpectedly; the error is in its log")
        start_response(
            f"{answer.status} {HTTPStatus(answer.status).phrase}",
            [_JSON, ("Content-Length", str(len(answer.body))), *answer.headers],
        )
        return [answer.body]
