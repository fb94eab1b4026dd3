"""What a task or a note looks like to users, and the external-key marker kept in a task's body.

HighLevel tasks have no field for another system's id. To update "the task for Okta ticket 42" the
connector writes a marker as the last line of the task body::

    Review access for Ada
    [ext:okta-ticket-42]

and finds the task again by that line. The marker is plain text, so it stays visible (and editable)
in HighLevel; removing it by hand detaches the task from the key.
"""

from __future__ import annotations

import re
from typing import Any

from connector.definitions import DynamicChoices, Field
from connector.paths import api_path

_MARKER = re.compile(r"(?:\n|^)\[ext:([^\]\n]+)\]\s*$")


def task_path(contact_id: str, task_id: str | None = None) -> str:
    if task_id is None:
        return api_path("/contacts/{contact_id}/tasks", contact_id=contact_id)
    return api_path("/contacts/{contact_id}/tasks/{task_id}", contact_id=contact_id, task_id=task_id)


def task_id_field(*, required: bool, help_text: str = "") -> Field:
    """The task picker; its choices are the tasks of the contact chosen in ``contact_id``."""
    return Field(
        "task_id", "Task", required=required, dynamic=DynamicChoices("contact_tasks", "id", "title"),
        help_text=help_text or "The task's id (pick one of the contact's tasks, or map an id from an earlier step).",
    )


#: The note picker; its choices are the notes of the contact chosen in ``contact_id``.
NOTE_ID_FIELD = Field(
    "note_id", "Note", required=True, dynamic=DynamicChoices("contact_notes", "id", "body"),
    help_text="The note's id (pick one of the contact's notes, or map an id from an earlier step).",
)


def marker(key: str) -> str:
    return f"[ext:{key}]"


def external_key_of(body: str | None) -> str | None:
    """The external key in a task body's last line, or None."""
    found = _MARKER.search(body or "")
    return found.group(1) if found else None


def body_without_marker(body: str | None) -> str:
    return _MARKER.sub("", body or "")


def body_with_marker(text: str | None, key: str) -> str:
    """``text`` followed by the marker line for ``key`` (any older marker replaced)."""
    plain = body_without_marker(text).rstrip("\n")
    return f"{plain}\n{marker(key)}" if plain else marker(key)


def task_output(task: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A task as operations return it: the API's fields plus its external key, when it has one.

    HighLevel leaves empty fields out; they are given as None so mappings that use them render empty.
    """
    blanks = {field.key: None for field in TASK_OUTPUT_FIELDS if field.nullable}
    return {**blanks, **task, "external_key": external_key_of(task.get("body")), **extra}


def note_output(note: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A note as operations return it, with empty fields given as None (HighLevel leaves them out)."""
    return {**{field.key: None for field in NOTE_OUTPUT_FIELDS if field.nullable}, **note, **extra}


TASK_OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Task ID", required=True),
    Field("contactId", "Contact ID"),
    Field("title", "Title"),
    Field("body", "Body", type="text", nullable=True),
    Field("dueDate", "Due date", type="datetime"),
    Field("completed", "Completed", type="boolean"),
    Field("assignedTo", "Assigned to", nullable=True),
    Field("dateUpdated", "Date updated", type="datetime", nullable=True,
          help_text="When the task last changed; not every HighLevel account sends it."),
    Field("external_key", "External key", nullable=True),
)

TASK_SAMPLE: dict[str, Any] = {
    "id": "pHvRKqyO2Bv3uZbtYHJq",
    "contactId": "ocQHyuzHvysMo5N5VsXc",
    "title": "Review access for Ada",
    "body": "Okta ticket opened by IT\n[ext:okta-ticket-42]",
    "dueDate": "2026-02-01T17:00:00.000Z",
    "completed": False,
    "assignedTo": None,
    "dateUpdated": "2026-01-06T10:00:00.000Z",
    "external_key": "okta-ticket-42",
}

NOTE_OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Note ID", required=True),
    Field("contactId", "Contact ID"),
    Field("body", "Body", type="text"),
    Field("userId", "Written by (user ID)", nullable=True),
    Field("dateAdded", "Date added", type="datetime"),
)

NOTE_SAMPLE: dict[str, Any] = {
    "id": "Xw3nL0ZkFqT8cYdPaR2e",
    "contactId": "ocQHyuzHvysMo5N5VsXc",
    "body": "Onboarded from Okta; laptop shipped.",
    "userId": "usr_sandbox",
    "dateAdded": "2026-01-06T10:00:00.000Z",
}
