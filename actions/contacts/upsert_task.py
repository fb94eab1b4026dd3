"""Upsert task: create a contact's task, or update it by task id or by an external key.

- With ``task_id``: read the task, merge the given fields, ``PUT`` it.
- With ``external_key``: find the contact's task whose body ends with the marker line
  ``[ext:<key>]`` (see :mod:`connector.apps.contacts.task_fields`) and update it; create it (with the
  marker) when there is none. A second run with the same key updates the same task in place.
- With neither: create. When the platform gives a step idempotency key, it becomes the marker
  (``run:<key>``), so a replayed step finds the task its first run made instead of adding another.

HighLevel's update needs ``title`` and ``dueDate`` even when only one field changes, so they are
always merged from the stored task.
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.api import require
from connector.apps.contacts.contact_fields import CONTACT_ID_FIELD
from connector.apps.contacts.task_fields import (
    TASK_OUTPUT_FIELDS,
    TASK_SAMPLE,
    body_with_marker,
    body_without_marker,
    external_key_of,
    task_id_field,
    task_output,
    task_path,
)
from connector.context import Context
from connector.definitions import Action, Field
from connector.errors import BadInput

INPUT_FIELDS: tuple[Field, ...] = (
    CONTACT_ID_FIELD,
    task_id_field(required=False,
                  help_text="Update this task. Leave empty to find the task by external key, or to create one."),
    Field("external_key", "External key", placeholder="okta-ticket-42",
          help_text="An id from the other system. The task is found by it (kept as the last line "
                    "[ext:<key>] of the body) and updated, or created with it."),
    Field("title", "Title", help_text="Required when a task is created."),
    Field("body", "Description", type="text"),
    Field("due_date", "Due date", type="datetime", help_text="Required when a task is created."),
    Field("completed", "Completed", type="boolean"),
    Field("assigned_to", "Assigned to (user ID)"),
)

_API_NAMES = {"title": "title", "due_date": "dueDate", "completed": "completed", "assigned_to": "assignedTo"}


def _changes(values: dict[str, Any]) -> dict[str, Any]:
    return {api: values[key] for key, api in _API_NAMES.items() if values.get(key) is not None}


def _find_by_key(ctx: Context, contact_id: str, key: str) -> dict[str, Any] | None:
    tasks = require(ctx, "GET", task_path(contact_id), what=f"contact {contact_id!r}").json().get("tasks") or []
    return next((task for task in tasks if external_key_of(task.get("body")) == key), None)


def _update(ctx: Context, task: dict[str, Any], values: dict[str, Any], key: str | None) -> dict[str, Any]:
    key = key or external_key_of(task.get("body"))
    merged = {"title": task["title"], "dueDate": task["dueDate"], **_changes(values)}
    if values.get("body") is not None or key:
        text = values["body"] if values.get("body") is not None else body_without_marker(task.get("body"))
        merged["body"] = body_with_marker(text, key) if key else text
    path = task_path(task["contactId"], task["id"])
    updated = require(ctx, "PUT", path, what=f"task {task['id']!r}", json=merged).json()["task"]
    return task_output(updated, outcome="updated")


def _create(ctx: Context, contact_id: str, values: dict[str, Any], key: str | None) -> dict[str, Any]:
    missing = [name for name in ("title", "due_date") if not values.get(name)]
    if missing:
        raise BadInput(f"is required to create a task (no task matched); give {' and '.join(missing)}", missing[0])
    payload = {"completed": False, **_changes(values)}
    text = values.get("body") or ""
    if key or text:
        payload["body"] = body_with_marker(text, key) if key else text
    created = require(ctx, "POST", task_path(contact_id), what=f"contact {contact_id!r}", json=payload)
    return task_output(created.json()["task"], outcome="created")


def upsert_task(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    contact_id = values["contact_id"]
    if values.get("task_id"):
        task_id = values["task_id"]
        task = require(ctx, "GET", task_path(contact_id, task_id), what=f"task {task_id!r}").json()["task"]
        return _update(ctx, task, values, values.get("external_key"))
    key = values.get("external_key")
    if not key and ctx.meta.idempotency_key:
        key = f"run:{ctx.meta.idempotency_key}"
    existing = _find_by_key(ctx, contact_id, key) if key else None
    if existing is not None:
        return _update(ctx, existing, values, key)
    return _create(ctx, contact_id, values, key)


ACTION = Action(
    key="upsert_task",
    important=True,
    noun="Task",
    label="Create or Update Task",
    description="Creates a task for a contact, or updates one found by task id or by an external key.",
    input_fields=INPUT_FIELDS,
    output_fields=(
        *TASK_OUTPUT_FIELDS,
        Field("outcome", "Outcome", choices={"created": "Created", "updated": "Updated"}),
    ),
    sample={**TASK_SAMPLE, "outcome": "created"},
    perform=upsert_task,
    semantics="upsert",
    idempotent=True,
    area="Tasks",
    scopes=("contacts.readonly", "contacts.write"),
)
