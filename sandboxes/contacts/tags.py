"""Tag routes: ``POST`` adds and ``DELETE`` removes ``{tags:[...]}``; both answer the tags now on the contact.

Tags are compared lower-case and trimmed (HighLevel stores them that way). A change that really alters
the tag list sends ContactTagUpdate with the whole contact; a no-op sends nothing.

``POST /contacts/bulk/tags/update/{add|remove}`` with ``{contacts, tags, locationId, removeAllTags}`` does
the same for many contacts at once and answers 201 ``{succeded, errorCount, responses}``: one response per
contact id given, ``success`` with ``oldTags``/``tagsAdded``/``tagsRemoved``, or ``error`` with why
("contact not found", "contact does not belong to location"), as the document's example shows. A bad
contact does not stop the others. ``removeAllTags`` only goes with ``remove`` (422 otherwise).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from sandboxes.contacts.auth import require_location
from sandboxes.contacts.contacts import load_contact, normalise_tags
from sandboxes.contacts.errors import unprocessable
from sandboxes.contacts.state import ContactsState, Record
from sandboxes.contacts.validation import check_body, json_object
from sandboxes.contacts.webhooks import WebhookHub

#: UpdateTagsDTO.
BULK_RULES = {"contacts": "string_list", "tags": "string_list", "locationId": "string", "removeAllTags": "boolean"}


def _bulk_result(contact_id: str, before: list[str], after: list[str]) -> dict[str, Any]:
    return {
        "contactId": contact_id,
        "message": "Tags updated",
        "type": "success",
        "oldTags": before,
        "tagsAdded": [tag for tag in after if tag not in before],
        "tagsRemoved": [tag for tag in before if tag not in after],
    }


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

    @blueprint.post("/contacts/bulk/tags/update/<kind>")
    def bulk_tags(kind: str) -> tuple[Response, int]:
        if kind not in ("add", "remove"):
            raise unprocessable([f"type must be one of the following values: add, remove (got {kind!r})"])
        body = json_object()
        check_body(body, BULK_RULES, required=("contacts", "tags", "locationId"))
        if body.get("removeAllTags") and kind != "remove":
            raise unprocessable(["removeAllTags can only be used with remove"])
        location = require_location(body["locationId"])
        given = normalise_tags(body["tags"])
        responses: list[Record] = []
        changed: list[Record] = []
        with state.lock:
            for contact_id in body["contacts"]:
                contact = state.contacts.get(contact_id)
                if contact is None or contact["locationId"] != location:
                    problem = "contact not found" if contact is None else "contact does not belong to location"
                    responses.append({"contactId": contact_id, "message": problem, "type": "error"})
                    continue
                before = list(contact["tags"])
                if kind == "add":
                    after = normalise_tags([*before, *given])
                elif body.get("removeAllTags"):
                    after = []
                else:
                    after = [tag for tag in before if tag not in given]
                responses.append(_bulk_result(contact_id, before, after))
                if after != before:
                    updated = state.snapshot(contact)
                    updated["tags"] = after
                    updated["dateUpdated"] = state.update_time(contact.get("dateUpdated"))
                    state.replace_contact(updated)
                    changed.append(state.snapshot(updated))
        for snapshot in changed:
            hub.emit("ContactTagUpdate", snapshot["locationId"], snapshot)
        errors = sum(1 for response in responses if response["type"] == "error")
        return jsonify(succeded=errors == 0, errorCount=errors, responses=responses), 201

    return blueprint
