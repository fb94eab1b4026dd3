"""Update group: rename an Okta group or change its description.

Okta replaces a group's whole profile (``PUT /api/v1/groups/{id}``, OKTA_GROUP only), so the action
reads the current profile and changes only what the flow gives; an empty input keeps the old value.
"""

from __future__ import annotations

from typing import Any

from connector.apps.okta.group_lookup import group_input, group_path
from connector.apps.okta.user_fields import GROUP_OUTPUT_FIELDS, GROUP_SAMPLE, without_api_links
from connector.context import Context
from connector.definitions import Action, Field
from connector.errors import BadInput

INPUT_FIELDS: tuple[Field, ...] = (
    group_input(help_text="The group to change. Only Okta-mastered groups (OKTA_GROUP) can be changed."),
    Field("name", "New name"),
    Field("description", "New description"),
)


def update_group(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    if not values.get("name") and values.get("description") is None:
        raise BadInput("give a new name or a new description", "name")
    path = group_path(values["group"])
    current = ctx.http.get(path).json()
    profile = {**current.get("profile", {})}
    for key in ("name", "description"):
        if values.get(key) is not None:
            profile[key] = values[key]
    return without_api_links(ctx.http.put(path, json={"profile": profile}).json())


ACTION = Action(
    key="update_group",
    noun="Group",
    label="Update Group",
    description="Renames an Okta group or changes its description.",
    input_fields=INPUT_FIELDS,
    output_fields=GROUP_OUTPUT_FIELDS,
    sample=GROUP_SAMPLE,
    perform=update_group,
    semantics="update",
    idempotent=True,
    scopes=("okta.groups.manage",),
)
