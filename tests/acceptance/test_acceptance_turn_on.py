"""Turning a poll flow on over an org: the dedupe record is written in batches, and never used half-written."""

from __future__ import annotations

import pytest
from acceptance_world import api_client, runs_of

import emulator.runner as runner_module
from emulator.demo import seed_demo


def test_turning_the_demo_flow_on_records_every_user_in_batches_and_fires_none(make_platform, clock, monkeypatch):
    monkeypatch.setattr(runner_module, "SEED_BATCH", 200)
    env = make_platform(okta_users=1_030)
    ids = seed_demo(env)
    client = api_client(env)
    emulator = env.emulator.extensions["emulator"]

    assert client.post(f"/api/flows/{ids['flow']}/on").get_json()["state"] == "on"

    assert emulator.store.dedupe.count(ids["flow"]) == 1_030
    assert not emulator.store.dedupe.seed_unfinished(ids["flow"])
    clock.now += emulator.store.get_flow(ids["flow"])["interval_seconds"]
    assert emulator.scheduler.tick(clock()).executed == {}
    assert runs_of(client, ids["flow"]) == []


def test_a_turn_on_that_dies_mid_walk_leaves_a_record_that_is_seeded_again_not_used(make_platform, clock, monkeypatch):
    monkeypatch.setattr(runner_module, "SEED_BATCH", 200)
    env = make_platform(okta_users=1_030)
    ids = seed_demo(env)
    client = api_client(env)
    emulator = env.emulator.extensions["emulator"]
    dedupe = emulator.store.dedupe
    add_seen = dedupe.add_seen
    batches = 0

    def power_cut_after_two_batches(*args, **kwargs):
        nonlocal batches
        batches += 1
        if batches > 2:
            raise RuntimeError("power cut")
        add_seen(*args, **kwargs)

    monkeypatch.setattr(dedupe, "add_seen", power_cut_after_two_batches)
    with pytest.raises(Exception, match="power cut"):  # the sink runs inside the trigger's invoke
        emulator.runner.turn_on(ids["flow"])
    monkeypatch.setattr(dedupe, "add_seen", add_seen)

    # Two batches were committed, the flow is off and its partial record is marked unusable.
    assert emulator.store.get_flow(ids["flow"])["state"] == "off"
    assert dedupe.count(ids["flow"]) == 400
    assert dedupe.seed_unfinished(ids["flow"])
    # Something pauses the off flow (a run of it met an expired connection); resuming must not poll with
    # the partial record: it seeds again, and the 630 users the cut left out never fire.
    emulator.runner.pause(ids["flow"], "reconnect okta")
    assert client.post(f"/api/flows/{ids['flow']}/on").get_json()["state"] == "on"
    assert dedupe.count(ids["flow"]) == 1_030
    assert not dedupe.seed_unfinished(ids["flow"])
    clock.now += emulator.store.get_flow(ids["flow"])["interval_seconds"]
    assert emulator.scheduler.tick(clock()).executed == {}
    assert runs_of(client, ids["flow"]) == []


def test_a_flow_turned_off_and_paused_is_seeded_again_when_it_resumes(make_platform, clock):
    env = make_platform(okta_users=250)
    ids = seed_demo(env)
    client = api_client(env)
    emulator = env.emulator.extensions["emulator"]
    client.post(f"/api/flows/{ids['flow']}/on")
    client.post(f"/api/flows/{ids['flow']}/off")
    emulator.runner.pause(ids["flow"], "reconnect okta")

    assert client.post(f"/api/flows/{ids['flow']}/on").get_json()["state"] == "on"

    assert emulator.store.dedupe.count(ids["flow"]) == 250
    clock.now += emulator.store.get_flow(ids["flow"])["interval_seconds"]
    assert emulator.scheduler.tick(clock()).executed == {}
    assert runs_of(client, ids["flow"]) == []


def test_turning_on_over_an_org_bigger_than_the_rate_limit_paces_across_windows_instead_of_giving_up(
    make_platform, clock
):
    from sandboxes.okta.ratelimits import RateLimits

    # A one-second step limit: a turn-on's walk is not held to it, a later poll is.
    env = make_platform(okta_users=1_000, config={"TIME_LIMIT": 1.0})
    ids = seed_demo(env)
    client = api_client(env)
    emulator = env.emulator.extensions["emulator"]
    okta = env.okta
    # Two listing calls per one-second window: the five pages of 200 users need three windows.
    limits = RateLimits({**okta.settings.rate_limits, "users": 2}, 1.0, okta.clock)
    throttled = []

    def hit(family: str):
        decision = limits_hit(family)
        if not decision.allowed:
            throttled.append(family)
        return decision

    limits_hit, limits.hit = limits.hit, hit  # type: ignore[method-assign]
    okta.rate_limits = limits

    turned_on = client.post(f"/api/flows/{ids['flow']}/on")

    assert turned_on.status_code == 200, turned_on.get_json()
    assert turned_on.get_json()["state"] == "on"
    assert throttled and set(throttled) == {"users"}  # it met the limit and waited it out
    assert emulator.store.dedupe.count(ids["flow"]) == 1_000
    clock.now += emulator.store.get_flow(ids["flow"])["interval_seconds"]
    assert emulator.scheduler.tick(clock()).executed == {}
    assert runs_of(client, ids["flow"]) == []


def test_a_turn_on_whose_writer_is_behind_when_the_walk_ends_finishes_instead_of_waiting_forever(
    make_platform, monkeypatch
):
    import threading
    import time

    monkeypatch.setattr(runner_module, "SEED_BATCH", 200)
    env = make_platform(okta_users=1_030)
    ids = seed_demo(env)
    emulator = env.emulator.extensions["emulator"]
    dedupe = emulator.store.dedupe
    add_seen = dedupe.add_seen

    def slow_disk(*args, **kwargs):
        time.sleep(0.2)  # the writer falls behind: batches are still queued when the last page is read
        add_seen(*args, **kwargs)

    monkeypatch.setattr(dedupe, "add_seen", slow_disk)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (emulator.runner.turn_on(ids["flow"]), done.set()), daemon=True)
    worker.start()
    worker.join(60)

    assert done.is_set(), "the turn-on never finished: its last transaction waited on its own writer"
    assert emulator.store.get_flow(ids["flow"])["state"] == "on"
    assert dedupe.count(ids["flow"]) == 1_030
