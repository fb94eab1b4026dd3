"""Complete task: mark a contact's task completed (or open again) with ``PUT .../tasks/{id}/completed``."""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import require
from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD
from connector.apps.contacts.task_fields import TASK_OUTPUT_FIELDS, TASK_SAMPLE, task_id_field, task_output
from connector.context import Context
from connector.definitions import Action, Field
from connector.paths import api_path

INPUT_FIELDS: tuple[Field, ...] = (
    CONTACT_ID_FIELD,
    task_id_field(required=True),
    Field("completed", "Completed", type="boolean", default=True, help_text="No re-opens the task."),
)


def complete_task(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    task_id = values["task_id"]
    path = api_path(
        "/contacts/{contact_id}/tasks/{task_id}/completed", contact_id=values["contact_id"], task_id=task_id
    )
    body = {"completed": bool(values.get("completed", True))}
    return task_output(require(ctx, "PUT", path, what=f"task {task_id!r}", json=body).json()["task"])


ACTION = Action(
    key="complete_task",
    noun="Task",
    label="Complete Task",
    description="Marks a contact's task as completed (or re-opens it).",
    input_fields=INPUT_FIELDS,
    output_fields=TASK_OUTPUT_FIELDS,
    sample={**TASK_SAMPLE, "completed": True},
    perform=complete_task,
    semantics="update",
    idempotent=True,
    area="Tasks",
    scopes=("contacts.write",),
)
