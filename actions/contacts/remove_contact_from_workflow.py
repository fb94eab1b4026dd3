"""Remove contact from workflow: ``DELETE /contacts/{id}/workflow/{workflowId}``.

A contact not in the workflow is fine, so a replay is harmless; an unknown workflow fails naming its id.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD
from connector.apps.contacts.memberships import MEMBERSHIP_OUTPUT_FIELDS, WORKFLOW_ID_FIELD, change_membership
from connector.context import Context
from connector.definitions import Action, Field
from connector.paths import api_path

OUTPUT_FIELDS: tuple[Field, ...] = (*MEMBERSHIP_OUTPUT_FIELDS, Field("workflow_id", "Workflow ID"))


def remove_contact_from_workflow(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    contact_id, workflow_id = values["contact_id"], values["workflow_id"]
    path = api_path("/contacts/{contact_id}/workflow/{workflow_id}", contact_id=contact_id, workflow_id=workflow_id)
    answer = change_membership(ctx, "DELETE", path, contact_id, other=("Workflow", workflow_id),
                               json={}).json()  # the document requires a body (eventStartTime optional)
    return {"id": contact_id, "succeeded": bool(answer.get("succeded")), "workflow_id": workflow_id}


ACTION = Action(
    key="remove_contact_from_workflow",
    noun="Workflow",
    label="Remove Contact from Workflow",
    description="Takes a contact out of a workflow.",
    input_fields=(CONTACT_ID_FIELD, WORKFLOW_ID_FIELD),
    output_fields=OUTPUT_FIELDS,
    sample={"id": "ocQHyuzHvysMo5N5VsXc", "succeeded": True, "workflow_id": "wf_onboarding"},
    perform=remove_contact_from_workflow,
    semantics="update",
    idempotent=True,
    area="Workflows",
    scopes=("contacts.write",),
)
