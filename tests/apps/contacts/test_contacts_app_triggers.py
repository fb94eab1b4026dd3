"""Stories about polling: each new contact, change, task version and note fires exactly once.

The platform's dedupe is modelled by the ids the first poll returns: later polls must bring only
ids not seen before.
"""

from __future__ import annotations

import time
from typing import Any

from connector.apps.contacts.app import APP
from connector.context import Connection, Meta
from connector.runtime import Invocation, invoke
from connector.testing import OperationRunner
from sandboxes.contacts import ContactsSandbox
from triggers.contacts.updated_task import task_item

DUE = "2026-03-01T17:00:00Z"


class Poller:
    """Polls one trigger the way the platform does: keeps the cursor and the ids already fired."""

    def __init__(self, connection: Connection, key: str, values: dict[str, Any] | None = None) -> None:
        self.connection, self.key, self.values = connection, key, values or {}
        self.cursor: str | None = None
        self.seen: set[str] = set()

    def poll(self) -> list[dict[str, Any]]:
        result: Invocation = invoke(APP, self.key, self.connection, self.values, Meta(cursor=self.cursor))
        self.cursor = result.cursor
        fresh = [item for item in result.output if str(item["id"]) not in self.seen]
        self.seen |= {str(item["id"]) for item in result.output}
        return fresh


def test_each_new_contact_fires_once_and_an_idle_poll_costs_one_request(
    run: OperationRunner, connection: Connection, sandbox: ContactsSandbox
) -> None:
    sandbox.seed_contacts(250, seed=5)
    poller = Poller(connection, "new_contact")
    first = poller.poll()
    assert len(first) == 100  # the newest 100, newest first
    assert first[0]["dateAdded"] >= first[-1]["dateAdded"]
    assert poller.poll() == []
    one = run.output("create_contact", {"name": "Newcomer", "email": "new@example.com"})
    two = run.output("create_contact", {"name": "Second", "email": "second@example.com"})
    fired = poller.poll()
    assert [item["contact_id"] for item in fired] == [two["id"], one["id"]]
    assert poller.poll() == []
    traced = invoke(APP, "new_contact", connection, {}, Meta(cursor=poller.cursor), trace=True)
    assert len(traced.trace) == 1


def test_each_change_to_a_contact_fires_once(run: OperationRunner, connection: Connection, ada: dict[str, Any]) -> None:
    poller = Poller(connection, "updated_contact")
    assert poller.poll() == []  # a contact never changed since creation is not an update
    run.output("update_contact", {"contact_id": ada["id"], "source": "Engines Ltd"})
    fired = poller.poll()
    assert [item["contact_id"] for item in fired] == [ada["id"]]
    assert fired[0]["id"] == f"{ada['id']}:{fired[0]['dateUpdated']}"
    assert poller.poll() == []
    run.output("add_tags", {"contact_id": ada["id"], "tags": ["vip"]})
    again = poller.poll()
    assert len(again) == 1 and again[0]["tags"] == ["vip"] and again[0]["id"] != fired[0]["id"]


def test_each_task_version_fires_once(run: OperationRunner, connection: Connection, ada: dict[str, Any]) -> None:
    poller = Poller(connection, "updated_task")
    assert poller.poll() == []
    task = run.output("upsert_task", {"contact_id": ada["id"], "title": "Badge", "due_date": DUE})
    assert [item["task_id"] for item in poller.poll()] == [task["id"]]
    assert poller.poll() == []
    run.output("complete_task", {"contact_id": ada["id"], "task_id": task["id"]})
    changed = poller.poll()
    assert [(item["task_id"], item["completed"]) for item in changed] == [(task["id"], True)]
    watched = Poller(connection, "updated_task", {"contact_id": ada["id"]})
    assert [item["task_id"] for item in watched.poll()] == [task["id"]]


