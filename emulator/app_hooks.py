"""App-level hook ingress: ``POST /hooks/apps/<app>`` for vendors that send every event to one URL.

HighLevel's marketplace apps have one webhook URL, set in the app's settings, and events of every
location that installed the app arrive there; there is nothing to subscribe per flow. A trigger that
declares an :class:`~connector.definitions.AppHook` is fed from here:

1. a body over the limit -> 413; a body without a routing key (HighLevel: ``locationId``) -> 400;
2. the flows that are on, use one of the app's app-hook triggers, and whose connection routes to the
   delivery's key are found; none -> 200 ``{"status": "no flow"}`` (nothing to run, nothing lost);
3. the delivery must authenticate against at least one of those connections (signature and age) -> 401;
4. a delivery id seen within the replay window -> 200 ``{"status": "duplicate"}``, stored nowhere
   (older ones already fail the age check, so the window bounds the memory); flows also de-duplicate
   on their item ids, so a restart inside the window still runs nothing twice;
5. the delivery is committed for each authenticated flow, then acknowledged 200; parsing, event-type
   filtering and runs happen in the scheduler, as for per-flow hooks.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

from flask import Blueprint, Response, current_app, request

from connector.context import HookRequest
from connector.definitions import Trigger
from connector.errors import ConnectorError

log = logging.getLogger(__name__)
bp = Blueprint("app_hooks", __name__)


class ReplayGuard:
    """Delivery ids seen in the last ``window`` seconds, per app."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def first_time(self, app_key: str, delivery_id: str, window: float, now: float) -> bool:
        with self._lock:
            if len(self._seen) > 1000:
                self._seen = {key: until for key, until in self._seen.items() if until > now}
            until = self._seen.get((app_key, delivery_id))
            if until is not None and until > now:
                return False
            self._seen[(app_key, delivery_id)] = now + window
            return True


def _answer(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body) + "\n", status=status, mimetype="application/json")


def _refuse(status: int, message: str) -> Response:
    return _answer(status, {"error": {"message": message, "field": None}})


@bp.post("/hooks/apps/<app_key>")
def receive_app_delivery(app_key: str) -> Response:
    emulator = current_app.extensions["emulator"]
    app = emulator.invoker.apps.get(app_key)
    triggers = {t.key: t for t in (app.triggers if app else ()) if isinstance(t, Trigger) and t.app_hook}
    if not triggers:
        return _refuse(404, f"app {app_key!r} has no app-level hook triggers")
    hook = next(iter(triggers.values())).app_hook
    assert hook is not None
    limit = emulator.max_hook_body
    if request.content_length is not None and request.content_length > limit:
        return _refuse(413, f"the delivery is larger than the {limit} byte limit")
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        return _refuse(413, f"the delivery is larger than the {limit} byte limit")
    headers = dict(request.headers.items())
    delivery = HookRequest(method="POST", headers=headers, body=body, query=request.args.to_dict())
    route = hook.delivery_route(delivery)
    if not route:
        return _refuse(
            400, f"the delivery names no account to route it to (the {app_key} app routes each delivery by its account)"
        )

    trusted: list[str] = []
    candidates = 0
    for flow in emulator.store.list_flows():
        if flow["state"] != "on" or flow["trigger_app"] != app_key or flow["trigger_operation"] not in triggers:
            continue
        try:
            connection = emulator.invoker.connection(flow["trigger_connection_id"], app_key)
        except ConnectorError:
            continue
        if hook.connection_route(connection.fields) != route:
            continue
        candidates += 1
        fields = {**connection.fields, "base_url": connection.base_url or connection.fields.get("base_url")}
        try:
            if hook.authenticate(delivery, fields):
                trusted.append(flow["id"])
        except Exception:  # a definition bug must not become a 500 the vendor retries forever
            log.exception("authenticating a delivery for flow %s failed", flow["id"])
    if not candidates:
        return _answer(200, {"status": "no flow", "route": route})
    if not trusted:
        return _refuse(401, "the delivery could not be authenticated: bad or missing signature, or older than allowed")
    delivery_id = hook.delivery_id(delivery) if hook.delivery_id else None
    now = emulator.clock()
    guard: ReplayGuard = current_app.extensions.setdefault("app_hook_replays", ReplayGuard())
    if delivery_id and not guard.first_time(app_key, delivery_id, hook.replay_window_seconds, time.time()):
        return _answer(200, {"status": "duplicate", "delivery": delivery_id})
    stored = []
    try:
        for flow_id in trusted:
            stored.append(emulator.store.store_delivery(flow_id, "POST", headers, delivery.query, body, now))
    except Exception:
        log.exception("a delivery for app %s could not be stored", app_key)
        return Response('{"error":{"message":"the delivery could not be stored; send it again shortly"}}\n',
                        status=503, headers={"Retry-After": "1"}, mimetype="application/json")
    emulator.scheduler.wake()
    return _answer(200, {"status": "accepted", "deliveries": stored})
