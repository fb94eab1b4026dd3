"""A contact's tasks: all of them (``GET /contacts/{id}/tasks``), or one by id (``.../tasks/{taskId}``).

Also feeds the task pickers of Complete Task, Delete Task and Create or Update Task.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import contact_records
from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD
from connector.apps.contacts.task_fields import TASK_OUTPUT_FIELDS, TASK_SAMPLE, task_output
from connector.context import Context
from connector.definitions import Field, Search

INPUT_FIELDS: tuple[Field, ...] = (
    CONTACT_ID_FIELD,
    Field("task_id", "Task ID", help_text="Only this task. Leave empty for all of the contact's tasks."),
    Field("completed", "Completed", type="boolean", help_text="Only completed (yes) or open (no) tasks."),
)


def contact_tasks(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    tasks = contact_records(ctx, values["contact_id"], "tasks", values.get("task_id"))
    if values.get("completed") is not None:
        tasks = [task for task in tasks if bool(task.get("completed")) == values["completed"]]
    return [task_output(task) for task in tasks]


SEARCH = Search(
    key="contact_tasks",
    noun="Task",
    label="Find Contact's Tasks",
    description="Lists a contact's tasks, or gets one task by id.",
    input_fields=INPUT_FIELDS,
    output_fields=TASK_OUTPUT_FIELDS,
    sample=TASK_SAMPLE,
    perform=contact_tasks,
    area="Tasks",
    scopes=("contacts.readonly",),
)
