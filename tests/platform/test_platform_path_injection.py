"""An id taken from trigger data cannot steer a flow step to another endpoint with the step's credential."""

from __future__ import annotations

from connector.paths import api_path


def _traversal_flow(okta_connection: str, contacts_connection: str) -> dict:
    return {
        "name": "New Okta user → delete the contact named in the title",
        "interval_seconds": 60,
        "trigger": {"app": "okta", "operation": "new_user", "input": {}, "connection_id": okta_connection},
        "steps": [{
            "key": "delete", "app": "contacts", "operation": "delete_contact", "connection_id": contacts_connection,
            "mapping": {"contact_id": "{{trigger.profile.title}}"},
        }],
    }


def test_a_traversal_id_from_trigger_data_leaves_the_stored_connections_alone(platform, api, demo_ids):
    victim = demo_ids["okta"]
    created = api.post("/api/flows", json=_traversal_flow(demo_ids["okta"], demo_ids["contacts"]))
    assert created.status_code == 201, created.get_json()
    flow = created.get_json()["id"]
    assert api.post(f"/api/flows/{flow}/on").status_code == 200

    # The contacts sandbox lives at <emulator>/sandbox/contacts: three levels up is the emulator's own API.
    title = f"../../../api/connections/{victim}"
    platform.okta.create_user({"firstName": "Eve", "lastName": "Mallory", "email": "eve@example.com",
                               "login": "eve@example.com", "title": title})
    [run_id] = api.post(f"/api/flows/{flow}/poll").get_json()["runs"]
    platform.emulator.extensions["emulator"].scheduler.tick()

    run = api.get(f"/api/runs/{run_id}").get_json()
    assert api.get(f"/api/connections/{victim}").status_code == 200, "the flow step deleted a stored connection"
    assert victim in {c["id"] for c in api.get("/api/connections").get_json()["connections"]}
    # The id reached the Contacts sandbox as one escaped segment, which names no contact: a 404 there.
    [step] = [s for s in run["steps"] if s["key"] == "delete"]
    [request] = step["trace"]
    assert request["method"] == "DELETE"
    assert request["url"] == platform.contacts.base_url + api_path("/contacts/{contact_id}", contact_id=title)
    assert request["status"] == 404 and step["error"]["status_code"] == 404
