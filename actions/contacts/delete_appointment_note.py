"""Delete appointment note: remove a note from an appointment; one already gone counts as done."""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.appointment_fields import (
    APPOINTMENT_ID_FIELD,
    APPOINTMENT_NOTE_ID_FIELD,
    WRITE_SCOPE,
    appointment_notes_path,
    calendars_call,
)
from connector.apps.contacts.contact_fields import DELETE_OUTPUT_FIELDS
from connector.context import Context
from connector.definitions import Action


def delete_appointment_note(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    appointment_id, note_id = values["appointment_id"], values["note_id"]
    response = calendars_call(ctx, "DELETE", appointment_notes_path(appointment_id, note_id),
                              what=f"note {note_id!r} of appointment {appointment_id!r}")
    return {"id": note_id, "outcome": "deleted" if response is not None else "already_deleted"}


ACTION = Action(
    key="delete_appointment_note",
    noun="Appointment Note",
    label="Delete Appointment Note",
    description="Deletes a note from an appointment.",
    input_fields=(APPOINTMENT_ID_FIELD, APPOINTMENT_NOTE_ID_FIELD),
    output_fields=DELETE_OUTPUT_FIELDS,
    sample={"id": "HGPcayliwcdoUFzvbTok", "outcome": "deleted"},
    perform=delete_appointment_note,
    semantics="delete",
    area="Appointments",
    scopes=(WRITE_SCOPE,),
)
