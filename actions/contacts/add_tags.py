"""Add tags: put tags on a contact, keeping the ones it has."""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.contact_tags import TAG_INPUT_FIELDS, TAG_OUTPUT_FIELDS, TAG_SAMPLE, change_tags
from connector.context import Context
from connector.definitions import Action


def add_tags(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    return change_tags(ctx, values, "POST")


ACTION = Action(
    key="add_tags",
    important=True,
    noun="Tag",
    label="Add Tags to Contact",
    description="Adds tags to a contact; tags it already has are kept once.",
    input_fields=TAG_INPUT_FIELDS,
    output_fields=TAG_OUTPUT_FIELDS,
    sample=TAG_SAMPLE,
    perform=add_tags,
    semantics="update",
    idempotent=True,
    area="Tags",
    scopes=("contacts.write",),
)
