"""Shared by the tag actions: ``POST``/``DELETE /contacts/{id}/tags`` with ``{tags}`` for one contact,
``POST /contacts/bulk/tags/update/{add|remove}`` for many.

Both answer every tag now on the contact. HighLevel stores tags lower-case and trimmed, so adding
"VIP" twice, or removing a tag the contact does not have, changes nothing: both are safe to replay.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import location_id, require
from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD
from connector.context import Context
from connector.definitions import Field
from connector.errors import BadInput
from connector.paths import api_path

TAG_INPUT_FIELDS: tuple[Field, ...] = (
    CONTACT_ID_FIELD,
    Field("tags", "Tags", type="list", item_type="string", required=True, placeholder="vip"),
)
TAG_OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Contact ID", required=True),
    Field("tags", "Tags now on the contact", type="list", item_type="string"),
)
TAG_SAMPLE: dict[str, Any] = {"id": "ocQHyuzHvysMo5N5VsXc", "tags": ["engineering", "vip"]}


def change_tags(ctx: Context, values: dict[str, Any], method: str) -> dict[str, Any]:
    contact_id = values["contact_id"]
    tags = [str(tag) for tag in values["tags"]]
    path = api_path("/contacts/{contact_id}/tags", contact_id=contact_id)
    response = require(ctx, method, path, what=f"contact {contact_id!r}", json={"tags": tags})
    return {"id": contact_id, "tags": list(response.json().get("tags") or [])}


#: Most contact ids one bulk call carries; longer lists are sent in several calls.
BULK_PAGE = 100
BULK_INPUT_FIELDS: tuple[Field, ...] = (
    Field("contact_ids", "Contacts", type="list", item_type="string", required=True,
          help_text="The contact ids to change (any number: they are sent a hundred at a time)."),
    Field("tags", "Tags", type="list", item_type="string", required=True, placeholder="vip"),
)
BULK_OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Tags changed", required=True, help_text="The tags, joined with commas."),
    Field("changed", "Contacts done", type="integer"),
    Field("failed", "Contacts that could not be changed", type="integer"),
    Field("results", "Per contact", type="line_items", children=(
        Field("contactId", "Contact ID"),
        Field("type", "Result", choices={"success": "Changed", "error": "Failed"}),
        Field("message", "Message"),
        Field("tagsAdded", "Tags added", type="list", item_type="string"),
        Field("tagsRemoved", "Tags removed", type="list", item_type="string"),
    )),
)
BULK_SAMPLE: dict[str, Any] = {
    "id": "vip",
    "changed": 1,
    "failed": 1,
    "results": [
        {"contactId": "ocQHyuzHvysMo5N5VsXc", "type": "success", "message": "Tags updated",
         "tagsAdded": ["vip"], "tagsRemoved": []},
        {"contactId": "gone", "type": "error", "message": "contact not found", "tagsAdded": [], "tagsRemoved": []},
    ],
}


def change_tags_in_bulk(ctx: Context, values: dict[str, Any], kind: str, *, remove_all: bool = False) -> dict[str, Any]:
    """``POST /contacts/bulk/tags/update/{add|remove}`` for every contact id, a page at a time.

    A contact HighLevel cannot change (unknown, another location) does not stop the others: it is
    reported in ``results`` and counted in ``failed``, so a flow can branch on it.
    """
    ids = list(dict.fromkeys(str(contact_id) for contact_id in values["contact_ids"] if str(contact_id).strip()))
    tags = [str(tag) for tag in values["tags"]]
    if not ids:
        raise BadInput("is empty: give at least one contact id", "contact_ids")
    path = api_path("/contacts/bulk/tags/update/{kind}", kind=kind)
    results: list[dict[str, Any]] = []
    for start in range(0, len(ids), BULK_PAGE):
        body: dict[str, Any] = {"contacts": ids[start:start + BULK_PAGE], "tags": tags, "locationId": location_id(ctx)}
        if remove_all:
            body["removeAllTags"] = True
        for answer in ctx.http.post(path, json=body).json().get("responses") or []:
            results.append({"contactId": answer.get("contactId"), "type": answer.get("type"),
                            "message": answer.get("message") or "", "tagsAdded": list(answer.get("tagsAdded") or []),
                            "tagsRemoved": list(answer.get("tagsRemoved") or [])})
    failed = sum(1 for result in results if result["type"] == "error")
    return {"id": ",".join(tags) or "*", "changed": len(results) - failed, "failed": failed, "results": results}
