"""Task routes under a contact.

``POST`` needs ``title``, ``dueDate`` and ``completed``. ``PUT`` needs ``title`` and ``dueDate`` even
when only one field changes (HighLevel's update body requires them), so a client must read the task
and merge before it writes. ``PUT .../completed`` ``{completed}`` flips only the flag. HighLevel has no
TaskUpdate webhook: a change to ``completed: true`` (by either route) sends TaskComplete.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from emulator.sandbox.contacts.contacts import load_contact
from emulator.sandbox.contacts.errors import bad_request
from emulator.sandbox.contacts.state import ContactsState, Record
from emulator.sandbox.contacts.validation import check_body, json_object
from emulator.sandbox.contacts.webhooks import WebhookHub

TASK_RULES = {"title": "string", "body": "string", "dueDate": "date", "completed": "boolean", "assignedTo": "string"}


def tasks_blueprint(state: ContactsState, hub: WebhookHub) -> Blueprint:
    blueprint = Blueprint("contacts_tasks", __name__)

    def load_task(contact_id: str, task_id: str) -> Record:
        load_contact(state, contact_id)
        task = state.tasks.get(contact_id, {}).get(task_id)
        if task is None:
            raise bad_request("Task not found")
        return task

    def announce_completion(before: bool, task: Record, location_id: str) -> None:
        if task["completed"] and not before:
            hub.emit("TaskComplete", location_id, state.snapshot(task))

    @blueprint.get("/contacts/<contact_id>/tasks")
    def list_tasks(contact_id: str) -> Response:
        load_contact(state, contact_id)
        tasks = [state.snapshot(task) for task in state.tasks.get(contact_id, {}).values()]
        return jsonify(tasks=tasks)

    @blueprint.post("/contacts/<contact_id>/tasks")
    def create_task(contact_id: str) -> tuple[Response, int]:
        body = json_object()
        check_body(body, TASK_RULES, required=("title", "dueDate", "completed"))
        with state.lock:
            contact = load_contact(state, contact_id)
            task: Record = {"id": state.ids.new_id(), "contactId": contact_id, "body": None, "assignedTo": None, **body}
            state.tasks.setdefault(contact_id, {})[task["id"]] = task
            snapshot = state.snapshot(task)
        hub.emit("TaskCreate", contact["locationId"], snapshot)
        return jsonify(task=snapshot), 201

    @blueprint.get("/contacts/<contact_id>/tasks/<task_id>")
    def get_task(contact_id: str, task_id: str) -> Response:
        return jsonify(task=state.snapshot(load_task(contact_id, task_id)))

    @blueprint.put("/contacts/<contact_id>/tasks/<task_id>")
    def update_task(contact_id: str, task_id: str) -> Response:
        body = json_object()
        check_body(body, TASK_RULES, required=("title", "dueDate"))
        with state.lock:
            task = load_task(contact_id, task_id)
            before = bool(task["completed"])
            task.update(body)
            snapshot = state.snapshot(task)
        announce_completion(before, snapshot, state.contacts[contact_id]["locationId"])
        return jsonify(task=snapshot)

    @blueprint.put("/contacts/<contact_id>/tasks/<task_id>/completed")
    def complete_task(contact_id: str, task_id: str) -> Response:
        body = json_object()
        check_body(body, {"completed": "boolean"}, required=("completed",))
        with state.lock:
            task = load_task(contact_id, task_id)
            before = bool(task["completed"])
            task["completed"] = body["completed"]
            snapshot = state.snapshot(task)
        announce_completion(before, snapshot, state.contacts[contact_id]["locationId"])
        return jsonify(task=snapshot)

    @blueprint.delete("/contacts/<contact_id>/tasks/<task_id>")
    def delete_task(contact_id: str, task_id: str) -> Response:
        with state.lock:
            task = load_task(contact_id, task_id)
            del state.tasks[contact_id][task_id]
        hub.emit("TaskDelete", state.contacts[contact_id]["locationId"], state.snapshot(task))
        return jsonify(succeded=True)

    return blueprint
