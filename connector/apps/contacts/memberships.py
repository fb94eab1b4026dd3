"""What the follower, campaign and workflow operations share: the pickers, the outputs and one call.

HighLevel answers an unknown contact, campaign or workflow with 400 "... not found"; :func:`change_membership`
tells which of them it was, so the error names the right id and says what to do.
"""

from __future__ import annotations

from typing import Any

import httpx

from connector.apps.contacts.api import error_message, is_not_found, location_id
from connector.context import Context
from connector.definitions import Field
from connector.errors import ResponseError
from connector.http import raise_for_status

FOLLOWERS_FIELD = Field(
    "followers", "Followers (user IDs)", type="list", item_type="string", required=True, placeholder="usr_abc123",
    help_text="HighLevel user ids; followers see the contact's activity.",
)
CAMPAIGN_ID_FIELD = Field("campaign_id", "Campaign ID", required=True,
                          help_text="The campaign's id, from the campaign's page in HighLevel.")
WORKFLOW_ID_FIELD = Field("workflow_id", "Workflow ID", required=True,
                          help_text="The workflow's id, from the workflow's page in HighLevel.")

MEMBERSHIP_OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Contact ID", required=True),
    Field("succeeded", "Succeeded", type="boolean"),
)


def change_membership(
    ctx: Context, method: str, path: str, contact_id: str, *, other: tuple[str, str] | None = None,
    json: dict[str, Any] | None = None,
) -> httpx.Response:
    """Send one follower, campaign or workflow call; an unknown record raises an error naming it.

    Args:
        other: (noun, id) of the campaign or workflow the call names besides the contact.
        json: the body, for the calls whose document has one (an empty object where it requires one).
    """
    body: dict[str, Any] = {} if json is None else {"json": json}
    response = ctx.http.request(method, path, extensions={"allow_status": (400, 404)}, **body)
    if is_not_found(response):
        message = error_message(response).lower()
        if other is not None and other[0].lower() in message:
            noun, record_id = other
            raise ResponseError(
                f"{noun.lower()} {record_id!r} was not found in location {location_id(ctx)}: check the id you "
                f"mapped (it is on the {noun.lower()}'s page in HighLevel)", response=response,
            )
        raise ResponseError(
            f"contact {contact_id!r} was not found in location {location_id(ctx)}: it may have been deleted; "
            "pick one from the list or check the id you mapped", response=response,
        )
    raise_for_status(response)
    return response
