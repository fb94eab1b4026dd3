"""New or updated task: fires once for each new version of a contact's task.

Poll (``updated_task``): HighLevel tasks carry no update time, so a task's version is its
``dateUpdated`` when the API sends one, else a short hash of the fields a user can change (title,
body, due date, completed, assignee). Item ids are ``<task id>:<version>``: a new task and each later
change fire once (a change undone back to an earlier version is not fired again). Reads the chosen
contact's tasks, or every contact's.

Instant (``updated_task_instant``): ``TaskCreate`` and ``TaskComplete`` webhooks (HighLevel sends no
TaskUpdate); item ids are ``<task id>:<timestamp>``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from actions.contacts.task_fields import TASK_OUTPUT_FIELDS, TASK_SAMPLE, task_output
from connector.context import Context
from connector.definitions import Field, Trigger
from triggers.contacts._shared import (
    SAMPLE_CONTACTS,
    WATCHED_CONTACT_FIELD,
    change_id,
    children_of,
    instant_variant,
    watched_contacts,
)

_VERSIONED_FIELDS = ("title", "body", "dueDate", "completed", "assignedTo")


def task_version(task: dict[str, Any]) -> str:
    """The task's update time, or a stable 12-character fingerprint of its changeable fields."""
    stamp = task.get("dateUpdated") or task.get("updatedAt")
    if stamp:
        return str(stamp)
    content = json.dumps({name: task.get(name) for name in _VERSIONED_FIELDS}, sort_keys=True, default=str)
    return hashlib.sha256(content.encode()).hexdigest()[:12]


def _item(task: dict[str, Any]) -> dict[str, Any]:
    return task_output(task, id=change_id(task["id"], task_version(task)), task_id=task["id"])


def updated_tasks(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    tasks = children_of(ctx, watched_contacts(ctx, values), "tasks")
    return [_item(task) for task in tasks]


def sample_tasks(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    """Samples from the newest few contacts only, so a trial stays cheap in a big location."""
    return [_item(task) for task in children_of(ctx, watched_contacts(ctx, values, SAMPLE_CONTACTS), "tasks")]


OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Change ID", required=True, help_text="<task id>:<version>"),
    *TASK_OUTPUT_FIELDS[1:],
    Field("task_id", "Task ID"),
)
SAMPLE: dict[str, Any] = {
    **TASK_SAMPLE, "id": change_id(TASK_SAMPLE["id"], "5f0c2a9d41be"), "task_id": TASK_SAMPLE["id"],
}

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
    scopes=("contacts.readonly",),
)

HOOK_TRIGGER = instant_variant(
    TRIGGER,
    key="updated_task_instant",
    events=("TaskCreate", "TaskComplete"),
    to_item=lambda payload: task_output(
        payload, id=change_id(payload["id"], payload["timestamp"]), task_id=payload["id"]
    ),
)
