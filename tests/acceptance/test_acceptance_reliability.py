"""DESIGN's reliability bar: vendor faults and repeated deliveries lose nothing and duplicate nothing.

The Contacts sandbox fails on purpose (500/503, a 429 burst, dropped connections, latency) and, on
top of that, some creating POSTs lose their answer after the contact was stored. The scheduler
retries on a fake clock, so the retry delays pass without sleeping.
"""

from __future__ import annotations

import json
import random

import pytest
from acceptance_world import (
    FakeClock,
    ResponseLostTransport,
    api_client,
    contacts_by_external_id,
    hook_flow_spec,
    new_person,
    runs_of,
    settle,
)

from emulator.connections import LocalSandbox
from emulator.demo import Environment, seed_demo

BATCH = 30


def _lose_some_create_answers(env: Environment, rate: float) -> ResponseLostTransport:
    """Route the emulator's Contacts calls through a transport that loses some POST answers."""
    gateway = env.gateway
    contacts = next(s for s in gateway.sandboxes if s.base_url == env.contacts.base_url)
    lossy = ResponseLostTransport(
        contacts.transport, rate, seed=7,
        applies=lambda request: request.method == "POST" and request.url.path.rstrip("/").endswith("/contacts"),
    )
    gateway.sandboxes = [s if s is not contacts else LocalSandbox(s.base_url, lossy) for s in gateway.sandboxes]
    return lossy


@pytest.mark.slow
def test_thirty_new_users_become_exactly_thirty_contacts_through_500s_429s_resets_and_lost_answers(
    make_platform, clock: FakeClock
):
    env = make_platform(config={"MAX_ATTEMPTS": 40, "RETRY_BASE_SECONDS": 1.0})
    ids = seed_demo(env)
    client = api_client(env)
    assert client.post(f"/api/flows/{ids['flow']}/on").status_code == 200
    # The faults under test, not the sandbox's 100-per-10-s budget (which runs on the real clock).
    env.contacts.limits.burst.limit = 100_000
    env.contacts.faults.update(error_rate=0.3, burst_429=4, drop_rate=0.1, latency_ms=2, seed=11)
    lossy = _lose_some_create_answers(env, rate=0.3)

    users = [env.okta.create_user(new_person(n, "batch")) for n in range(BATCH)]
    polled = client.post(f"/api/flows/{ids['flow']}/poll").get_json()
    assert len(polled["runs"]) == BATCH and not polled["held"]
    settle(env, clock)

    runs = runs_of(client, ids["flow"])
    assert [run["status"] for run in runs] == ["succeeded"] * BATCH
    details = [client.get(f"/api/runs/{run['id']}").get_json() for run in runs]
    retried = [d for d in details if d["steps"][0]["attempts"] > 1 or d["steps"][1]["attempts"] > 1]
    assert retried, "the faults should have made the scheduler retry some steps"
    assert lossy.lost > 0, "some creates should have lost their answer after the contact was stored"
    found_again = [d for d in details if d["steps"][0]["output"]["outcome"] == "found"]
    assert len(found_again) == lossy.lost  # each lost answer was recovered by finding, not re-creating

    contacts = contacts_by_external_id(env)
    assert {user["id"]: len(contacts.get(user["id"], [])) for user in users} == {user["id"]: 1 for user in users}
    for user in users:
        assert sorted(contacts[user["id"]][0]["tags"]) == ["field ops", "okta"]


