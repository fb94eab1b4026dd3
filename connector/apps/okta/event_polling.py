"""Poll triggers fed by the System Log: seed on the first poll, then read only what is new from the cursor.

- Trial ("Test trigger"): the newest few matching events, one call, no cursor.
- First poll (flow turned on): the newest ``RECENT_EVENTS`` events, to seed dedupe, then a polling query
  from the org's clock at that moment (``since`` = the response's ``Date``, whole seconds) read to the
  end, so the saved cursor is Okta's own ``next`` link and the events of that last second are seeded
  too. Three calls (recent events, catch-up, users).
- Later polls: the saved cursor (Okta's ``next`` link). Nothing new: one call. New events: one call per
  1,000 events, plus one user lookup per 25 users (``filter=id eq ...``) to give the items the users'
  current profiles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from connector.apps.okta.system_log import (
    RECENT_EVENTS,
    event_item,
    fetch_users,
    newest_first,
    polling_cursor,
    read_new_events,
    recent_events,
    server_time,
)
from connector.context import Context

TRIAL_EVENTS = 3

ItemId = Callable[[dict[str, Any]], str]


def event_id(item: dict[str, Any]) -> str:
    """Each event fires once: the item id is the event's uuid."""
    return str(item["event_id"])


def poll_events(ctx: Context, event_types: Sequence[str], item_id: ItemId = event_id) -> list[dict[str, Any]]:
    """The trigger's items, newest first, with the cursor saved for the next poll (see module docstring)."""
    meta = ctx.meta
    if meta.trial:
        events, _ = recent_events(ctx, event_types, meta.limit or TRIAL_EVENTS)
        return user_event_items(ctx, events, item_id)
    if meta.first_poll or not meta.cursor:
        events, response = recent_events(ctx, event_types, RECENT_EVENTS)
        latest, cursor = read_new_events(ctx, polling_cursor(event_types, server_time(response)))
        ctx.save_cursor(cursor)
        known = {event["uuid"] for event in events}
        events = newest_first([*reversed(events), *(event for event in latest if event["uuid"] not in known)])
        return user_event_items(ctx, events, item_id)
    events, cursor = read_new_events(ctx, meta.cursor)
    ctx.save_cursor(cursor)
    return user_event_items(ctx, newest_first(events), item_id)


def user_event_items(
    ctx: Context, events: list[dict[str, Any]], item_id: ItemId, *, users: dict[str, dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Events (newest first) as items carrying the user's current state; one item per id, newest kept.

    A user deleted since the event keeps the event's view of them (id, login, name) rather than being lost.

    Args:
        users: the users already read by id (one read for many deliveries); default: read them here.
    """
    if not events:
        return []
    items = [event_item(event) for event in events]
    if users is None:
        users = fetch_users(ctx, (item["user_id"] for item in items))
    shaped: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        user = users.get(item["user_id"] or "")
        merged = {**user, **item} if user else item
        merged["id"] = item_id(merged)
        if merged["id"] not in seen:
            seen.add(merged["id"])
            shaped.append(merged)
    return shaped
