"""Create contact: add a person (name, email, phone) to the location, never twice.

Safe to replay. Before ``POST /contacts/`` the action looks for the person the way HighLevel's own
"no duplicate contacts" rule does: by external id (e.g. the Okta user id, kept in the location's custom
field "External ID", found with a ``POST /contacts/search`` filter on its id), then by email, then by
phone. HighLevel's bodies name custom fields by id, so the field's id is looked up in the location's
definitions and the field is created once when it is missing (scope ``locations/customFields.write``);
without that scope the action fails with a message naming the field. If one exists it is returned (with ``outcome:
"found"``, and its missing external id filled in) instead of a second contact or a "duplicated
contacts" error. A create that still collides (another run created it in between) is answered the
same way, from the contact id HighLevel names in its error.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import (
    external_id_field,
    find_by_external_id,
    find_duplicate,
    get_contact,
    location_id,
    post_contact,
)
from connector.apps.contacts.contact_fields import (
    CONTACT_OUTPUT_FIELDS,
    CONTACT_SAMPLE,
    EXTERNAL_ID_KEY,
    contact_body,
    contact_input_fields,
    contact_output,
    external_id_of,
)
from connector.context import Context
from connector.definitions import Action, Field
from connector.errors import BadInput
from connector.paths import api_path

INPUT_FIELDS: tuple[Field, ...] = contact_input_fields()


def _existing(ctx: Context, values: dict[str, Any]) -> dict[str, Any] | None:
    if values.get(EXTERNAL_ID_KEY):
        found = find_by_external_id(ctx, str(values[EXTERNAL_ID_KEY]))
        if found is not None:
            return found
    return find_duplicate(ctx, email=values.get("email"), phone=values.get("phone"))


def _found(ctx: Context, contact: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Return an existing contact, first giving it the external id when it has none."""
    wanted = values.get(EXTERNAL_ID_KEY)
    field_id = external_id_field(ctx, create=bool(wanted))
    if wanted and external_id_of(contact, field_id) is None:
        body = {"customFields": [{"id": field_id, "field_value": str(wanted)}]}
        path = api_path("/contacts/{contact_id}", contact_id=contact["id"])
        contact = ctx.http.put(path, json=body).json()["contact"]
    return contact_output(contact, external_field=field_id, outcome="found")


def create_contact(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    if not any(values.get(key) for key in ("email", "phone", "name", "first_name", "last_name")):
        raise BadInput("give at least an email, a phone or a name for the new contact", "email")
    existing = _existing(ctx, values)
    if existing is not None:
        return _found(ctx, existing, values)
    field_id = external_id_field(ctx, create=bool(values.get(EXTERNAL_ID_KEY)))
    body = {"locationId": location_id(ctx), **contact_body(values, external_field=field_id)}

    def duplicate_of(clash: str) -> dict[str, Any] | None:
        found = get_contact(ctx, clash)
        return None if found is None else _found(ctx, found, values)

    def made(contact: dict[str, Any]) -> dict[str, Any]:
        return contact_output(contact, external_field=field_id, outcome="created")

    return post_contact(ctx, body, made, duplicate_of)


ACTION = Action(
    key="create_contact",
    important=True,
    noun="Contact",
    label="Create Contact",
    description="Creates a contact (or returns the existing one with the same external id, email or phone) "
                "and keeps the external id, e.g. the Okta user id, on it.",
    input_fields=INPUT_FIELDS,
    output_fields=(
        *CONTACT_OUTPUT_FIELDS,
        Field("outcome", "Outcome", choices={"created": "Created", "found": "Found existing"},
              help_text="created: a new contact; found: an existing contact matched and was returned."),
    ),
    sample={**CONTACT_SAMPLE, "outcome": "created"},
    perform=create_contact,
    semantics="create",
    idempotent=True,
    area="Contacts",
    scopes=("contacts.readonly", "contacts.write", "locations/customFields.readonly",
            "locations/customFields.write"),
)
