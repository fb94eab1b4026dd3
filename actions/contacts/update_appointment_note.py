"""Update appointment note: rewrite a note on an appointment
(``PUT /calendars/appointments/{id}/notes/{noteId}``; the document wants the whole body every time).

Writing the same text again changes nothing, so a replay is harmless.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.appointment_fields import (
    APPOINTMENT_ID_FIELD,
    APPOINTMENT_NOTE_ID_FIELD,
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
    APPOINTMENT_NOTE_ID_FIELD,
    Field("body", "Note", type="text", required=True, help_text="The new text (up to 5,000 characters)."),
    Field("user_id", "Written by (user ID)", help_text="Attribute the note to another HighLevel user."),
)


def update_appointment_note(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    appointment_id, note_id = values["appointment_id"], values["note_id"]
    body = {"body": values["body"], **({"userId": values["user_id"]} if values.get("user_id") else {})}
    response = calendars_require(ctx, "PUT", appointment_notes_path(appointment_id, note_id),
                                 what=f"note {note_id!r} of appointment {appointment_id!r}", json=body)
    return appointment_note_output(response.json()["note"], appointment_id)


ACTION = Action(
    key="update_appointment_note",
    noun="Appointment Note",
    label="Update Appointment Note",
    description="Rewrites a note on an appointment.",
    input_fields=INPUT_FIELDS,
    output_fields=APPOINTMENT_NOTE_OUTPUT_FIELDS,
    sample=APPOINTMENT_NOTE_SAMPLE,
    perform=update_appointment_note,
    semantics="update",
    idempotent=True,
    area="Appointments",
    scopes=(WRITE_SCOPE,),
)
