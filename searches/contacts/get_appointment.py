"""Get appointment: one appointment by id (``GET /calendars/events/appointments/{id}``); empty when gone."""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.appointment_fields import (
    APPOINTMENT_ID_FIELD,
    BOOKING_OUTPUT_FIELDS,
    BOOKING_SAMPLE,
    READ_SCOPE,
    read_appointment,
)
from connector.context import Context
from connector.definitions import Field, Search

OUTPUT_FIELDS: tuple[Field, ...] = (
    *BOOKING_OUTPUT_FIELDS,
    Field("users", "Users", type="list", item_type="string"),
    Field("description", "Description", nullable=True),
    Field("notes", "Notes", nullable=True),
    Field("dateAdded", "Date added", type="datetime"),
    Field("dateUpdated", "Date updated", type="datetime"),
)
SAMPLE: dict[str, Any] = {
    **BOOKING_SAMPLE, "users": ["usr_sandbox"], "description": None, "notes": None,
    "dateAdded": "2026-01-20T09:00:00.000Z", "dateUpdated": "2026-01-20T09:00:00.000Z",
}


def get_appointment(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    event = read_appointment(ctx, values["appointment_id"])
    if event is None:
        return []
    blanks = {field.key: None for field in OUTPUT_FIELDS if field.nullable}
    return [{**blanks, **{f.key: event[f.key] for f in OUTPUT_FIELDS if f.key in event}}]


SEARCH = Search(
    key="get_appointment",
    noun="Appointment",
    label="Get Appointment",
    description="Gets an appointment by its id, with its times, status and assignees.",
    input_fields=(APPOINTMENT_ID_FIELD,),
    output_fields=OUTPUT_FIELDS,
    sample=SAMPLE,
    perform=get_appointment,
    area="Appointments",
    scopes=(READ_SCOPE,),
)
