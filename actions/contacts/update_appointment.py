"""Update appointment: move, retitle, reassign or change the status of an appointment
(``PUT /calendars/events/appointments/{id}``).

Only the fields given are sent; the rest stay as they are. Setting the same values again changes
nothing, so a replay is harmless. To cancel, set the status to Cancelled (the appointment stays on the
contact's list, as in HighLevel); Delete Appointment removes it.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.appointment_fields import (
    APPOINTMENT_ID_FIELD,
    BOOKING_OUTPUT_FIELDS,
    BOOKING_SAMPLE,
    WRITE_SCOPE,
    appointment_path,
    booking_body,
    booking_input_fields,
    booking_output,
    calendars_require,
)
from connector.context import Context
from connector.definitions import Action, Field
from connector.errors import BadInput

INPUT_FIELDS: tuple[Field, ...] = (APPOINTMENT_ID_FIELD, *booking_input_fields(creating=False))


def update_appointment(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    appointment_id = values["appointment_id"]
    body = booking_body(values)
    if not body:
        raise BadInput("nothing to change: give at least one field, e.g. a new start time or status", "start_time")
    response = calendars_require(ctx, "PUT", appointment_path(appointment_id), what=f"appointment {appointment_id!r}",
                                 json=body)
    return booking_output(response.json())


ACTION = Action(
    key="update_appointment",
    noun="Appointment",
    label="Update Appointment",
    description="Changes an appointment's time, calendar, title, status or assignee.",
    input_fields=INPUT_FIELDS,
    output_fields=BOOKING_OUTPUT_FIELDS,
    sample=BOOKING_SAMPLE,
    perform=update_appointment,
    semantics="update",
    idempotent=True,
    area="Appointments",
    scopes=(WRITE_SCOPE,),
)
