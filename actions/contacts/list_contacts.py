"""List contacts: the location's contacts, optionally matching a query (``GET /contacts/``).

Feeds the contact pickers of the task, note and tag actions, so it reads one page (up to 100
contacts) unless asked for more; ``query`` narrows it by name, email, phone or custom field value.
"""

from __future__ import annotations

from typing import Any

from actions.contacts.contact_fields import CONTACT_OUTPUT_FIELDS, CONTACT_SAMPLE, LIMIT_FIELD
from actions.contacts.contacts_api import PAGE_SIZE, first_contacts, location_id, next_contacts_page, wanted_count
from connector.context import Context
from connector.definitions import Field, Search
from connector.pagination import follow_cursor

INPUT_FIELDS: tuple[Field, ...] = (
    Field("query", "Search text", help_text="Matches name, email, phone, company or a custom field value."),
    LIMIT_FIELD,
)


def list_contacts(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = wanted_count(values)
    params: dict[str, Any] = {"locationId": location_id(ctx), "limit": min(wanted, PAGE_SIZE)}
    if values.get("query"):
        params["query"] = values["query"]
    pages = follow_cursor(ctx.http, "/contacts/", params, cursor_param="startAfterId", next_cursor=next_contacts_page)
    return first_contacts(pages, wanted)


SEARCH = Search(
    key="list_contacts",
    noun="Contact",
    label="List Contacts",
    description="Lists the location's contacts, optionally only those matching a search text.",
    input_fields=INPUT_FIELDS,
    output_fields=CONTACT_OUTPUT_FIELDS,
    sample=CONTACT_SAMPLE,
    perform=list_contacts,
    scopes=("contacts.readonly",),
)
