"""Hook ingress: ``/hooks/<flow_id>`` receives vendor deliveries, stores them, and answers fast.

The order of checks, each with the status a vendor understands:

1. unknown flow, or a flow that is off -> 410 Gone (REST-hook vendors stop sending on 410);
2. body over ``MAX_HOOK_BODY`` -> 413 (the declared Content-Length first, then the bytes read);
3. a vendor handshake (Okta's ``x-okta-verification-challenge``) -> the trigger's answer; it echoes
   a challenge and reveals nothing, so it is answered while the flow is still subscribing;
4. the trigger's ``authenticate`` (constant-time compares are the trigger's job) -> 401 on failure;
5. otherwise the delivery is committed to the store, then acknowledged 200. Parsing, dedupe and
   runs happen later in the scheduler, so the vendor never waits for the flow's actions (Okta gives
   up after 3 s).

The path is hot (a vendor may send thousands of deliveries a second), so it skips what is not its job:
vendors send no cookies, so :class:`HookSessionInterface` gives ``/hooks/`` requests no session (Flask
neither parses nor signs one), the CSRF check lets the prefix through before touching anything, and
the 200 is a pre-encoded body rather than ``jsonify``. The body is never parsed here.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.wrappers import Request

from connector.context import HookRequest
from connector.definitions import Trigger
from connector.errors import ConnectorError

bp = Blueprint("hooks", __name__)
#: Where deliveries arrive; no browser page lives under it.
HOOK_PREFIX = "/hooks/"


class HookSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except under ``/hooks/``: a null session, never loaded or saved.

    Opening a cookie session builds a signing serializer on every request even without a cookie; a
    delivery carries no cookie and never reads the session, so that work is skipped. Flask does not
    save a null session, so no ``Set-Cookie`` leaves the ingress either.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(HOOK_PREFIX):
            return self.make_null_session(app)
        return super().open_session(app, request)


def _accepted(delivery_id: str) -> Response:
    """The 200 for a stored delivery; the same JSON ``jsonify`` would give, without its machinery."""
    body = f'{{"delivery":{json.dumps(delivery_id)},"status":"accepted"}}\n'
    return Response(body, status=200, mimetype="application/json")


def _answer(status: int, message: str, **extra: Any) -> tuple[Response, int]:
    return jsonify({"error": {"message": message, "field": None, **extra}}), status


@bp.route("/hooks/<flow_id>", methods=["GET", "POST"])
def receive(flow_id: str) -> Any:
    emulator = current_app.extensions["emulator"]
    flow = emulator.store.hook_target(flow_id)
    subscribing = flow_id in emulator.runner.subscribing
    if flow is None or (flow["state"] == "off" and not subscribing):
        return _answer(410, "this hook URL is not active: its flow is off or was deleted")
    try:
        _app, trigger = emulator.invoker.trigger(flow)
    except ConnectorError:
        return _answer(410, "this hook URL is not active: its trigger is no longer installed")
    if not isinstance(trigger, Trigger) or trigger.kind != "hook":
        return _answer(410, "this flow is polled; it does not receive hook deliveries")

    limit = emulator.max_hook_body
    if request.content_length is not None and request.content_length > limit:
        return _answer(413, f"the delivery is larger than the {limit} byte limit")
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        return _answer(413, f"the delivery is larger than the {limit} byte limit")

    hook_request = HookRequest(
        method=request.method, headers=dict(request.headers.items()), body=body, query=request.args.to_dict()
    )
    if trigger.handshake is not None:
        try:
            challenge_answer = trigger.handshake(hook_request)
        except Exception:  # a definition bug must not become a 500 the vendor retries forever
            return _answer(400, "the handshake could not be answered")
        if challenge_answer is not None:
            return jsonify(challenge_answer), 200
    if subscribing or (flow["state"] != "on" and not flow["subscription"]):
        response, status = _answer(503, "the flow is still subscribing; send again shortly")
        response.headers["Retry-After"] = "1"
        return response, status
    if trigger.authenticate is not None:
        try:
            trusted = bool(trigger.authenticate(hook_request, dict(flow["subscription"] or {})))
        except Exception:
            trusted = False
        if not trusted:
            return _answer(401, "the delivery could not be authenticated; check the hook's secret")
    if request.method == "GET":
        return jsonify({"status": "active"}), 200
    delivery_id = emulator.store.store_delivery(
        flow_id, request.method, hook_request.headers, hook_request.query, body, emulator.clock()
    )
    emulator.scheduler.wake()
    return _accepted(delivery_id)
