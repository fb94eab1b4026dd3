"""Stories of instant Okta triggers: turn on (hook registered and verified), deliveries, turn off."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from flask import Flask, Response, jsonify, request
from okta_app_support import Run, person

from connector.apps.okta.app import APP
from connector.context import HookRequest, Meta
from connector.definitions import Trigger
from connector.errors import BadInput, ResponseError
from sandboxes.okta import OktaSandbox

TARGET = "https://hooks.example.test/hooks/flow-1"


def receiver(trigger: Trigger, inbox: list[HookRequest]) -> Flask:
    """A tiny platform hook endpoint: answers Okta's handshake with the trigger, stores deliveries."""
    app = Flask("receiver")

    @app.route("/hooks/<flow>", methods=["GET", "POST"])
    def hook(flow: str) -> Response:
        incoming = HookRequest(request.method, dict(request.headers), request.get_data(), dict(request.args))
        assert trigger.handshake is not None
        answer = trigger.handshake(incoming)
        if answer is not None:
            return jsonify(answer)
        inbox.append(incoming)
        return Response(status=204)

    return app


def hook_trigger(key: str) -> Trigger:
    trigger = APP.operation(key)
    assert isinstance(trigger, Trigger)
    return trigger


@pytest.fixture
def inbox(sandbox: OktaSandbox) -> list[HookRequest]:
    deliveries: list[HookRequest] = []
    sandbox.outbox.transport = httpx.WSGITransport(app=receiver(hook_trigger("new_user_instant"), deliveries))
    return deliveries


def live_hooks(sandbox: OktaSandbox) -> list[Any]:
    return list(sandbox.state.hooks.records)


def test_turning_on_registers_a_verified_active_hook_and_a_new_user_arrives_as_an_item(
    run: Run, sandbox: OktaSandbox, inbox: list[HookRequest]
) -> None:
    subscription = run("new_user_instant", meta=Meta(target_url=TARGET, flow_id="flow-1"), step="subscribe").output
    [hook] = live_hooks(sandbox)
    assert (hook.status, hook.verification_status, hook.uri) == ("ACTIVE", "VERIFIED", TARGET)
    assert subscription["hook_id"] == hook.id and len(subscription["secret"]) >= 32

    user = run("create_user", person(1)).output
    [delivery] = inbox
    trigger = hook_trigger("new_user_instant")
    assert trigger.authenticate is not None and trigger.authenticate(delivery, subscription)
    items = run("new_user_instant", step="parse_delivery", hook_request=delivery).output
    assert [(i["user_id"], i["login"], i["event_type"]) for i in items] == [
        (user["id"], "person1@example.com", "user.lifecycle.create")
    ]
    assert items[0]["id"] == items[0]["event_id"]
    assert items[0]["profile"]["email"] == user["profile"]["email"]  # mappings can use {{trigger.profile.*}}


def test_turning_off_leaves_no_hook_behind(run: Run, sandbox: OktaSandbox, inbox: list[HookRequest]) -> None:
    subscription = run("user_deactivated_instant", meta=Meta(target_url=TARGET), step="subscribe").output
    assert len(live_hooks(sandbox)) == 1
    run("user_deactivated_instant", meta=Meta(subscription=subscription), step="unsubscribe")
    assert live_hooks(sandbox) == []
    run("user_deactivated_instant", meta=Meta(subscription=subscription), step="unsubscribe")  # already gone: fine


def test_a_url_that_fails_verification_is_reported_and_the_hook_removed(run: Run, sandbox: OktaSandbox) -> None:
    silent = Flask("silent")
    silent.add_url_rule("/hooks/<flow>", "hook", lambda flow: ("no", 404))
    sandbox.outbox.transport = httpx.WSGITransport(app=silent)
    with pytest.raises(ResponseError, match=f"Okta could not verify the hook URL {TARGET}"):
        run("new_user_instant", meta=Meta(target_url=TARGET), step="subscribe")
    assert live_hooks(sandbox) == []


def test_handshake_answers_only_okta_verification_requests() -> None:
    trigger = hook_trigger("user_updated_instant")
    assert trigger.handshake is not None
    challenge = HookRequest("GET", {"X-Okta-Verification-Challenge": "abc123"})
    assert trigger.handshake(challenge) == {"verification": "abc123"}
    assert trigger.handshake(HookRequest("POST", {"Content-Type": "application/json"}, b"{}")) is None


