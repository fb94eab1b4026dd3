"""Polling flows: seeding without firing, firing new items once oldest first, restarts, floods."""

from __future__ import annotations

import contextlib

import pytest
from emulator_kitchen import add_recipes


def _titles(service):
    return [n["title"] for n in service.config["notes"]]


def test_turning_a_flow_on_records_existing_items_without_firing(emulator, service, make_flow):
    add_recipes(service, "Soup", "Bread")
    flow = make_flow()
    emulator.runner.turn_on(flow["id"])
    emulator.scheduler.tick()
    assert emulator.store.dedupe.count(flow["id"]) == 2
    assert emulator.store.list_runs(flow_id=flow["id"])[1] == 0
    assert emulator.store.get_flow(flow["id"])["cursor"] == "2"
    assert service.config["notes"] == []


def test_new_items_fire_once_each_oldest_first(emulator, service, make_flow, clock):
    add_recipes(service, "Soup")
    flow = make_flow(trigger={"app": "kitchen", "operation": "any_recipe", "connection_id": "kitchen-1"})
    emulator.runner.turn_on(flow["id"])
    add_recipes(service, "Bread", "Cake")
    clock.advance(61)
    report = emulator.scheduler.tick()
    assert report.polled == [flow["id"]]
    assert _titles(service) == ["Cook Bread", "Cook Cake"]
    clock.advance(61)
    emulator.scheduler.tick()
    assert _titles(service) == ["Cook Bread", "Cook Cake"]
    runs, total = emulator.store.list_runs(flow_id=flow["id"])
    assert total == 2 and {r["status"] for r in runs} == {"succeeded"}


def test_a_flow_is_not_polled_before_its_interval_has_passed(emulator, service, make_flow, clock):
    flow = make_flow(interval_seconds=30)
    emulator.runner.turn_on(flow["id"])
    add_recipes(service, "Soup")
    clock.advance(10)
    assert emulator.scheduler.tick().polled == []
    clock.advance(25)
    assert emulator.scheduler.tick().polled == [flow["id"]]
    assert _titles(service) == ["Cook Soup"]


def test_a_restart_on_the_same_database_neither_repeats_nor_drops(make_app, service, clock):
    first = make_app()
    em1 = first.extensions["emulator"]
    flow_id = first.test_client().post("/api/flows", json={
        "name": "r", "trigger": {"app": "kitchen", "operation": "any_recipe", "connection_id": "kitchen-1"},
        "steps": [{"key": "note", "app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
                   "mapping": {"title": "{{trigger.name}}"}}],
    }).get_json()["id"]
    add_recipes(service, "Soup")
    em1.runner.turn_on(flow_id)
    add_recipes(service, "Bread")
    clock.advance(61)
    em1.scheduler.tick()
    add_recipes(service, "Cake")
    em2 = make_app().extensions["emulator"]  # the process restarts
    clock.advance(61)
    em2.scheduler.tick()
    clock.advance(61)
    em2.scheduler.tick()
    assert [n["title"] for n in service.config["notes"]] == ["Bread", "Cake"]


def test_a_crash_between_fetch_and_commit_repeats_nothing_and_drops_nothing(emulator, service, make_flow, clock,
                                                                            monkeypatch):
    flow = make_flow()
    emulator.runner.turn_on(flow["id"])
    add_recipes(service, "Soup", "Bread")
    store = emulator.store

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(store, "insert_runs", crash)
    with contextlib.suppress(RuntimeError):
        emulator.runner.poll_flow(flow["id"])
    monkeypatch.undo()
    assert store.dedupe.count(flow["id"]) == 0
    assert store.get_flow(flow["id"])["cursor"] is None
    result = emulator.runner.poll_flow(flow["id"])
    assert len(result.run_ids) == 2
    assert emulator.runner.poll_flow(flow["id"]).run_ids == []


def test_more_new_items_than_the_flood_limit_are_held_until_released(make_app, service, clock):
    app = make_app(FLOOD_LIMIT=3)
    em = app.extensions["emulator"]
    client = app.test_client()
    flow_id = client.post("/api/flows", json={
        "name": "flood", "trigger": {"app": "kitchen", "operation": "any_recipe", "connection_id": "kitchen-1"},
        "steps": [{"key": "note", "app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
                   "mapping": {"title": "{{trigger.name}}"}}],
    }).get_json()["id"]
    em.runner.turn_on(flow_id)
    add_recipes(service, "a", "b", "c", "d")
    clock.advance(61)
    em.scheduler.tick()
    assert service.config["notes"] == []
    assert client.get(f"/api/runs?flow={flow_id}&status=held").get_json()["total"] == 4
    assert client.get(f"/api/flows/{flow_id}").get_json()["held_runs"] == 4
    assert client.post(f"/api/flows/{flow_id}/held/release").get_json() == {"released": 4}
    em.scheduler.tick()
    assert [n["title"] for n in service.config["notes"]] == ["a", "b", "c", "d"]


def test_held_items_can_be_discarded_and_never_run(make_app, service, clock):
    app = make_app(FLOOD_LIMIT=1)
    em = app.extensions["emulator"]
    client = app.test_client()
    flow_id = client.post("/api/flows", json={
        "name": "flood", "trigger": {"app": "kitchen", "operation": "any_recipe", "connection_id": "kitchen-1"},
    }).get_json()["id"]
    em.runner.turn_on(flow_id)
    add_recipes(service, "a", "b")
    clock.advance(61)
    em.scheduler.tick()
    assert client.post(f"/api/flows/{flow_id}/held/discard").get_json() == {"discarded": 2}
    em.scheduler.tick()
    assert client.get(f"/api/runs?flow={flow_id}&status=discarded").get_json()["total"] == 2


