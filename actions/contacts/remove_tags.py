"""Remove tags: take tags off a contact; tags it does not have are ignored."""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.contact_tags import TAG_INPUT_FIELDS, TAG_OUTPUT_FIELDS, TAG_SAMPLE, change_tags
from connector.context import Context
from connector.definitions import Action


def remove_tags(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    return change_tags(ctx, values, "DELETE")


ACTION = Action(
    key="remove_tags",
    noun="Tag",
    label="Remove Tags from Contact",
    description="Removes tags from a contact.",
    input_fields=TAG_INPUT_FIELDS,
    output_fields=TAG_OUTPUT_FIELDS,
    sample={**TAG_SAMPLE, "tags": ["engineering"]},
    perform=remove_tags,
    semantics="update",
    idempotent=True,
    area="Tags",
    scopes=("contacts.write",),
)