def test_okta_deliveries_repeated_two_to_five_times_fire_each_new_user_once(make_platform, clock: FakeClock):
    env = make_platform()
    env.okta.settings.duplicate_rate = 1.0  # the sandbox itself sends every delivery twice
    ids = seed_demo(env)
    client = api_client(env)
    flow_id = client.post("/api/flows", json=hook_flow_spec(ids["okta"], ids["contacts"])).get_json()["id"]
    assert client.post(f"/api/flows/{flow_id}/on").status_code == 200

    users = [env.okta.create_user(new_person(n, "hooked")) for n in range(10)]
    env.okta.outbox.flush()
    emulator = env.emulator.extensions["emulator"]
    delivered = emulator.store.list_deliveries(flow_id, limit=1000)
    assert len(delivered) == 2 * len(users)  # one delivery per create, each sent twice

    # Replay every stored delivery 0-3 more times, shuffled, as a vendor retrying at will would.
    secret = emulator.store.get_flow(flow_id)["subscription"]["secret"]
    rng = random.Random(3)
    replays = [d for d in delivered[: len(users)] for _ in range(rng.randint(0, 3))]
    rng.shuffle(replays)
    for delivery in replays:
        response = client.post(f"/hooks/{flow_id}", data=bytes(delivery["body"]),
                               headers={"Authorization": secret, "Content-Type": "application/json"})
        assert response.status_code == 200, response.get_json()
    settle(env, clock)

    runs = runs_of(client, flow_id)
    assert sorted(run["status"] for run in runs) == ["succeeded"] * len(users)
    fired = [client.get(f"/api/runs/{run['id']}").get_json()["item"]["user_id"] for run in runs]
    assert sorted(fired) == sorted(user["id"] for user in users)
    contacts = contacts_by_external_id(env)
    assert all(len(contacts[user["id"]]) == 1 for user in users)
    processed = emulator.store.list_deliveries(flow_id, limit=1000)
    assert {d["status"] for d in processed} == {"processed"}
    assert sum(d["items"] for d in processed) == len(users)  # repeats were recognised, not re-run
    bodies = {json.loads(d["body"])["data"]["events"][0]["uuid"] for d in processed}
    assert len(bodies) == len(users)


def test_a_vendor_that_never_recovers_fails_the_run_after_the_bounded_retries_and_a_replay_still_makes_one_contact(
    make_platform, clock: FakeClock
):
    env = make_platform(config={"MAX_ATTEMPTS": 3})
    ids = seed_demo(env)
    client = api_client(env)
    assert client.post(f"/api/flows/{ids['flow']}/on").status_code == 200
    env.contacts.faults.update(error_rate=1.0)
    user = env.okta.create_user(new_person(1, "outage"))
    [run_id] = client.post(f"/api/flows/{ids['flow']}/poll").get_json()["runs"]
    settle(env, clock)

    failed = client.get(f"/api/runs/{run_id}").get_json()
    assert failed["status"] == "failed"
    assert failed["steps"][0]["attempts"] == 3
    assert "gave up after 3 attempts" in failed["error"]["message"]
    assert user["id"] not in contacts_by_external_id(env)

    env.contacts.faults.update(error_rate=0.0)
    replayed = client.post(f"/api/runs/{run_id}/replay")
    assert replayed.status_code == 200 and replayed.get_json()["status"] == "succeeded"
    assert len(contacts_by_external_id(env)[user["id"]]) == 1
    assert client.post(f"/api/runs/{run_id}/replay").status_code == 409  # a succeeded run stays done


def test_okta_failing_while_deliveries_are_processed_loses_none_of_them(make_platform, clock: FakeClock):
    env = make_platform()
    ids = seed_demo(env)
    client = api_client(env)
    flow_id = client.post("/api/flows", json=hook_flow_spec(ids["okta"], ids["contacts"])).get_json()["id"]
    assert client.post(f"/api/flows/{flow_id}/on").status_code == 200
    env.okta.faults.update(error_rate=1.0)  # a 5xx burst: every profile read fails for a while
    users = [env.okta.create_user(new_person(n, "burst")) for n in range(5)]
    env.okta.outbox.flush()
    emulator = env.emulator.extensions["emulator"]
    emulator.scheduler.tick(clock())
    waiting = client.get(f"/api/flows/{flow_id}/deliveries?status=waiting_retry").get_json()
    assert waiting["total"] == len(users)  # acknowledged, failed once, kept for another try
    assert {d["error"]["type"] for d in waiting["deliveries"]} == {"ServerError"}

    env.okta.faults.update(error_rate=0.0)  # the burst is over
    env.okta.faults.update(burst_429=2)  # and Okta throttles the first reads after it
    settle(env, clock)
    processed = client.get(f"/api/flows/{flow_id}/deliveries?status=processed").get_json()
    assert processed["total"] == len(users)
    assert sorted(run["status"] for run in runs_of(client, flow_id)) == ["succeeded"] * len(users)
    contacts = contacts_by_external_id(env)
    assert {user["id"]: len(contacts.get(user["id"], [])) for user in users} == {user["id"]: 1 for user in users}
