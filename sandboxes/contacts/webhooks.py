"""The marketplace app's webhook setting, and signed deliveries.

On HighLevel a marketplace app has ONE webhook URL and a set of ticked events, both set in the app's
settings in the developer portal; there is no API to subscribe. Events of every location that
installed the app go to that URL. The sandbox stands in for the settings page with an admin endpoint
(sandbox configuration, not a vendor API; the sandbox admin token when one is configured):

* ``PUT /_sandbox/app-webhook`` ``{url, events?}`` -> ``{url, events}`` (events default to all)
* ``GET /_sandbox/app-webhook`` -> ``{url, events}`` (``url`` null when none is set)
* ``DELETE /_sandbox/app-webhook`` -> ``{url: null, events: []}``

Payloads are flat, ``{type, locationId, id, ...fields, timestamp, webhookId}``, signed with
:class:`~sandboxes.contacts.signing.WebhookSigner` in ``x-wh-signature`` and sent through the
shared Outbox (3 s timeout, one retry on 5xx or no answer). ``webhookId`` is unique per delivery, so
receivers can drop replays.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request

from sandboxes.contacts.errors import ApiError, bad_request, unprocessable
from sandboxes.contacts.signing import SIGNATURE_HEADER, WebhookSigner
from sandboxes.contacts.state import ContactsState, Record
from sandboxes.outbox import Outbox

#: The admin endpoint standing in for the app's webhook settings.
APP_WEBHOOK_PATH = "/_sandbox/app-webhook"
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


_CONTACT_EVENT_FIELDS = frozenset({
    "address1", "assignedTo", "attachments", "city", "companyName", "country", "customFields", "dateAdded",
    "dateOfBirth", "dnd", "email", "firstName", "lastName", "name", "phone", "postalCode", "source", "state", "tags",
    "website",
})
#: The record fields each event's documented schema lists (docs/webhook events/<Event>.md), beside
#: ``type``, ``locationId`` and ``id``; ``timestamp`` and ``webhookId`` come from the authentication guide.
EVENT_FIELDS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("ContactCreate", "ContactUpdate", "ContactDelete", "ContactTagUpdate"), _CONTACT_EVENT_FIELDS),
    **dict.fromkeys(("TaskCreate", "TaskComplete", "TaskDelete"),
                    frozenset({"assignedTo", "body", "contactId", "dateAdded", "dueDate", "title"})),
    **dict.fromkeys(("NoteCreate", "NoteUpdate", "NoteDelete"), frozenset({"body", "contactId", "dateAdded"})),
}
#: The fields of ``appointment`` in AppointmentCreate/Update/Delete (their events nest the record).
APPOINTMENT_EVENT_FIELDS = (
    "id", "address", "title", "calendarId", "contactId", "groupId", "appointmentStatus", "assignedUserId",
    "users", "notes", "source", "startTime", "endTime", "dateAdded", "dateUpdated",
)


class WebhookHub:
    """Holds the app's webhook setting and turns record changes into signed deliveries."""

    def __init__(self, state: ContactsState, signer: WebhookSigner, outbox: Outbox) -> None:
        self.state = state
        self.signer = signer
        self.outbox = outbox
        self.url: str | None = None
        self.events: tuple[str, ...] = ()

    def configure(self, url: Any, events: Any = None) -> dict[str, Any]:
        """Set the app's webhook URL and ticked events; returns ``{url, events}``.

        Raises:
            ApiError: 422 naming the field when ``url`` or ``events`` is wrong.
        """
        problems: list[str] = []
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            problems.append("url must be a URL address starting with http:// or https://")
        if events is None:
            events = list(WEBHOOK_EVENTS)
        if not isinstance(events, list) or not events:
            problems.append("events must be a non-empty array")
        else:
            unknown = [event for event in events if event not in WEBHOOK_EVENTS]
            if unknown:
                problems.append(f"each value in events must be one of: {', '.join(WEBHOOK_EVENTS)} (got {unknown})")
        if problems:
            raise unprocessable(problems)
        with self.state.lock:
            self.url, self.events = url, tuple(dict.fromkeys(events))
        return self.setting()

    def clear(self) -> dict[str, Any]:
        with self.state.lock:
            self.url, self.events = None, ()
        return self.setting()

    def setting(self) -> dict[str, Any]:
        return {"url": self.url, "events": list(self.events)}

    def emit(self, event_type: str, location_id: str, record: Record, **extra: Any) -> None:
        """Send ``event_type`` about ``record`` to every subscription that asked for it."""
        fields = {name: value for name, value in record.items() if name in EVENT_FIELDS.get(event_type, ())}
        self._send(event_type, {"locationId": location_id, "id": record["id"], **fields, **extra})

    def emit_appointment(self, event_type: str, location_id: str, event: Record) -> None:
        """Send an Appointment event: unlike the flat contact, task and note events it nests the record."""
        appointment = {name: event[name] for name in APPOINTMENT_EVENT_FIELDS if event.get(name) is not None}
        self._send(event_type, {"locationId": location_id, "appointment": appointment})

    def _send(self, event_type: str, fields: Record) -> None:
        with self.state.lock:
            targets = [self.url] if self.url and event_type in self.events else []
        for url in targets:
            payload = {
                "type": event_type,
                **fields,
                "timestamp": self.state.now_iso(),
                "webhookId": str(uuid.uuid4()),
            }
            body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
            headers = {"Content-Type": "application/json", SIGNATURE_HEADER: self.signer.sign(body)}
            self.outbox.send(url, headers, body)


def webhooks_blueprint(hub: WebhookHub, admin_check: Callable[[], bool]) -> Blueprint:
    """The sandbox's stand-in for the marketplace app's webhook settings page."""
    blueprint = Blueprint("contacts_webhooks", __name__)

    @blueprint.before_request
    def require_admin() -> Response | None:
        if admin_check():
            return None
        raise ApiError(
            401, "sandbox admin token missing or wrong: send it in X-Sandbox-Admin-Token", error="Unauthorized"
        )

    @blueprint.put(APP_WEBHOOK_PATH)
    def configure() -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise bad_request('the body must be a JSON object like {"url": ..., "events": [...]}')
        return jsonify(hub.configure(body.get("url"), body.get("events")))

    @blueprint.get(APP_WEBHOOK_PATH)
    def show() -> Response:
        return jsonify(hub.setting())

    @blueprint.delete(APP_WEBHOOK_PATH)
    def clear() -> Response:
        return jsonify(hub.clear())

    return blueprint
