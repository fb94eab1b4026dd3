"""Runs reuse what does not change between them (a connection's decrypted auth, a compiled mapping), and
never what did: a reconnect, a deleted connection or an edited mapping takes effect at the next run."""

from __future__ import annotations


def new_user(platform, name: str) -> None:
    platform.okta.create_user({"firstName": name, "lastName": "Tester", "email": f"{name.lower()}@example.com",
                               "login": f"{name.lower()}@example.com", "department": "Engineering"})


def run_new_users(platform, api, flow: str, *names: str) -> list[dict]:
    for name in names:
        new_user(platform, name)
    runs = api.post(f"/api/flows/{flow}/poll").get_json()["runs"]
    platform.emulator.extensions["emulator"].scheduler.tick()
    return [api.get(f"/api/runs/{run}").get_json() for run in runs]


def count_decrypts(platform) -> list[int]:
    """Counts every decryption of a connection's secrets from now on."""
    box = platform.gateway.store.box
    calls = [0]
    original = box.decrypt

    def counting(token):
        calls[0] += 1
        return original(token)

    box.decrypt = counting
    return calls


def test_a_connection_is_decrypted_once_for_many_runs_and_again_after_a_reconnect(platform, api, demo_ids):
    flow = demo_ids["flow"]
    assert api.post(f"/api/flows/{flow}/on").status_code == 200
    assert [r["status"] for r in run_new_users(platform, api, flow, "Ada")] == ["succeeded"]

    decrypts = count_decrypts(platform)
    runs = run_new_users(platform, api, flow, "Grace", "Alan", "Edsger")
    assert [r["status"] for r in runs] == ["succeeded"] * 3
    assert decrypts[0] == 0  # three runs of two steps and a poll: the cached auth every time

    # Reconnecting (same name, fields saved again) is a new version: the next run resolves it afresh.
    fields = {"api_key": "contacts-sandbox-key", "location_id": "loc_sandbox", "base_url": platform.contacts.base_url}
    saved = api.post("/api/connections", json={"app": "contacts", "name": "Contacts sandbox", "fields": fields})
    assert saved.status_code == 201, saved.get_json()
    assert [r["status"] for r in run_new_users(platform, api, flow, "Barbara")] == ["succeeded"]
    assert decrypts[0] > 0


def test_a_deleted_connection_fails_the_next_run_with_a_clear_error(platform, api, demo_ids):
    flow = demo_ids["flow"]
    assert api.post(f"/api/flows/{flow}/on").status_code == 200
    assert [r["status"] for r in run_new_users(platform, api, flow, "Ada")] == ["succeeded"]  # now cached

    assert api.delete(f"/api/connections/{demo_ids['contacts']}").status_code in (200, 204)
    [run] = run_new_users(platform, api, flow, "Grace")
    assert run["status"] == "failed"
    step = run["steps"][0]
    assert step["error"]["type"] == "BadInput"
    assert f"no saved connection is called {demo_ids['contacts']!r}" in step["error"]["message"]


def test_an_edited_mapping_is_used_by_the_next_run(platform, api, demo_ids):
    flow = demo_ids["flow"]
    assert api.post(f"/api/flows/{flow}/on").status_code == 200
    assert [r["status"] for r in run_new_users(platform, api, flow, "Ada")] == ["succeeded"]

    steps = api.get(f"/api/flows/{flow}").get_json()["steps"]
    steps[0]["mapping"]["company_name"] = "Mapped {{trigger.profile.lastName}}"
    assert api.patch(f"/api/flows/{flow}", json={"steps": steps}).status_code == 200
    [run] = run_new_users(platform, api, flow, "Grace")
    assert run["status"] == "succeeded"
    assert run["steps"][0]["input"]["company_name"] == "Mapped Tester"
