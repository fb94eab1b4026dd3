"""New or updated task: fires once for each new version of a contact's task.

Poll (``updated_task``): a task's version is its ``dateUpdated`` (HighLevel's task objects carry one
in practice, and the sandbox always sends it), so item ids are ``<task id>:<dateUpdated>``: a new
task and each later change fire once. For an API that sends no update time the version falls back to
a short hash of the fields a user can change (title, body, due date, completed, assignee); then a
change undone back to an earlier version is not fired again. Reads the chosen contact's tasks, or
every contact's, newest change first.

Instant (``updated_task_instant``): ``TaskCreate`` and ``TaskComplete`` webhooks (HighLevel sends no
TaskUpdate); item ids are ``<task id>:<timestamp>``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from connector.apps.contacts.task_fields import TASK_OUTPUT_FIELDS, TASK_SAMPLE, task_output
from connector.apps.contacts.trigger_support import WATCHED_CONTACT_FIELD, change_id, child_record_poll, instant_variant
from connector.definitions import Field, Trigger

_VERSIONED_FIELDS = ("title", "body", "dueDate", "completed", "assignedTo")


def task_version(task: dict[str, Any]) -> str:
    """The task's ``dateUpdated`` (or ``updatedAt``), else a stable 12-character hash of its changeable fields."""
    stamp = task.get("dateUpdated") or task.get("updatedAt")
    if stamp:
        return str(stamp)
    content = json.dumps({name: task.get(name) for name in _VERSIONED_FIELDS}, sort_keys=True, default=str)
    return hashlib.sha256(content.encode()).hexdigest()[:12]


def task_item(task: dict[str, Any]) -> dict[str, Any]:
    """One fired version of a task: id ``<task id>:<version>``, the task's own id in ``task_id``."""
    return task_output(task, id=change_id(task["id"], task_version(task)), task_id=task["id"])


updated_tasks, sample_tasks = child_record_poll("tasks", "dateUpdated", task_item)

OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Change ID", required=True, help_text="<task id>:<dateUpdated>, or <task id>:<content hash>"),
    *TASK_OUTPUT_FIELDS[1:],
    Field("task_id", "Task ID"),
)
SAMPLE: dict[str, Any] = {**TASK_SAMPLE, "id": change_id(TASK_SAMPLE["id"], TASK_SAMPLE["dateUpdated"]),
                          "task_id": TASK_SAMPLE["id"]}

TRIGGER = Trigger(
    key="updated_task",
    noun="Task",
    label="New or Updated Task",
    description="Triggers when a contact's task is created or changed.",
    input_fields=(WATCHED_CONTACT_FIELD,),
    output_fields=OUTPUT_FIELDS,
    sample=SAMPLE,
    perform=updated_tasks,
    list_samples=sample_tasks,
    area="Tasks",
    scopes=("contacts.readonly",),
)

HOOK_TRIGGER = instant_variant(
    TRIGGER,
    key="updated_task_instant",
    events=("TaskCreate", "TaskComplete"),
    # HighLevel's task events carry no completed flag: the event type says it.
    to_item=lambda payload: task_output(
        {"completed": payload.get("type") == "TaskComplete", **payload},
        id=change_id(payload["id"], payload["timestamp"]), task_id=payload["id"],
    ),
)
