"""What a contact looks like to users: input fields, output fields, the sample, and the external id.

The external id (for example the Okta user id the contact was made from) is kept in the location's
Text custom field "External ID" (key ``contact.external_id``). HighLevel's bodies and answers name
custom fields by id, so operations look the field's id up in the location's definitions; a search
filter on that field finds a contact again, which makes search-then-create safe to replay.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connector.definitions import DynamicChoices, Field

EXTERNAL_ID_KEY = "external_id"
EXTERNAL_ID_FIELD_NAME = "External ID"
EXTERNAL_ID_FIELD_KEY = "contact.external_id"

#: The contact picker used by task, note and tag operations; fed by the ``list_contacts`` search.
CONTACT_ID_FIELD = Field(
    "contact_id", "Contact", required=True, dynamic=DynamicChoices("list_contacts", "id", "name"),
    help_text="The contact's id (pick one, or map an id from an earlier step).",
)

#: How many contacts a listing search returns.
LIMIT_FIELD = Field("limit", "Most contacts", type="integer", default=100, help_text="Up to 1,000.")

#: Input key -> HighLevel body key, for the plain text fields of a contact.
_TEXT_FIELDS: dict[str, str] = {
    "first_name": "firstName",
    "last_name": "lastName",
    "name": "name",
    "email": "email",
    "phone": "phone",
    "company_name": "companyName",
    "source": "source",
}
#: Fields HighLevel's update body does not have (sent only on create).
CREATE_ONLY_FIELDS = ("companyName",)


def contact_input_fields() -> tuple[Field, ...]:
    """The editable fields of a contact, shared by create and update (all optional here)."""
    return (
        Field("first_name", "First name"),
        Field("last_name", "Last name"),
        Field("name", "Full name", help_text="Used when first and last name are not given."),
        Field("email", "Email", type="email", placeholder="ada@example.com"),
        Field("phone", "Phone", placeholder="+15550100000", help_text="E.164 format works best."),
        Field("company_name", "Company name"),
        Field("source", "Source", help_text="Where the contact came from, e.g. Okta."),
        Field("tags", "Tags", type="list", item_type="string"),
        Field(EXTERNAL_ID_KEY, "External ID",
              help_text="An id from the other system (e.g. the Okta user id), kept in the custom field "
                        "external_id so the contact can be found again."),
    )


def contact_body(
    values: Mapping[str, Any], *, external_field: str | None = None, for_update: bool = False
) -> dict[str, Any]:
    """The HighLevel request body for the given input values (only the ones that were given).

    Args:
        external_field: the id of the location's External ID custom field; needed when the values
            hold an external id (HighLevel names custom fields by id).
        for_update: leave out what the update body does not have (``companyName``).
    """
    body: dict[str, Any] = {api: values[key] for key, api in _TEXT_FIELDS.items() if values.get(key) not in (None, "")}
    if for_update:
        for name in CREATE_ONLY_FIELDS:
            body.pop(name, None)
    if values.get("tags"):
        body["tags"] = list(values["tags"])
    if values.get(EXTERNAL_ID_KEY) and external_field:
        body["customFields"] = [{"id": external_field, "field_value": str(values[EXTERNAL_ID_KEY])}]
    return body


def external_id_of(contact: Mapping[str, Any], external_field: str | None) -> str | None:
    """The external id kept on a contact (the value of the field with id ``external_field``), or None."""
    if not external_field:
        return None
    for item in contact.get("customFields") or []:
        if isinstance(item, Mapping) and item.get("id") == external_field:
            value = item.get("value", item.get("field_value"))
            return None if value in (None, "") else str(value)
    return None


def contact_output(contact: Mapping[str, Any], *, external_field: str | None = None, **extra: Any) -> dict[str, Any]:
    """A contact as operations return it: the API's fields plus ``external_id`` at the top level.

    HighLevel leaves empty fields out of its answers; they are given here as None so a mapping that
    refers to them renders empty instead of failing.
    """
    blanks = {field.key: None for field in CONTACT_OUTPUT_FIELDS if field.nullable}
    return {**blanks, **contact, EXTERNAL_ID_KEY: external_id_of(contact, external_field), **extra}


CONTACT_OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Contact ID", required=True),
    Field("locationId", "Location ID"),
    Field("name", "Name", nullable=True),
    Field("firstName", "First name", nullable=True),
    Field("lastName", "Last name", nullable=True),
    Field("email", "Email", nullable=True),
    Field("phone", "Phone", nullable=True),
    Field("companyName", "Company name", nullable=True),
    Field("businessId", "Business ID", nullable=True),
    Field("source", "Source", nullable=True),
    Field("tags", "Tags", type="list", item_type="string"),
    Field("customFields", "Custom fields", type="list", item_type="dict"),
    Field("dnd", "Do not disturb", type="boolean"),
    Field("dateAdded", "Date added", type="datetime"),
    Field("dateUpdated", "Date updated", type="datetime"),
    Field(EXTERNAL_ID_KEY, "External ID", nullable=True),
)

CONTACT_SAMPLE: dict[str, Any] = {
    "id": "ocQHyuzHvysMo5N5VsXc",
    "locationId": "ve9EPM428h8vShlRW1KT",
    "name": "Ada Lovelace",
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada@example.com",
    "phone": "+15550100000",
    "companyName": "Analytical Engines",
    "businessId": None,
    "source": "okta",
    "tags": ["engineering"],
    "customFields": [{"id": "BcdmQEsNgz6AVpgLVUJ0", "value": "00u1abcdEFGHijkl2345"}],
    "dnd": False,
    "dateAdded": "2026-01-05T09:30:00.000Z",
    "dateUpdated": "2026-01-06T10:00:00.000Z",
    EXTERNAL_ID_KEY: "00u1abcdEFGHijkl2345",
}

#: What Delete Contact and Delete Task return: the id, and whether this call deleted it.
DELETE_OUTCOMES = {"deleted": "Deleted", "already_deleted": "Was already deleted"}
DELETE_OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "ID", required=True),
    Field("outcome", "Outcome", choices=DELETE_OUTCOMES),
)
