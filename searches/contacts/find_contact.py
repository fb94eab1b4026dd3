"""Find contact: the contact with an email or a phone (HighLevel's duplicate search), or by external id.

Returns at most one contact: the one HighLevel itself would treat as the same person (email first,
then phone), so "find, else create" in a flow matches what Create Contact does.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import find_by_external_id, find_duplicate, output
from connector.apps.contacts.contact_fields import CONTACT_OUTPUT_FIELDS, CONTACT_SAMPLE, EXTERNAL_ID_KEY
from connector.context import Context
from connector.definitions import Field, Search
from connector.errors import BadInput

INPUT_FIELDS: tuple[Field, ...] = (
    Field("email", "Email", type="email"),
    Field("phone", "Phone", help_text="Compared by its digits, so +1 (555) 010-0000 finds +15550100000."),
    Field(EXTERNAL_ID_KEY, "External ID", help_text="The id kept by Create Contact, e.g. the Okta user id."),
)


def find_contact(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    if not any(values.get(key) for key in ("email", "phone", EXTERNAL_ID_KEY)):
        raise BadInput("give an email, a phone or an external id to search by", "email")
    found = None
    if values.get(EXTERNAL_ID_KEY):
        found = find_by_external_id(ctx, str(values[EXTERNAL_ID_KEY]))
    if found is None:
        found = find_duplicate(ctx, email=values.get("email"), phone=values.get("phone"))
    return [] if found is None else [output(ctx, found)]


SEARCH = Search(
    key="find_contact",
    important=True,
    noun="Contact",
    label="Find Contact",
    description="Finds a contact by email or phone (as HighLevel matches duplicates), or by external id.",
    input_fields=INPUT_FIELDS,
    output_fields=CONTACT_OUTPUT_FIELDS,
    sample=CONTACT_SAMPLE,
    perform=find_contact,
    area="Contacts",
    scopes=("contacts.readonly",),
)
