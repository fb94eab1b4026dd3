"""What the Contacts triggers share: cursors, contact scans, and the instant (webhook) variant.

An instant trigger is its poll trigger plus four functions: ``subscribe`` registers the flow's hook
URL for some event types (``POST /webhooks``) and keeps HighLevel's public key in the subscription;
``unsubscribe`` deletes the registration; ``authenticate`` checks each delivery's signature and age;
``parse_delivery`` turns the flat payload into one item. Trials and samples come from the poll.

HighLevel itself has no webhook API (a marketplace app ticks its events in the app's settings);
``POST``/``DELETE /webhooks`` is the sandbox's stand-in for those settings, and the public key is read
from ``/.well-known/webhook-public-key.pem`` at subscribe time. A repeated delivery carries the same
``webhookId`` and ``timestamp``, so it yields the same item id and the platform's dedupe drops it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

from actions.contacts.contacts_api import PAGE_SIZE, contact_records, location_id, next_contacts_page
from connector.context import Context, HookRequest
from connector.definitions import Field, Trigger
from connector.errors import BadInput, ResultError
from connector.pagination import follow_cursor
from connector.paths import api_path
from triggers.contacts.webhook_signature import (
    PUBLIC_KEY_PATH,
    SIGNATURE_HEADER,
    epoch_seconds,
    is_fresh,
    signature_is_valid,
)

ItemBuilder = Callable[[dict[str, Any]], dict[str, Any]]
PollFunction = Callable[[Context, dict[str, Any]], list[dict[str, Any]]]

#: Contacts looked at for samples of note and task triggers (one request each).
SAMPLE_CONTACTS = 20

WATCHED_CONTACT_FIELD = Field(
    "contact_id", "Contact",
    help_text="Watch only this contact. Leave empty to watch every contact: that costs one request per "
              "contact on each poll, so for large locations use the instant trigger instead.",
)


def read_cursor(ctx: Context) -> dict[str, Any] | None:
    """The JSON cursor the last poll saved, or None (first poll, trial, or a cursor we cannot read)."""
    if not ctx.meta.cursor:
        return None
    try:
        cursor = json.loads(ctx.meta.cursor)
    except ValueError:
        return None
    return cursor if isinstance(cursor, dict) else None


def save_cursor(ctx: Context, cursor: dict[str, Any] | None) -> None:
    ctx.save_cursor(json.dumps(cursor, sort_keys=True) if cursor else None)


def contact_pages(ctx: Context, start: dict[str, Any] | None = None, max_pages: int | None = None) -> Iterator[
        list[dict[str, Any]]]:
    """The location's contacts page by page, oldest first, starting after ``start`` when given."""
    params: dict[str, Any] = {"locationId": location_id(ctx), "limit": PAGE_SIZE, **(start or {})}
    pages = follow_cursor(ctx.http, "/contacts/", params, cursor_param="startAfterId",
                          next_cursor=next_contacts_page, max_pages=max_pages)
    for page in pages:
        yield list(page.json().get("contacts") or [])


def watched_contacts(ctx: Context, values: dict[str, Any], newest: int | None = None) -> list[str]:
    """The contact ids a task or note trigger looks at: the chosen one, or every contact (newest first)."""
    if values.get("contact_id"):
        return [str(values["contact_id"])]
    ids = [contact["id"] for page in contact_pages(ctx) for contact in page]
    ids.reverse()
    return ids if newest is None else ids[:newest]


def children_of(ctx: Context, contact_ids: list[str], kind: str) -> list[dict[str, Any]]:
    """Every ``tasks`` or ``notes`` record of the given contacts; contacts deleted meanwhile are skipped."""
    return [record for contact_id in contact_ids for record in contact_records(ctx, contact_id, kind)]


def child_record_poll(kind: str, newest_field: str, to_item: ItemBuilder) -> tuple[PollFunction, PollFunction]:
    """The ``perform`` and ``list_samples`` of a trigger over contacts' ``tasks`` or ``notes``.

    Both read the watched contacts' records newest first by ``newest_field``; samples look at the
    newest few contacts only, so a trial stays cheap in a big location.
    """

    def items(ctx: Context, contact_ids: list[str]) -> list[dict[str, Any]]:
        return [to_item(record) for record in sort_newest_first(children_of(ctx, contact_ids, kind), newest_field)]

    def perform(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
        return items(ctx, watched_contacts(ctx, values))

    def list_samples(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
        return items(ctx, watched_contacts(ctx, values, SAMPLE_CONTACTS))

    return perform, list_samples


def instant_variant(poll: Trigger, *, key: str, events: tuple[str, ...], to_item: ItemBuilder) -> Trigger:
    """The webhook twin of a poll trigger: same fields and sample, fed by HighLevel's signed webhooks."""

    def subscribe(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
        if not ctx.meta.target_url:
            raise BadInput("is missing: the platform must give the flow's hook URL to subscribe", "target_url")
        hook = ctx.http.post("/webhooks", json={"url": ctx.meta.target_url, "events": list(events)}).json()
        hook = hook.get("webhook", hook)
        public_key = ctx.http.get(PUBLIC_KEY_PATH).text
        return {"id": hook["id"], "url": hook.get("url"), "events": list(hook.get("events") or events),
                "public_key_pem": public_key}

    def unsubscribe(ctx: Context, values: dict[str, Any]) -> None:
        hook_id = ctx.meta.subscription.get("id")
        if not hook_id:
            raise BadInput("has no webhook id, so there is nothing to unsubscribe", "subscription")
        # Gone already: fine.
        ctx.http.delete(api_path("/webhooks/{hook_id}", hook_id=hook_id), extensions={"allow_status": (400, 404)})

    def parse_delivery(ctx: Context, request: HookRequest) -> list[dict[str, Any]]:
        payload = request.json()
        if not isinstance(payload, dict) or not payload.get("id") or not payload.get("webhookId"):
            raise ResultError("the webhook body is not a HighLevel event: it needs id and webhookId")
        if payload.get("type") not in events:
            return []
        return [to_item(payload)]

    return dataclasses.replace(
        poll,
        key=key,
        label=f"{poll.label} (Instant)",
        description=f"{poll.description} Fires at once through HighLevel's signed webhooks.",
        input_fields=(),
        kind="hook",
        perform=None,
        subscribe=subscribe,
        unsubscribe=unsubscribe,
        parse_delivery=parse_delivery,
        list_samples=poll.list_samples or poll.perform,
        authenticate=authenticate_delivery,
    )


def authenticate_delivery(request: HookRequest, subscription: dict[str, Any]) -> bool:
    """A delivery counts only with a valid signature under the key kept at subscribe time, and fresh."""
    signed = signature_is_valid(request.body, request.header(SIGNATURE_HEADER), subscription.get("public_key_pem"))
    return signed and is_fresh(request.body)


def epoch_ms(iso: str) -> int:
    """Milliseconds since the epoch, HighLevel's unit for the ``startAfter`` cursor."""
    return round(epoch_seconds(iso) * 1000)


def change_id(record_id: str, moment: str) -> str:
    """The id of one change of a record: ``<id>:<time>``, so each change fires once."""
    return f"{record_id}:{moment}"


def sort_newest_first(items: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    """Newest first by an ISO time field; items without it (or with a bad one) go last, in their order."""

    def moment(item: dict[str, Any]) -> float:
        value = item.get(field)
        try:
            return epoch_seconds(str(value)) if value else 0.0
        except ValueError:
            return 0.0

    return sorted(items, key=moment, reverse=True)
