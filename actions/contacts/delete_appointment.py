"""Delete appointment: remove an appointment from its calendar (``DELETE /calendars/events/{id}``).

An appointment that is already gone counts as done, so a replayed step does not fail. The document
requires a body on this DELETE (an empty object), so ``{}`` is sent.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.appointment_fields import APPOINTMENT_ID_FIELD, WRITE_SCOPE, calendars_call
from connector.apps.contacts.contact_fields import DELETE_OUTPUT_FIELDS
from connector.context import Context
from connector.definitions import Action
from connector.paths import api_path


def delete_appointment(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    appointment_id = values["appointment_id"]
    path = api_path("/calendars/events/{event_id}", event_id=appointment_id)
    response = calendars_call(ctx, "DELETE", path, what=f"appointment {appointment_id!r}", json={})
    return {"id": appointment_id, "outcome": "deleted" if response is not None else "already_deleted"}


ACTION = Action(
    key="delete_appointment",
    noun="Appointment",
    label="Delete Appointment",
    description="Deletes an appointment from its calendar.",
    input_fields=(APPOINTMENT_ID_FIELD,),
    output_fields=DELETE_OUTPUT_FIELDS,
    sample={"id": "ZtT5vE8nB1aQ3hJk0LmP", "outcome": "deleted"},
    perform=delete_appointment,
    semantics="delete",
    area="Appointments",
    scopes=(WRITE_SCOPE,),
)
