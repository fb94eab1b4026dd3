"""Contacts by business: the contacts linked to a business (``GET /contacts/business/{businessId}``).

The endpoint pages with ``skip``/``limit``; every page is read (up to ``limit`` contacts in all). Its
contacts carry fewer fields than a full contact (HighLevel's list schema has no update time or dnd
flag; names are given empty): read one with Get Contact for the rest.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import PAGE_SIZE, first_contacts, location_id, wanted_count
from connector.apps.contacts.contact_fields import CONTACT_OUTPUT_FIELDS, CONTACT_SAMPLE, LIMIT_FIELD
from connector.context import Context
from connector.definitions import Field, Search
from connector.pagination import follow_offset
from connector.paths import api_path

#: What the business list gives of a contact.
_NOT_LISTED = ("dateUpdated", "dnd")
OUTPUT_FIELDS: tuple[Field, ...] = tuple(f for f in CONTACT_OUTPUT_FIELDS if f.key not in _NOT_LISTED)
SAMPLE: dict[str, Any] = {
    **{k: v for k, v in CONTACT_SAMPLE.items() if k not in _NOT_LISTED}, "businessId": "bizA1b2C3d4E5f6G7h8",
}

INPUT_FIELDS: tuple[Field, ...] = (
    Field("business_id", "Business ID", required=True),
    Field("query", "Search text", help_text="Only contacts whose name, email or phone matches."),
    LIMIT_FIELD,
)


def contacts_by_business(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = wanted_count(values)
    params: dict[str, Any] = {"locationId": location_id(ctx)}
    if values.get("query"):
        params["query"] = values["query"]
    pages = follow_offset(
        ctx.http, api_path("/contacts/business/{business_id}", business_id=values["business_id"]), params,
        offset_param="skip",
        page_size=min(wanted, PAGE_SIZE), items=lambda response: list(response.json().get("contacts") or []),
    )
    return first_contacts(ctx, (list(page.json().get("contacts") or []) for page in pages), wanted)


SEARCH = Search(
    key="contacts_by_business",
    noun="Contact",
    label="Find Contacts by Business",
    description="Lists the contacts linked to a business.",
    input_fields=INPUT_FIELDS,
    output_fields=OUTPUT_FIELDS,
    sample=SAMPLE,
    perform=contacts_by_business,
    area="Contacts",
    scopes=("contacts.readonly",),
)
