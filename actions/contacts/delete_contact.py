"""Delete contact: remove a contact with its tasks, notes and appointments.

Deleting a contact that is already gone counts as done (``outcome: "already_deleted"``): a retried or
replayed step whose first try succeeded must not fail.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import delete_once
from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD, DELETE_OUTPUT_FIELDS
from connector.context import Context
from connector.definitions import Action
from connector.paths import api_path


def delete_contact(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    contact_id = values["contact_id"]
    path = api_path("/contacts/{contact_id}", contact_id=contact_id)
    return delete_once(ctx, path, contact_id, what=f"contact {contact_id!r}")


ACTION = Action(
    key="delete_contact",
    noun="Contact",
    label="Delete Contact",
    description="Deletes a contact with its tasks, notes and appointments.",
    input_fields=(CONTACT_ID_FIELD,),
    output_fields=DELETE_OUTPUT_FIELDS,
    sample={"id": "ocQHyuzHvysMo5N5VsXc", "outcome": "deleted"},
    perform=delete_contact,
    semantics="delete",
    area="Contacts",
    scopes=("contacts.write",),
)
