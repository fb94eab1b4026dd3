"""Delete note: remove a contact's note; a note that is already gone counts as done (safe to replay)."""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import delete_once
from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD, DELETE_OUTPUT_FIELDS
from connector.apps.contacts.task_fields import NOTE_ID_FIELD
from connector.context import Context
from connector.definitions import Action
from connector.paths import api_path


def delete_note(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    note_id = values["note_id"]
    path = api_path("/contacts/{contact_id}/notes/{note_id}", contact_id=values["contact_id"], note_id=note_id)
    return delete_once(ctx, path, note_id, what=f"note {note_id!r}")


ACTION = Action(
    key="delete_note",
    noun="Note",
    label="Delete Note",
    description="Deletes a contact's note.",
    input_fields=(CONTACT_ID_FIELD, NOTE_ID_FIELD),
    output_fields=DELETE_OUTPUT_FIELDS,
    sample={"id": "Xw3nL0ZkFqT8cYdPaR2e", "outcome": "deleted"},
    perform=delete_note,
    semantics="delete",
    area="Notes",
    scopes=("contacts.write",),
)
