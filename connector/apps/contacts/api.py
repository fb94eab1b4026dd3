"""Calls the Contacts operations share: the connection's location, reading a contact, deleting, duplicate search.

HighLevel answers an unknown contact, task or note with 400 ``{"message": "Contact not found"}`` (its
spec lists 400, not 404, for these routes), so "not found" is recognised by the message and turned
into ``None`` for searches and into an error naming the id for actions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import httpx

from connector.apps.contacts.contact_fields import (
    EXTERNAL_ID_FIELD_KEY,
    EXTERNAL_ID_FIELD_NAME,
    contact_output,
    external_id_of,
)
from connector.context import Context
from connector.errors import BadInput, ResponseError, ResultError
from connector.http import raise_for_status
from connector.paths import api_path

R = TypeVar("R")

#: How many contacts one search page holds (HighLevel allows up to 500).
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


def search_body(ctx: Context, *, page_limit: int = PAGE_SIZE, **fields: Any) -> dict[str, Any]:
    """A ``POST /contacts/search`` body for the connection's location (fields left None are not sent)."""
    body: dict[str, Any] = {"locationId": location_id(ctx), "pageLimit": page_limit}
    body.update({name: value for name, value in fields.items() if value is not None})
    return body


def search_pages(
    ctx: Context, body: Mapping[str, Any], max_pages: int | None = None
) -> Iterator[list[dict[str, Any]]]:
    """The pages of ``POST /contacts/search`` for ``body``, walked with ``searchAfter``.

    Each contact carries its ``searchAfter``; the next page is asked for after the last one. A short
    page ends the walk. A cursor that comes back twice raises instead of looping.
    """
    request = dict(body)
    seen: set[str] = set()
    pages = 0
    while True:
        contacts = list(ctx.http.post("/contacts/search", json=request).json().get("contacts") or [])
        yield contacts
        pages += 1
        if len(contacts) < int(request["pageLimit"]) or (max_pages is not None and pages >= max_pages):
            return
        cursor = contacts[-1].get("searchAfter")
        if not cursor:
            return
        marker = json.dumps(cursor)
        if marker in seen:
            raise ResultError(f"pagination loop: searchAfter {marker} came back twice, so paging stopped")
        seen.add(marker)
        request = {**request, "searchAfter": cursor}


def search_contacts(ctx: Context, query: str, limit: int = PAGE_SIZE) -> list[dict[str, Any]]:
    """One page of ``POST /contacts/search`` with free text (name, email, phone, searchable fields)."""
    body = search_body(ctx, page_limit=min(limit, PAGE_SIZE), query=query)
    return next(search_pages(ctx, body, max_pages=1))


def _refused(error: ResponseError) -> bool:
    """An error that is the service refusing the credential (401/403), not a fault to retry."""
    return error.response is not None and error.response.status_code in (401, 403)


