"""New contact: fires once for each contact added to the location.

Poll (``new_contact``): ``POST /contacts/search`` sorted by ``dateAdded`` ascending pages with
``searchAfter`` (the last contact's sort key), and new contacts always land after it. The first poll
only has to find the end of the list: it asks for the contacts added in the last hour (then day,
week, month, year, then everything, until a window holds some) with a ``dateAdded`` range filter,
walks to the end keeping the newest 100, and saves the cursor there. Later polls read only what came
after it, so a poll with nothing new costs one search however big the location is (plus the custom
field lookup that reads the external id).

Instant (``new_contact_instant``): HighLevel's ``ContactCreate`` webhook; the item id is the
delivery's ``webhookId`` and the contact's own id is in ``contact_id`` (as in the poll's items).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from connector.apps.contacts.api import external_id_field
from connector.apps.contacts.contact_fields import CONTACT_OUTPUT_FIELDS, CONTACT_SAMPLE, contact_output
from connector.apps.contacts.trigger_support import contact_pages, epoch_ms, instant_variant, read_cursor, save_cursor
from connector.context import Context
from connector.definitions import Field, Trigger

#: Newest contacts kept from the first poll (the platform records them as seen).
FIRST_POLL_ITEMS = 100
#: Pages read per poll once a cursor exists; the rest comes on the next poll.
PAGES_PER_POLL = 10
#: How far back the first poll looks for the newest contacts, widening until a window holds some.
RECENT_WINDOWS_SECONDS = (3600, 86400, 7 * 86400, 31 * 86400, 366 * 86400)


def iso_timestamp(epoch_seconds: float) -> str:
    """HighLevel's ISO 8601 form (UTC, milliseconds, ``Z``) for a search filter."""
    return datetime.fromtimestamp(epoch_seconds, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def recent_pages(ctx: Context) -> Iterator[list[dict[str, Any]]]:
    """Pages from the narrowest recent window that holds a contact, to the end of the list."""
    now = time.time()
    for window in RECENT_WINDOWS_SECONDS:
        since = iso_timestamp(now - window)
        pages = contact_pages(ctx, filters=[{"field": "dateAdded", "operator": "range", "value": {"gt": since}}])
        first = next(pages, [])
        if first:
            yield first
            yield from pages
            return
    yield from contact_pages(ctx)


def _search_after(cursor: dict[str, Any] | None) -> list[Any] | None:
    """The saved position; cursors saved before the move to search (``startAfter``/``startAfterId``) still count."""
    if not cursor:
        return None
    if isinstance(cursor.get("searchAfter"), list):
        return list(cursor["searchAfter"])
    if cursor.get("startAfter") is not None and cursor.get("startAfterId"):
        return [int(cursor["startAfter"]), str(cursor["startAfterId"])]
    return None


def new_contacts(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    after = _search_after(read_cursor(ctx))
    kept: deque[dict[str, Any]] = deque(maxlen=None if after else FIRST_POLL_ITEMS)
    last = after
    pages = contact_pages(ctx, after, max_pages=PAGES_PER_POLL) if after else recent_pages(ctx)
    for page in pages:
        kept.extend(page)
        if page:
            last = page[-1].get("searchAfter") or [epoch_ms(page[-1]["dateAdded"]), page[-1]["id"]]
    save_cursor(ctx, {"searchAfter": last} if last else None)
    field_id = external_id_field(ctx) if kept else None  # an idle poll stays one request
    return [contact_output(contact, external_field=field_id, contact_id=contact["id"]) for contact in reversed(kept)]


OUTPUT_FIELDS: tuple[Field, ...] = (*CONTACT_OUTPUT_FIELDS, Field("contact_id", "Contact ID"))
SAMPLE: dict[str, Any] = {**CONTACT_SAMPLE, "contact_id": CONTACT_SAMPLE["id"]}

TRIGGER = Trigger(
    key="new_contact",
    noun="Contact",
    label="New Contact",
    description="Triggers when a contact is added.",
    output_fields=OUTPUT_FIELDS,
    sample=SAMPLE,
    perform=new_contacts,
    area="Contacts",
    scopes=("contacts.readonly",),
)

HOOK_TRIGGER = instant_variant(
    TRIGGER,
    key="new_contact_instant",
    events=("ContactCreate",),
    to_item=lambda payload: contact_output(payload, id=payload["webhookId"], contact_id=payload["id"]),
)
