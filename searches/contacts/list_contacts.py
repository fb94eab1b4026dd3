"""List contacts: the location's contacts, newest first, optionally matching a query (``POST /contacts/search``).

Feeds the contact pickers of the task, note and tag actions, so it reads one page (up to 100
contacts) unless asked for more; ``query`` narrows it by name, email, phone or custom field value.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import PAGE_SIZE, first_contacts, search_body, search_pages, wanted_count
from connector.apps.contacts.contact_fields import CONTACT_OUTPUT_FIELDS, CONTACT_SAMPLE, LIMIT_FIELD
from connector.context import Context
from connector.definitions import Field, Search

INPUT_FIELDS: tuple[Field, ...] = (
    Field("query", "Search text", help_text="Matches name, email, phone, company or a custom field value."),
    LIMIT_FIELD,
)


def list_contacts(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = wanted_count(values)
    body = search_body(
        ctx, page_limit=min(wanted, PAGE_SIZE), query=values.get("query") or None,
        sort=[{"field": "dateAdded", "direction": "desc"}],
    )
    return first_contacts(ctx, search_pages(ctx, body), wanted)


SEARCH = Search(
    key="list_contacts",
    noun="Contact",
    label="List Contacts",
    description="Lists the location's contacts, optionally only those matching a search text.",
    input_fields=INPUT_FIELDS,
    output_fields=CONTACT_OUTPUT_FIELDS,
    sample=CONTACT_SAMPLE,
    perform=list_contacts,
    area="Contacts",
    scopes=("contacts.readonly",),
)