def external_id_field(ctx: Context, *, create: bool = False) -> str | None:
    """The id of the location's ``External ID`` custom field (``contact.external_id``).

    HighLevel's contact bodies name custom fields by id, so the id is looked up in the location's
    definitions (``GET /locations/{locationId}/customFields``) once per call of an operation. With
    ``create`` a missing field is defined (``POST``, scope ``locations/customFields.write``); without
    it None means "not defined, so no contact has one" (also when the connection may not read them).

    Raises:
        ResponseError: with ``create``, when the definitions cannot be read or written (a scope the
            connection lacks): the message names the field and what to do.
    """
    cache: dict[str, str | None] = ctx.__dict__.setdefault("_contacts_external_field", {})
    if "id" in cache and (cache["id"] or not create):
        return cache["id"]
    location = location_id(ctx)
    path = api_path("/locations/{location_id}/customFields", location_id=location)
    wanted = f"{EXTERNAL_ID_FIELD_NAME} (key {EXTERNAL_ID_FIELD_KEY})"
    try:
        response = ctx.http.get(path, params={"model": "contact"}, extensions={"allow_status": (401, 403)})
        denied = response.status_code in (401, 403)
    except ResponseError as error:  # an OAuth connection reports a missing scope itself
        if not _refused(error):
            raise
        denied, response = True, error.response  # type: ignore[assignment]  # the refusal, kept for the error
    if denied:
        if not create:
            return None
        raise ResponseError(
            f"the custom field {wanted} could not be looked up in location {location}: the connection "
            "lacks locations/customFields.readonly; reconnect granting it, or leave External ID empty",
            response=response,
        )
    raise_for_status(response)
    for definition in response.json().get("customFields") or []:
        if definition.get("fieldKey") == EXTERNAL_ID_FIELD_KEY:
            cache["id"] = str(definition["id"])
            return cache["id"]
    cache["id"] = None
    if not create:
        return None
    body = {"name": EXTERNAL_ID_FIELD_NAME, "dataType": "TEXT", "model": "contact"}
    try:
        created = ctx.http.post(path, json=body, extensions={"allow_status": (401, 403)})
        denied = created.status_code in (401, 403)
    except ResponseError as error:
        if not _refused(error):
            raise
        denied, created = True, error.response  # type: ignore[assignment]  # the refusal, kept for the error
    if denied:
        raise ResponseError(
            f"location {location} has no custom field {wanted}, and this connection may not create it "
            f"(it lacks locations/customFields.write): create a Text field named {EXTERNAL_ID_FIELD_NAME} "
            "in the location's settings, or reconnect granting that scope",
            response=created,
        )
    raise_for_status(created)
    cache["id"] = str(created.json()["customField"]["id"])
    return cache["id"]


def output(ctx: Context, contact: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """:func:`contact_output` with the external id read through the location's field id."""
    return contact_output(contact, external_field=external_id_field(ctx), **extra)


def wanted_count(values: Mapping[str, Any]) -> int:
    """The ``limit`` input clamped to 1..MAX_CONTACTS (a page when not given)."""
    return max(1, min(int(values.get("limit") or PAGE_SIZE), MAX_CONTACTS))


def first_contacts(ctx: Context, pages: Iterable[list[dict[str, Any]]], wanted: int) -> list[dict[str, Any]]:
    """The first ``wanted`` contacts of the pages, reading no page more than needed."""
    found: list[dict[str, Any]] = []
    for page in pages:
        found.extend(output(ctx, contact) for contact in page)
        if len(found) >= wanted:
            break
    return found[:wanted]



def post_contact(
    ctx: Context,
    body: Mapping[str, Any],
    created: Callable[[dict[str, Any]], R],
    clash: Callable[[str], R | None],
) -> R:
    """``POST /contacts/``: ``created(the new contact)``, or ``clash(id)`` when HighLevel refuses the
    create as a duplicate of the contact ``id`` and ``clash`` finds it.

    Any other refusal raises with the vendor's own message, which says what is wrong.
    """
    response = ctx.http.post("/contacts/", json=body, extensions={"allow_status": (400,)})
    if response.status_code == 400:
        try:
            clash_id = (response.json().get("meta") or {}).get("contactId")
        except (ValueError, AttributeError):
            clash_id = None
        found = clash(str(clash_id)) if clash_id else None
        if found is not None:
            return found
        raise_for_status(response)
    return created(response.json()["contact"])


def find_by_external_id(ctx: Context, external_id: str) -> dict[str, Any] | None:
    """The contact whose External ID custom field equals ``external_id`` exactly (None when the field is undefined)."""
    field_id = external_id_field(ctx)
    if field_id is None:
        return None
    body = search_body(ctx, page_limit=10, filters=[
        {"field": f"customFields.{field_id}", "operator": "eq", "value": external_id}
    ])
    for contact in next(search_pages(ctx, body, max_pages=1)):
        if external_id_of(contact, field_id) == external_id:
            return contact
    return None
