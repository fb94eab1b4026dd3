"""Rate limits, fault settings and signed webhook deliveries of the Contacts sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from contacts_doubles import ClientFactory, FakeClock, OAuthDance
from flask import Flask, request

from connector.apps.contacts.webhook_signature import HIGHLEVEL_PUBLIC_KEY_PEM, SANDBOX_PUBLIC_KEY_PEM
from sandboxes.contacts import (
    SIGNATURE_HEADER,
    ContactsSandbox,
    ContactsSettings,
    verify_webhook_signature,
)

LOCATION = "loc_sandbox"


class Receiver:
    """An in-process webhook receiver that records every delivery and can fail on purpose."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, dict[str, str]]] = []
        self.fail_next = 0
        self.app = Flask("receiver")

        @self.app.post("/hook")
        def hook() -> tuple[str, int]:
            self.received.append((request.get_data(), {k.lower(): v for k, v in request.headers.items()}))
            if self.fail_next:
                self.fail_next -= 1
                return "", 503
            return "", 200

    def events(self) -> list[dict]:
        return [json.loads(body) for body, _ in self.received]


@pytest.fixture
def receiver(sandbox: ContactsSandbox) -> Receiver:
    hook = Receiver()
    sandbox.outbox.transport = httpx.WSGITransport(app=hook.app)
    return hook


def test_rate_limit_headers_count_down_and_the_101st_call_gets_429(
    sandbox: ContactsSandbox, api: httpx.Client, clock
) -> None:
    first = api.get("/contacts/", params={"locationId": LOCATION})
    assert first.headers["X-RateLimit-Max"] == "100"
    assert first.headers["X-RateLimit-Remaining"] == "99"
    assert first.headers["X-RateLimit-Interval-Milliseconds"] == "10000"
    assert first.headers["X-RateLimit-Limit-Daily"] == "200000"
    assert first.headers["X-RateLimit-Daily-Remaining"] == "199999"
    for _ in range(99):
        api.get("/contacts/", params={"locationId": LOCATION})
    throttled = api.get("/contacts/", params={"locationId": LOCATION})
    assert throttled.status_code == 429
    assert throttled.json() == {"statusCode": 429, "message": "Too many requests"}
    assert int(throttled.headers["Retry-After"]) >= 1
    clock.advance(10)
    assert api.get("/contacts/", params={"locationId": LOCATION}).status_code == 200


