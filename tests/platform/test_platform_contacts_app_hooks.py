"""HighLevel's app webhooks on the local platform: one app URL, routed by location, forgeries refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

APP_HOOK = "/hooks/apps/contacts"


def instant_flow(contacts_connection_id: str) -> dict[str, Any]:
    """New contact (instant) -> tag it "welcomed"."""
    return {
        "name": "Welcome new contacts",
        "trigger": {"app": "contacts", "operation": "new_contact_instant", "input": {},
                    "connection_id": contacts_connection_id},
        "steps": [{
            "key": "tag", "app": "contacts", "operation": "add_tags", "connection_id": contacts_connection_id,
            "mapping": {"contact_id": "{{trigger.contact_id}}", "tags": "welcomed"},
        }],
    }


def sandbox_api(platform: Any) -> httpx.Client:
    return httpx.Client(transport=platform.contacts.transport(), base_url="http://contacts.sandbox",
                        headers={"Authorization": "Bearer contacts-sandbox-key", "Version": "2021-07-28"})


def signed(platform: Any, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    return body, {"Content-Type": "application/json", "x-wh-signature": platform.contacts.signer.sign(body)}


def test_a_contact_created_in_the_sandbox_reaches_the_flow_of_its_location_through_the_app_url(
    platform, api, demo_ids
) -> None:
    platform.contacts.outbox.synchronous = True
    setting = platform.contacts.webhooks.setting()
    assert setting["url"].endswith(APP_HOOK)
    flow = api.post("/api/flows", json=instant_flow(demo_ids["contacts"])).get_json()
    assert flow["hook_url"] == setting["url"]  # the one app URL, not a per-flow one
    assert api.post(f"/api/flows/{flow['id']}/on").status_code == 200
    assert platform.contacts.webhooks.setting() == setting  # a static hook: turning on calls nobody

    with sandbox_api(platform) as sandbox:
        location = platform.contacts.settings.api_keys["contacts-sandbox-key"]
        created = sandbox.post("/contacts/", json={"locationId": location, "email": "hooked@example.com"})
        created = created.json()["contact"]
    platform.emulator.extensions["emulator"].scheduler.tick()
    runs = api.get(f"/api/runs?flow_id={flow['id']}").get_json()["runs"]
    assert [r["status"] for r in runs] == ["succeeded"]
    assert platform.contacts.state.contacts[created["id"]]["tags"] == ["welcomed"]


def test_app_deliveries_are_refused_when_forged_stale_or_repeated_and_ignored_for_other_locations(
    platform, api, demo_ids
) -> None:
    flow = api.post("/api/flows", json=instant_flow(demo_ids["contacts"])).get_json()
    api.post(f"/api/flows/{flow['id']}/on")
    hooks = platform.emulator.test_client()
    location = platform.contacts.settings.api_keys["contacts-sandbox-key"]
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    event = {"type": "ContactCreate", "locationId": location, "id": "c1", "email": "x@example.com",
             "customFields": [], "timestamp": now, "webhookId": "wh-1"}

    body, headers = signed(platform, event)
    forged = hooks.post(APP_HOOK, data=body.replace(b"x@example", b"y@example"), headers=headers)
    assert forged.status_code == 401
    unsigned = hooks.post(APP_HOOK, data=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401
    stale_at = (datetime.now(UTC) - timedelta(minutes=6)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    stale_body, stale_headers = signed(platform, {**event, "timestamp": stale_at, "webhookId": "wh-old"})
    assert hooks.post(APP_HOOK, data=stale_body, headers=stale_headers).status_code == 401

    first = hooks.post(APP_HOOK, data=body, headers=headers)
    assert first.status_code == 200 and first.get_json()["status"] == "accepted"
    again = hooks.post(APP_HOOK, data=body, headers=headers)
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    assert len(platform.emulator.extensions["emulator"].store.list_deliveries(flow["id"])) == 1

    elsewhere_body, elsewhere_headers = signed(platform, {**event, "locationId": "loc_elsewhere", "webhookId": "w2"})
    elsewhere = hooks.post(APP_HOOK, data=elsewhere_body, headers=elsewhere_headers)
    assert elsewhere.status_code == 200 and elsewhere.get_json()["status"] == "no flow"
    assert len(platform.emulator.extensions["emulator"].store.list_deliveries(flow["id"])) == 1
