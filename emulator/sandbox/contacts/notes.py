"""Note routes under a contact: ``body`` is required; ``userId`` is optional."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from emulator.sandbox.contacts.contacts import load_contact
from emulator.sandbox.contacts.errors import bad_request
from emulator.sandbox.contacts.state import ContactsState, Record
from emulator.sandbox.contacts.validation import check_body, json_object
from emulator.sandbox.contacts.webhooks import WebhookHub

NOTE_RULES = {"body": "string", "userId": "string"}


def notes_blueprint(state: ContactsState, hub: WebhookHub) -> Blueprint:
    blueprint = Blueprint("contacts_notes", __name__)

    def load_note(contact_id: str, note_id: str) -> Record:
        load_contact(state, contact_id)
        note = state.notes.get(contact_id, {}).get(note_id)
        if note is None:
            raise bad_request("Note not found")
        return note

    @blueprint.get("/contacts/<contact_id>/notes")
    def list_notes(contact_id: str) -> Response:
        load_contact(state, contact_id)
        return jsonify(notes=[state.snapshot(note) for note in state.notes.get(contact_id, {}).values()])

    @blueprint.post("/contacts/<contact_id>/notes")
    def create_note(contact_id: str) -> tuple[Response, int]:
        body = json_object()
        check_body(body, NOTE_RULES, required=("body",))
        with state.lock:
            contact = load_contact(state, contact_id)
            note: Record = {
                "id": state.ids.new_id(),
                "body": body["body"],
                "userId": body.get("userId"),
                "dateAdded": state.now_iso(),
                "contactId": contact_id,
            }
            state.notes.setdefault(contact_id, {})[note["id"]] = note
            snapshot = state.snapshot(note)
        hub.emit("NoteCreate", contact["locationId"], snapshot)
        return jsonify(note=snapshot), 201

    @blueprint.get("/contacts/<contact_id>/notes/<note_id>")
    def get_note(contact_id: str, note_id: str) -> Response:
        return jsonify(note=state.snapshot(load_note(contact_id, note_id)))

    @blueprint.put("/contacts/<contact_id>/notes/<note_id>")
    def update_note(contact_id: str, note_id: str) -> Response:
        body = json_object()
        check_body(body, NOTE_RULES, required=("body",))
        with state.lock:
            note = load_note(contact_id, note_id)
            note.update(body)
            snapshot = state.snapshot(note)
        hub.emit("NoteUpdate", state.contacts[contact_id]["locationId"], snapshot)
        return jsonify(note=snapshot)

    @blueprint.delete("/contacts/<contact_id>/notes/<note_id>")
    def delete_note(contact_id: str, note_id: str) -> Response:
        with state.lock:
            note = load_note(contact_id, note_id)
            del state.notes[contact_id][note_id]
        hub.emit("NoteDelete", state.contacts[contact_id]["locationId"], state.snapshot(note))
        return jsonify(succeded=True)

    return blueprint
