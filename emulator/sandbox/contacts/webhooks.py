"""Webhook subscriptions and signed deliveries.

On the real service a marketplace app sets one webhook URL and ticks the events it wants in the app's
settings; there is no public API for it. The sandbox stands in for those settings with a small API the
emulator calls (no Version header, no bearer token; the sandbox admin token when one is configured):

* ``POST /webhooks`` ``{url, events:[...]}`` -> 201 ``{webhook:{id, url, events}}``
* ``GET /webhooks`` -> ``{webhooks:[...]}``
* ``DELETE /webhooks/{id}`` -> ``{succeded: true}``

Every matching event goes to every subscription of any location (an app's URL receives the events of
every location that installed it). Payloads are flat, ``{type, locationId, id, ...fields, timestamp,
webhookId}``, signed with :class:`~emulator.sandbox.contacts.signing.WebhookSigner` in
``x-wh-signature`` and sent through the shared Outbox (3 s timeout, one retry on 5xx or no answer).
``webhookId`` is unique per delivery, so receivers can drop replays.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request

from emulator.sandbox.contacts.errors import ApiError, bad_request, unprocessable
from emulator.sandbox.contacts.signing import SIGNATURE_HEADER, WebhookSigner
from emulator.sandbox.contacts.state import ContactsState, Record
from emulator.sandbox.outbox import Outbox

WEBHOOK_EVENTS = (
    "ContactCreate",
    "ContactUpdate",
    "ContactDelete",
    "ContactTagUpdate",
    "TaskCreate",
    "TaskComplete",
    "TaskDelete",
    "NoteCreate",
    "NoteUpdate",
    "NoteDelete",
    "AppointmentCreate",
    "AppointmentUpdate",
    "AppointmentDelete",
)


class WebhookHub:
    """Keeps subscriptions in the sandbox state and turns record changes into signed deliveries."""

    def __init__(self, state: ContactsState, signer: WebhookSigner, outbox: Outbox) -> None:
        self.state = state
        self.signer = signer
        self.outbox = outbox

    def subscribe(self, url: str, events: list[str]) -> dict[str, Any]:
        """Add a subscription; returns ``{webhook:{id, url, events}}``.

        Raises:
            ApiError: 422 naming the field when ``url`` or ``events`` is wrong.
        """
        problems: list[str] = []
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            problems.append("url must be a URL address starting with http:// or https://")
        if not isinstance(events, list) or not events:
            problems.append("events must be a non-empty array")
        else:
            unknown = [event for event in events if event not in WEBHOOK_EVENTS]
            if unknown:
                problems.append(f"each value in events must be one of: {', '.join(WEBHOOK_EVENTS)} (got {unknown})")
        if problems:
            raise unprocessable(problems)
        webhook_id = self.state.ids.new_id()
        webhook: Record = {"id": webhook_id, "url": url, "events": list(dict.fromkeys(events))}
        with self.state.lock:
            self.state.webhooks[webhook_id] = webhook
        return {"webhook": dict(webhook)}

    def unsubscribe(self, webhook_id: str) -> bool:
        with self.state.lock:
            return self.state.webhooks.pop(webhook_id, None) is not None

    def emit(self, event_type: str, location_id: str, record: Record, **extra: Any) -> None:
        """Send ``event_type`` about ``record`` to every subscription that asked for it."""
        with self.state.lock:
            targets = [dict(hook) for hook in self.state.webhooks.values() if event_type in hook["events"]]
        for hook in targets:
            payload = {
                "type": event_type,
                "locationId": location_id,
                # the event's "type" wins over a contact's own "type" ("lead"), as on HighLevel
                **{name: value for name, value in record.items() if name not in ("type", "locationId")},
                **extra,
                "timestamp": self.state.now_iso(),
                "webhookId": str(uuid.uuid4()),
            }
            body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
            headers = {"Content-Type": "application/json", SIGNATURE_HEADER: self.signer.sign(body)}
            self.outbox.send(hook["url"], headers, body)


def webhooks_blueprint(hub: WebhookHub, admin_check: Callable[[], bool]) -> Blueprint:
    """The sandbox's stand-in for the marketplace app's webhook settings."""
    blueprint = Blueprint("contacts_webhooks", __name__)

    @blueprint.before_request
    def require_admin() -> Response | None:
        if admin_check():
            return None
        raise ApiError(
            401, "sandbox admin token missing or wrong: send it in X-Sandbox-Admin-Token", error="Unauthorized"
        )

    @blueprint.post("/webhooks")
    def subscribe() -> tuple[Response, int]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise bad_request('the body must be a JSON object like {"url": ..., "events": [...]}')
        return jsonify(hub.subscribe(body.get("url"), body.get("events"))), 201  # type: ignore[arg-type]

    @blueprint.get("/webhooks")
    def list_webhooks() -> Response:
        with hub.state.lock:
            hooks = [dict(hook) for hook in hub.state.webhooks.values()]
        return jsonify(webhooks=hooks)

    @blueprint.delete("/webhooks/<webhook_id>")
    def unsubscribe(webhook_id: str) -> Response:
        if not hub.unsubscribe(webhook_id):
            raise bad_request(f"Webhook {webhook_id} not found")
        return jsonify(succeded=True)

    return blueprint
