"""Add followers: let users follow a contact (``POST /contacts/{id}/followers``).

Followers already on the contact stay once, so a replay adds nothing twice.
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
    Field("followersAdded", "Followers added by this step", type="list", item_type="string"),
)


def add_followers(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    contact_id = values["contact_id"]
    path = api_path("/contacts/{contact_id}/followers", contact_id=contact_id)
    answer = change_membership(ctx, "POST", path, contact_id, json={"followers": list(values["followers"])}).json()
    return {"id": contact_id, "followers": list(answer.get("followers") or []),
            "followersAdded": list(answer.get("followersAdded") or [])}


ACTION = Action(
    key="add_followers",
    noun="Follower",
    label="Add Followers to Contact",
    description="Makes users followers of a contact; users already following it stay once.",
    input_fields=(CONTACT_ID_FIELD, FOLLOWERS_FIELD),
    output_fields=OUTPUT_FIELDS,
    sample={"id": "ocQHyuzHvysMo5N5VsXc", "followers": ["usr_sandbox", "usr_sales"], "followersAdded": ["usr_sales"]},
    perform=add_followers,
    semantics="update",
    idempotent=True,
    area="Followers",
    scopes=("contacts.write",),
)
