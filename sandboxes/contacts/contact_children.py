"""What the task and note routes share: records kept under one contact, found, listed, added and deleted alike.

Tasks and notes are stored as ``{contact id: {record id: record}}`` (``state.tasks``, ``state.notes``).
Every route checks the contact first (400 unknown, 403 another location), then the record (400
"Task not found" / "Note not found", HighLevel's wording). Adding sends ``<Noun>Create`` and deleting
``<Noun>Delete``; what an update sends differs (NoteUpdate, TaskComplete), so updates stay with each kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, jsonify

from sandboxes.contacts.contacts import load_contact
from sandboxes.contacts.errors import bad_request
from sandboxes.contacts.state import ContactsState, Record
from sandboxes.contacts.webhooks import WebhookHub


@dataclass(frozen=True)
class ContactChildren:
    """One kind of record kept under a contact.

    Attributes:
        noun: ``Task`` or ``Note``: names the webhook events and the "not found" message.
        plural: ``tasks`` or ``notes``: the URL segment, the response key and the ``ContactsState`` field.
    """

    state: ContactsState
    hub: WebhookHub
    noun: str
    plural: str

    @property
    def _by_contact(self) -> dict[str, dict[str, Record]]:
        by_contact: dict[str, dict[str, Record]] = getattr(self.state, self.plural)
        return by_contact

    def load(self, contact_id: str, record_id: str) -> Record:
        """The stored record (not a copy), after the contact check; 400 "<Noun> not found" otherwise."""
        load_contact(self.state, contact_id)
        record = self._by_contact.get(contact_id, {}).get(record_id)
        if record is None:
            raise bad_request(f"{self.noun} not found")
        return record

    def location_of(self, contact_id: str) -> str:
        return str(self.state.contacts[contact_id]["locationId"])

    def add(self, contact_id: str, fields: Record) -> tuple[Response, int]:
        """Store a new record with a fresh id under the contact, send ``<Noun>Create`` and answer 201."""
        with self.state.lock:
            contact = load_contact(self.state, contact_id)
            record: Record = {"id": self.state.ids.new_id(), "contactId": contact_id, **fields}
            self._by_contact.setdefault(contact_id, {})[record["id"]] = record
            snapshot = self.state.snapshot(record)
        self.hub.emit(f"{self.noun}Create", contact["locationId"], snapshot)
        return jsonify({self.noun.lower(): snapshot}), 201

    def add_read_and_delete_routes(self, blueprint: Blueprint) -> None:
        """``GET .../<plural>``, ``GET .../<plural>/<id>`` and ``DELETE .../<plural>/<id>`` under a contact."""
        collection = f"/contacts/<contact_id>/{self.plural}"
        key = self.noun.lower()

        @blueprint.get(collection)
        def list_records(contact_id: str) -> Response:
            load_contact(self.state, contact_id)
            records = self._by_contact.get(contact_id, {}).values()
            return jsonify({self.plural: [self.state.snapshot(record) for record in records]})

        @blueprint.get(f"{collection}/<record_id>")
        def get_record(contact_id: str, record_id: str) -> Response:
            return jsonify({key: self.state.snapshot(self.load(contact_id, record_id))})

        @blueprint.delete(f"{collection}/<record_id>")
        def delete_record(contact_id: str, record_id: str) -> Response:
            with self.state.lock:
                record = self.load(contact_id, record_id)
                del self._by_contact[contact_id][record_id]
            self.hub.emit(f"{self.noun}Delete", self.location_of(contact_id), self.state.snapshot(record))
            return jsonify(succeded=True)
