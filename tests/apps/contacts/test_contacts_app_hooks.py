"""Stories about instant triggers: HighLevel's signed app webhooks, routed by location, forgeries rejected."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from auth.contacts import DEFAULT_BASE_URL
from connector.apps.contacts.app import APP
from connector.context import Connection, HookRequest, Meta
from connector.definitions import Trigger
from connector.runtime import invoke
from connector.testing import HookReceiver, OperationRunner
from sandboxes.contacts import ContactsSandbox

DUE = "2026-03-01T17:00:00Z"
INSTANT = ("new_contact_instant", "updated_contact_instant", "updated_task_instant", "new_note_instant")


def fields_of(connection: Connection) -> dict[str, Any]:
    """What the platform gives an app hook's ``authenticate``: the connection's fields and base URL."""
    return {**connection.fields, "base_url": connection.base_url}


def accept(key: str, delivery: HookRequest, connection: Connection) -> list[dict[str, Any]]:
    """What the platform does with a delivery: route it, authenticate it, then parse it into items."""
    trigger = APP.operation(key)
    assert isinstance(trigger, Trigger) and trigger.app_hook is not None
    hook = trigger.app_hook
    assert hook.delivery_route(delivery) == hook.connection_route(connection.fields)
    assert hook.authenticate(delivery, fields_of(connection)), "a genuine delivery must be accepted"
    return invoke(APP, key, connection, {}, Meta(), step="parse_delivery", hook_request=delivery).output


@pytest.mark.parametrize("key", INSTANT)
def test_every_instant_trigger_is_a_static_app_hook_with_nothing_to_subscribe(key: str) -> None:
    trigger = APP.operation(key)
    assert isinstance(trigger, Trigger) and trigger.kind == "hook"
    assert trigger.static_hook and trigger.app_hook is not None
    assert trigger.subscribe is None and trigger.unsubscribe is None


def test_a_new_contact_arrives_through_the_signed_app_webhook(
    run: OperationRunner, connection: Connection, hook_receiver: HookReceiver
) -> None:
    created = run.output("create_contact", {"name": "Hook Person", "email": "hook@example.com",
                                            "external_id": "00uHOOK"})
    [delivery] = hook_receiver.where(type="ContactCreate")
    assert delivery.json()["locationId"] == "loc_sandbox"
    [item] = accept("new_contact_instant", delivery, connection)
    assert item["id"] == delivery.json()["webhookId"]
    assert (item["contact_id"], item["email"], item["external_id"]) == (created["id"], "hook@example.com", "00uHOOK")


def test_a_tampered_unsigned_or_foreign_signed_delivery_is_rejected(
    run: OperationRunner, connection: Connection, hook_receiver: HookReceiver
) -> None:
    run.output("create_contact", {"name": "Real", "email": "real@example.com"})
    [genuine] = hook_receiver.where(type="ContactCreate")
    trigger = APP.operation("new_contact_instant")
    assert isinstance(trigger, Trigger) and trigger.app_hook is not None
    authenticate = trigger.app_hook.authenticate
    tampered = replace(genuine, body=genuine.body.replace(b"real@example.com", b"evil@example.com"))
    unsigned = replace(genuine, headers={k: v for k, v in genuine.headers.items() if k != "x-wh-signature"})
    assert authenticate(genuine, fields_of(connection))
    assert not authenticate(tampered, fields_of(connection))
    assert not authenticate(unsigned, fields_of(connection))


def test_a_connection_to_the_real_highlevel_never_trusts_the_sandbox_key(
    run: OperationRunner, connection: Connection, hook_receiver: HookReceiver
) -> None:
    run.output("create_contact", {"name": "Real", "email": "real@example.com"})
    [signed_by_sandbox] = hook_receiver.where(type="ContactCreate")
    trigger = APP.operation("new_contact_instant")
    assert isinstance(trigger, Trigger) and trigger.app_hook is not None
    production = {**connection.fields, "base_url": DEFAULT_BASE_URL}
    assert not trigger.app_hook.authenticate(signed_by_sandbox, production)


def test_a_delivery_older_than_five_minutes_is_rejected_even_when_signed(
    connection: Connection, sandbox: ContactsSandbox
) -> None:
    stale = (datetime.now(UTC) - timedelta(minutes=6)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    body = json.dumps({"type": "NoteCreate", "locationId": "loc_sandbox", "id": "n1", "body": "x",
                       "timestamp": stale, "webhookId": "w1"}).encode()
    old = HookRequest("POST", {"x-wh-signature": sandbox.signer.sign(body)}, body)
    trigger = APP.operation("new_note_instant")
    assert isinstance(trigger, Trigger) and trigger.app_hook is not None
    assert not trigger.app_hook.authenticate(old, fields_of(connection))
    fresh_body = body.replace(stale.encode(), datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z").encode())
    fresh = HookRequest("POST", {"x-wh-signature": sandbox.signer.sign(fresh_body)}, fresh_body)
    assert trigger.app_hook.authenticate(fresh, fields_of(connection))


def test_each_contact_change_arrives_once_with_a_change_id(
    run: OperationRunner, connection: Connection, hook_receiver: HookReceiver, ada: dict[str, Any]
) -> None:
    hook_receiver.deliveries.clear()
    run.output("update_contact", {"contact_id": ada["id"], "source": "Engines"})
    run.output("add_tags", {"contact_id": ada["id"], "tags": ["vip"]})
    items = [i for d in hook_receiver.deliveries for i in accept("updated_contact_instant", d, connection)]
    assert [i["type"] for i in items] == ["ContactUpdate", "ContactTagUpdate"]
    stamps = [d.json()["timestamp"] for d in hook_receiver.deliveries]
    assert [i["id"] for i in items] == [f"{ada['id']}:{stamp}" for stamp in stamps]
    assert {i["contact_id"] for i in items} == {ada["id"]}


def test_task_and_note_webhooks_become_items(
    run: OperationRunner, connection: Connection, hook_receiver: HookReceiver, ada: dict[str, Any]
) -> None:
    task = run.output("upsert_task", {"contact_id": ada["id"], "title": "Badge", "due_date": DUE})
    run.output("complete_task", {"contact_id": ada["id"], "task_id": task["id"]})
    note = run.output("add_note", {"contact_id": ada["id"], "body": "hello"})
    task_items = [i for t in ("TaskCreate", "TaskComplete") for d in hook_receiver.where(type=t)
                  for i in accept("updated_task_instant", d, connection)]
    assert [(i["task_id"], i["completed"]) for i in task_items] == [(task["id"], False), (task["id"], True)]
    assert len({i["id"] for i in task_items}) == 2
    [note_item] = accept("new_note_instant", hook_receiver.where(type="NoteCreate")[0], connection)
    assert (note_item["note_id"], note_item["body"]) == (note["id"], "hello")


def test_an_event_the_trigger_does_not_watch_yields_nothing(
    run: OperationRunner, connection: Connection, hook_receiver: HookReceiver, ada: dict[str, Any]
) -> None:
    run.output("delete_contact", {"contact_id": ada["id"]})
    [deleted] = hook_receiver.where(type="ContactDelete")
    assert accept("updated_contact_instant", deleted, connection) == []