def test_turning_a_flow_off_forgets_seen_items_and_stops_polling(emulator, service, make_flow, clock):
    add_recipes(service, "Soup")
    flow = make_flow(trigger={"app": "kitchen", "operation": "any_recipe", "connection_id": "kitchen-1"})
    emulator.runner.turn_on(flow["id"])
    emulator.runner.turn_off(flow["id"])
    assert emulator.store.dedupe.count(flow["id"]) == 0
    add_recipes(service, "Bread")
    clock.advance(120)
    assert emulator.scheduler.tick().polled == []
    emulator.runner.turn_on(flow["id"])  # seeds again: nothing old fires
    clock.advance(61)
    emulator.scheduler.tick()
    assert service.config["notes"] == []


def test_testing_a_trigger_returns_three_newest_samples_and_leaves_dedupe_alone(emulator, service, make_flow):
    add_recipes(service, "a", "b", "c", "d")
    flow = make_flow(trigger={"app": "kitchen", "operation": "any_recipe", "connection_id": "kitchen-1"})
    result = emulator.trials.test_trigger(emulator.store.get_flow(flow["id"]))
    assert [s["name"] for s in result["samples"]] == ["d", "c", "b"]
    assert result["trace"] and "kitchen-token-123" not in str(result["trace"])
    assert emulator.store.dedupe.count(flow["id"]) == 0


def test_a_failed_poll_is_recorded_on_the_flow_and_retried_next_interval(emulator, service, make_flow, clock, client):
    flow = make_flow()
    emulator.runner.turn_on(flow["id"])
    service.config["faults"]["GET /recipes"] = [(500, {})]
    clock.advance(61)
    report = emulator.scheduler.tick()
    assert flow["id"] in report.poll_errors
    assert client.get(f"/api/flows/{flow['id']}").get_json()["last_error"]["type"] == "ServerError"
    add_recipes(service, "Soup")
    clock.advance(61)
    emulator.scheduler.tick()
    assert [n["title"] for n in service.config["notes"]] == ["Cook Soup"]
    assert client.get(f"/api/flows/{flow['id']}").get_json()["last_error"] is None


def test_a_poll_with_an_expired_connection_pauses_the_flow(emulator, make_flow, clock):
    flow = make_flow()
    emulator.runner.turn_on(flow["id"])
    emulator.store.update_flow(flow["id"], {"trigger_connection_id": "revoked-1"}, clock.now)
    clock.advance(61)
    emulator.scheduler.tick()
    stored = emulator.store.get_flow(flow["id"])
    assert stored["state"] == "paused" and stored["paused_reason"] == "reconnect revoked-1"


def test_a_trigger_that_crashes_does_not_stop_other_flows_from_polling(make_app, service, clock):
    from dataclasses import replace

    from emulator_kitchen import APP

    def broken(ctx, values):
        raise KeyError("items")

    broken_trigger = replace(APP.triggers[1], key="broken", perform=broken)
    app_def = replace(APP, triggers=(*APP.triggers, broken_trigger))
    app = make_app(APPS={"kitchen": app_def})
    em = app.extensions["emulator"]
    client = app.test_client()
    bad = client.post("/api/flows", json={
        "name": "bad", "trigger": {"app": "kitchen", "operation": "broken", "connection_id": "kitchen-1"}})
    answer = client.post(f"/api/flows/{bad.get_json()['id']}/on")
    assert answer.status_code == 500, "a connector's own bug is not the vendor's (502)"
    assert answer.get_json()["error"]["message"] == (
        "kitchen.broken has a bug in its connector code (the service is not at fault; fix the connector): "
        "perform raised KeyError: 'items'"
    )
    good_id = client.post("/api/flows", json={
        "name": "good", "trigger": {"app": "kitchen", "operation": "any_recipe", "connection_id": "kitchen-1"},
        "steps": [{"app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
                   "mapping": {"title": "{{trigger.name}}"}}]}).get_json()["id"]
    em.runner.turn_on(good_id)
    bad_id = bad.get_json()["id"]
    em.store.update_flow(bad_id, {"state": "on", "next_poll_at": clock.now}, clock.now)
    add_recipes(service, "Soup")
    clock.advance(61)
    report = em.scheduler.tick()
    assert "KeyError" in report.poll_errors[bad_id]
    assert [n["title"] for n in service.config["notes"]] == ["Soup"]


def test_a_throttled_poll_waits_for_the_vendors_reset_rather_than_its_interval(emulator, service, make_flow, clock):
    flow = make_flow()
    emulator.runner.turn_on(flow["id"])
    service.config["faults"]["GET /recipes"] = [(429, {"Retry-After": "300"})]
    clock.advance(61)
    emulator.scheduler.tick()
    assert emulator.store.get_flow(flow["id"])["next_poll_at"] - clock.now == pytest.approx(300, abs=1)
    add_recipes(service, "Soup")
    clock.advance(61)
    assert emulator.scheduler.tick().polled == []  # not before the reset
    clock.advance(240)
    assert emulator.scheduler.tick().polled == [flow["id"]]
    assert [n["title"] for n in service.config["notes"]] == ["Cook Soup"]
