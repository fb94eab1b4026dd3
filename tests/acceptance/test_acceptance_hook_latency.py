"""Issue 6, done when #3: an instant (event-hook) flow runs within a second of the change in Okta."""

from __future__ import annotations

import time

from acceptance_world import OKTA_TOKEN, api_client, contacts_by_external_id, hook_flow_spec, new_person
from werkzeug.test import Client

from emulator.demo import seed_demo

DEADLINE_SECONDS = 1.0


def test_a_new_okta_user_reaches_the_contacts_sandbox_within_a_second_through_the_event_hook(make_platform):
    env = make_platform(runner_thread=True, config={"CLOCK": time.time})
    ids = seed_demo(env)
    client = api_client(env)
    created = client.post("/api/flows", json=hook_flow_spec(ids["okta"], ids["contacts"]))
    assert created.status_code == 201, created.get_json()
    flow_id = created.get_json()["id"]
    # Turning on registers an Okta event hook; Okta verifies it against /hooks/<flow> before activating it.
    turned_on = client.post(f"/api/flows/{flow_id}/on")
    assert turned_on.status_code == 200, turned_on.get_json()
    okta = Client(env.wsgi)
    [hook] = okta.get("/sandbox/okta/api/v1/eventHooks", headers={"Authorization": f"SSWS {OKTA_TOKEN}"}).get_json()
    assert (hook["status"], hook["verificationStatus"]) == ("ACTIVE", "VERIFIED")
    assert hook["channel"]["config"]["uri"].endswith(f"/hooks/{flow_id}")

    started = time.monotonic()
    user = env.okta.create_user(new_person(1, "instant"))
    runs: list = []
    while time.monotonic() - started < DEADLINE_SECONDS:
        runs = client.get(f"/api/runs?flow={flow_id}").get_json()["runs"]
        if runs and runs[0]["status"] == "succeeded":
            break
        time.sleep(0.01)
    elapsed = time.monotonic() - started

    assert [run["status"] for run in runs] == ["succeeded"], f"after {elapsed:.2f} s: {runs}"
    assert elapsed < DEADLINE_SECONDS
    [contact] = contacts_by_external_id(env)[user["id"]]
    assert contact["email"] == user["profile"]["email"]
