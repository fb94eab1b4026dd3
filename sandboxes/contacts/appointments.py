"""``GET /contacts/{id}/appointments`` -> ``{events:[...]}``.

Appointments belong to HighLevel's Calendars API (booked, changed and deleted by
:mod:`sandboxes.contacts.calendar_events`, seeded, or added by :meth:`ContactsSandbox.add_appointment`);
the Contacts API lists a contact's, with the fields of its GetEventSchema only.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from sandboxes.contacts.contacts import load_contact
from sandboxes.contacts.state import ContactsState

#: The fields GetEventSchema lists for an event in the contact's list.
LISTED_FIELDS = (
    "id", "calendarId", "status", "title", "assignedUserId", "notes", "startTime", "endTime", "address",
    "locationId", "contactId", "groupId", "appointmentStatus", "users", "dateAdded", "dateUpdated",
    "assignedResources",
)


def appointments_blueprint(state: ContactsState) -> Blueprint:
    blueprint = Blueprint("contacts_appointments", __name__)

    @blueprint.get("/contacts/<contact_id>/appointments")
    def list_appointments(contact_id: str) -> Response:
        load_contact(state, contact_id)
        events = [state.snapshot(event) for event in state.appointments.get(contact_id, [])]
        return jsonify(events=[{name: event[name] for name in LISTED_FIELDS if name in event} for event in events])

    return blueprint
