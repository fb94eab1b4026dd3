"""An instant flow keeps receiving events after the emulator (and its in-memory sandboxes) restart."""

from __future__ import annotations

from acceptance_world import api_client, hook_flow_spec, new_person, settle

from emulator.demo import seed_demo


def test_an_instant_flow_is_subscribed_again_after_a_restart_and_fires_once(make_platform, clock):
    first = make_platform()
    ids = seed_demo(first)
    client = api_client(first)
    flow = client.post("/api/flows", json=hook_flow_spec(ids["okta"], ids["contacts"])).get_json()
    assert client.post(f"/api/flows/{flow['id']}/on").get_json()["state"] == "on"
    first.close()

    second = make_platform()  # same data folder: flows and connections persist, sandboxes start afresh
    hooks = [h for h in second.okta.state.hooks.records if h.status == "ACTIVE"]
    assert [h.uri for h in hooks] == [f"{second.public_url}/hooks/{flow['id']}"]

    second.okta.create_user(new_person(1, "after-restart"), password="pw-1234567")
    second.okta.outbox.flush()
    settle(second, clock)
    runs = api_client(second).get(f"/api/runs?flow={flow['id']}").get_json()["runs"]
    assert [r["status"] for r in runs] == ["succeeded"]
