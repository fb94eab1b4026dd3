"""Task routes under a contact.

``POST`` needs ``title``, ``dueDate`` and ``completed``. ``PUT`` needs ``title`` and ``dueDate`` even
when only one field changes (HighLevel's update body requires them), so a client must read the task
and merge before it writes. ``PUT .../completed`` ``{completed}`` flips only the flag. HighLevel has no
TaskUpdate webhook: a change to ``completed: true`` (by either route) sends TaskComplete.

Every task carries ``dateUpdated`` (ISO 8601), set on create and moved forward by every update or
completion, so a poller can tell one version of a task from the next. Listing, reading and deleting
work as for notes (:mod:`sandboxes.contacts.contact_children`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from sandboxes.contacts.contact_children import ContactChildren
from sandboxes.contacts.state import ContactsState
from sandboxes.contacts.validation import check_body, json_object
from sandboxes.contacts.webhooks import WebhookHub

TASK_RULES = {"title": "string", "body": "string", "dueDate": "date", "completed": "boolean", "assignedTo": "string"}


def tasks_blueprint(state: ContactsState, hub: WebhookHub) -> Blueprint:
    blueprint = Blueprint("contacts_tasks", __name__)
    tasks = ContactChildren(state, hub, noun="Task", plural="tasks")
    tasks.add_read_and_delete_routes(blueprint)

    def change(contact_id: str, task_id: str, changes: dict[str, Any]) -> Response:
        """Apply ``changes`` with a new ``dateUpdated``; TaskComplete when the task just became completed."""
        with state.lock:
            task = tasks.load(contact_id, task_id)
            before = bool(task["completed"])
            task.update(changes)
            task["dateUpdated"] = state.update_time(task.get("dateUpdated"))
            snapshot = state.snapshot(task)
        if snapshot["completed"] and not before:
            hub.emit("TaskComplete", tasks.location_of(contact_id), state.snapshot(snapshot))
        return jsonify(task=snapshot)

    @blueprint.post("/contacts/<contact_id>/tasks")
    def create_task(contact_id: str) -> tuple[Response, int]:
        body = json_object()
        check_body(body, TASK_RULES, required=("title", "dueDate", "completed"))
        return tasks.add(contact_id, {"body": None, "assignedTo": None, **body, "dateUpdated": state.now_iso()})

    @blueprint.put("/contacts/<contact_id>/tasks/<task_id>")
    def update_task(contact_id: str, task_id: str) -> Response:
        body = json_object()
        check_body(body, TASK_RULES, required=("title", "dueDate"))
        return change(contact_id, task_id, body)

    @blueprint.put("/contacts/<contact_id>/tasks/<task_id>/completed")
    def complete_task(contact_id: str, task_id: str) -> Response:
        body = json_object()
        check_body(body, {"completed": "boolean"}, required=("completed",))
        return change(contact_id, task_id, {"completed": body["completed"]})

    return blueprint
