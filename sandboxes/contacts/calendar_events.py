"""A contact's appointments as HighLevel's Calendars API books them (``Version: 2021-04-15``).

``POST /calendars/events/appointments`` books one for a contact, ``GET|PUT
/calendars/events/appointments/{eventId}`` read and change it, ``DELETE /calendars/events/{eventId}``
removes it; the contact's list (``GET /contacts/{id}/appointments``) shows every change. Rules taken from
the calendars document (AppointmentCreateSchema, AppointmentEditSchema, CalendarEventDTO):

* ``calendarId``, ``locationId``, ``contactId`` and ``startTime`` are required; the location must be the
  caller's (403), the contact must exist there (400 "Contact not found");
* ``endTime`` defaults to 30 minutes after ``startTime`` and must come after it;
* the calendars document lists 400 (not 422) for a body it refuses, so validation answers 400 with the
  broken rules in ``message``;
* the appointment is assigned to the calendar's owner (the sandbox's user) unless ``assignedUserId`` says;
* a booking that overlaps another live appointment of the same calendar is refused (400 "The slot you
  have selected is no longer available") unless ``ignoreFreeSlotValidation`` is true; HighLevel's free
  slots also depend on the calendar's open hours, which this sandbox does not model (every hour is open);
* an unknown event id is 400 "Appointment not found" / "Event not found" (the document lists 400);
* creating, changing and deleting send AppointmentCreate, AppointmentUpdate and AppointmentDelete.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Response, jsonify

from sandboxes.contacts.auth import require_location
from sandboxes.contacts.contacts import load_contact
from sandboxes.contacts.errors import ApiError, bad_request, unprocessable
from sandboxes.contacts.state import ContactsState, Record
from sandboxes.contacts.validation import check_body, json_object
from sandboxes.contacts.webhooks import WebhookHub

STATUSES = ("new", "confirmed", "cancelled", "showed", "noshow", "invalid")
MEETING_TYPES = ("custom", "zoom", "gmeet", "phone", "address", "ms_teams", "google")
#: AppointmentEditSchema: what a change may carry.
EDIT_RULES = {
    "title": "string", "meetingLocationType": "string", "meetingLocationId": "string",
    "overrideLocationConfig": "boolean", "appointmentStatus": "string", "assignedUserId": "string",
    "description": "string", "address": "string", "ignoreDateRange": "boolean", "toNotify": "boolean",
    "ignoreFreeSlotValidation": "boolean", "rrule": "string", "calendarId": "string",
    "startTime": "date", "endTime": "date",
}
#: AppointmentCreateSchema adds the location and the contact.
CREATE_RULES = {**EDIT_RULES, "locationId": "string", "contactId": "string"}
#: Fields of AppointmentSchemaResponse (what create and update answer).
_BOOKING_ANSWER = (
    "id", "calendarId", "locationId", "contactId", "startTime", "endTime", "title", "meetingLocationType",
    "appointmentStatus", "assignedUserId", "address", "isRecurring", "rrule",
)
#: Fields of CalendarEventDTO (what a read answers).
_EVENT_ANSWER = (
    "id", "address", "title", "calendarId", "locationId", "contactId", "groupId", "appointmentStatus",
    "assignedUserId", "users", "notes", "description", "isRecurring", "rrule", "startTime", "endTime",
    "dateAdded", "dateUpdated",
)
#: What a change stores (the rest of the body steers the booking: notifications, slot checks).
_STORED = frozenset(_EVENT_ANSWER) | {"meetingLocationType"}
DEFAULT_MINUTES = 30
SLOT_TAKEN = "The slot you have selected is no longer available"


def _moment(value: str) -> datetime:
    """A time from the body; one without a zone is taken as UTC (comparing it must never fail)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _choice(body: Record, name: str, allowed: tuple[str, ...]) -> None:
    if body.get(name) is not None and body[name] not in allowed:
        raise unprocessable([f"{name} must be one of the following values: {', '.join(allowed)}"])


@contextmanager
def refusals_as_400() -> Iterator[None]:
    """Body rule breaks as the documented 400 ``{statusCode, message}`` (one message, rules joined)."""
    try:
        yield
    except ApiError as error:
        if error.status != 422:
            raise
        raise bad_request(str(error)) from None


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _project(event: Record, names: tuple[str, ...]) -> Record:
    return {name: event[name] for name in names if event.get(name) is not None}


def find_event(state: ContactsState, event_id: str, missing: str) -> Record:
    """The stored event of the caller's location (not a copy); 400 ``missing`` when there is none."""
    location = require_location(None)
    for events in state.appointments.values():
        for event in events:
            if event["id"] == event_id and event["locationId"] == location:
                return event
    raise bad_request(missing)


