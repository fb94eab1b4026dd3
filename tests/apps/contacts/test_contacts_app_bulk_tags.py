"""Stories about tagging many contacts at once, and what happens to the ones that cannot be tagged."""

from __future__ import annotations

from typing import Any

import pytest

from connector.conformance import CountingTransport
from connector.errors import BadInput
from connector.testing import HookReceiver, OperationRunner
from sandboxes.contacts import ContactsSandbox


def test_tags_go_on_many_contacts_at_once_and_an_unknown_one_is_reported(
    run: OperationRunner, ada: dict[str, Any], sandbox: ContactsSandbox, hook_receiver: HookReceiver
) -> None:
    grace = run.output("create_contact", {"name": "Grace Hopper", "email": "grace@example.com", "tags": ["navy"]})
    out = run.output("add_tags_to_contacts", {"contact_ids": [ada["id"], grace["id"], "gone"], "tags": ["VIP"]})
    assert (out["changed"], out["failed"]) == (2, 1)
    assert [(r["contactId"], r["type"], r["tagsAdded"]) for r in out["results"]] == [
        (ada["id"], "success", ["vip"]), (grace["id"], "success", ["vip"]), ("gone", "error", [])]
    assert out["results"][2]["message"] == "contact not found"
    assert sandbox.state.contacts[grace["id"]]["tags"] == ["navy", "vip"]
    assert {d.json()["id"] for d in hook_receiver.where(type="ContactTagUpdate")} == {ada["id"], grace["id"]}
    replay = run.output("add_tags_to_contacts", {"contact_ids": [ada["id"], grace["id"]], "tags": ["vip"]})
    assert [r["tagsAdded"] for r in replay["results"]] == [[], []]


def test_tags_or_every_tag_come_off_many_contacts(run: OperationRunner, ada: dict[str, Any],
                                                   sandbox: ContactsSandbox) -> None:
    grace = run.output("create_contact", {"name": "Grace Hopper", "email": "grace@example.com",
                                          "tags": ["navy", "vip"]})
    run.output("add_tags", {"contact_id": ada["id"], "tags": ["vip", "okta"]})
    out = run.output("remove_tags_from_contacts", {"contact_ids": [ada["id"], grace["id"]], "tags": ["vip"]})
    assert [r["tagsRemoved"] for r in out["results"]] == [["vip"], ["vip"]]
    assert sandbox.state.contacts[grace["id"]]["tags"] == ["navy"]
    run.output("remove_tags_from_contacts", {"contact_ids": [ada["id"], grace["id"]], "remove_all": True})
    assert sandbox.state.contacts[ada["id"]]["tags"] == [] and sandbox.state.contacts[grace["id"]]["tags"] == []
    with pytest.raises(BadInput) as nothing:
        run.output("remove_tags_from_contacts", {"contact_ids": [ada["id"]]})
    assert nothing.value.field == "tags"


def test_more_than_a_hundred_contacts_are_sent_a_hundred_at_a_time(
    run: OperationRunner, sandbox: ContactsSandbox, request_counter: CountingTransport
) -> None:
    ids = sandbox.seed_contacts(150)
    request_counter.requests.clear()
    out = run.output("add_tags_to_contacts", {"contact_ids": ids, "tags": ["imported"]})
    assert (out["changed"], out["failed"]) == (150, 0)
    assert request_counter.requests == ["POST /contacts/bulk/tags/update/add"] * 2
    assert all("imported" in sandbox.state.contacts[i]["tags"] for i in ids)
