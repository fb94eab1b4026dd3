"""Add note: write a note on a contact (``POST /contacts/{id}/notes``).

Not deduplicated: two runs with the same text add two notes, since the same words can rightly be noted
twice ("called, no answer") and HighLevel offers no idempotency key for notes.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import require
from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD
from connector.apps.contacts.task_fields import NOTE_OUTPUT_FIELDS, NOTE_SAMPLE, note_output
from connector.context import Context
from connector.definitions import Action, Field
from connector.paths import api_path

INPUT_FIELDS: tuple[Field, ...] = (
    CONTACT_ID_FIELD,
    Field("body", "Note", type="text", required=True),
    Field("user_id", "Written by (user ID)", help_text="The HighLevel user the note is attributed to."),
)


def add_note(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    contact_id = values["contact_id"]
    payload = {"body": values["body"], **({"userId": values["user_id"]} if values.get("user_id") else {})}
    path = api_path("/contacts/{contact_id}/notes", contact_id=contact_id)
    return note_output(dict(require(ctx, "POST", path, what=f"contact {contact_id!r}", json=payload).json()["note"]))


ACTION = Action(
    key="add_note",
    important=True,
    noun="Note",
    label="Add Note",
    description="Adds a note to a contact.",
    input_fields=INPUT_FIELDS,
    output_fields=NOTE_OUTPUT_FIELDS,
    sample=NOTE_SAMPLE,
    perform=add_note,
    semantics="create",
    area="Notes",
    scopes=("contacts.write",),
)
