"""Link contacts to a business, or unlink them (``POST /contacts/bulk/business``).

One call for up to a page of contacts: HighLevel sets every listed contact's ``businessId`` (``null``
unlinks). Setting the same link again changes nothing, so a replay is harmless. HighLevel refuses the
whole call when one contact is unknown or in another location, so nothing is half-linked.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import location_id
from connector.context import Context
from connector.definitions import Action, Field
from connector.errors import BadInput

#: Most contacts one call links (HighLevel's bulk calls take pages of this size).
MAX_CONTACTS = 100

INPUT_FIELDS: tuple[Field, ...] = (
    Field("contact_ids", "Contacts", type="list", item_type="string", required=True,
          help_text=f"The contact ids to link (up to {MAX_CONTACTS})."),
    Field("business_id", "Business ID",
          help_text="The business to link them to. Leave empty to unlink them from any business."),
)
OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("success", "Linked", type="boolean", required=True),
    Field("ids", "Contact IDs changed", type="list", item_type="string"),
    Field("businessId", "Business ID", nullable=True),
)
SAMPLE: dict[str, Any] = {"success": True, "ids": ["ocQHyuzHvysMo5N5VsXc"], "businessId": "bizA1b2C3d4E5f6G7h8"}


def link_contacts_to_business(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    ids = [str(contact_id) for contact_id in values["contact_ids"] if str(contact_id).strip()]
    if not ids:
        raise BadInput("is empty: give at least one contact id", "contact_ids")
    if len(ids) > MAX_CONTACTS:
        raise BadInput(f"has {len(ids)} ids: link at most {MAX_CONTACTS} per step", "contact_ids")
    business = values.get("business_id") or None
    body = {"locationId": location_id(ctx), "ids": ids, "businessId": business}
    answer = ctx.http.post("/contacts/bulk/business", json=body).json()
    return {"success": bool(answer.get("success")), "ids": list(answer.get("ids") or []), "businessId": business}


ACTION = Action(
    key="link_contacts_to_business",
    noun="Business",
    label="Link Contacts to Business",
    description="Links a set of contacts to a business, or unlinks them when no business is given.",
    input_fields=INPUT_FIELDS,
    output_fields=OUTPUT_FIELDS,
    sample=SAMPLE,
    perform=link_contacts_to_business,
    semantics="update",  # setting the same link again changes nothing: a replay needs no guard
    area="Contacts",
    scopes=("contacts.write",),
)
