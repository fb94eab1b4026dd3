"""Create or update contact: HighLevel's own upsert (``POST /contacts/upsert``).

HighLevel matches the person on email and phone by the location's duplicate setting, updates the one
it finds or creates a new one, and says which in ``new``. Unlike Create Contact, an existing contact's
fields are overwritten with the given ones: the step for "keep this person's details current". A replay
sends the same fields again and changes nothing more, so it is safe to repeat.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import external_id_field, location_id
from connector.apps.contacts.contact_fields import (
    CONTACT_OUTPUT_FIELDS,
    CONTACT_SAMPLE,
    EXTERNAL_ID_KEY,
    contact_body,
    contact_input_fields,
    contact_output,
)
from connector.context import Context
from connector.definitions import Action, Field
from connector.errors import BadInput

INPUT_FIELDS: tuple[Field, ...] = contact_input_fields()
OUTCOMES = {"created": "Created", "updated": "Updated existing"}


def upsert_contact(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    if not values.get("email") and not values.get("phone"):
        raise BadInput("give an email or a phone: HighLevel finds the contact to update by them", "email")
    field_id = external_id_field(ctx, create=bool(values.get(EXTERNAL_ID_KEY)))
    body = {"locationId": location_id(ctx), **contact_body(values, external_field=field_id)}
    answer = ctx.http.post("/contacts/upsert", json=body).json()
    outcome = "created" if answer.get("new") else "updated"
    return contact_output(answer["contact"], external_field=field_id, outcome=outcome)


ACTION = Action(
    key="upsert_contact",
    noun="Contact",
    label="Create or Update Contact",
    description="Updates the contact with the same email or phone with the given details, or creates one "
                "when there is none.",
    input_fields=INPUT_FIELDS,
    output_fields=(
        *CONTACT_OUTPUT_FIELDS,
        Field("outcome", "Outcome", choices=OUTCOMES,
              help_text="created: no contact matched, a new one was made; updated: the match was updated."),
    ),
    sample={**CONTACT_SAMPLE, "outcome": "updated"},
    perform=upsert_contact,
    semantics="upsert",
    idempotent=True,
    area="Contacts",
    scopes=("contacts.write", "locations/customFields.readonly", "locations/customFields.write"),
)
