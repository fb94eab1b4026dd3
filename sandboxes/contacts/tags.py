"""Tag routes: ``POST`` adds and ``DELETE`` removes ``{tags:[...]}``; both answer the tags now on the contact.

Tags are compared lower-case and trimmed (HighLevel stores them that way). A change that really alters
the tag list sends ContactTagUpdate with the whole contact; a no-op sends nothing.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from sandboxes.contacts.contacts import load_contact, normalise_tags
from sandboxes.contacts.state import ContactsState
from sandboxes.contacts.validation import check_body, json_object
from sandboxes.contacts.webhooks import WebhookHub


def tags_blueprint(state: ContactsState, hub: WebhookHub) -> Blueprint:
    blueprint = Blueprint("contacts_tags", __name__)

    def change_tags(contact_id: str, *, add: bool) -> Response:
        body = json_object()
        check_body(body, {"tags": "string_list"}, required=("tags",))
        given = normalise_tags(body["tags"])
        with state.lock:
            contact = load_contact(state, contact_id)
            before = list(contact["tags"])
            after = normalise_tags([*before, *given]) if add else [tag for tag in before if tag not in given]
            if after != before:
                updated = state.snapshot(contact)
                updated["tags"] = after
                updated["dateUpdated"] = state.now_iso()
                state.replace_contact(updated)
                snapshot = state.snapshot(updated)
            else:
                snapshot = None
        if snapshot is not None:
            hub.emit("ContactTagUpdate", snapshot["locationId"], snapshot)
        return jsonify(tags=after)

    @blueprint.post("/contacts/<contact_id>/tags")
    def add_tags(contact_id: str) -> tuple[Response, int]:
        return change_tags(contact_id, add=True), 201

    @blueprint.delete("/contacts/<contact_id>/tags")
    def remove_tags(contact_id: str) -> Response:
        return change_tags(contact_id, add=False)

    return blueprint