def test_a_task_version_is_named_by_its_date_updated_so_an_undone_change_still_fires(
    run: OperationRunner, connection: Connection, ada: dict[str, Any]
) -> None:
    poller = Poller(connection, "updated_task")
    task = run.output("upsert_task", {"contact_id": ada["id"], "title": "Badge", "due_date": DUE})
    created = poller.poll()
    assert [item["id"] for item in created] == [f"{task['id']}:{task['dateUpdated']}"]
    renamed = run.output("upsert_task", {"contact_id": ada["id"], "task_id": task["id"], "title": "Badge and laptop"})
    restored = run.output("upsert_task", {"contact_id": ada["id"], "task_id": task["id"], "title": "Badge"})
    fired = poller.poll()
    assert [item["id"] for item in fired] == [f"{task['id']}:{restored['dateUpdated']}"]
    assert renamed["dateUpdated"] < restored["dateUpdated"]
    assert poller.poll() == []


def test_the_task_poll_lists_the_newest_change_first(
    run: OperationRunner, connection: Connection, ada: dict[str, Any]
) -> None:
    older = run.output("upsert_task", {"contact_id": ada["id"], "title": "Badge", "due_date": DUE})
    newer = run.output("upsert_task", {"contact_id": ada["id"], "title": "Laptop", "due_date": DUE})
    run.output("complete_task", {"contact_id": ada["id"], "task_id": older["id"]})
    listed = invoke(APP, "updated_task", connection, {"contact_id": ada["id"]}).output
    assert [item["task_id"] for item in listed] == [older["id"], newer["id"]]


def test_without_date_updated_a_task_version_is_a_hash_of_what_a_user_can_change() -> None:
    task = {"id": "t1", "title": "Badge", "body": None, "dueDate": DUE, "completed": False, "assignedTo": None}
    first = task_item(task)
    task_id, version = first["id"].split(":")
    assert task_id == "t1" and len(version) == 12 and first["task_id"] == "t1"
    assert task_item(dict(task))["id"] == first["id"]
    assert task_item({**task, "completed": True})["id"] != first["id"]
    assert task_item({**task, "dateUpdated": "2026-01-06T10:00:00.000Z"})["id"] == "t1:2026-01-06T10:00:00.000Z"


def test_each_new_note_fires_once_newest_first(
    run: OperationRunner, connection: Connection, ada: dict[str, Any]
) -> None:
    other = run.output("create_contact", {"name": "Bob", "email": "bob@example.com"})
    poller = Poller(connection, "new_note")
    assert poller.poll() == []
    run.output("add_note", {"contact_id": ada["id"], "body": "first"})
    run.output("add_note", {"contact_id": other["id"], "body": "second"})
    fired = poller.poll()
    assert {item["body"] for item in fired} == {"first", "second"}
    assert all(item["id"] == item["note_id"] for item in fired)
    assert poller.poll() == []


def test_a_trial_returns_three_samples_and_leaves_no_cursor_behind(
    connection: Connection, sandbox: ContactsSandbox
) -> None:
    sandbox.seed_contacts(10, seed=2)
    trial = invoke(APP, "new_contact", connection, {}, Meta(trial=True))
    assert len(trial.output) == 3
    samples = invoke(APP, "new_contact_instant", connection, {}, Meta(trial=True), step="list_samples")
    assert [s["id"] for s in samples.output] == [s["id"] for s in trial.output]


def test_the_first_poll_of_a_quiet_location_finds_the_newest_contacts_without_reading_everything() -> None:
    offset = {"seconds": -10 * 86400.0}  # the contacts were added ten days ago
    box = ContactsSandbox(clock=lambda: time.time() + offset["seconds"])
    try:
        oldest_first = box.seed_contacts(250, seed=9)
        offset["seconds"] = 0.0
        fields = {"api_key": "contacts-sandbox-key", "location_id": "loc_sandbox"}
        connection = Connection(app="contacts", fields=fields, base_url=box.base_url, transport=box.transport())
        first = invoke(APP, "new_contact", connection, {}, Meta(first_poll=True), trace=True)
        assert [item["id"] for item in first.output] == oldest_first[::-1][:100]
        assert len(first.trace) <= 7  # three empty windows, then the month's 3 pages
        assert invoke(APP, "new_contact", connection, {}, Meta(cursor=first.cursor)).output == []
    finally:
        box.outbox.close()
