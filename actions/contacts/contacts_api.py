"""Calls the Contacts operations share: the connection's location, reading a contact, deleting, duplicate search.

HighLevel answers an unknown contact, task or note with 400 ``{"message": "Contact not found"}`` (its
spec lists 400, not 404, for these routes), so "not found" is recognised by the message and turned
into ``None`` for searches and into an error naming the id for actions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from actions.contacts.contact_fields import contact_output
from connector.context import Context
from connector.errors import BadInput, ResponseError
from connector.http import raise_for_status
from connector.paths import api_path

#: How many contacts one list page holds at most (HighLevel's maximum).
PAGE_SIZE = 100
#: Most contacts a search returns, however many pages that takes.
MAX_CONTACTS = 1000
_NOT_FOUND_STATUSES = (400, 404)


def location_id(ctx: Context) -> str:
    """The location (sub-account) the connection works in; every contact call needs it."""
    fields = ctx.connection.fields
    location = fields.get("location_id") or fields.get("locationId")
    if not location:
        raise BadInput(
            "is missing from the connection: reconnect and give the location (sub-account) id, e.g. loc_abc123",
            "location_id",
        )
    return str(location)


def error_message(response: httpx.Response) -> str:
    """The ``message`` of a HighLevel error body (a string or a list of strings), or ''."""
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    return "; ".join(map(str, message)) if isinstance(message, list) else str(message or "")


def is_not_found(response: httpx.Response) -> bool:
    return response.status_code in _NOT_FOUND_STATUSES and "not found" in error_message(response).lower()


def call(ctx: Context, method: str, path: str, *, what: str, **kwargs: Any) -> httpx.Response | None:
    """Send one request; None when the API says the record does not exist, else raise as usual.

    Args:
        what: the record in words (``contact 'abc'``), used only to explain errors.
    """
    response = ctx.http.request(method, path, extensions={"allow_status": _NOT_FOUND_STATUSES}, **kwargs)
    if is_not_found(response):
        return None
    try:
        raise_for_status(response)
    except ResponseError as error:
        raise type(error)(f"{method} {what}: {error.message}", response=response) from None
    return response


def require(ctx: Context, method: str, path: str, *, what: str, **kwargs: Any) -> httpx.Response:
    """Like :func:`call`, but a missing record is an error that names it and says what to do."""
    response = call(ctx, method, path, what=what, **kwargs)
    if response is None:
        raise ResponseError(
            f"{what} was not found in location {location_id(ctx)}: it may have been deleted; "
            "pick one from the list or check the id you mapped"
        )
    return response


def contact_records(ctx: Context, contact_id: str, kind: str, record_id: str | None = None) -> list[dict[str, Any]]:
    """A contact's ``tasks`` or ``notes``, or only the one with ``record_id``.

    Empty when the contact or the record does not exist: a search finds nothing, and a trigger
    skips a contact deleted while it was polling.
    """
    singular = kind.removesuffix("s")
    path = (
        api_path("/contacts/{contact_id}/{kind}/{record_id}", contact_id=contact_id, kind=kind, record_id=record_id)
        if record_id else api_path("/contacts/{contact_id}/{kind}", contact_id=contact_id, kind=kind)
    )
    response = call(ctx, "GET", path, what=f"{singular} {record_id!r}" if record_id else f"contact {contact_id!r}")
    if response is None:
        return []
    data = response.json()
    return [data[singular]] if record_id else list(data.get(kind) or [])


def delete_once(ctx: Context, path: str, record_id: str, *, what: str) -> dict[str, Any]:
    """``DELETE`` a contact or task; one already gone counts as done, so a replayed step does not fail.

    Returns:
        ``{id, outcome}`` with outcome ``deleted`` or ``already_deleted``.
    """
    response = call(ctx, "DELETE", path, what=what)
    return {"id": record_id, "outcome": "deleted" if response is not None else "already_deleted"}


def get_contact(ctx: Context, contact_id: str) -> dict[str, Any] | None:
    """``GET /contacts/{id}``: the contact, or None when there is no such contact."""
    path = api_path("/contacts/{contact_id}", contact_id=contact_id)
    response = call(ctx, "GET", path, what=f"contact {contact_id!r}")
    return None if response is None else dict(response.json()["contact"])


def find_duplicate(ctx: Context, *, email: str | None = None, phone: str | None = None) -> dict[str, Any] | None:
    """The contact HighLevel considers the same person: by email first, then by phone.

    Uses ``GET /contacts/search/duplicate``, the same rule the location's "no duplicates" setting
    applies on create, so a contact found here is exactly one a create would collide with.
    """
    for name, value in (("email", email), ("number", phone)):
        if not value:
            continue
        params = {"locationId": location_id(ctx), name: value}
        found = ctx.http.get("/contacts/search/duplicate", params=params).json().get("contact")
        if found:
            return dict(found)
    return None


def search_contacts(ctx: Context, query: str, limit: int = PAGE_SIZE) -> list[dict[str, Any]]:
    """One page of ``GET /contacts/?query=``: matches on name, email, phone and custom field values."""
    params: dict[str, Any] = {"locationId": location_id(ctx), "query": query, "limit": min(limit, PAGE_SIZE)}
    return list(ctx.http.get("/contacts/", params=params).json().get("contacts") or [])


def next_contacts_page(response: httpx.Response) -> dict[str, Any] | None:
    """HighLevel's cursor for the page after ``response``: the last contact's ``startAfter``/``startAfterId``."""
    data = response.json()
    meta = data.get("meta") or {}
    full = len(data.get("contacts") or []) >= int(response.request.url.params.get("limit", PAGE_SIZE))
    if not full or not meta.get("startAfterId"):
        return None
    return {"startAfterId": meta["startAfterId"], "startAfter": meta.get("startAfter")}


def wanted_count(values: Mapping[str, Any]) -> int:
    """The ``limit`` input clamped to 1..MAX_CONTACTS (a page when not given)."""
    return max(1, min(int(values.get("limit") or PAGE_SIZE), MAX_CONTACTS))


def first_contacts(pages: Iterable[httpx.Response], wanted: int) -> list[dict[str, Any]]:
    """The first ``wanted`` contacts of the pages, reading no page more than needed."""
    found: list[dict[str, Any]] = []
    for page in pages:
        found.extend(contact_output(contact) for contact in page.json().get("contacts") or [])
        if len(found) >= wanted:
            break
    return found[:wanted]
