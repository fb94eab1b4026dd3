"""Remove tags from contacts: the same tags off many contacts in one step, or every tag they have.

Removing a tag a contact does not have changes nothing, so a replay is harmless.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from connector.apps.contacts.contact_tags import BULK_INPUT_FIELDS, BULK_OUTPUT_FIELDS, BULK_SAMPLE, change_tags_in_bulk
from connector.context import Context
from connector.definitions import Action, Field
from connector.errors import BadInput

INPUT_FIELDS: tuple[Field, ...] = (
    *(replace(field, required=False, help_text="Leave empty with Remove every tag on.") if field.key == "tags"
      else field for field in BULK_INPUT_FIELDS),
    Field("remove_all", "Remove every tag", type="boolean", default=False,
          help_text="Take all tags off these contacts, whatever Tags lists."),
)


def remove_tags_from_contacts(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    remove_all = bool(values.get("remove_all"))
    if not values.get("tags") and not remove_all:
        raise BadInput("is empty: give the tags to remove, or turn on Remove every tag", "tags")
    return change_tags_in_bulk(ctx, {**values, "tags": values.get("tags") or []}, "remove", remove_all=remove_all)


ACTION = Action(
    key="remove_tags_from_contacts",
    noun="Tag",
    label="Remove Tags from Many Contacts",
    description="Removes the same tags (or all tags) from a list of contacts at once, reporting any contact it "
                "could not change.",
    input_fields=INPUT_FIELDS,
    output_fields=BULK_OUTPUT_FIELDS,
    sample={**BULK_SAMPLE, "results": [{**BULK_SAMPLE["results"][0], "tagsAdded": [], "tagsRemoved": ["vip"]}]},
    perform=remove_tags_from_contacts,
    semantics="update",
    idempotent=True,
    area="Tags",
    scopes=("contacts.write",),
)
