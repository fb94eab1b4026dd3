"""Remove contact from every campaign: ``DELETE /contacts/{id}/campaigns/removeAll``.

For a contact who unsubscribes or leaves: one call instead of one per campaign. A contact in no campaign
is fine, so a replay is harmless.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD
from connector.apps.contacts.memberships import MEMBERSHIP_OUTPUT_FIELDS, change_membership
from connector.context import Context
from connector.definitions import Action
from connector.paths import api_path


def remove_contact_from_all_campaigns(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    contact_id = values["contact_id"]
    path = api_path("/contacts/{contact_id}/campaigns/removeAll", contact_id=contact_id)
    answer = change_membership(ctx, "DELETE", path, contact_id).json()
    return {"id": contact_id, "succeeded": bool(answer.get("succeded"))}


ACTION = Action(
    key="remove_contact_from_all_campaigns",
    noun="Campaign",
    label="Remove Contact from Every Campaign",
    description="Takes a contact out of every campaign it is in.",
    input_fields=(CONTACT_ID_FIELD,),
    output_fields=MEMBERSHIP_OUTPUT_FIELDS,
    sample={"id": "ocQHyuzHvysMo5N5VsXc", "succeeded": True},
    perform=remove_contact_from_all_campaigns,
    semantics="update",
    idempotent=True,
    area="Campaigns",
    scopes=("contacts.write",),
)
