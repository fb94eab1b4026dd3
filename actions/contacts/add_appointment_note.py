"""Add appointment note: write a note on an appointment (``POST /calendars/appointments/{id}/notes``).

Not deduplicated, like Add Note: the same words can rightly be noted twice, and HighLevel offers no
idempotency key for notes.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.appointment_fields import (
    APPOINTMENT_ID_FIELD,
    APPOINTMENT_NOTE_OUTPUT_FIELDS,
    APPOINTMENT_NOTE_SAMPLE,
    WRITE_SCOPE,
    appointment_note_output,
    appointment_notes_path,
    calendars_require,
)
from connector.context import Context
from connector.definitions import Action, Field

INPUT_FIELDS: tuple[Field, ...] = (
    APPOINTMENT_ID_FIELD,
    Field("body", "Note", type="text", required=True, help_text="Up to 5,000 characters."),
    Field("user_id", "Written by (user ID)",
          help_text="The HighLevel user the note is attributed to; empty for the appointment's assignee."),
)


def add_appointment_note(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    appointment_id = values["appointment_id"]
    body = {"body": values["body"], **({"userId": values["user_id"]} if values.get("user_id") else {})}
    response = calendars_require(ctx, "POST", appointment_notes_path(appointment_id),
                                 what=f"appointment {appointment_id!r}", json=body)
    return appointment_note_output(response.json()["note"], appointment_id)


ACTION = Action(
    key="add_appointment_note",
    noun="Appointment Note",
    label="Add Appointment Note",
    description="Adds a note to an appointment, e.g. what was agreed in the meeting.",
    input_fields=INPUT_FIELDS,
    output_fields=APPOINTMENT_NOTE_OUTPUT_FIELDS,
    sample=APPOINTMENT_NOTE_SAMPLE,
    perform=add_appointment_note,
    semantics="create",
    area="Appointments",
    scopes=(WRITE_SCOPE,),
)
