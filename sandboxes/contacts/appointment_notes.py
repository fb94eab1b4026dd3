"""Notes on an appointment (the calendars document's "Appointment Notes", ``Version: 2021-04-15``).

``GET /calendars/appointments/{id}/notes?limit&offset`` pages them (``limit`` 1..20 and ``offset`` are
both required, as documented) answering ``{notes, hasMore}``, newest first; ``POST`` adds one
(``{body, userId}``, ``body`` required, at most 5,000 characters) → 201 ``{note}``; ``PUT .../notes/{noteId}``
rewrites it → ``{note}``; ``DELETE`` → ``{success:true}``. A note carries the appointment's contact
(``contactId``) and who wrote it (``createdBy {id, name}``). An unknown appointment is 400 "Appointment
not found", an unknown note 400 "Note not found"; broken rules are 400 too (the only error status the
document lists). Deleting the appointment deletes its notes.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, jsonify

from sandboxes.contacts.calendar_events import find_event, refusals_as_400
from sandboxes.contacts.errors import bad_request
from sandboxes.contacts.state import ContactsState, Record
from sandboxes.contacts.validation import check_body, json_object, query_int

MAX_BODY = 5000
MAX_LIMIT = 20


def appointment_notes_blueprint(state: ContactsState, user_name: Callable[[str], str]) -> Blueprint:
    """The appointment note routes; ``user_name`` gives a user's display name for ``createdBy``."""
    blueprint = Blueprint("contacts_appointment_notes", __name__)

    def note_body() -> Record:
        body = json_object()
        with refusals_as_400():
            check_body(body, {"body": "string", "userId": "string"}, required=("body",))
        if len(body["body"]) > MAX_BODY:
            raise bad_request(f"body must be shorter than or equal to {MAX_BODY} characters")
        return body

    def load(appointment_id: str, note_id: str) -> Record:
        find_event(state, appointment_id, "Appointment not found")
        note = state.appointment_notes.get(appointment_id, {}).get(note_id)
        if note is None:
            raise bad_request("Note not found")
        return note

    @blueprint.get("/calendars/appointments/<appointment_id>/notes")
    def list_notes(appointment_id: str) -> Response:
        with refusals_as_400():
            limit = query_int("limit", 0, minimum=1, maximum=MAX_LIMIT)
            offset = query_int("offset", -1, minimum=0)
        if limit == 0 or offset == -1:
            raise bad_request("limit and offset are required: limit 1 to 20, offset from 0")
        find_event(state, appointment_id, "Appointment not found")
        notes = sorted(state.appointment_notes.get(appointment_id, {}).values(),
                       key=lambda note: (note["dateAdded"], note["id"]), reverse=True)
        page = notes[offset:offset + limit]
        return jsonify(notes=[state.snapshot(note) for note in page], hasMore=offset + limit < len(notes))

    @blueprint.post("/calendars/appointments/<appointment_id>/notes")
    def add_note(appointment_id: str) -> tuple[Response, int]:
        body = note_body()
        with state.lock:
            event = find_event(state, appointment_id, "Appointment not found")
            author = body.get("userId") or event.get("assignedUserId") or ""
            notes = state.appointment_notes.setdefault(appointment_id, {})
            latest = max((note["dateAdded"] for note in notes.values()), default=None)
            note: Record = {
                "id": state.ids.new_id(),
                "body": body["body"],
                "userId": author or None,
                "dateAdded": state.update_time(latest),  # strictly after the last: "newest first" is exact
                "contactId": event["contactId"],
                "createdBy": {"id": author, "name": user_name(author)} if author else None,
            }
            notes[note["id"]] = note
            return jsonify(note=state.snapshot(note)), 201

    @blueprint.put("/calendars/appointments/<appointment_id>/notes/<note_id>")
    def change_note(appointment_id: str, note_id: str) -> Response:
        body = note_body()
        with state.lock:
            note = load(appointment_id, note_id)
            note["body"] = body["body"]
            if body.get("userId"):
                note["userId"] = body["userId"]
            return jsonify(note=state.snapshot(note))

    @blueprint.delete("/calendars/appointments/<appointment_id>/notes/<note_id>")
    def delete_note(appointment_id: str, note_id: str) -> Response:
        with state.lock:
            load(appointment_id, note_id)
            del state.appointment_notes[appointment_id][note_id]
        return jsonify(success=True)

    return blueprint
