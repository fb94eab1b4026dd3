"""Stories about instant triggers: subscribe, receive signed webhooks, reject forgeries, unsubscribe."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from contacts_app_doubles import HookReceiver

from connector.apps.contacts import APP
from connector.context import Connection, HookRequest, Meta
from connector.definitions import Trigger
from connector.runtime import invoke
from emulator.sandbox.contacts import ContactsSandbox

Run = Callable[..., Any]
TARGET = "https://platform.test/hooks/flow-1"
DUE = "2026-03-01T17:00:00Z"


def subscribe(connection: Connection, key: str) -> dict[str, Any]:
    return invoke(APP, key, connection, {}, Meta(target_url=TARGET, flow_id="flow-1"), step="subscribe").output


def accept(
    key: str, delivery: HookRequest, subscription: dict[str, Any], connection: Connection
) -> list[dict[str, Any]]:
    """What the platform does with a delivery: authenticate it, then parse it into items."""
    trigger = APP.operation(key)
    assert isinstance(trigger, Trigger) and trigger.authenticate is not None
    assert trigger.authenticate(delivery, subscription), "a genuine delivery must be accepted"
    meta = Meta(subscription=subscription)
    return invoke(APP, key, connection, {}, meta, step="parse_delivery", hook_request=delivery).output


def test_a_new_contact_arrives_through_a_signed_webhook(
    run: Run, connection: Connection, sandbox: ContactsSandbox, receiver: HookReceiver
) -> None:
    subscription = subscribe(connection, "new_contact_instant")
    assert subscription["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    hooks = list(sandbox.state.webhooks.values())
    assert [(h["url"], h["events"]) for h in hooks] == [(TARGET, ["ContactCreate"])]
    created = run("create_contact", {"name": "Hook Person", "email": "hook@example.com", "external_id": "00uHOOK"})
    [delivery] = receiver.of_type("ContactCreate")
    [item] = accept("new_contact_instant", delivery, subscription, connection)
    assert item["id"] == delivery.json()["webhookId"]
    assert (item["contact_id"], item["email"], item["external_id"]) == (created["id"], "hook@example.com", "00uHOOK")


def test_a_tampered_or_unsigned_delivery_is_rejected(
    run: Run, connection: Connection, receiver: HookReceiver
) -> None:
    subscription = subscribe(connection, "new_contact_instant")
    run("create_contact", {"name": "Real", "email": "real@example.com"})
    [genuine] = receiver.of_type("ContactCreate")
    trigger = APP.operation("new_contact_instant")
    assert isinstance(trigger, Trigger) and trigger.authenticate is not None
    tampered = replace(genuine, body=genuine.body.replace(b"real@example.com", b"evil@example.com"))
    unsigned = replace(genuine, headers={k: v for k, v in genuine.headers.items() if k != "x-wh-signature"})
    assert trigger.authenticate(genuine, subscription)
    assert not trigger.authenticate(tampered, subscription)
    assert not trigger.authenticate(unsigned, subscription)
    assert not trigger.authenticate(genuine, {**subscription, "public_key_pem": ""})


def test_a_delivery_older_than_five_minutes_is_rejected_even_when_signed(
    connection: Connection, sandbox: ContactsSandbox
) -> None:
    subscription = subscribe(connection, "new_note_instant")
    stale = (datetime.now(UTC) - timedelta(minutes=6)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    body = json.dumps({"type": "NoteCreate", "id": "n1", "body": "x", "timestamp": stale, "webhookId": "w1"}).encode()
    old = HookRequest("POST", {"x-wh-signature": sandbox.signer.sign(body)}, body)
    trigger = APP.operation("new_note_instant")
    assert isinstance(trigger, Trigger) and trigger.authenticate is not None
    assert not trigger.authenticate(old, subscription)
    fresh_body = body.replace(stale.encode(), datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z").encode())
    fresh = HookRequest("POST", {"x-wh-signature": sandbox.signer.sign(fresh_body)}, fresh_body)
    assert trigger.authenticate(fresh, subscription)


def test_each_contact_change_arrives_once_with_a_change_id(
    run: Run, connection: Connection, receiver: HookReceiver, ada: dict[str, Any]
) -> None:
    subscription = subscribe(connection, "updated_contact_instant")
    run("update_contact", {"contact_id": ada["id"], "company_name": "Engines"})
    run("add_tags", {"contact_id": ada["id"], "tags": ["vip"]})
    items = [i for d in receiver.deliveries for i in accept("updated_contact_instant", d, subscription, connection)]
    assert [i["type"] for i in items] == ["ContactUpdate", "ContactTagUpdate"]
    stamps = [d.json()["timestamp"] for d in receiver.deliveries]
    assert [i["id"] for i in items] == [f"{ada['id']}:{stamp}" for stamp in stamps]
    assert {i["contact_id"] for i in items} == {ada["id"]}


def test_task_and_note_webhooks_become_items(
    run: Run, connection: Connection, receiver: HookReceiver, ada: dict[str, Any]
) -> None:
    tasks = subscribe(connection, "updated_task_instant")
    notes = subscribe(connection, "new_note_instant")
    task = run("upsert_task", {"contact_id": ada["id"], "title": "Badge", "due_date": DUE})
    run("complete_task", {"contact_id": ada["id"], "task_id": task["id"]})
    note = run("add_note", {"contact_id": ada["id"], "body": "hello"})
    task_items = [i for t in ("TaskCreate", "TaskComplete") for d in receiver.of_type(t)
                  for i in accept("updated_task_instant", d, tasks, connection)]
    assert [(i["task_id"], i["completed"]) for i in task_items] == [(task["id"], False), (task["id"], True)]
    assert len({i["id"] for i in task_items}) == 2
    [note_item] = accept("new_note_instant", receiver.of_type("NoteCreate")[0], notes, connection)
    assert (note_item["note_id"], note_item["body"]) == (note["id"], "hello")


def test_unsubscribing_leaves_no_webhook_and_no_more_deliveries(
    run: Run, connection: Connection, sandbox: ContactsSandbox, receiver: HookReceiver
) -> None:
    subscription = subscribe(connection, "new_contact_instant")
    invoke(APP, "new_contact_instant", connection, {}, Meta(subscription=subscription), step="unsubscribe")
    assert sandbox.state.webhooks == {}
    run("create_contact", {"name": "After", "email": "after@example.com"})
    assert receiver.deliveries == []
    # turning off twice (a retried unsubscribe) is harmless
    invoke(APP, "new_contact_instant", connection, {}, Meta(subscription=subscription), step="unsubscribe")


def test_an_event_the_trigger_did_not_ask_for_yields_nothing(
    run: Run, connection: Connection, receiver: HookReceiver, ada: dict[str, Any]
) -> None:
    subscription = subscribe(connection, "updated_contact_instant")
    run("delete_contact", {"contact_id": ada["id"]})
    assert receiver.deliveries == []  # ContactDelete was not subscribed
    body = json.dumps({"type": "ContactDelete", "id": "x", "webhookId": "w"}).encode()
    parsed = invoke(APP, "updated_contact_instant", connection, {}, Meta(subscription=subscription),
                    step="parse_delivery", hook_request=HookRequest("POST", {}, body))
    assert parsed.output == []


@pytest.mark.parametrize("key", ["new_contact_instant", "updated_contact_instant", "updated_task_instant",
                                 "new_note_instant"])
def test_every_instant_trigger_subscribes_to_events_the_sandbox_sends(
    key: str, connection: Connection, sandbox: ContactsSandbox
) -> None:
    subscription = subscribe(connection, key)
    assert set(subscription["events"]) <= {"ContactCreate", "ContactUpdate", "ContactTagUpdate", "TaskCreate",
                                           "TaskComplete", "NoteCreate"}
    assert len(sandbox.state.webhooks) == 1
