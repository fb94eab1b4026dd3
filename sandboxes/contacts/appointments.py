"""``GET /contacts/{id}/appointments`` -> ``{events:[...]}``.

Appointments belong to HighLevel's Calendars API; the Contacts API only lists a contact's. The sandbox
has no route to book one: they come from seeding or :meth:`ContactsSandbox.add_appointment`.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from sandboxes.contacts.contacts import load_contact
from sandboxes.contacts.state import ContactsState


def appointments_blueprint(state: ContactsState) -> Blueprint:
    blueprint = Blueprint("contacts_appointments", __name__)

    @blueprint.get("/contacts/<contact_id>/appointments")
    def list_appointments(contact_id: str) -> Response:
        load_contact(state, contact_id)
        return jsonify(events=[state.snapshot(event) for event in state.appointments.get(contact_id, [])])

    return blueprint