def test_a_delivery_without_the_secret_is_not_authenticated() -> None:
    trigger = hook_trigger("new_user_instant")
    assert trigger.authenticate is not None
    subscription = {"secret": "s3cret-value"}
    assert trigger.authenticate(HookRequest("POST", {"authorization": "s3cret-value"}), subscription)
    assert not trigger.authenticate(HookRequest("POST", {"Authorization": "guess"}), subscription)
    assert not trigger.authenticate(HookRequest("POST", {}), subscription)


def _event(uuid: str, published: str, event_type: str = "group.user_membership.add") -> dict[str, Any]:
    return {
        "uuid": uuid, "published": published, "eventType": event_type, "displayMessage": "Add user to group",
        "actor": {"id": "00uadmin", "alternateId": "admin@example.com"},
        "target": [
            {"id": "00uuser", "type": "User", "alternateId": "ann@example.com", "displayName": "Ann Lee"},
            {"id": "00ggroup", "type": "UserGroup", "alternateId": "unknown", "displayName": "Eng"},
        ],
    }


def test_a_batched_delivery_is_split_deduplicated_and_ordered_newest_first(run: Run) -> None:
    events = [
        _event("e1", "2026-01-01T10:00:00.000Z"),
        _event("e2", "2026-01-01T10:00:02.000Z"),
        _event("e1", "2026-01-01T10:00:00.000Z"),  # Okta delivers at least once
        _event("e3", "2026-01-01T10:00:01.000Z"),
        _event("x9", "2026-01-01T10:00:03.000Z", event_type="user.lifecycle.create"),  # not this trigger's
    ]
    body = json.dumps({"eventType": "com.okta.event_hook", "data": {"events": events}}).encode()
    delivery = HookRequest("POST", {"Content-Type": "application/json"}, body)
    items = run("user_added_to_group_instant", step="parse_delivery", hook_request=delivery).output
    assert [i["id"] for i in items] == ["e2", "e3", "e1"]
    assert items[0]["group_name"] == "Eng" and items[0]["login"] == "ann@example.com"


def test_a_delivery_that_is_not_from_okta_is_bad_input(run: Run) -> None:
    delivery = HookRequest("POST", {}, b'{"hello": "world"}')
    with pytest.raises(BadInput, match=r"no data\.events list"):
        run("new_user_instant", step="parse_delivery", hook_request=delivery)
    with pytest.raises(BadInput, match="not JSON"):
        run("new_user_instant", step="parse_delivery", hook_request=HookRequest("POST", {}, b"<xml/>"))


def test_testing_an_instant_trigger_shows_recent_events_as_samples(run: Run) -> None:
    for n in range(1, 5):
        run("create_user", person(n))
    samples = run("new_user_instant", meta=Meta(trial=True)).output
    assert [s["login"] for s in samples] == ["person4@example.com", "person3@example.com", "person2@example.com"]


def _creation(uuid: str, user: dict[str, Any]) -> HookRequest:
    """An Okta delivery of one ``user.lifecycle.create`` event about ``user``."""
    event = {
        "uuid": uuid, "published": "2026-01-01T10:00:00.000Z", "eventType": "user.lifecycle.create",
        "displayMessage": "Create Okta user", "actor": {"id": "00uadmin", "alternateId": "admin@example.com"},
        "target": [{"id": user["id"], "type": "User", "alternateId": user["profile"]["login"],
                    "displayName": "x"}],
    }
    body = json.dumps({"eventType": "com.okta.event_hook", "data": {"events": [event]}}).encode()
    return HookRequest("POST", {"Content-Type": "application/json"}, body)


def test_a_burst_of_deliveries_reads_every_users_profile_in_one_call(run: Run, sandbox: OktaSandbox) -> None:
    users = [sandbox.create_user(person(n, login=f"person{n}@example.com")) for n in range(30)]
    deliveries = [_creation(f"e{n}", user) for n, user in enumerate(users)]
    deliveries.insert(3, HookRequest("POST", {}, b"<xml/>"))  # one that is not Okta's: it alone fails

    result = run("new_user_instant", step="parse_deliveries", hook_requests=deliveries, trace=True)

    parsed = result.output
    assert len(parsed) == 31
    assert isinstance(parsed[3].error, BadInput) and "not JSON" in parsed[3].error.message
    good = [entry for n, entry in enumerate(parsed) if n != 3]
    assert [entry.identities for entry in good] == [[f"e{n}"] for n in range(30)]
    assert [entry.items[0]["profile"]["email"] for entry in good] == [f"person{n}@example.com" for n in range(30)]
    user_reads = [call for call in result.trace if "/api/v1/users" in call["url"]]
    assert len(user_reads) == 1
