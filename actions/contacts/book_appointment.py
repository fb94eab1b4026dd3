"""Book appointment: put a contact on a calendar (``POST /calendars/events/appointments``).

Safe to replay. Before booking, the contact's appointments (``GET /contacts/{id}/appointments``) are
read: one on the same calendar starting at the same moment and not cancelled is the booking an earlier
run made, and it is returned (``outcome: "found"``) instead of a second one. HighLevel refuses a time
that overlaps another appointment of the calendar unless "Book even if the slot is taken" is on; that
refusal comes back as the step's error, worded by HighLevel.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from connector.apps.contacts.api import location_id, require
from connector.apps.contacts.appointment_fields import (
    BOOKING_OUTPUT_FIELDS,
    BOOKING_SAMPLE,
    READ_SCOPE,
    WRITE_SCOPE,
    booking_body,
    booking_input_fields,
    booking_output,
    calendars_require,
)
from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD
from connector.context import Context
from connector.definitions import Action, Field
from connector.errors import BadInput
from connector.paths import api_path

INPUT_FIELDS: tuple[Field, ...] = (CONTACT_ID_FIELD, *booking_input_fields(creating=True))
OUTCOMES = {"created": "Booked", "found": "Already booked"}


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _booked_before(ctx: Context, contact_id: str, calendar_id: str, start: datetime) -> dict[str, Any] | None:
    path = api_path("/contacts/{contact_id}/appointments", contact_id=contact_id)
    events = require(ctx, "GET", path, what=f"contact {contact_id!r}").json().get("events") or []
    for event in events:
        if (event.get("calendarId") == calendar_id and event.get("appointmentStatus") != "cancelled"
                and _moment(event.get("startTime")) == start):
            return dict(event)
    return None


def book_appointment(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    contact_id = values["contact_id"]
    start = _moment(values["start_time"])
    if start is None:  # the runtime has checked the format; this only guards a direct call
        raise BadInput(f"{values['start_time']!r} is not a time: use e.g. 2026-02-03T15:00:00Z", "start_time")
    found = _booked_before(ctx, contact_id, str(values["calendar_id"]), start)
    if found is not None:
        return booking_output(found, outcome="found")
    body = {"locationId": location_id(ctx), "contactId": contact_id, **booking_body(values)}
    response = calendars_require(ctx, "POST", "/calendars/events/appointments", what=f"contact {contact_id!r}",
                                 json=body)
    return booking_output(response.json(), outcome="created")


ACTION = Action(
    key="book_appointment",
    noun="Appointment",
    label="Book Appointment",
    description="Books an appointment for a contact on a calendar, or returns the one already booked at that time.",
    input_fields=INPUT_FIELDS,
    output_fields=(
        *BOOKING_OUTPUT_FIELDS,
        Field("outcome", "Outcome", choices=OUTCOMES,
              help_text="created: booked now; found: an earlier run had booked it already."),
    ),
    sample={**BOOKING_SAMPLE, "outcome": "created"},
    perform=book_appointment,
    semantics="create",
    idempotent=True,
    area="Appointments",
    scopes=("contacts.readonly", READ_SCOPE, WRITE_SCOPE),
)
