"""Update contact: change the given fields of a contact; fields left empty keep their value.

``PUT /contacts/{id}`` merges custom fields by id, so setting the external id leaves other custom
fields alone. Tags given here replace the contact's tags (use Add Tags / Remove Tags to change a few).
HighLevel's update body has no ``companyName``, so this action has no company name input (set it on create).
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import external_id_field, output, require
from connector.apps.contacts.contact_fields import (
    CONTACT_ID_FIELD,
    CONTACT_OUTPUT_FIELDS,
    CONTACT_SAMPLE,
    EXTERNAL_ID_KEY,
    contact_body,
    contact_input_fields,
)
from connector.context import Context
from connector.definitions import Action, Field
from connector.errors import BadInput
from connector.paths import api_path

#: HighLevel's update body has no company name: it is set when the contact is created.
INPUT_FIELDS: tuple[Field, ...] = (
    CONTACT_ID_FIELD, *(field for field in contact_input_fields() if field.key != "company_name")
)


def update_contact(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    body = contact_body(values, external_field=external_id_field(ctx, create=bool(values.get(EXTERNAL_ID_KEY))),
                        for_update=True)
    if not body:
        raise BadInput("give at least one field to change (name, email, phone, ...)", "email")
    contact_id = values["contact_id"]
    path = api_path("/contacts/{contact_id}", contact_id=contact_id)
    response = require(ctx, "PUT", path, what=f"contact {contact_id!r}", json=body)
    return output(ctx, response.json()["contact"])


ACTION = Action(
    key="update_contact",
    important=True,
    noun="Contact",
    label="Update Contact",
    description="Updates the given fields of an existing contact.",
    input_fields=INPUT_FIELDS,
    output_fields=CONTACT_OUTPUT_FIELDS,
    sample=CONTACT_SAMPLE,
    perform=update_contact,
    semantics="update",
    area="Contacts",
    scopes=("contacts.write",),
)
