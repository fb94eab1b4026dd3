"""Add Contact to Campaign: ``POST /contacts/{id}/campaigns/{campaignId}``.

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


def add_contact_to_campaign(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    contact_id, campaign_id = values["contact_id"], values["campaign_id"]
    path = api_path("/contacts/{contact_id}/campaigns/{campaign_id}", contact_id=contact_id, campaign_id=campaign_id)
    answer = change_membership(ctx, "POST", path, contact_id, other=("Campaign", campaign_id),
                               json={}).json()  # the document requires a body with no fields
    return {"id": contact_id, "succeeded": bool(answer.get("succeded")), "campaign_id": campaign_id}


ACTION = Action(
    key="add_contact_to_campaign",
    noun="Campaign",
    label="Add Contact to Campaign",
    description="Adds a contact to a campaign; a contact already in it stays once.",
    input_fields=(CONTACT_ID_FIELD, CAMPAIGN_ID_FIELD),
    output_fields=OUTPUT_FIELDS,
    sample={"id": "ocQHyuzHvysMo5N5VsXc", "succeeded": True, "campaign_id": "cmp_welcome"},
    perform=add_contact_to_campaign,
    semantics="update",
    idempotent=True,
    area="Campaigns",
    scopes=("contacts.write",),
)
