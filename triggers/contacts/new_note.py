"""New note: fires once for each note written on a contact.

Poll (``new_note``): reads the chosen contact's notes, or every contact's (one request per contact),
newest first; the platform's dedupe fires each note id once.

Instant (``new_note_instant``): the ``NoteCreate`` webhook; the item id is the delivery's
``webhookId`` and the note's own id is in ``note_id`` (as in the poll's items).
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.task_fields import NOTE_OUTPUT_FIELDS, NOTE_SAMPLE, note_output
from connector.apps.contacts.trigger_support import WATCHED_CONTACT_FIELD, child_record_poll, instant_variant
from connector.definitions import Field, Trigger

new_notes, sample_notes = child_record_poll("notes", "dateAdded", lambda note: note_output(note, note_id=note["id"]))

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
    area="Notes",
    scopes=("contacts.readonly",),
)

HOOK_TRIGGER = instant_variant(
    TRIGGER,
    key="new_note_instant",
    events=("NoteCreate",),
    to_item=lambda payload: note_output(payload, id=payload["webhookId"], note_id=payload["id"]),
)
