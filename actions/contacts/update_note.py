"""Update note: rewrite a note on a contact (``PUT /contacts/{id}/notes/{noteId}``).

Only what is given changes. Writing the same text again changes nothing, so a replay is harmless.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import require
from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD
from connector.apps.contacts.task_fields import NOTE_ID_FIELD, NOTE_OUTPUT_FIELDS, NOTE_SAMPLE, note_output
from connector.context import Context
from connector.definitions import Action, Field
from connector.errors import BadInput
from connector.paths import api_path

INPUT_FIELDS: tuple[Field, ...] = (
    CONTACT_ID_FIELD,
    NOTE_ID_FIELD,
    Field("body", "Note", type="text", help_text="The new text. Leave empty to keep it."),
    Field("user_id", "Written by (user ID)", help_text="Attribute the note to another HighLevel user."),
)


def update_note(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    body = {api: values[key] for key, api in (("body", "body"), ("user_id", "userId")) if values.get(key)}
    if not body:
        raise BadInput("nothing to change: give the new text or the user it is written by", "body")
    note_id = values["note_id"]
    path = api_path("/contacts/{contact_id}/notes/{note_id}", contact_id=values["contact_id"], note_id=note_id)
    return note_output(dict(require(ctx, "PUT", path, what=f"note {note_id!r}", json=body).json()["note"]))


ACTION = Action(
    key="update_note",
    noun="Note",
    label="Update Note",
    description="Changes the text of a contact's note, or who it is attributed to.",
    input_fields=INPUT_FIELDS,
    output_fields=NOTE_OUTPUT_FIELDS,
    sample=NOTE_SAMPLE,
    perform=update_note,
    semantics="update",
    idempotent=True,
    area="Notes",
    scopes=("contacts.write",),
)
