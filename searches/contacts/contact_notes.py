"""A contact's notes: all of them (``GET /contacts/{id}/notes``), or one by id (``.../notes/{id}``)."""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import contact_records
from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD
from connector.apps.contacts.task_fields import NOTE_OUTPUT_FIELDS, NOTE_SAMPLE, note_output
from connector.context import Context
from connector.definitions import Field, Search

INPUT_FIELDS: tuple[Field, ...] = (
    CONTACT_ID_FIELD,
    Field("note_id", "Note ID", help_text="Only this note. Leave empty for all of the contact's notes."),
)


def contact_notes(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    notes = contact_records(ctx, values["contact_id"], "notes", values.get("note_id"))
    ordered = sorted(notes, key=lambda note: str(note.get("dateAdded") or ""), reverse=True)
    return [note_output(note) for note in ordered]


SEARCH = Search(
    key="contact_notes",
    noun="Note",
    label="Find Contact's Notes",
    description="Lists a contact's notes, newest first, or gets one note by id.",
    input_fields=INPUT_FIELDS,
    output_fields=NOTE_OUTPUT_FIELDS,
    sample=NOTE_SAMPLE,
    perform=contact_notes,
    area="Notes",
    scopes=("contacts.readonly",),
)
