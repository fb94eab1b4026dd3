"""Adding users to and removing them from Okta groups (``PUT|DELETE /api/v1/groups/{g}/users/{u}``).

Both calls are idempotent at Okta (adding a member twice, or removing a non-member, is a 204), so both
actions are safe to replay. The result names the user and the group so later steps can map them.
"""

from __future__ import annotations

from typing import Any, Literal

from connector.apps.okta.group_lookup import group_input
from connector.apps.okta.user_lookup import user_id_of, user_input
from connector.context import Context
from connector.definitions import Action, Field
from connector.paths import api_path

OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Membership ID", required=True, help_text="<group id>:<user id>"),
    Field("group_id", "Group ID"),
    Field("user_id", "User ID"),
    Field("member", "Is a member now", type="boolean"),
)


def membership_action(key: str, method: Literal["PUT", "DELETE"], label: str, description: str) -> Action:
    """An action that adds (PUT) or removes (DELETE) one user in one group."""

    def perform(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
        group_id = values["group"]
        user_id = user_id_of(ctx, values["user"])
        ctx.http.request(method, api_path("/api/v1/groups/{group}/users/{user}", group=group_id, user=user_id))
        return {"id": f"{group_id}:{user_id}", "group_id": group_id, "user_id": user_id, "member": method == "PUT"}

    return Action(
        key=key,
        noun="Group Membership",
        label=label,
        description=description,
        input_fields=(group_input(), user_input()),
        output_fields=OUTPUT_FIELDS,
        sample={"id": "00g1emaKYZTWRYYRRTSK:00ub0oNGTSWTBKOLGLNR", "group_id": "00g1emaKYZTWRYYRRTSK",
                "user_id": "00ub0oNGTSWTBKOLGLNR", "member": method == "PUT"},
        perform=perform,
        semantics="update",
        idempotent=True,
        scopes=("okta.groups.manage",),
    )
