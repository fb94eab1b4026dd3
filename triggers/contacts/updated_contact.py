"""Updated contact: fires once for each change to a contact (not for its creation: see New Contact).

Poll (``updated_contact``): ``POST /contacts/search`` sorted by ``dateUpdated`` ascending, after the
saved cursor (the newest change seen, as the ``searchAfter`` pair ``(time, id)``), at most 500 changes
a poll; the first poll reads the newest 100 changes (sorted descending). Contacts never changed since
they were created (``dateUpdated == dateAdded``) are skipped. Item ids are
``<contact id>:<dateUpdated>``, so each change fires once and a later change fires again.

Instant (``updated_contact_instant``): ``ContactUpdate`` and ``ContactTagUpdate`` webhooks; item ids
are ``<contact id>:<timestamp>``.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import PAGE_SIZE, external_id_field, search_body, search_pages
from connector.apps.contacts.contact_fields import CONTACT_OUTPUT_FIELDS, CONTACT_SAMPLE, contact_output
from connector.apps.contacts.trigger_support import (
    change_id,
    contact_pages,
    epoch_ms,
    instant_variant,
    read_cursor,
    save_cursor,
)
from connector.context import Context
from connector.definitions import Field, Trigger

FIRST_POLL_ITEMS = 100
CHANGES_PER_POLL = 500

def _changed(contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Contacts changed after their creation (a creation is New Contact's event)."""
    return [c for c in contacts if c.get("dateUpdated") and c.get("dateUpdated") != c.get("dateAdded")]


def updated_contacts(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    cursor = read_cursor(ctx)
    after: list[Any] | None = [int(cursor["ms"]), str(cursor["id"])] if cursor and "ms" in cursor else None
    if after is None:
        body = search_body(ctx, page_limit=FIRST_POLL_ITEMS, sort=[{"field": "dateUpdated", "direction": "desc"}])
        page = next(search_pages(ctx, body, max_pages=1))
        newest = page[0] if page else None
        changes = _changed(page)
    else:
        seen: list[dict[str, Any]] = []
        for page in contact_pages(ctx, after, order_by="dateUpdated", max_pages=CHANGES_PER_POLL // PAGE_SIZE):
            seen.extend(page)
        newest = seen[-1] if seen else None
        changes = list(reversed(_changed(seen)))
    if newest is not None:
        save_cursor(ctx, {"ms": epoch_ms(newest["dateUpdated"]), "id": newest["id"]})
    else:
        save_cursor(ctx, cursor)
    field_id = external_id_field(ctx) if changes else None  # an idle poll stays one request
    return [
        contact_output(contact, external_field=field_id, id=change_id(contact["id"], contact["dateUpdated"]),
                       contact_id=contact["id"])
        for contact in changes
    ]


OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Change ID", required=True, help_text="<contact id>:<time of the change>"),
    *CONTACT_OUTPUT_FIELDS[1:],
    Field("contact_id", "Contact ID"),
)
SAMPLE: dict[str, Any] = {
    **CONTACT_SAMPLE,
    "id": change_id(CONTACT_SAMPLE["id"], CONTACT_SAMPLE["dateUpdated"]),
    "contact_id": CONTACT_SAMPLE["id"],
}

TRIGGER = Trigger(
    key="updated_contact",
    noun="Contact",
    label="Updated Contact",
    description="Triggers when a contact is changed (fields, tags or custom fields).",
    output_fields=OUTPUT_FIELDS,
    sample=SAMPLE,
    perform=updated_contacts,
    area="Contacts",
    scopes=("contacts.readonly",),
)

HOOK_TRIGGER = instant_variant(
    TRIGGER,
    key="updated_contact_instant",
    events=("ContactUpdate", "ContactTagUpdate"),
    to_item=lambda payload: contact_output(
        payload, id=change_id(payload["id"], payload["timestamp"]), contact_id=payload["id"]
    ),
)
