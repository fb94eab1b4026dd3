"""Remove Contact from Campaign: ``DELETE /contacts/{id}/campaigns/{campaignId}``.

HighLevel answers ``{succeded: true}`` (sic). Doing it again changes nothing, so a replay is harmless;
an unknown campaign fails naming the campaign id.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD
from connector.apps.contacts.memberships import CAMPAIGN_ID_FIELD, MEMBERSHIP_OUTPUT_FIELDS, change_membership
from connector.context import Context
from connector.definitions import Action, Field
from connector.paths import api_path

OUTPUT_FIELDS: tuple[Field, ...] = (*MEMBERSHIP_OUTPUT_FIELDS, Field("campaign_id", "Campaign ID"))


def remove_contact_from_campaign(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    contact_id, campaign_id = values["contact_id"], values["campaign_id"]
    path = api_path("/contacts/{contact_id}/campaigns/{campaign_id}", contact_id=contact_id, campaign_id=campaign_id)
    answer = change_membership(ctx, "DELETE", path, contact_id, other=("Campaign", campaign_id)).json()
    return {"id": contact_id, "succeeded": bool(answer.get("succeded")), "campaign_id": campaign_id}


ACTION = Action(
    key="remove_contact_from_campaign",
    noun="Campaign",
    label="Remove Contact from Campaign",
    description="Takes a contact out of a campaign.",
    input_fields=(CONTACT_ID_FIELD, CAMPAIGN_ID_FIELD),
    output_fields=OUTPUT_FIELDS,
    sample={"id": "ocQHyuzHvysMo5N5VsXc", "succeeded": True, "campaign_id": "cmp_welcome"},
    perform=remove_contact_from_campaign,
    semantics="update",
    idempotent=True,
    area="Campaigns",
    scopes=("contacts.write",),
)
