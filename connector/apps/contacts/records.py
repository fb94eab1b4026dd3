"""HighLevel contacts as a syncable record type (``contacts.contact``).

- **Changes**: ``POST /contacts/search`` with a ``range`` filter on ``dateUpdated`` (at or after the time
  asked for), sorted by ``dateUpdated``: one call when nothing changed, at any location size.
- **Create**: ``POST /contacts/``, one call (the answer holds the whole contact). The engine looks for
  the person first whenever it has not just listed this side in full, and after a crash.
- **Update**: ``PUT /contacts/{id}`` for plain fields; tags change member by member with
  ``POST``/``DELETE /contacts/{id}/tags``, so a tag someone added meanwhile is kept; then one read for
  the new ``dateUpdated``.
- **Identity**: email, then the External ID custom field (named by its id, looked up once per call).
- **Delete**: ``DELETE /contacts/{id}``, one call; a contact already gone (404) is not an error.
- ``company_name`` is create-only: HighLevel's update body has no ``companyName``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from connector.apps.contacts.api import (
    call,
    external_id_field,
    find_by_external_id,
    find_duplicate,
    get_contact,
    location_id,
    post_contact,
    require,
)
from connector.apps.contacts.contact_fields import EXTERNAL_ID_KEY, contact_body, external_id_of
from connector.apps.contacts.trigger_support import contact_pages
from connector.apps.personio.records import epoch_of
from connector.context import Context
from connector.definitions import Field
from connector.errors import ResponseError
from connector.paths import api_path
from connector.records import RecordType, RecordUpdate, SyncRecord

#: Record field key -> HighLevel body key.
_API_KEYS: dict[str, str] = {
    "email": "email",
    "first_name": "firstName",
    "last_name": "lastName",
    "phone": "phone",
    "company_name": "companyName",
}
FIELDS: tuple[Field, ...] = (
    Field("email", "Email", type="email"),
    Field("first_name", "First name"),
    Field("last_name", "Last name"),
    Field("phone", "Phone"),
    Field("company_name", "Company name"),
    Field(EXTERNAL_ID_KEY, "External ID", help_text="Kept in the custom field external_id."),
)
TAGS = Field("tags", "Tags", type="list", item_type="string")
#: Fields HighLevel's update body does not have.
CREATE_ONLY = ("company_name",)


def _record(contact: Mapping[str, Any], external_field: str | None) -> SyncRecord:
    values: dict[str, Any] = {key: contact.get(api) for key, api in _API_KEYS.items()}
    values[EXTERNAL_ID_KEY] = external_id_of(contact, external_field)
    values["tags"] = sorted(str(tag) for tag in contact.get("tags") or [])
    return SyncRecord(id=str(contact["id"]), modified_at=epoch_of(contact.get("dateUpdated")), values=values)


def list_changes(ctx: Context, since: float | None) -> Iterator[list[SyncRecord]]:
    """Changed contacts; the External ID field's id is looked up only when there is a contact to read."""
    filters = None
    if since is not None:
        filters = [{"field": "dateUpdated", "operator": "range", "value": {"gte": int(since * 1000)}}]
    for page in contact_pages(ctx, order_by="dateUpdated", filters=filters):
        field_id = external_id_field(ctx) if page else None
        yield [_record(contact, field_id) for contact in page]


def read(ctx: Context, record_id: str) -> SyncRecord | None:
    contact = get_contact(ctx, record_id)
    return None if contact is None else _record(contact, external_id_field(ctx))


def create(ctx: Context, values: Mapping[str, Any]) -> SyncRecord:
    """``POST /contacts/``: one call; HighLevel answers with the whole contact.

    The engine looks for the person before it creates (``find``) whenever its picture of this side is
    not a full listing, and after a crash, so no duplicate search is repeated here. A create HighLevel
    still refuses as a duplicate (its rule also matches phones) links the contact it names instead.
    """
    wanted = {key: value for key, value in values.items() if value not in (None, "", [])}
    field_id = external_id_field(ctx, create=bool(wanted.get(EXTERNAL_ID_KEY)))
    body = {"locationId": location_id(ctx), **contact_body(wanted, external_field=field_id)}
    return post_contact(ctx, body, lambda contact: _record(contact, field_id), lambda clash: read(ctx, clash))


def update(ctx: Context, record_id: str, change: RecordUpdate) -> SyncRecord:
    body: dict[str, Any] = {_API_KEYS[key]: value for key, value in change.values.items()
                            if key in _API_KEYS and key not in CREATE_ONLY}
    if EXTERNAL_ID_KEY in change.values:
        field_id = external_id_field(ctx, create=True)
        body["customFields"] = [{"id": field_id, "field_value": str(change.values[EXTERNAL_ID_KEY] or "")}]
    what = f"contact {record_id!r}"
    if body:
        require(ctx, "PUT", api_path("/contacts/{contact_id}", contact_id=record_id), what=what, json=body)
    tags_path = api_path("/contacts/{contact_id}/tags", contact_id=record_id)
    if change.added.get("tags"):
        require(ctx, "POST", tags_path, what=what, json={"tags": list(change.added["tags"])})
    if change.removed.get("tags"):
        require(ctx, "DELETE", tags_path, what=what, json={"tags": list(change.removed["tags"])})
    found = read(ctx, record_id)
    if found is None:
        raise ResponseError(f"{what} was deleted while it was being updated")
    return found


def find(ctx: Context, identity: Mapping[str, Any]) -> SyncRecord | None:
    """The contact with this external id, else this email (HighLevel's duplicate search), or None."""
    field_id = external_id_field(ctx)
    if identity.get(EXTERNAL_ID_KEY):
        found = find_by_external_id(ctx, str(identity[EXTERNAL_ID_KEY]))
        if found is not None:
            return _record(found, field_id)
    if identity.get("email"):
        duplicate = find_duplicate(ctx, email=str(identity["email"]))
        if duplicate is not None:
            return _record(duplicate, field_id)
    return None


def delete(ctx: Context, record_id: str) -> bool:
    path = api_path("/contacts/{contact_id}", contact_id=record_id)
    return call(ctx, "DELETE", path, what=f"contact {record_id!r}") is not None


RECORD_TYPE = RecordType(
    key="contact",
    noun="Contact",
    label="Contacts",
    description="HighLevel contacts: names, email, phone, company, external id, and tags as a set.",
    fields=FIELDS,
    list_parts=(TAGS,),
    identity_keys=("email", EXTERNAL_ID_KEY),
    create_only=CREATE_ONLY,
    modified_resolution=0.001,
    list_changes=list_changes,
    read=read,
    create=create,
    update=update,
    find=find,
    delete=delete,
    scopes=("contacts.readonly", "contacts.write"),
    sample={"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace", "phone": "+15550100000",
            "company_name": "Analytical Engines", EXTERNAL_ID_KEY: "1234567", "tags": ["engineering"]},
)
