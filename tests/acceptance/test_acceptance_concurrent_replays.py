"""Four scripts replay the same thirty failed runs at once: each run runs once, each user is one contact.

The demo flow (new Okta user -> create contact -> add tags) fails for every user while the Contacts
sandbox answers only 500s. Then four API clients, started together, each replay every failed run.
Counted at the Contacts sandbox: exactly one contact per user; each replay request is either the one
that ran the run (200) or refused with a 409 saying the run is being executed or is already done.
"""

from __future__ import annotations

import threading

from acceptance_world import FakeClock, api_client, contacts_by_external_id, new_person, runs_of, settle

from emulator.demo import seed_demo

RUNS = 30
SCRIPTS = 4


def test_four_simultaneous_replays_of_thirty_failed_runs_make_exactly_thirty_contacts(make_platform, clock: FakeClock):
    env = make_platform(config={"MAX_ATTEMPTS": 1})
    ids = seed_demo(env)
    client = api_client(env)
    assert client.post(f"/api/flows/{ids['flow']}/on").status_code == 200
    env.contacts.limits.burst.limit = 100_000
    env.contacts.faults.update(error_rate=1.0)
    users = [env.okta.create_user(new_person(n, "replayed")) for n in range(RUNS)]
    assert len(client.post(f"/api/flows/{ids['flow']}/poll").get_json()["runs"]) == RUNS
    settle(env, clock)
    failed = [run["id"] for run in runs_of(client, ids["flow"])]
    assert {run["status"] for run in runs_of(client, ids["flow"])} == {"failed"}
    assert contacts_by_external_id(env) == {}
    env.contacts.faults.update(error_rate=0.0)

    answers: list[tuple[str, int, str]] = []
    together = threading.Barrier(SCRIPTS)

    def script() -> None:
        own = api_client(env)
        together.wait()
        for run_id in failed:
            response = own.post(f"/api/runs/{run_id}/replay")
            refusal = response.get_json()["error"]["message"] if response.status_code == 409 else ""
            answers.append((run_id, response.status_code, refusal))

    threads = [threading.Thread(target=script) for _ in range(SCRIPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for run_id in failed:
        codes = sorted(code for rid, code, _ in answers if rid == run_id)
        assert codes == [200] + [409] * (SCRIPTS - 1), (run_id, codes)
    refusals = {message.split("; ")[0].split(" is ")[1] for _, code, message in answers if code == 409}
    assert refusals <= {"running", "succeeded"}
    runs = runs_of(client, ids["flow"])
    assert [run["status"] for run in runs] == ["succeeded"] * RUNS
    assert {client.get(f"/api/runs/{r['id']}").get_json()["replays"] for r in runs} == {1}

    contacts = contacts_by_external_id(env)
    assert {user["id"]: len(contacts.get(user["id"], [])) for user in users} == {user["id"]: 1 for user in users}
    assert sum(len(found) for found in contacts.values()) == RUNS
