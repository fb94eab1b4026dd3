"""Update contact: change the given fields of a contact; fields left empty keep their value.

``PUT /contacts/{id}`` merges custom fields by id, so setting the external id leaves other custom
fields alone. Tags given here replace the contact's tags (use Add Tags / Remove Tags to change a few).
"""

from __future__ import annotations

from typing import Any

from actions.contacts.contact_fields import (
    CONTACT_ID_FIELD,
    CONTACT_OUTPUT_FIELDS,
    CONTACT_SAMPLE,
    contact_body,
    contact_input_fields,
    contact_output,
)
from actions.contacts.contacts_api import require
from connector.context import Context
from connector.definitions import Action, Field
from connector.errors import BadInput
from connector.paths import api_path

INPUT_FIELDS: tuple[Field, ...] = (CONTACT_ID_FIELD, *contact_input_fields())


def update_contact(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    body = contact_body(values)
    if not body:
        raise BadInput("give at least one field to change (name, email, phone, ...)", "email")
    contact_id = values["contact_id"]
    path = api_path("/contacts/{contact_id}", contact_id=contact_id)
    response = require(ctx, "PUT", path, what=f"contact {contact_id!r}", json=body)
    return contact_output(response.json()["contact"])


ACTION = Action(
    key="update_contact",
    noun="Contact",
    label="Update Contact",
    description="Updates the given fields of an existing contact.",
    input_fields=INPUT_FIELDS,
    output_fields=CONTACT_OUTPUT_FIELDS,
    sample=CONTACT_SAMPLE,
    perform=update_contact,
    semantics="update",
    scopes=("contacts.write",),
)
