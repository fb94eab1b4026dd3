"""Delete task: remove a contact's task; a task that is already gone counts as done (safe to replay)."""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import delete_once
from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD, DELETE_OUTPUT_FIELDS
from connector.apps.contacts.task_fields import task_id_field, task_path
from connector.context import Context
from connector.definitions import Action, Field

INPUT_FIELDS: tuple[Field, ...] = (
    CONTACT_ID_FIELD,
    task_id_field(required=True),
)


def delete_task(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    task_id = values["task_id"]
    return delete_once(ctx, task_path(values["contact_id"], task_id), task_id, what=f"task {task_id!r}")


ACTION = Action(
    key="delete_task",
    noun="Task",
    label="Delete Task",
    description="Deletes a contact's task.",
    input_fields=INPUT_FIELDS,
    output_fields=DELETE_OUTPUT_FIELDS,
    sample={"id": "pHvRKqyO2Bv3uZbtYHJq", "outcome": "deleted"},
    perform=delete_task,
    semantics="delete",
    area="Tasks",
    scopes=("contacts.write",),
)
