"""A contact's appointment as the booking operations see it, and the calendars calls they share.

Appointments live in HighLevel's Calendars API, whose routes want ``Version: 2021-04-15`` (the contacts
routes want ``2021-07-28``) and the scopes ``calendars/events.readonly`` / ``.write``. An unknown event
is answered 400 "... not found", which :func:`connector.apps.contacts.api.call` turns into None.
"""

from __future__ import annotations

from typing import Any

import httpx

from connector.apps.contacts.api import call, require
from connector.context import Context
from connector.definitions import Field
from connector.paths import api_path

CALENDARS_VERSION = "2021-04-15"
READ_SCOPE = "calendars/events.readonly"
WRITE_SCOPE = "calendars/events.write"
#: HighLevel's appointment statuses a booking may set.
STATUSES = {
    "new": "New", "confirmed": "Confirmed", "cancelled": "Cancelled", "showed": "Showed", "noshow": "No show",
    "invalid": "Invalid",
}

APPOINTMENT_ID_FIELD = Field(
    "appointment_id", "Appointment ID", required=True,
    help_text="The appointment's id (from Book Appointment or Find Contact's Appointments).",
)
#: What a booking may set, shared by Book Appointment and Update Appointment (input key -> body key).
BOOKING_FIELDS: dict[str, str] = {
    "calendar_id": "calendarId",
    "start_time": "startTime",
    "end_time": "endTime",
    "title": "title",
    "appointment_status": "appointmentStatus",
    "assigned_user_id": "assignedUserId",
    "address": "address",
    "description": "description",
    "ignore_free_slots": "ignoreFreeSlotValidation",
}


def booking_input_fields(*, creating: bool) -> tuple[Field, ...]:
    return (
        Field("calendar_id", "Calendar ID", required=creating, help_text="The calendar the appointment is in."),
        Field("start_time", "Starts", type="datetime", required=creating,
              help_text="ISO 8601 with a time zone, e.g. 2026-02-03T15:00:00Z."),
        Field("end_time", "Ends", type="datetime",
              help_text="Leave empty for 30 minutes after the start." if creating else ""),
        Field("title", "Title"),
        Field("appointment_status", "Status", choices=STATUSES),
        Field("assigned_user_id", "Assigned user ID", help_text="The HighLevel user who takes the appointment."),
        Field("address", "Address or meeting link"),
        Field("description", "Description", type="text"),
        Field("ignore_free_slots", "Book even if the slot is taken", type="boolean",
              help_text="HighLevel refuses a time that overlaps another appointment of the calendar "
                        "unless this is on."),
    )


def booking_body(values: dict[str, Any]) -> dict[str, Any]:
    """The body keys for the input values that were given."""
    return {api: values[key] for key, api in BOOKING_FIELDS.items() if values.get(key) not in (None, "")}


BOOKING_OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Appointment ID", required=True),
    Field("calendarId", "Calendar ID"),
    Field("locationId", "Location ID"),
    Field("contactId", "Contact ID"),
    Field("title", "Title", nullable=True),
    Field("appointmentStatus", "Status", nullable=True),
    Field("assignedUserId", "Assigned user ID", nullable=True),
    Field("address", "Address", nullable=True),
    Field("startTime", "Starts", type="datetime"),
    Field("endTime", "Ends", type="datetime"),
)
BOOKING_SAMPLE: dict[str, Any] = {
    "id": "ZtT5vE8nB1aQ3hJk0LmP",
    "calendarId": "cal_sandbox",
    "locationId": "ve9EPM428h8vShlRW1KT",
    "contactId": "ocQHyuzHvysMo5N5VsXc",
    "title": "Intro call",
    "appointmentStatus": "confirmed",
    "assignedUserId": "usr_sandbox",
    "address": "https://meet.example.com/intro",
    "startTime": "2026-02-03T15:00:00Z",
    "endTime": "2026-02-03T15:30:00Z",
}


def booking_output(event: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An appointment as the booking operations return it; absent fields given as None."""
    blanks = {field.key: None for field in BOOKING_OUTPUT_FIELDS if field.nullable}
    return {**blanks, **{f.key: event[f.key] for f in BOOKING_OUTPUT_FIELDS if f.key in event}, **extra}


def calendars_call(ctx: Context, method: str, path: str, *, what: str, **kwargs: Any) -> httpx.Response | None:
    """:func:`call` with the calendars document's version header."""
    return call(ctx, method, path, what=what, headers={"Version": CALENDARS_VERSION}, **kwargs)


def calendars_require(ctx: Context, method: str, path: str, *, what: str, **kwargs: Any) -> httpx.Response:
    """:func:`require` with the calendars document's version header."""
    return require(ctx, method, path, what=what, headers={"Version": CALENDARS_VERSION}, **kwargs)


def appointment_path(appointment_id: str) -> str:
    return api_path("/calendars/events/appointments/{event_id}", event_id=appointment_id)


def read_appointment(ctx: Context, appointment_id: str) -> dict[str, Any] | None:
    """``GET /calendars/events/appointments/{id}``: the event, or None when there is none."""
    response = calendars_call(ctx, "GET", appointment_path(appointment_id), what=f"appointment {appointment_id!r}")
    return None if response is None else dict(response.json()["event"])


#: Most notes one page of an appointment's notes holds (the document's maximum).
NOTES_PAGE = 20
APPOINTMENT_NOTE_ID_FIELD = Field(
    "note_id", "Note ID", required=True,
    help_text="The note's id (from Add Appointment Note or Find Appointment Notes).",
)
APPOINTMENT_NOTE_OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Note ID", required=True),
    Field("appointment_id", "Appointment ID"),
    Field("contactId", "Contact ID", nullable=True),
    Field("body", "Body", type="text"),
    Field("userId", "Written by (user ID)", nullable=True),
    Field("createdBy.name", "Written by", nullable=True),
    Field("dateAdded", "Date added", type="datetime"),
)
APPOINTMENT_NOTE_SAMPLE: dict[str, Any] = {
    "id": "HGPcayliwcdoUFzvbTok",
    "appointment_id": "ZtT5vE8nB1aQ3hJk0LmP",
    "contactId": "ocQHyuzHvysMo5N5VsXc",
    "body": "Asked for a follow-up demo next week.",
    "userId": "usr_sandbox",
    "createdBy": {"id": "usr_sandbox", "name": "Sandbox User"},
    "dateAdded": "2026-02-03T15:40:00.000Z",
}


def appointment_note_output(note: dict[str, Any], appointment_id: str) -> dict[str, Any]:
    """A note as the operations return it: the API's fields, the appointment, absent fields as None."""
    return {"contactId": None, "userId": None, "createdBy": None, **note, "appointment_id": appointment_id}


def appointment_notes_path(appointment_id: str, note_id: str | None = None) -> str:
    if note_id is None:
        return api_path("/calendars/appointments/{appointment_id}/notes", appointment_id=appointment_id)
    return api_path("/calendars/appointments/{appointment_id}/notes/{note_id}",
                    appointment_id=appointment_id, note_id=note_id)
