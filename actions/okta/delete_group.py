"""Delete group: remove an Okta group (its members stay in Okta; only the group goes)."""

from __future__ import annotations

from typing import Any

from connector.apps.okta.group_lookup import group_input, group_path
from connector.context import Context
from connector.definitions import Action, Field

INPUT_FIELDS: tuple[Field, ...] = (group_input(help_text="The group to delete. Built-in groups cannot be deleted."),)


def delete_group(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    path = group_path(values["group"])
    group = ctx.http.get(path).json()
    ctx.http.delete(path)
    return {"id": group["id"], "name": group.get("profile", {}).get("name"), "deleted": True}


OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Group ID", required=True),
    Field("name", "Name"),
    Field("deleted", "Deleted", type="boolean"),
)

ACTION = Action(
    key="delete_group",
    noun="Group",
    label="Delete Group",
    description="Deletes an Okta group; its members remain in Okta.",
    input_fields=INPUT_FIELDS,
    output_fields=OUTPUT_FIELDS,
    sample={"id": "00g1emaKYZTWRYYRRTSK", "name": "Engineering", "deleted": True},
    perform=delete_group,
    semantics="delete",
    scopes=("okta.groups.manage",),
)
