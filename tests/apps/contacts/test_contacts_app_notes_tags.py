"""Stories about notes, tags and appointments on a contact."""

from __future__ import annotations

from typing import Any

import pytest

from connector.errors import BadInput, ResponseError
from connector.testing import HookReceiver, OperationRunner
from sandboxes.contacts import ContactsSandbox


def test_a_note_is_added_and_read_back(run: OperationRunner, ada: dict[str, Any]) -> None:
    note = run.output("add_note", {"contact_id": ada["id"], "body": "Laptop shipped", "user_id": "usr_it"})
    assert (note["body"], note["userId"], note["contactId"]) == ("Laptop shipped", "usr_it", ada["id"])
    later = run.output("add_note", {"contact_id": ada["id"], "body": "Badge printed"})
    listed = run.output("contact_notes", {"contact_id": ada["id"]})
    assert {n["id"] for n in listed} == {note["id"], later["id"]}
    assert run.output("contact_notes", {"contact_id": ada["id"], "note_id": note["id"]})[0]["body"] == "Laptop shipped"
    assert run.output("contact_notes", {"contact_id": ada["id"], "note_id": "missing"}) == []


def test_a_note_on_a_missing_contact_fails_naming_the_contact(run: OperationRunner) -> None:
    with pytest.raises(ResponseError) as caught:
        run.output("add_note", {"contact_id": "gone", "body": "hello"})
    assert "contact 'gone' was not found" in caught.value.message


def test_tags_are_added_once_and_removed(run: OperationRunner, ada: dict[str, Any], sandbox: ContactsSandbox) -> None:
    assert run.output("add_tags", {"contact_id": ada["id"], "tags": ["VIP", "okta"]})["tags"] == ["vip", "okta"]
    assert run.output("add_tags", {"contact_id": ada["id"], "tags": ["vip"]})["tags"] == ["vip", "okta"]
    removed = run.output("remove_tags", {"contact_id": ada["id"], "tags": ["vip", "never-had"]})
    assert removed == {"id": ada["id"], "tags": ["okta"]}
    assert sandbox.state.contacts[ada["id"]]["tags"] == ["okta"]


def test_a_contacts_appointments_are_listed(
    run: OperationRunner, ada: dict[str, Any], sandbox: ContactsSandbox
) -> None:
    sandbox.add_appointment(ada["id"], title="Intro call", start=1_900_000_000.0)
    events = run.output("contact_appointments", {"contact_id": ada["id"]})
    assert [(e["title"], e["contactId"]) for e in events] == [("Intro call", ada["id"])]
    assert run.output("contact_appointments", {"contact_id": "missing"}) == []


def test_a_note_is_rewritten_and_deleted_and_a_second_delete_is_fine(
    run: OperationRunner, ada: dict[str, Any], hook_receiver: HookReceiver
) -> None:
    note = run.output("add_note", {"contact_id": ada["id"], "body": "Laptop shipped"})
    edited = run.output("update_note", {"contact_id": ada["id"], "note_id": note["id"], "body": "Laptop delivered"})
    assert (edited["id"], edited["body"]) == (note["id"], "Laptop delivered")
    assert [d.json()["body"] for d in hook_receiver.where(type="NoteUpdate")] == ["Laptop delivered"]
    gone = {"contact_id": ada["id"], "note_id": note["id"]}
    assert run.output("delete_note", gone)["outcome"] == "deleted"
    assert run.output("delete_note", gone)["outcome"] == "already_deleted"
    assert run.output("contact_notes", {"contact_id": ada["id"]}) == []
    with pytest.raises(ResponseError) as missing:
        run.output("update_note", {**gone, "body": "again"})
    assert f"note {note['id']!r} was not found" in missing.value.message
    with pytest.raises(BadInput):
        run.output("update_note", gone)
