"""Add tags to contacts: the same tags on many contacts in one step (HighLevel's bulk tag call).

Tags a contact already has stay once, so a replay changes nothing.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.contact_tags import BULK_INPUT_FIELDS, BULK_OUTPUT_FIELDS, BULK_SAMPLE, change_tags_in_bulk
from connector.context import Context
from connector.definitions import Action


def add_tags_to_contacts(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    return change_tags_in_bulk(ctx, values, "add")


ACTION = Action(
    key="add_tags_to_contacts",
    noun="Tag",
    label="Add Tags to Many Contacts",
    description="Adds the same tags to a list of contacts at once, reporting any contact it could not change.",
    input_fields=BULK_INPUT_FIELDS,
    output_fields=BULK_OUTPUT_FIELDS,
    sample=BULK_SAMPLE,
    perform=add_tags_to_contacts,
    semantics="update",
    idempotent=True,
    area="Tags",
    scopes=("contacts.write",),
)
