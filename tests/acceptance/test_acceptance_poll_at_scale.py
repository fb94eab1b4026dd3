"""Issue 6, done when #1: the demo flow on a 10,000-user org fires exactly the users created after it was on."""

from __future__ import annotations

from acceptance_world import api_client, contacts_by_external_id, new_person, runs_of

from emulator.demo import seed_demo


def test_turning_the_demo_flow_on_at_10000_users_fires_only_the_three_users_created_afterwards(make_platform, clock):
    env = make_platform(okta_users=10_000)
    ids = seed_demo(env)
    client = api_client(env)
    emulator = env.emulator.extensions["emulator"]
    contacts_before = len(env.contacts.state.contacts)

    turned_on = client.post(f"/api/flows/{ids['flow']}/on")
    assert turned_on.status_code == 200, turned_on.get_json()
    assert turned_on.get_json()["state"] == "on"
    # The seeding poll remembered every existing user and fired none of them, also on the next polls.
    interval = env.emulator.extensions["emulator"].store.get_flow(ids["flow"])["interval_seconds"]
    clock.now += interval
    first = emulator.scheduler.tick(clock())
    assert first.polled == [ids["flow"]] and first.executed == {}
    assert runs_of(client, ids["flow"]) == []

    created = [env.okta.create_user(new_person(n, "scale")) for n in range(3)]
    clock.now += interval
    report = emulator.scheduler.tick(clock())  # polls, then executes what the poll found

    runs = runs_of(client, ids["flow"])
    assert [run["status"] for run in runs] == ["succeeded"] * 3
    assert set(report.executed.values()) == {"succeeded"}
    fired = [client.get(f"/api/runs/{run['id']}").get_json()["item"]["id"] for run in runs]
    assert fired == [user["id"] for user in created]  # exactly those three, oldest first

    contacts = contacts_by_external_id(env)
    for user in created:
        [contact] = contacts[user["id"]]
        assert contact["email"] == user["profile"]["email"]
        assert sorted(contact["tags"]) == ["field ops", "okta"]
    assert len(env.contacts.state.contacts) == contacts_before + 3

    clock.now += interval
    again = emulator.scheduler.tick(clock())
    assert again.polled == [ids["flow"]] and again.executed == {}
    assert len(runs_of(client, ids["flow"])) == 3
