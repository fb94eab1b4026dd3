"""The seeds' first flow on the local platform: a new Okta user becomes one tagged contact."""

from __future__ import annotations


def contacts_with_email(platform, email):
    return [c for c in platform.contacts.state.contacts.values() if c.get("email") == email]


def test_the_demo_connections_and_flow_are_ready_and_secrets_are_masked(platform, api, demo_ids):
    client = api
    listed = client.get("/api/connections").get_json()["connections"]
    assert {c["name"] for c in listed} == {"Okta sandbox", "Contacts sandbox", "Personio sandbox"}
    text = str(listed)
    assert "okta-sandbox-token" not in text and "contacts-sandbox-key" not in text
    flow = client.get(f"/api/flows/{demo_ids['flow']}").get_json()
    assert [s["operation"] for s in flow["steps"]] == ["create_contact", "add_tags"]


def test_a_new_okta_user_appears_once_as_a_tagged_contact(platform, api, demo_ids):
    client = api
    flow = demo_ids["flow"]
    assert client.post(f"/api/flows/{flow}/on").status_code == 200
    assert client.post(f"/api/flows/{flow}/poll").get_json()["runs"] == []  # seeded users never fire

    platform.okta.create_user({"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com",
                               "login": "ada@example.com", "department": "Engineering"})
    first = client.post(f"/api/flows/{flow}/poll").get_json()
    second = client.post(f"/api/flows/{flow}/poll").get_json()
    assert len(first["runs"]) == 1 and second["runs"] == []
    platform.emulator.extensions["emulator"].scheduler.tick()  # what the runner thread does every 0.25 s

    run = client.get(f"/api/runs/{first['runs'][0]}").get_json()
    assert run["status"] == "succeeded"
    [contact] = contacts_with_email(platform, "ada@example.com")
    assert contact["firstName"] == "Ada"
    assert sorted(contact["tags"]) == ["engineering", "okta"]

    replay = client.post(f"/api/runs/{first['runs'][0]}/replay")
    assert replay.status_code in (200, 409)
    assert len(contacts_with_email(platform, "ada@example.com")) == 1


def test_a_new_personio_employee_becomes_one_tagged_contact(platform, api, demo_ids):
    flow = demo_ids["personio_flow"]
    assert api.post(f"/api/flows/{flow}/on").status_code == 200
    platform.personio.create_employee(first_name="Grace", last_name="Hopper", email="grace@example.com",
                                      department="Engineering")
    first = api.post(f"/api/flows/{flow}/poll").get_json()
    assert len(first["runs"]) == 1
    platform.emulator.extensions["emulator"].scheduler.tick()
    assert api.get(f"/api/runs/{first['runs'][0]}").get_json()["status"] == "succeeded"
    [contact] = contacts_with_email(platform, "grace@example.com")
    assert "personio" in contact["tags"]
    assert api.post(f"/api/flows/{flow}/poll").get_json()["runs"] == []
