"""A contact's appointments (``GET /contacts/{id}/appointments`` -> ``{events}``).

Appointments are booked in HighLevel's calendars; the Contacts API only lists a contact's.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import call
from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD
from connector.context import Context
from connector.definitions import Field, Search
from connector.paths import api_path

APPOINTMENT_OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Appointment ID", required=True),
    Field("calendarId", "Calendar ID"),
    Field("contactId", "Contact ID"),
    Field("title", "Title", nullable=True),
    Field("status", "Status", nullable=True),
    Field("appointmentStatus", "Appointment status", nullable=True),
    Field("assignedUserId", "Assigned user ID", nullable=True),
    Field("notes", "Notes", nullable=True),
    Field("startTime", "Starts", type="datetime"),
    Field("endTime", "Ends", type="datetime"),
)
APPOINTMENT_SAMPLE: dict[str, Any] = {
    "id": "ZtT5vE8nB1aQ3hJk0LmP",
    "calendarId": "cal_sandbox",
    "contactId": "ocQHyuzHvysMo5N5VsXc",
    "title": "Intro call",
    "status": "booked",
    "appointmentStatus": "confirmed",
    "assignedUserId": "usr_sandbox",
    "notes": None,
    "startTime": "2026-02-03T15:00:00.000Z",
    "endTime": "2026-02-03T15:30:00.000Z",
}


def contact_appointments(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    contact_id = values["contact_id"]
    path = api_path("/contacts/{contact_id}/appointments", contact_id=contact_id)
    response = call(ctx, "GET", path, what=f"contact {contact_id!r}")
    if response is None:
        return []
    # HighLevel leaves empty fields out; give them as None so mappings that use them render empty.
    blanks = {field.key: None for field in APPOINTMENT_OUTPUT_FIELDS if field.nullable}
    return [{**blanks, **event} for event in response.json().get("events") or []]


SEARCH = Search(
    key="contact_appointments",
    noun="Appointment",
    label="Find Contact's Appointments",
    description="Lists a contact's appointments.",
    input_fields=(CONTACT_ID_FIELD,),
    output_fields=APPOINTMENT_OUTPUT_FIELDS,
    sample=APPOINTMENT_SAMPLE,
    perform=contact_appointments,
    area="Appointments",
    scopes=("contacts.readonly",),
)
