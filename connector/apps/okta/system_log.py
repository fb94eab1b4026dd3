"""Okta's System Log as a change feed: durable polling cursors, recent events, and events shaped for flows.

Why the System Log: it is Okta's one ordered record of every change, and its *polling* query (ascending,
no ``until``) always answers with a ``rel="next"`` link, even on an empty page. Keeping that link as the
trigger's cursor means a poll with nothing new is exactly one HTTP call whatever the org's size, and an
event written while we were reading is never skipped (the link encodes a position in the log, not a
time). The same event types feed the event-hook variants, so a poll trigger and its instant twin fire
on the same changes.

Cursors are plain URLs to GET: the first one is built here from ``since`` (the server's ``Date`` when
the flow was turned on); every later one is the ``next`` link Okta sent.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from connector.context import Context
from connector.definitions import Field
from connector.pagination import parse_link_header

LOG_PATH = "/api/v1/logs"
#: Okta's largest System Log page: a poll that finds fewer events than this has caught up.
LOG_PAGE = 1000
#: Most pages one poll reads; the cursor keeps the rest for the next poll (flood protection downstream).
MAX_POLL_PAGES = 10
#: Events read to seed a flow (first poll) or to show samples.
RECENT_EVENTS = 100
#: Ids per ``filter=id eq ... or ...`` lookup. Okta documents no limit on ``or`` clauses, only 200 users a
#: page; 100 ids make a URL of about 4 KB, under the 8 KB many proxies and servers cap a request line at.
ID_BATCH = 100

EVENT_OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "ID", required=True),
    Field("event_id", "Event ID", help_text="The System Log event's uuid."),
    Field("event_type", "Event type"),
    Field("published", "Published", type="datetime"),
    Field("display_message", "What happened"),
    Field("user_id", "User ID"),
    Field("login", "User login"),
    Field("display_name", "User name"),
    Field("actor_id", "Changed by (ID)"),
    Field("actor_login", "Changed by (login)"),
)

GROUP_EVENT_FIELDS: tuple[Field, ...] = (
    Field("group_id", "Group ID"),
    Field("group_name", "Group name"),
)

EVENT_SAMPLE: dict[str, Any] = {
    "id": "a5d2b1f0-3c4e-4f6a-9b8c-7d6e5f4a3b2c",
    "event_id": "a5d2b1f0-3c4e-4f6a-9b8c-7d6e5f4a3b2c",
    "event_type": "user.lifecycle.create",
    "published": "2026-01-05T09:30:00.000Z",
    "display_message": "Create Okta user",
    "user_id": "00ub0oNGTSWTBKOLGLNR",
    "login": "isaac.brock@example.com",
    "display_name": "Isaac Brock",
    "actor_id": "00usandboxadmin00001",
    "actor_login": "admin@example.com",
}


def event_filter(event_types: Sequence[str]) -> str:
    """``eventType eq "a" or eventType eq "b"``: the SCIM filter for the trigger's event types."""
    return " or ".join(f'eventType eq "{event_type}"' for event_type in event_types)


def polling_cursor(event_types: Sequence[str], since: str) -> str:
    """The first cursor: a polling query for the event types from ``since`` on."""
    query = urlencode({"filter": event_filter(event_types), "since": since, "limit": LOG_PAGE})
    return f"{LOG_PATH}?{query}"


def server_time(response: httpx.Response) -> str:
    """The Okta org's clock when it answered (``Date``), as an ISO timestamp for ``since``.

    The org's clock rather than ours, so a skewed local clock cannot open a gap. ``Date`` has whole
    seconds, rounded down: at worst a poll re-reads an event from the same second, which dedupe drops.
    """
    parsed = None
    header = response.headers.get("date")
    if header:
        try:
            parsed = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError, IndexError):
            parsed = None
    moment = parsed.astimezone(UTC) if parsed is not None else datetime.fromtimestamp(time.time() - 60, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def read_new_events(ctx: Context, cursor: str) -> tuple[list[dict[str, Any]], str]:
    """Events after ``cursor``, oldest first, and the cursor to keep for the next poll.

    Reads pages until one is short (caught up) or ``MAX_POLL_PAGES`` is reached. With nothing new this is
    one call: an empty page whose ``next`` link becomes the new cursor.
    """
    events: list[dict[str, Any]] = []
    url = cursor
    for _ in range(MAX_POLL_PAGES):
        response = ctx.http.get(url)
        page = response.json()
        events.extend(page)
        next_link = parse_link_header(response.headers).get("next")
        if next_link:
            url = _relative(ctx.http.base_url, response, next_link)
        if not next_link or len(page) < _page_limit(response):
            break
    return events, url


def recent_events(ctx: Context, event_types: Sequence[str], limit: int) -> tuple[list[dict[str, Any]], httpx.Response]:
    """The newest ``limit`` events of these types (last 7 days), newest first, and the response."""
    response = ctx.http.get(
        LOG_PATH, params={"filter": event_filter(event_types), "sortOrder": "DESCENDING", "limit": limit}
    )
    return response.json(), response


def event_item(event: dict[str, Any]) -> dict[str, Any]:
    """A LogEvent flattened for mapping: the event, the user it is about, who did it, and the group if any."""
    user: dict[str, Any] = {}
    group: dict[str, Any] | None = None
    for target in event.get("target") or []:
        if target.get("type") == "User" and not user:
            user = target
        elif target.get("type") == "UserGroup" and group is None:
            group = target
    actor = event.get("actor") or {}
    item: dict[str, Any] = {
        "id": event["uuid"],
        "event_id": event["uuid"],
        "event_type": event.get("eventType"),
        "published": event.get("published"),
        "display_message": event.get("displayMessage"),
        "user_id": user.get("id"),
        "login": user.get("alternateId"),
        "display_name": user.get("displayName"),
        "actor_id": actor.get("id"),
        "actor_login": actor.get("alternateId"),
    }
    if group is not None:
        item["group_id"] = group.get("id")
        item["group_name"] = group.get("displayName")
    return item


def newest_first(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events ordered newest first by ``published`` (stable: same-time events keep log order, reversed)."""
    ordered = list(events)
    ordered.reverse()
    ordered.sort(key=lambda event: event.get("published") or "", reverse=True)
    return ordered


def fetch_users(ctx: Context, user_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Current user objects by id, ``ID_BATCH`` ids per call (``filter`` includes deactivated users)."""
    wanted = list(dict.fromkeys(uid for uid in user_ids if uid))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), ID_BATCH):
        batch = wanted[start : start + ID_BATCH]
        expression = " or ".join(f'id eq "{uid}"' for uid in batch)
        for user in ctx.http.get("/api/v1/users", params={"filter": expression, "limit": 200}).json():
            user.pop("_links", None)
            found[user["id"]] = user
    return found


def _page_limit(response: httpx.Response) -> int:
    try:
        return int(response.request.url.params.get("limit") or 100)
    except ValueError:
        return 100


def _relative(base_url: httpx.URL, response: httpx.Response, link: str) -> str:
    """The next link made relative to the client's base URL (which may carry a path) when under it."""
    url = str(response.url.join(link))
    base = str(base_url).rstrip("/")
    return url[len(base):] if url.startswith(base + "/") else url
