"""Get contact: one contact by id (``GET /contacts/{id}``); empty when there is no such contact."""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import get_contact as fetch_contact
from connector.apps.contacts.api import output
from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD, CONTACT_OUTPUT_FIELDS, CONTACT_SAMPLE
from connector.context import Context
from connector.definitions import Search


def get_contact(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    found = fetch_contact(ctx, values["contact_id"])
    return [] if found is None else [output(ctx, found)]


SEARCH = Search(
    key="get_contact",
    noun="Contact",
    label="Get Contact",
    description="Gets a contact by its id.",
    input_fields=(CONTACT_ID_FIELD,),
    output_fields=CONTACT_OUTPUT_FIELDS,
    sample=CONTACT_SAMPLE,
    perform=get_contact,
    area="Contacts",
    scopes=("contacts.readonly",),
)
