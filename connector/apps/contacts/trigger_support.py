"""What the Contacts triggers share: cursors, contact scans, and the instant (webhook) variant.

An instant trigger is its poll trigger fed by HighLevel's marketplace webhooks. HighLevel has no API
to subscribe: an app's webhook URL is set in its settings, and events of every location that
installed the app arrive there, signed (``x-wh-signature``, RSA-SHA256 over the raw body) with the key
HighLevel publishes. So the instant triggers are static app hooks (:data:`APP_HOOK`): the platform
receives on one app-level URL, checks the signature and the 5-minute age, refuses a repeated
``webhookId``, and routes each event to the flows whose connection is for its ``locationId``.
Trials and samples come from the poll.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from auth.contacts import DEFAULT_BASE_URL, base_url
from connector.apps.contacts.api import contact_records, external_id_field, search_body, search_pages
from connector.apps.contacts.contact_fields import EXTERNAL_ID_KEY, external_id_of
from connector.apps.contacts.webhook_signature import (
    HIGHLEVEL_PUBLIC_KEY_PEM,
    MAX_AGE_SECONDS,
    SANDBOX_PUBLIC_KEY_PEM,
    SIGNATURE_HEADER,
    epoch_seconds,
    is_fresh,
    signature_is_valid,
)
from connector.context import Context, HookRequest
from connector.definitions import AppHook, Field, Trigger
from connector.errors import ResultError

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


def contact_pages(
    ctx: Context,
    after: list[Any] | None = None,
    *,
    order_by: str = "dateAdded",
    filters: list[dict[str, Any]] | None = None,
    max_pages: int | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """The location's contacts page by page, oldest first by ``order_by``, after the ``searchAfter`` ``after``."""
    body = search_body(ctx, sort=[{"field": order_by, "direction": "asc"}], filters=filters, searchAfter=after)
    yield from search_pages(ctx, body, max_pages=max_pages)


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


def trusted_keys(connection_fields: Mapping[str, Any]) -> tuple[bytes, ...]:
    """HighLevel's published key; the sandbox's too, but only for a connection not to HighLevel itself."""
    if base_url(connection_fields) == DEFAULT_BASE_URL:
        return (HIGHLEVEL_PUBLIC_KEY_PEM,)
    return (HIGHLEVEL_PUBLIC_KEY_PEM, SANDBOX_PUBLIC_KEY_PEM)


def authenticate_delivery(request: HookRequest, connection_fields: Mapping[str, Any]) -> bool:
    """A delivery counts only when signed with a key the connection trusts, and at most 5 minutes old."""
    signature = request.header(SIGNATURE_HEADER)
    signed = any(signature_is_valid(request.body, signature, key) for key in trusted_keys(connection_fields))
    return signed and is_fresh(request.body)


def _payload_field(request: HookRequest, name: str) -> str | None:
    try:
        payload = request.json()
    except ValueError:
        return None
    value = payload.get(name) if isinstance(payload, dict) else None
    return value if isinstance(value, str) and value else None


def _connection_location(fields: Mapping[str, Any]) -> str | None:
    location = fields.get("location_id") or fields.get("locationId")
    return str(location) if location else None


#: HighLevel sends every event of the app to one URL; the platform routes each by its ``locationId``.
APP_HOOK = AppHook(
    delivery_route=lambda request: _payload_field(request, "locationId"),
    connection_route=_connection_location,
    authenticate=authenticate_delivery,
    delivery_id=lambda request: _payload_field(request, "webhookId"),
    replay_window_seconds=MAX_AGE_SECONDS,
)


def instant_variant(poll: Trigger, *, key: str, events: tuple[str, ...], to_item: ItemBuilder) -> Trigger:
    """The webhook twin of a poll trigger: same fields and sample, fed by HighLevel's signed app webhooks.

    A static app hook: the app's webhook URL is set once in its marketplace settings, so turning a
    flow on or off makes no vendor call; the platform routes each event by ``locationId``.
    """

    def parse_delivery(ctx: Context, request: HookRequest) -> list[dict[str, Any]]:
        payload = request.json()
        if not isinstance(payload, dict) or not payload.get("id") or not payload.get("webhookId"):
            raise ResultError("the webhook body is not a HighLevel event: it needs id and webhookId")
        if payload.get("type") not in events:
            return []
        item = to_item(payload)
        if "customFields" in payload:  # a contact event: read its external id through the field's id
            item[EXTERNAL_ID_KEY] = external_id_of(payload, external_id_field(ctx))
        return [item]

    return dataclasses.replace(
        poll,
        key=key,
        label=f"{poll.label} (Instant)",
        description=f"{poll.description} Fires at once through HighLevel's signed app webhooks.",
        input_fields=(),
        kind="hook",
        perform=None,
        subscribe=None,
        unsubscribe=None,
        static_hook=True,
        app_hook=APP_HOOK,
        parse_delivery=parse_delivery,
        list_samples=poll.list_samples or poll.perform,
        authenticate=lambda request, subscription: authenticate_delivery(request, subscription),
    )


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