def test_the_rate_limit_is_configurable(clock: FakeClock) -> None:
    box = ContactsSandbox(ContactsSettings(rate_limit=2, rate_window_seconds=1.0), clock=clock)
    with httpx.Client(
        transport=box.transport(),
        base_url=box.base_url,
        headers={"Authorization": "Bearer contacts-sandbox-key", "Version": "2021-07-28"},
    ) as client:
        statuses = [client.get("/contacts/", params={"locationId": LOCATION}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_a_new_contact_arrives_signed_with_the_key_the_kit_ships_as_published(
    sandbox: ContactsSandbox, api: httpx.Client, receiver: Receiver
) -> None:
    sandbox.set_app_webhook("https://receiver.example/hook", ["ContactCreate"])
    contact = api.post("/contacts/", json={"locationId": LOCATION, "email": "ada@example.com"}).json()["contact"]
    assert len(receiver.received) == 1
    body, headers = receiver.received[0]
    event = json.loads(body)
    assert event["type"] == "ContactCreate" and event["id"] == contact["id"]
    assert event["locationId"] == LOCATION and event["email"] == "ada@example.com"
    assert event["timestamp"] and event["webhookId"]
    documented = {"type", "locationId", "id", "timestamp", "webhookId", "address1", "assignedTo", "attachments",
                  "city", "companyName", "country", "customFields", "dateAdded", "dateOfBirth", "dnd", "email",
                  "firstName", "lastName", "name", "phone", "postalCode", "source", "state", "tags", "website"}
    assert set(event) <= documented  # docs/webhook events/ContactCreate.md, plus timestamp and webhookId

    published = SANDBOX_PUBLIC_KEY_PEM
    assert published == sandbox.public_key_pem
    signature = headers[SIGNATURE_HEADER]
    assert verify_webhook_signature(body, signature, published)
    assert not verify_webhook_signature(body, signature, HIGHLEVEL_PUBLIC_KEY_PEM)
    assert not verify_webhook_signature(body.replace(b"ada@", b"eve@"), signature, published)
    assert not verify_webhook_signature(body, "not base64!", published)


def test_the_app_webhook_setting_is_sandbox_admin_and_only_ticked_events_are_sent(
    sandbox: ContactsSandbox, api: httpx.Client, browser: httpx.Client, receiver: Receiver
) -> None:
    assert api.post("/webhooks", json={"url": "https://x.example/"}).status_code == 404  # no such API
    assert api.get("/.well-known/webhook-public-key.pem").status_code == 404
    made = browser.put(
        "/_sandbox/app-webhook", json={"url": "https://receiver.example/hook", "events": ["NoteCreate", "TaskComplete"]}
    )
    assert made.status_code == 200
    assert browser.get("/_sandbox/app-webhook").json() == made.json()
    contact = api.post("/contacts/", json={"locationId": LOCATION, "email": "ada@example.com"}).json()["contact"]
    api.post(f"/contacts/{contact['id']}/notes", json={"body": "hello"})
    task = api.post(
        f"/contacts/{contact['id']}/tasks", json={"title": "t", "dueDate": "2030-01-01T00:00:00Z", "completed": False}
    ).json()["task"]
    api.put(f"/contacts/{contact['id']}/tasks/{task['id']}/completed", json={"completed": True})
    assert [event["type"] for event in receiver.events()] == ["NoteCreate", "TaskComplete"]

    assert browser.delete("/_sandbox/app-webhook").json() == {"url": None, "events": []}
    api.post(f"/contacts/{contact['id']}/notes", json={"body": "again"})
    assert len(receiver.received) == 2


def test_events_of_every_location_go_to_the_one_app_url(
    sandbox: ContactsSandbox, client_for: ClientFactory, oauth: OAuthDance, receiver: Receiver
) -> None:
    sandbox.set_app_webhook("https://receiver.example/hook", ["ContactCreate"])
    other = client_for(oauth.exchange_code(oauth.authorize(location="loc_other")).json()["access_token"])
    client_for().post("/contacts/", json={"locationId": LOCATION, "email": "a@example.com"})
    other.post("/contacts/", json={"locationId": "loc_other", "email": "b@example.com"})
    assert [event["locationId"] for event in receiver.events()] == [LOCATION, "loc_other"]


def test_an_unknown_webhook_event_is_refused(browser: httpx.Client) -> None:
    response = browser.put("/_sandbox/app-webhook", json={"url": "https://receiver.example/hook",
                                                          "events": ["TaskUpdate"]})
    assert response.status_code == 422 and "events" in response.json()["message"][0]


def test_a_delivery_answered_with_503_is_retried_once(
    sandbox: ContactsSandbox, api: httpx.Client, receiver: Receiver
) -> None:
    sandbox.set_app_webhook("https://receiver.example/hook", ["ContactTagUpdate"])
    contact = api.post("/contacts/", json={"locationId": LOCATION, "email": "ada@example.com"}).json()["contact"]
    receiver.fail_next = 1
    api.post(f"/contacts/{contact['id']}/tags", json={"tags": ["vip"]})
    assert len(receiver.received) == 2
    assert receiver.received[0][0] == receiver.received[1][0]
    assert sandbox.outbox.deliveries[-1].delivered


@pytest.mark.parametrize(("setting", "status"), [({"error_rate": 1.0}, 500), ({"burst_429": 1}, 429)])
def test_fault_settings_answer_in_the_vendors_shape(
    sandbox: ContactsSandbox, api: httpx.Client, setting: dict, status: int
) -> None:
    sandbox.faults.update(**setting)
    response = api.get("/contacts/", params={"locationId": LOCATION})
    assert response.status_code == status
    assert response.json()["statusCode"] == status and response.json()["message"]
    if status == 429:
        assert response.headers["Retry-After"] and response.headers["X-RateLimit-Remaining"] == "0"


def test_a_dropped_connection_reaches_the_client_as_a_transport_error(
    sandbox: ContactsSandbox, api: httpx.Client
) -> None:
    sandbox.faults.update(drop_rate=1.0)
    with pytest.raises(httpx.TransportError):
        api.get("/contacts/", params={"locationId": LOCATION})


def test_latency_is_added_to_every_answer(sandbox: ContactsSandbox, api: httpx.Client) -> None:
    sandbox.faults.update(latency_ms=30)
    response = api.get("/contacts/", params={"locationId": LOCATION})
    assert response.status_code == 200 and response.elapsed.total_seconds() >= 0.03


def test_expiring_every_token_kills_oauth_access_tokens_but_not_api_keys_or_refresh(
    sandbox: ContactsSandbox,
    api: httpx.Client,
    oauth: OAuthDance,
    client_for: ClientFactory,
) -> None:
    tokens = oauth.exchange_code(oauth.authorize()).json()
    sandbox.faults.expire_tokens()
    assert client_for(tokens["access_token"]).get("/contacts/", params={"locationId": LOCATION}).status_code == 401
    assert api.get("/contacts/", params={"locationId": LOCATION}).status_code == 200
    fresh = oauth.refresh(tokens["refresh_token"]).json()
    assert client_for(fresh["access_token"]).get("/contacts/", params={"locationId": LOCATION}).status_code == 200


def test_faults_can_be_set_over_the_admin_api(sandbox: ContactsSandbox, browser: httpx.Client) -> None:
    assert browser.put("/_sandbox/faults", json={"burst_429": 2}).status_code == 200
    assert sandbox.faults.settings.burst_429 == 2
    assert browser.post("/_sandbox/expire-tokens", json={}).status_code == 204


@pytest.fixture
def served(sandbox: ContactsSandbox) -> Iterator[str]:
    from emulator.serving import serve

    with serve(sandbox.app) as running:
        sandbox.base_url = running.base_url
        yield running.base_url


def test_the_sandbox_also_answers_on_a_real_port(served: str) -> None:
    response = httpx.get(
        f"{served}/contacts/",
        params={"locationId": LOCATION},
        headers={"Authorization": "Bearer contacts-sandbox-key", "Version": "2021-07-28"},
    )
    assert response.status_code == 200 and response.json() == {"contacts": [], "count": 0}