def calendar_events_blueprint(state: ContactsState, hub: WebhookHub, default_user: str) -> Blueprint:
    """The appointment routes; ``default_user`` is who takes an appointment nobody was assigned to."""
    blueprint = Blueprint("contacts_calendar_events", __name__)

    def check_times(event: Record) -> None:
        if _moment(event["endTime"]) <= _moment(event["startTime"]):
            raise bad_request("endTime must be after startTime")

    def check_slot(event: Record, *, ignore: bool) -> None:
        if ignore or event.get("appointmentStatus") in ("cancelled", "invalid"):
            return
        start, end = _moment(event["startTime"]), _moment(event["endTime"])
        for events in state.appointments.values():
            for other in events:
                if (other["id"] != event["id"] and other["calendarId"] == event["calendarId"]
                        and other.get("appointmentStatus") not in ("cancelled", "invalid")
                        and _moment(other["startTime"]) < end and start < _moment(other["endTime"])):
                    raise bad_request(SLOT_TAKEN)

    @blueprint.post("/calendars/events/appointments")
    def book() -> Response:
        body = json_object()
        with refusals_as_400():
            check_body(body, CREATE_RULES, required=("calendarId", "locationId", "contactId", "startTime"))
            _choice(body, "appointmentStatus", STATUSES)
            _choice(body, "meetingLocationType", MEETING_TYPES)
        location = require_location(body["locationId"])
        with state.lock:
            contact = load_contact(state, body["contactId"])
            start = _moment(body["startTime"])
            now = state.now_iso()
            event: Record = {
                "id": state.ids.new_id(),
                "calendarId": body["calendarId"],
                "locationId": location,
                "contactId": contact["id"],
                "groupId": "",
                "title": body.get("title") or f"Appointment with {contact.get('name') or contact['id']}",
                "status": "booked",
                "appointmentStatus": body.get("appointmentStatus") or "new",
                "assignedUserId": body.get("assignedUserId") or default_user,
                "users": [body.get("assignedUserId") or default_user],
                "address": body.get("address"),
                "description": body.get("description"),
                "meetingLocationType": body.get("meetingLocationType") or ("custom" if body.get("address") else None),
                "isRecurring": False,
                "startTime": body["startTime"],
                "endTime": body.get("endTime") or _iso(start + timedelta(minutes=DEFAULT_MINUTES)),
                "dateAdded": now,
                "dateUpdated": now,
            }
            check_times(event)
            check_slot(event, ignore=bool(body.get("ignoreFreeSlotValidation")))
            state.add_appointment(contact["id"], event)
            snapshot = state.snapshot(event)
        hub.emit_appointment("AppointmentCreate", location, snapshot)
        return jsonify(_project(snapshot, _BOOKING_ANSWER))

    @blueprint.get("/calendars/events/appointments/<event_id>")
    def read(event_id: str) -> Response:
        event = state.snapshot(find_event(state, event_id, "Appointment not found"))
        return jsonify(event=_project(event, _EVENT_ANSWER))

    @blueprint.put("/calendars/events/appointments/<event_id>")
    def change(event_id: str) -> Response:
        body = json_object()
        with refusals_as_400():
            check_body(body, EDIT_RULES)
            _choice(body, "appointmentStatus", STATUSES)
            _choice(body, "meetingLocationType", MEETING_TYPES)
        with state.lock:
            event = find_event(state, event_id, "Appointment not found")
            kept = {name: value for name, value in body.items() if name in _STORED}
            changed: Record = {**event, **kept}
            if body.get("assignedUserId"):
                changed["users"] = [body["assignedUserId"]]
            check_times(changed)
            check_slot(changed, ignore=bool(body.get("ignoreFreeSlotValidation")))
            changed["dateUpdated"] = state.update_time(event.get("dateUpdated"))
            event.clear()
            event.update(changed)
            snapshot = state.snapshot(event)
        hub.emit_appointment("AppointmentUpdate", snapshot["locationId"], snapshot)
        return jsonify(_project(snapshot, _BOOKING_ANSWER))

    @blueprint.delete("/calendars/events/<event_id>")
    def remove(event_id: str) -> tuple[Response, int]:
        with state.lock:
            event = find_event(state, event_id, "Event not found")
            state.appointments[event["contactId"]].remove(event)
            state.appointment_notes.pop(event_id, None)
            snapshot = state.snapshot(event)
        hub.emit_appointment("AppointmentDelete", snapshot["locationId"], snapshot)
        return jsonify(succeeded=True), 201

    return blueprint
