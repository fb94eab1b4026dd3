"""New note: fires once for each note written on a contact.

Poll (``new_note``): reads the chosen contact's notes, or every contact's (one request per contact),
newest first; the platform's dedupe fires each note id once.

Instant (``new_note_instant``): the ``NoteCreate`` webhook; the item id is the delivery's
``webhookId`` and the note's own id is in ``note_id`` (as in the poll's items).
"""

from __future__ import annotations

from typing import Any

from actions.contacts.task_fields import NOTE_OUTPUT_FIELDS, NOTE_SAMPLE
from connector.context import Context
from connector.definitions import Field, Trigger
from triggers.contacts._shared import (
    SAMPLE_CONTACTS,
    WATCHED_CONTACT_FIELD,
    children_of,
    instant_variant,
    sort_newest_first,
    watched_contacts,
)


def _notes(ctx: Context, contact_ids: list[str]) -> list[dict[str, Any]]:
    notes = sort_newest_first(children_of(ctx, contact_ids, "notes"), "dateAdded")
    return [{**note, "note_id": note["id"]} for note in notes]


def new_notes(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    return _notes(ctx, watched_contacts(ctx, values))


def sample_notes(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    """Samples from the newest few contacts only, so a trial stays cheap in a big location."""
    return _notes(ctx, watched_contacts(ctx, values, SAMPLE_CONTACTS))


OUTPUT_FIELDS: tuple[Field, ...] = (*NOTE_OUTPUT_FIELDS, Field("note_id", "Note ID"))
SAMPLE: dict[str, Any] = {**NOTE_SAMPLE, "note_id": NOTE_SAMPLE["id"]}

TRIGGER = Trigger(
    key="new_note",
    noun="Note",
    label="New Note",
    description="Triggers when a note is added to a contact.",
    input_fields=(WATCHED_CONTACT_FIELD,),
    output_fields=OUTPUT_FIELDS,
    sample=SAMPLE,
    perform=new_notes,
    list_samples=sample_notes,
    scopes=("contacts.readonly",),
)

HOOK_TRIGGER = instant_variant(
    TRIGGER,
    key="new_note_instant",
    events=("NoteCreate",),
    to_item=lambda payload: {**payload, "id": payload["webhookId"], "note_id": payload["id"]},
)
