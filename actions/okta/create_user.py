"""Create user: add a person to the Okta org, staged or activated, with an optional password and groups.

Safe to replay: Okta logins are unique, so the action first looks the login up and returns the
existing user instead of failing with "login: An object with this field already exists" (a replayed
step must never create twice, and must not fail because its first run succeeded).

Okta's rules (``POST /api/v1/users``): ``activate=false`` leaves the user STAGED; activating with a
password makes them ACTIVE, without one PROVISIONED (they finish sign-up from the activation email).
"""

from __future__ import annotations

from typing import Any

from connector.apps.okta.user_fields import USER_OUTPUT_FIELDS, USER_SAMPLE, profile_from_values, profile_input_fields
from connector.apps.okta.user_lookup import get_user
from connector.context import Context
from connector.definitions import Action, DynamicChoices, Field

INPUT_FIELDS: tuple[Field, ...] = (
    *profile_input_fields(for_create=True),
    Field("password", "Password", type="password",
          help_text="Optional. With a password an activated user is ACTIVE at once; without one they are "
                    "PROVISIONED and set it from the activation email."),
    Field("activate", "Activate", type="boolean", default=True,
          help_text="No leaves the user STAGED (not yet able to sign in)."),
    Field("change_password_at_next_login", "Change password at next login", type="boolean", default=False),
    Field("group_ids", "Groups", type="list", item_type="string",
          dynamic=DynamicChoices("list_groups", "id", "profile.name"),
          help_text="Okta group IDs (00g...) to add the user to."),
)


def create_user(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    profile = profile_from_values(values)
    profile.setdefault("login", profile.get("email"))
    existing = get_user(ctx, str(profile["login"]))
    if existing is not None:
        return existing
    body: dict[str, Any] = {"profile": profile}
    if values.get("password"):
        body["credentials"] = {"password": {"value": values["password"]}}
    if values.get("group_ids"):
        body["groupIds"] = list(values["group_ids"])
    params: dict[str, str] = {"activate": "true" if values.get("activate", True) else "false"}
    if values.get("change_password_at_next_login"):
        params["nextLogin"] = "changePassword"
    created = ctx.http.post("/api/v1/users", params=params, json=body).json()
    created.pop("_links", None)
    return created


ACTION = Action(
    key="create_user",
    important=True,
    noun="User",
    label="Create User",
    description="Creates a user in Okta (or returns the existing one with the same login), optionally "
                "activated, with a password and group memberships.",
    input_fields=INPUT_FIELDS,
    output_fields=USER_OUTPUT_FIELDS,
    sample=USER_SAMPLE,
    perform=create_user,
    semantics="create",
    idempotent=True,
    scopes=("okta.users.manage",),
)
