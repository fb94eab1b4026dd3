"""Add contact to workflow: start a HighLevel workflow for a contact
(``POST /contacts/{id}/workflow/{workflowId}``), optionally from a given moment (``eventStartTime``).

Enrolling a contact already in the workflow keeps one enrolment, so a replay is harmless; an unknown
workflow fails naming the workflow id.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD
from connector.apps.contacts.memberships import MEMBERSHIP_OUTPUT_FIELDS, WORKFLOW_ID_FIELD, change_membership
from connector.context import Context
from connector.definitions import Action, Field
from connector.paths import api_path

INPUT_FIELDS: tuple[Field, ...] = (
    CONTACT_ID_FIELD,
    WORKFLOW_ID_FIELD,
    Field("event_start_time", "Start from", type="datetime",
          help_text="The moment the workflow's timed steps count from (e.g. an appointment). Leave empty for now."),
)
OUTPUT_FIELDS: tuple[Field, ...] = (*MEMBERSHIP_OUTPUT_FIELDS, Field("workflow_id", "Workflow ID"))


def add_contact_to_workflow(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    contact_id, workflow_id = values["contact_id"], values["workflow_id"]
    body = {"eventStartTime": values["event_start_time"]} if values.get("event_start_time") else {}
    path = api_path("/contacts/{contact_id}/workflow/{workflow_id}", contact_id=contact_id, workflow_id=workflow_id)
    answer = change_membership(ctx, "POST", path, contact_id, other=("Workflow", workflow_id), json=body).json()
    return {"id": contact_id, "succeeded": bool(answer.get("succeded")), "workflow_id": workflow_id}


ACTION = Action(
    key="add_contact_to_workflow",
    noun="Workflow",
    label="Add Contact to Workflow",
    description="Enrols a contact in a workflow, optionally counting its timed steps from a given moment.",
    input_fields=INPUT_FIELDS,
    output_fields=OUTPUT_FIELDS,
    sample={"id": "ocQHyuzHvysMo5N5VsXc", "succeeded": True, "workflow_id": "wf_onboarding"},
    perform=add_contact_to_workflow,
    semantics="update",
    idempotent=True,
    area="Workflows",
    scopes=("contacts.write",),
)
