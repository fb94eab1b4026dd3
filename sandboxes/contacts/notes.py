"""Note routes under a contact: ``body`` is required on create; ``userId``, ``title``, ``color`` and
``pinned`` are optional, and an update may change any of them (HighLevel's NotesDTO / UpdateNoteDTO).

Listing, reading and deleting work as for tasks (:mod:`sandboxes.contacts.contact_children`);
an update sends NoteUpdate.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from sandboxes.contacts.contact_children import ContactChildren
from sandboxes.contacts.state import ContactsState
from sandboxes.contacts.validation import check_body, json_object
from sandboxes.contacts.webhooks import WebhookHub

#: NotesDTO / UpdateNoteDTO: every field HighLevel documents for a note body.
NOTE_RULES = {"body": "string", "userId": "string", "title": "string", "color": "string", "pinned": "boolean"}


def notes_blueprint(state: ContactsState, hub: WebhookHub) -> Blueprint:
    blueprint = Blueprint("contacts_notes", __name__)
    notes = ContactChildren(state, hub, noun="Note", plural="notes")
    notes.add_read_and_delete_routes(blueprint)

    @blueprint.post("/contacts/<contact_id>/notes")
    def create_note(contact_id: str) -> tuple[Response, int]:
        body = json_object()
        check_body(body, NOTE_RULES, required=("body",))
        return notes.add(contact_id, {"userId": None, **body, "dateAdded": state.now_iso()})

    @blueprint.put("/contacts/<contact_id>/notes/<note_id>")
    def update_note(contact_id: str, note_id: str) -> Response:
        body = json_object()
        check_body(body, NOTE_RULES)  # UpdateNoteDTO requires nothing: change any documented field
        with state.lock:
            note = notes.load(contact_id, note_id)
            note.update(body)
            snapshot = state.snapshot(note)
        hub.emit("NoteUpdate", notes.location_of(contact_id), snapshot)
        return jsonify(note=snapshot)

    return blueprint
