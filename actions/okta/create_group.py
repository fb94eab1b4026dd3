"""Create group: add an Okta group (OKTA_GROUP), or return the existing group with the same name.

Okta does not require group names to be unique, so a replayed create would make a second group with
the same name; searching by exact name first keeps a replay from duplicating it.
"""

from __future__ import annotations

import json
from typing import Any

from connector.apps.okta.user_fields import GROUP_OUTPUT_FIELDS, GROUP_SAMPLE, without_api_links
from connector.context import Context
from connector.definitions import Action, Field

INPUT_FIELDS: tuple[Field, ...] = (
    Field("name", "Name", required=True, help_text="The group's name (at most 255 characters)."),
    Field("description", "Description"),
)


def find_group_by_name(ctx: Context, name: str) -> dict[str, Any] | None:
    """The first OKTA_GROUP whose name is exactly ``name`` (one search call), or None."""
    expression = f"profile.name eq {json.dumps(name)} and type eq \"OKTA_GROUP\""
    for group in ctx.http.get("/api/v1/groups", params={"search": expression, "limit": 10}).json():
        if group.get("profile", {}).get("name") == name:
            return without_api_links(group)
    return None


def create_group(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    existing = find_group_by_name(ctx, values["name"])
    if existing is not None:
        return existing
    profile = {"name": values["name"]}
    if values.get("description"):
        profile["description"] = values["description"]
    return without_api_links(ctx.http.post("/api/v1/groups", json={"profile": profile}).json())


ACTION = Action(
    key="create_group",
    important=True,
    noun="Group",
    label="Create Group",
    description="Creates an Okta group, or returns the existing group with exactly this name.",
    input_fields=INPUT_FIELDS,
    output_fields=GROUP_OUTPUT_FIELDS,
    sample=GROUP_SAMPLE,
    perform=create_group,
    semantics="create",
    idempotent=True,
    scopes=("okta.groups.manage",),
)
