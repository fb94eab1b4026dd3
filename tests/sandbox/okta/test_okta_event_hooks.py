"""Event hooks: registration, the verification handshake, and deliveries with Okta's retry rules."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from okta_test_support import assert_okta_error, new_profile

from sandboxes.okta import OktaSandbox, OktaSettings

RECEIVER = "https://receiver.example.com/okta"
SECRET = "Bearer hook-secret"


class Receiver:
    """An in-process hook endpoint: answers the challenge and records deliveries."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answers: list[int] = []  # statuses to answer deliveries with, in order (then 200)
        self.echo_challenge = True

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "GET":
            challenge = request.headers.get("x-okta-verification-challenge", "")
            value = challenge if self.echo_challenge else "wrong"
            return httpx.Response(200, json={"verification": value})
        return httpx.Response(self.answers.pop(0) if self.answers else 200)

    @property
    def deliveries(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "POST"]


@pytest.fixture
def receiver(sandbox: OktaSandbox) -> Receiver:
    hook_endpoint = Receiver()
    sandbox.outbox.transport = httpx.MockTransport(hook_endpoint)
    return hook_endpoint


def hook_body(events: list[str] | None = None, uri: str = RECEIVER) -> dict:
    return {
        "name": "connector",
        "events": {"type": "EVENT_TYPE", "items": events or ["user.lifecycle.create", "user.lifecycle.activate"]},
        "channel": {"type": "HTTP", "version": "1.0.0", "config": {
            "uri": uri,
            "headers": [{"key": "X-Flow", "value": "flow-1"}],
            "authScheme": {"type": "HEADER", "key": "Authorization", "value": SECRET},
        }},
    }


@pytest.fixture
def verified_hook(client: httpx.Client, receiver: Receiver) -> Callable[..., dict]:
    def make(events: list[str] | None = None) -> dict:
        hook = client.post("/api/v1/eventHooks", json=hook_body(events)).json()
        verified = client.post(f"/api/v1/eventHooks/{hook['id']}/lifecycle/verify")
        assert verified.status_code == 200, verified.text
        return verified.json()

    return make


def test_verification_passes_when_the_receiver_echoes_the_challenge(
    client: httpx.Client, receiver: Receiver
) -> None:
    hook = client.post("/api/v1/eventHooks", json=hook_body()).json()
    assert hook["status"] == "ACTIVE" and hook["verificationStatus"] == "UNVERIFIED"
    assert "value" not in hook["channel"]["config"]["authScheme"]
    verified = client.post(f"/api/v1/eventHooks/{hook['id']}/lifecycle/verify").json()
    assert verified["verificationStatus"] == "VERIFIED"
    [challenge] = receiver.requests
    assert challenge.method == "GET" and challenge.headers["authorization"] == SECRET


def test_verification_fails_with_400_when_the_receiver_answers_wrong(
    client: httpx.Client, receiver: Receiver
) -> None:
    receiver.echo_challenge = False
    hook = client.post("/api/v1/eventHooks", json=hook_body()).json()
    body = assert_okta_error(client.post(f"/api/v1/eventHooks/{hook['id']}/lifecycle/verify"), 400, "E0000001")
    assert "x-okta-verification-challenge" in body["errorCauses"][0]["errorSummary"]
    assert client.get(f"/api/v1/eventHooks/{hook['id']}").json()["verificationStatus"] == "UNVERIFIED"


def test_events_of_one_request_arrive_in_one_delivery_with_the_authorization_header(
    sandbox: OktaSandbox, client: httpx.Client, receiver: Receiver, verified_hook: Callable[..., dict]
) -> None:
    hook = verified_hook()
    client.post("/api/v1/users", json={"profile": new_profile(), "credentials": {"password": {"value": "pw-12345"}}})
    [delivery] = receiver.deliveries
    assert delivery.headers["authorization"] == SECRET
    assert delivery.headers["x-flow"] == "flow-1"
    assert delivery.headers["content-type"] == "application/json"
    body = json.loads(delivery.content)
    assert body["eventType"] == "com.okta.event_hook" and body["eventTypeVersion"] == "1.0"
    assert body["source"] == f"{sandbox.base_url}/api/v1/eventHooks/{hook['id']}"
    assert {"eventId", "eventTime", "cloudEventsVersion", "contentType"} <= set(body)
    assert [e["eventType"] for e in body["data"]["events"]] == ["user.lifecycle.create", "user.lifecycle.activate"]


