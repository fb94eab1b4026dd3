"""Stories about tasks: mirroring an Okta task by external key, completing and deleting tasks."""

from __future__ import annotations

from typing import Any

import pytest

from connector.context import Meta
from connector.errors import BadInput
from connector.testing import OperationRunner
from sandboxes.contacts import ContactsSandbox

DUE = "2026-03-01T17:00:00Z"


def test_upserting_a_task_twice_with_the_same_external_key_updates_one_task_in_place(
    run: OperationRunner, ada: dict[str, Any], sandbox: ContactsSandbox
) -> None:
    first = run.output("upsert_task", {"contact_id": ada["id"], "external_key": "okta-42", "title": "Review access",
                                       "body": "Opened in Okta", "due_date": DUE})
    second = run.output("upsert_task", {"contact_id": ada["id"], "external_key": "okta-42", "body": "Approved",
                                        "completed": True})
    assert (first["outcome"], second["outcome"]) == ("created", "updated")
    assert second["id"] == first["id"]
    tasks = list(sandbox.state.tasks[ada["id"]].values())
    assert len(tasks) == 1
    assert tasks[0]["title"] == "Review access"  # merged from the stored task: the API requires it
    assert tasks[0]["body"] == "Approved\n[ext:okta-42]"
    assert tasks[0]["completed"] is True
    assert second["external_key"] == "okta-42"


def test_a_task_is_updated_by_its_id_keeping_title_and_due_date(run: OperationRunner, ada: dict[str, Any]) -> None:
    task = run.output("upsert_task", {"contact_id": ada["id"], "title": "Ship laptop", "due_date": DUE})
    updated = run.output("upsert_task", {"contact_id": ada["id"], "task_id": task["id"], "assigned_to": "usr_it"})
    assert updated["id"] == task["id"] and updated["outcome"] == "updated"
    assert (updated["title"], updated["assignedTo"]) == ("Ship laptop", "usr_it")
    assert updated["dueDate"].startswith("2026-03-01T17:00:00")


def test_creating_a_task_without_title_or_due_date_names_the_missing_field(
    run: OperationRunner, ada: dict[str, Any]
) -> None:
    with pytest.raises(BadInput) as caught:
        run.output("upsert_task", {"contact_id": ada["id"], "external_key": "new", "title": "No date"})
    assert caught.value.field == "due_date"
    assert "give due_date" in caught.value.message


def test_a_replayed_upsert_without_a_key_reuses_the_run_key(
    run: OperationRunner, ada: dict[str, Any], sandbox: ContactsSandbox
) -> None:
    values = {"contact_id": ada["id"], "title": "Welcome call", "due_date": DUE}
    meta = Meta(idempotency_key="run-7:step-2")
    first = run.output("upsert_task", dict(values), meta)
    second = run.output("upsert_task", dict(values), meta)
    assert first["id"] == second["id"]
    assert len(sandbox.state.tasks[ada["id"]]) == 1


def test_completing_and_deleting_a_task(run: OperationRunner, ada: dict[str, Any], sandbox: ContactsSandbox) -> None:
    task = run.output("upsert_task", {"contact_id": ada["id"], "title": "Badge", "due_date": DUE})
    done = run.output("complete_task", {"contact_id": ada["id"], "task_id": task["id"]})
    assert done["completed"] is True
    reopened = run.output("complete_task", {"contact_id": ada["id"], "task_id": task["id"], "completed": False})
    assert reopened["completed"] is False
    assert run.output("delete_task", {"contact_id": ada["id"], "task_id": task["id"]})["outcome"] == "deleted"
    assert sandbox.state.tasks[ada["id"]] == {}
    assert run.output("delete_task", {"contact_id": ada["id"], "task_id": task["id"]})["outcome"] == "already_deleted"


def test_a_contacts_tasks_are_listed_filtered_and_fetched_one_by_one(run: OperationRunner, ada: dict[str, Any]) -> None:
    open_task = run.output("upsert_task", {"contact_id": ada["id"], "title": "Open", "due_date": DUE})
    closed = run.output("upsert_task", {"contact_id": ada["id"], "title": "Closed", "due_date": DUE, "completed": True})
    assert {t["id"] for t in run.output("contact_tasks", {"contact_id": ada["id"]})} == {open_task["id"], closed["id"]}
    assert [t["id"] for t in run.output("contact_tasks", {"contact_id": ada["id"],
                                                          "completed": False})] == [open_task["id"]]
    single = run.output("contact_tasks", {"contact_id": ada["id"], "task_id": closed["id"]})
    assert [t["title"] for t in single] == ["Closed"]
    assert run.output("contact_tasks", {"contact_id": ada["id"], "task_id": "missing"}) == []
