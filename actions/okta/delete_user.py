"""Delete user: remove an Okta user for good, with Okta's two-step rule made explicit.

Okta only deletes DEPROVISIONED users: ``DELETE /api/v1/users/{id}`` on any other status merely
deactivates, and a second DELETE deletes. A flow that called DELETE once would silently leave a
deactivated user behind, so this action asks: with "Deactivate first" on, it deactivates an active user
and then deletes it (two calls); off, it refuses with a message naming the user's status rather than
only half-deleting.
"""

from __future__ import annotations

from typing import Any

from connector.apps.okta.user_lookup import require_user, user_input, user_path
from connector.context import Context
from connector.definitions import Action, Field
from connector.errors import ResponseError

INPUT_FIELDS: tuple[Field, ...] = (
    user_input(help_text="The user to delete: Okta ID (00u...) or login."),
    Field("deactivate_first", "Deactivate first", type="boolean", default=False,
          help_text="Okta deletes only deactivated (DEPROVISIONED) users. Yes deactivates an active user and "
                    "then deletes it; No deletes only users that are already deactivated."),
)


def delete_user(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    user = require_user(ctx, values["user"])
    user_id, status = str(user["id"]), str(user.get("status"))
    login = (user.get("profile") or {}).get("login")
    if status != "DEPROVISIONED":
        if not values.get("deactivate_first"):
            raise ResponseError(
                f"cannot delete user {user_id} ({login}): it is {status}, and Okta deletes only DEPROVISIONED "
                "users (a DELETE on an active user only deactivates it). Deactivate the user first, or set "
                "'Deactivate first' to yes to deactivate and delete in one step"
            )
        ctx.http.delete(user_path(user_id))  # step one: Okta deactivates
    ctx.http.delete(user_path(user_id))  # step two: Okta deletes the DEPROVISIONED user
    return {"id": user_id, "login": login, "deleted": True, "previous_status": status}


OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "User ID", required=True),
    Field("login", "Login"),
    Field("deleted", "Deleted", type="boolean"),
    Field("previous_status", "Status before deletion"),
)

ACTION = Action(
    key="delete_user",
    noun="User",
    label="Delete User",
    description="Deletes an Okta user for good; optionally deactivates an active user first (Okta's two-step rule).",
    input_fields=INPUT_FIELDS,
    output_fields=OUTPUT_FIELDS,
    sample={"id": "00ub0oNGTSWTBKOLGLNR", "login": "isaac.brock@example.com", "deleted": True,
            "previous_status": "DEPROVISIONED"},
    perform=delete_user,
    semantics="delete",
    scopes=("okta.users.manage",),
)