def test_only_subscribed_event_types_are_delivered_and_unverified_hooks_get_nothing(
    client: httpx.Client, receiver: Receiver, verified_hook: Callable[..., dict]
) -> None:
    client.post("/api/v1/eventHooks", json=hook_body(uri="https://other.example.com/unverified"))
    verified_hook(["user.lifecycle.suspend"])
    client.post("/api/v1/users", json={"profile": new_profile(), "credentials": {"password": {"value": "pw-12345"}}})
    assert receiver.deliveries == []
    user_id = client.get("/api/v1/users").json()[0]["id"]
    client.post(f"/api/v1/users/{user_id}/lifecycle/suspend")
    assert [json.loads(d.content)["data"]["events"][0]["eventType"] for d in receiver.deliveries] == [
        "user.lifecycle.suspend"
    ]


def test_a_delivery_answered_500_is_retried_once(
    sandbox: OktaSandbox, receiver: Receiver, verified_hook: Callable[..., dict]
) -> None:
    verified_hook()
    receiver.answers = [500, 500, 500]
    sandbox.create_user(new_profile())
    assert len(receiver.deliveries) == 2
    assert receiver.deliveries[0].content == receiver.deliveries[1].content


def test_a_delivery_answered_400_is_not_retried(
    sandbox: OktaSandbox, receiver: Receiver, verified_hook: Callable[..., dict]
) -> None:
    verified_hook()
    receiver.answers = [400]
    sandbox.create_user(new_profile())
    assert len(receiver.deliveries) == 1


@pytest.mark.parametrize("settings", [OktaSettings(synchronous_delivery=True, duplicate_rate=1.0)])
def test_duplicate_rate_sends_deliveries_twice_with_the_same_event_ids(
    sandbox: OktaSandbox, receiver: Receiver, verified_hook: Callable[..., dict]
) -> None:
    verified_hook()
    sandbox.create_user(new_profile())
    first, second = (json.loads(d.content) for d in receiver.deliveries)
    assert first["data"]["events"][0]["uuid"] == second["data"]["events"][0]["uuid"]


def test_background_delivery_arrives_after_flush(clock) -> None:
    sandbox = OktaSandbox(OktaSettings(), clock=clock)
    receiver = Receiver()
    sandbox.outbox.transport = httpx.MockTransport(receiver)
    with httpx.Client(transport=sandbox.transport(), base_url=sandbox.base_url,
                      headers={"Authorization": "SSWS okta-sandbox-token"}) as client:
        hook = client.post("/api/v1/eventHooks", json=hook_body()).json()
        client.post(f"/api/v1/eventHooks/{hook['id']}/lifecycle/verify")
        sandbox.create_user(new_profile())
    sandbox.outbox.flush()
    sandbox.close()
    assert len(receiver.deliveries) == 1


def test_hooks_can_be_listed_updated_deactivated_and_deleted(client: httpx.Client, receiver: Receiver) -> None:
    hook = client.post("/api/v1/eventHooks", json=hook_body()).json()
    assert [h["id"] for h in client.get("/api/v1/eventHooks").json()] == [hook["id"]]
    renamed = client.put(f"/api/v1/eventHooks/{hook['id']}", json={**hook_body(), "name": "renamed"}).json()
    assert renamed["name"] == "renamed"
    assert_okta_error(client.delete(f"/api/v1/eventHooks/{hook['id']}"), 400, "E0000001")
    assert client.post(f"/api/v1/eventHooks/{hook['id']}/lifecycle/deactivate").json()["status"] == "INACTIVE"
    assert client.delete(f"/api/v1/eventHooks/{hook['id']}").status_code == 204
    assert_okta_error(client.get(f"/api/v1/eventHooks/{hook['id']}"), 404, "E0000007")


def test_registration_errors_name_the_field(client: httpx.Client) -> None:
    bad_event = hook_body(["user.made.up"])
    body = assert_okta_error(client.post("/api/v1/eventHooks", json=bad_event), 400, "E0000001")
    assert body["errorCauses"][0]["errorSummary"].startswith("events.items:")
    bad_uri = hook_body(uri="ftp://x")
    body = assert_okta_error(client.post("/api/v1/eventHooks", json=bad_uri), 400, "E0000001")
    assert body["errorCauses"][0]["errorSummary"].startswith("channel.config.uri:")


def test_an_org_has_at_most_25_active_hooks(client: httpx.Client) -> None:
    for _ in range(25):
        assert client.post("/api/v1/eventHooks", json=hook_body()).status_code == 200
    assert_okta_error(client.post("/api/v1/eventHooks", json=hook_body()), 400, "E0000001")
