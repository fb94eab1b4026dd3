"""New user: fires once for every user created in the Okta org, by polling or instantly through an event hook.

How the poll finds new users, and what it costs:

- **First poll** (the flow is turned on): pages the whole user listing (``GET /api/v1/users``,
  ``limit=200``, following ``Link: rel="next"``) so the platform's dedupe record holds every existing
  user, and returns them newest first (the listing is in creation order, so the pages are reversed).
  Cost: one call per 200 users; the bench holds it within 1.3x of a bare httpx loop over the same pages.
  The platform only records the ids of a first poll's items (nothing fires), so with ``meta.first_poll``
  only the ids of each page are decoded (:func:`connector.id_lists.decode_ids` skips the rest of each
  user, about 7x cheaper than parsing the page), its slim items, ``{"id", "user_id"}``, go to
  ``ctx.record_seen`` and the page is dropped: the platform streams them into its dedupe record, and
  memory stays flat however large the org. A poll that has lost its cursor (not a first poll) still
  returns whole users: those it fires need profiles.
  Then it reads the System Log's polling query for ``user.lifecycle.create`` from the org's clock when
  the listing began (``Date`` of the first page) to the end: users created while the pages were read
  are seeded too, and the cursor saved is Okta's own ``next`` link. One more call (plus a user lookup
  only when someone was created mid-listing).
- **Later polls** read the System Log from the cursor (Okta's ``next`` link): **one call when nothing
  is new, at any org size**, because the log query starts at a position, not at the first user. New
  events cost one more call per 25 users to read their current profiles (``filter=id eq ...``).
- **Trials** return the newest 3 users in one call (``search`` sorted by ``created`` descending).

Why not poll the user listing with a ``created``/``lastUpdated`` filter: Okta's ``filter`` has no
``created``, a ``lastUpdated`` filter re-reads every user changed since, and a time cursor taken from our
own clock can skip users created while a page was in flight. The System Log's polling cursor has none
of these problems, and is what the event hook variant delivers anyway.

``HOOK_TRIGGER`` (``new_user_instant``) gets the same ``user.lifecycle.create`` events pushed by an Okta
event hook instead; its items are the events (id = event uuid) with the user's id, login and name.
"""

from __future__ import annotations

from typing import Any

from connector.apps.okta.event_hooks import hook_trigger
from connector.apps.okta.system_log import (
    EVENT_OUTPUT_FIELDS,
    EVENT_SAMPLE,
    fetch_users,
    newest_first,
    polling_cursor,
    read_new_events,
    server_time,
)
from connector.apps.okta.user_fields import USER_OUTPUT_FIELDS, USER_SAMPLE
from connector.context import Context
from connector.definitions import Field, Trigger
from connector.id_lists import decode_ids
from connector.pagination import follow_links

EVENT_TYPES = ("user.lifecycle.create",)
PAGE_SIZE = 200
TRIAL_USERS = 3
#: Any real creation time is after this; Okta's ``sortBy`` needs a ``search`` expression to sort.
EPOCH_SEARCH = 'created gt "1970-01-01T00:00:00.000Z"'


def new_users(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    meta = ctx.meta
    if meta.trial:
        return newest_users(ctx, meta.limit or TRIAL_USERS)
    if meta.first_poll or not meta.cursor:
        return every_user(ctx, slim=meta.first_poll)
    events, cursor = read_new_events(ctx, meta.cursor)
    ctx.save_cursor(cursor)
    return created_users(ctx, newest_first(events))


def every_user(ctx: Context, *, slim: bool = False) -> list[dict[str, Any]]:
    """Every listed user, newest first, and the log cursor starting when the listing began.

    Args:
        slim: items carry only ``id`` and ``user_id`` (a first poll only seeds the dedupe record).
    """
    users: list[dict[str, Any]] = []
    since = None
    for page in follow_links(ctx.http, "/api/v1/users", {"limit": PAGE_SIZE}):
        if since is None:
            since = server_time(page)
        if slim:
            ctx.record_seen_ids(decode_ids(page.content, source="GET /api/v1/users"), _slim_user)
            continue
        for user in page.json():
            user.pop("_links", None)
            user["user_id"] = user["id"]
            users.append(user)
    if since is not None:
        # Catch up with the log from when the listing began: the cursor becomes Okta's own next link, and
        # users created while the pages were read are seeded too (usually none: no extra call).
        events, cursor = read_new_events(ctx, polling_cursor(EVENT_TYPES, since))
        ctx.save_cursor(cursor)
        if slim:  # seeding only: a user both listed and logged is recorded twice, which changes nothing
            created = (_created_user_id(event) for event in events)
            ctx.record_seen({"id": user_id, "user_id": user_id} for user_id in created if user_id)
            return []
        listed = {user["id"] for user in users}
        late = [event for event in events if _created_user_id(event) not in listed]
        users.reverse()
        return created_users(ctx, newest_first(late)) + users if late else users
    return users


def _slim_user(user_id: str) -> dict[str, Any]:
    """What a first poll records of a listed user: its id (the trigger's key) and ``user_id``."""
    return {"id": user_id, "user_id": user_id}


def newest_users(ctx: Context, limit: int) -> list[dict[str, Any]]:
    """The newest ``limit`` users in one call (``search`` + ``sortBy=created`` descending)."""
    params: dict[str, str | int] = {"search": EPOCH_SEARCH, "sortBy": "created", "sortOrder": "desc", "limit": limit}
    users = ctx.http.get("/api/v1/users", params=params).json()
    for user in users:
        user.pop("_links", None)
        user["user_id"] = user["id"]
    return users


def _created_user_id(event: dict[str, Any]) -> str | None:
    target = _created_user(event)
    return target.get("id") if target else None


def _created_user(event: dict[str, Any]) -> dict[str, Any] | None:
    return next((t for t in event.get("target") or [] if t.get("type") == "User"), None)


def created_users(ctx: Context, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The users the create events name, newest first; a user deleted since keeps the event's view."""
    targets: dict[str, dict[str, Any]] = {}
    for event in events:
        target = _created_user(event)
        if target is not None:
            targets.setdefault(target["id"], target)
    users = fetch_users(ctx, targets)
    items = []
    for user_id, target in targets.items():
        user = users.get(user_id) or {"id": user_id, "profile": {"login": target.get("alternateId")}}
        user["user_id"] = user_id
        items.append(user)
    return items


OUTPUT_FIELDS: tuple[Field, ...] = (
    *USER_OUTPUT_FIELDS,
    Field("user_id", "User ID (same as ID)"),
)

TRIGGER = Trigger(
    key="new_user",
    noun="User",
    label="New User",
    description="Triggers when a user is created in Okta (checked by polling the System Log).",
    output_fields=OUTPUT_FIELDS,
    sample={**USER_SAMPLE, "user_id": USER_SAMPLE["id"]},
    perform=new_users,
    kind="poll",
    scopes=("okta.users.read", "okta.logs.read"),
)

HOOK_TRIGGER = hook_trigger(
    "new_user_instant",
    noun="User",
    label="New User (Instant)",
    description="Triggers the moment a user is created in Okta, through an Okta event hook.",
    event_types=EVENT_TYPES,
    output_fields=EVENT_OUTPUT_FIELDS,
    sample=EVENT_SAMPLE,
)
