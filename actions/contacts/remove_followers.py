"""Remove followers: stop users following a contact (``DELETE /contacts/{id}/followers``).

Removing someone who does not follow the contact changes nothing, so a replay is harmless.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD
from connector.apps.contacts.memberships import FOLLOWERS_FIELD, change_membership
from connector.context import Context
from connector.definitions import Action, Field
from connector.paths import api_path

OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Contact ID", required=True),
    Field("followers", "Followers now", type="list", item_type="string"),
    Field("followersRemoved", "Followers removed by this step", type="list", item_type="string"),
)


def remove_followers(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    contact_id = values["contact_id"]
    path = api_path("/contacts/{contact_id}/followers", contact_id=contact_id)
    answer = change_membership(ctx, "DELETE", path, contact_id, json={"followers": list(values["followers"])}).json()
    return {"id": contact_id, "followers": list(answer.get("followers") or []),
            "followersRemoved": list(answer.get("followersRemoved") or [])}


ACTION = Action(
    key="remove_followers",
    noun="Follower",
    label="Remove Followers from Contact",
    description="Stops users following a contact.",
    input_fields=(CONTACT_ID_FIELD, FOLLOWERS_FIELD),
    output_fields=OUTPUT_FIELDS,
    sample={"id": "ocQHyuzHvysMo5N5VsXc", "followers": ["usr_sandbox"], "followersRemoved": ["usr_sales"]},
    perform=remove_followers,
    semantics="update",
    idempotent=True,
    area="Followers",
    scopes=("contacts.write",),
)
