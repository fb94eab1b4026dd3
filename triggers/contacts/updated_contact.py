"""Updated contact: fires once for each change to a contact (not for its creation: see New Contact).

Poll (``updated_contact``): the Contacts API cannot list by update time, so each poll reads every
contact (100 a page) and keeps those whose ``dateUpdated`` is after the saved cursor (the newest
change seen, as ``(time, id)``), oldest first, at most 500 a poll. Item ids are
``<contact id>:<dateUpdated>``, so each change fires once and a later change fires again.

Instant (``updated_contact_instant``): ``ContactUpdate`` and ``ContactTagUpdate`` webhooks; item ids
are ``<contact id>:<timestamp>``.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any

from actions.contacts.contact_fields import CONTACT_OUTPUT_FIELDS, CONTACT_SAMPLE, contact_output
from connector.context import Context
from connector.definitions import Field, Trigger
from triggers.contacts._shared import change_id, contact_pages, epoch_ms, instant_variant, read_cursor, save_cursor

FIRST_POLL_ITEMS = 100
CHANGES_PER_POLL = 500

ChangeKey = tuple[int, str]


def _change_key(contact: dict[str, Any]) -> ChangeKey:
    return epoch_ms(contact["dateUpdated"]), str(contact["id"])


def _changed(ctx: Context, after: ChangeKey | None) -> Iterator[tuple[ChangeKey, dict[str, Any]]]:
    for page in contact_pages(ctx):
        for contact in page:
            if not contact.get("dateUpdated") or contact.get("dateUpdated") == contact.get("dateAdded"):
                continue  # never changed since it was created
            key = _change_key(contact)
            if after is None or key > after:
                yield key, contact


def updated_contacts(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    cursor = read_cursor(ctx)
    after: ChangeKey | None = (int(cursor["ms"]), str(cursor["id"])) if cursor and "ms" in cursor else None
    if after is None:
        changes = heapq.nlargest(FIRST_POLL_ITEMS, _changed(ctx, None), key=lambda pair: pair[0])
    else:
        oldest = heapq.nsmallest(CHANGES_PER_POLL, _changed(ctx, after), key=lambda pair: pair[0])
        changes = list(reversed(oldest))
    newest = changes[0][0] if changes else after
    save_cursor(ctx, {"ms": newest[0], "id": newest[1]} if newest else None)
    return [
        contact_output(contact, id=change_id(contact["id"], contact["dateUpdated"]), contact_id=contact["id"])
        for _, contact in changes
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
