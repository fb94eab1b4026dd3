"""Update user: change profile attributes (and optionally the password) of an existing Okta user.

Uses Okta's partial update (``POST /api/v1/users/{id}``): only the attributes given change; an
empty input leaves the attribute as it is rather than clearing it.
"""

from __future__ import annotations

from typing import Any

from connector.apps.okta.user_fields import (
    USER_OUTPUT_FIELDS,
    USER_SAMPLE,
    profile_from_values,
    profile_input_fields,
    without_api_links,
)
from connector.apps.okta.user_lookup import user_id_of, user_input, user_path
from connector.context import Context
from connector.definitions import Action, Field
from connector.errors import BadInput

INPUT_FIELDS: tuple[Field, ...] = (
    user_input(help_text="The user to update: Okta ID (00u...) or login."),
    *profile_input_fields(for_create=False),
    Field("password", "New password", type="password", help_text="Optional. Sets the password without the old one."),
)


def update_user(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    profile = profile_from_values(values)
    if profile:
        body["profile"] = profile
    if values.get("password"):
        body["credentials"] = {"password": {"value": values["password"]}}
    if not body:
        raise BadInput("give at least one profile attribute or a new password to change", "profile_extra")
    user_id = user_id_of(ctx, values["user"])
    return without_api_links(ctx.http.post(user_path(user_id), json=body).json())


ACTION = Action(
    key="update_user",
    important=True,
    noun="User",
    label="Update User",
    description="Changes profile attributes or the password of an Okta user; attributes left empty keep their value.",
    input_fields=INPUT_FIELDS,
    output_fields=USER_OUTPUT_FIELDS,
    sample=USER_SAMPLE,
    perform=update_user,
    semantics="update",
    idempotent=True,
    scopes=("okta.users.manage",),
)
