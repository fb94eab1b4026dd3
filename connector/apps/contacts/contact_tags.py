"""Shared by Add Tags and Remove Tags: ``POST``/``DELETE /contacts/{id}/tags`` with ``{tags}``.

Both answer every tag now on the contact. HighLevel stores tags lower-case and trimmed, so adding
"VIP" twice, or removing a tag the contact does not have, changes nothing: both are safe to replay.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import require
from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD
from connector.context import Context
from connector.definitions import Field
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
