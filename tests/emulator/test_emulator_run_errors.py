"""What each error does to a run: retries with delays, failures, pauses, halts and replays."""

from __future__ import annotations

import pytest
from emulator_kitchen import add_recipes, poll_flow_body


@pytest.fixture
def live_flow(emulator, make_flow, clock):
    """A flow that is on, and a helper that makes one new recipe and polls it into a run."""
    flow = make_flow()
    emulator.runner.turn_on(flow["id"])

    def new_run(service, name="Soup"):
        add_recipes(service, name)
        return emulator.runner.poll_flow(flow["id"]).run_ids[0]

    return flow, new_run


def _step(emulator, run_id, index=0):
    return emulator.store.step_results_for(run_id)[index]


def test_a_throttled_step_waits_the_delay_the_service_asked_for(emulator, service, live_flow, clock):
    _flow, new_run = live_flow
    service.config["faults"]["POST /notes"] = [(429, {"Retry-After": "7"})]
    run_id = new_run(service)
    emulator.scheduler.tick()
    run = emulator.store.get_run(run_id)
    assert run["status"] == "waiting_retry"
    assert run["next_retry_at"] == pytest.approx(clock.now + 7)
    assert _step(emulator, run_id)["error"]["type"] == "Throttled"
    clock.advance(5)
    emulator.scheduler.tick()
    assert service.config["notes"] == []
    clock.advance(3)
    emulator.scheduler.tick()
    assert emulator.store.get_run(run_id)["status"] == "succeeded"
    assert _step(emulator, run_id)["attempts"] == 2
    assert len(service.config["notes"]) == 1


def test_server_errors_retry_with_growing_delays_then_fail(emulator, service, live_flow, clock):
    _flow, new_run = live_flow
    service.config["faults"]["POST /notes"] = [(500, {})] * 10
    run_id = new_run(service)
    delays = []
    for _ in range(4):
        emulator.scheduler.tick()
        run = emulator.store.get_run(run_id)
        assert run["status"] == "waiting_retry"
        delays.append(run["next_retry_at"] - clock.now)
        clock.advance(run["next_retry_at"] - clock.now)
    assert delays == [10, 20, 40, 80]
    emulator.scheduler.tick()
    run = emulator.store.get_run(run_id)
    assert run["status"] == "failed"
    assert _step(emulator, run_id)["attempts"] == 5
    assert "gave up after 5 attempts" in run["error"]["message"]


def test_a_mapping_problem_fails_the_step_without_a_call_and_names_the_field(emulator, service, client, make_flow):
    flow = make_flow(steps=[{"key": "note", "app": "kitchen", "operation": "create_note",
                             "connection_id": "kitchen-1", "mapping": {"servings": "{{trigger.name}}"}}])
    emulator.runner.turn_on(flow["id"])
    add_recipes(service, "Soup")
    run_id = emulator.runner.poll_flow(flow["id"]).run_ids[0]
    assert emulator.runner.execute_run(run_id) == "failed"
    error = _step(emulator, run_id)["error"]
    assert error["type"] == "BadInput"
    assert {p["field"] for p in error["problems"]} >= {"title"}
    assert service.config["notes"] == []


def test_expired_auth_fails_the_run_and_pauses_the_flow_until_reconnected(emulator, service, make_flow, clock):
    flow = make_flow(steps=[{"key": "note", "app": "kitchen", "operation": "create_note",
                             "connection_id": "revoked-1", "mapping": {"title": "{{trigger.name}}"}}])
    emulator.runner.turn_on(flow["id"])
    add_recipes(service, "Soup")
    run_id = emulator.runner.poll_flow(flow["id"]).run_ids[0]
    assert emulator.runner.execute_run(run_id) == "failed"
    stored = emulator.store.get_flow(flow["id"])
    assert stored["state"] == "paused"
    assert stored["paused_reason"] == "reconnect revoked-1"
    add_recipes(service, "Bread")
    clock.advance(120)
    assert emulator.scheduler.tick().polled == []
    emulator.runner.turn_on(flow["id"])  # resumes without re-seeding
    assert emulator.store.get_flow(flow["id"])["state"] == "on"
    emulator.scheduler.tick()
    assert emulator.store.list_runs(flow_id=flow["id"])[1] == 2


def test_a_halted_step_stops_the_run_quietly(emulator, service, live_flow):
    flow, new_run = live_flow
    service.config["faults"]["POST /notes"] = [(410, {})]
    run_id = new_run(service)
    assert emulator.runner.execute_run(run_id) == "halted"
    assert emulator.store.get_run(run_id)["status"] == "halted"
    assert emulator.store.get_flow(flow["id"])["state"] == "on"


def test_a_client_error_fails_at_once_and_replay_runs_only_the_failed_step(emulator, service, make_flow, client):
    flow = make_flow(steps=[
        {"key": "first", "app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
         "mapping": {"title": "one {{trigger.name}}"}},
        {"key": "second", "app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
         "mapping": {"title": "two after {{steps.first.id}}"}},
    ])
    emulator.runner.turn_on(flow["id"])
    add_recipes(service, "Soup")
    run_id = emulator.runner.poll_flow(flow["id"]).run_ids[0]
    # the first step succeeds, the second meets a 400
    calls = {"n": 0}
    original = service.view_functions["create_note"]

    def flaky():
        calls["n"] += 1
        if calls["n"] == 2:
            return {"message": "kitchen is closed"}, 400
        return original()

    service.view_functions["create_note"] = flaky
    assert emulator.runner.execute_run(run_id) == "failed"
    assert [s["status"] for s in emulator.store.step_results_for(run_id)] == ["succeeded", "failed"]
    response = client.post(f"/api/runs/{run_id}/replay")
    assert response.status_code == 200
    detail = response.get_json()
    assert detail["status"] == "succeeded" and detail["replays"] == 1
    assert [n["title"] for n in service.config["notes"]] == ["one Soup", "two after 1"]
    assert [s["attempts"] for s in detail["steps"]] == [1, 1]


def test_replaying_a_step_whose_call_already_went_through_creates_no_duplicate(emulator, service, live_flow):
    _flow, new_run = live_flow
    run_id = new_run(service)
    assert emulator.runner.execute_run(run_id) == "succeeded"
    emulator.store.update_run(run_id, {"status": "failed"})  # as if the answer had been lost
    emulator.store.save_step_result(run_id, 0, {"status": "failed"})
    assert emulator.runner.replay_run(run_id) == "succeeded"
    assert len(service.config["notes"]) == 1


def test_a_succeeded_run_cannot_be_replayed(emulator, service, live_flow, client):
    _flow, new_run = live_flow
    run_id = new_run(service)
    emulator.runner.execute_run(run_id)
    response = client.post(f"/api/runs/{run_id}/replay")
    assert response.status_code == 409
    assert response.get_json()["error"]["field"] == "status"


def test_run_detail_shows_rendered_input_output_trace_and_timing(emulator, service, live_flow, client):
    _flow, new_run = live_flow
    run_id = new_run(service)
    emulator.runner.execute_run(run_id)
    detail = client.get(f"/api/runs/{run_id}").get_json()
    step = detail["steps"][0]
    assert step["input"] == {"title": "Cook Soup"}
    assert step["output"]["title"] == "Cook Soup"
    assert step["trace"][0]["method"] == "POST"
    assert step["duration_ms"] >= 0 and step["attempts"] == 1
    assert "kitchen-token-123" not in str(detail)


def test_a_run_left_running_by_a_killed_process_finishes_after_restart_without_duplicates(
    make_app, service, clock
):
    app = make_app()
    em = app.extensions["emulator"]
    flow_id = app.test_client().post("/api/flows", json={
        "name": "k", "trigger": {"app": "kitchen", "operation": "any_recipe", "connection_id": "kitchen-1"},
        "steps": [
            {"key": "a", "app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
             "mapping": {"title": "a {{trigger.name}}"}},
            {"key": "b", "app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
             "mapping": {"title": "b {{trigger.name}}"}},
        ],
    }).get_json()["id"]
    em.runner.turn_on(flow_id)
    add_recipes(service, "Soup")
    run_id = em.runner.poll_flow(flow_id).run_ids[0]
    em.runner.execute_run(run_id)
    # the process died while step b was in flight, after the kitchen had created b's note
    em.store.update_run(run_id, {"status": "running", "finished": None})
    em.store.save_step_result(run_id, 1, {"status": "running"})
    restarted = make_app().extensions["emulator"]
    assert restarted.store.get_run(run_id)["status"] == "pending"
    restarted.scheduler.tick()
    assert restarted.store.get_run(run_id)["status"] == "succeeded"
    assert [n["title"] for n in service.config["notes"]] == ["a Soup", "b Soup"]


def test_a_step_whose_code_crashes_after_a_call_blames_the_connector_and_keeps_the_call(
    make_app, service, clock
):
    from dataclasses import replace

    from emulator_kitchen import APP

    def post_then_crash(ctx, values):
        ctx.http.post("/notes", json={"title": values["title"]})
        return values["no_such_key"]

    crashing = replace(APP.actions[0], key="crashing_note", perform=post_then_crash)
    app = make_app(APPS={"kitchen": replace(APP, actions=(*APP.actions, crashing))})
    emulator, client = app.extensions["emulator"], app.test_client()
    flow = client.post("/api/flows", json=poll_flow_body(steps=[{
        "key": "note", "app": "kitchen", "operation": "crashing_note", "connection_id": "kitchen-1",
        "mapping": {"title": "Cook {{trigger.name}}"}}])).get_json()
    emulator.runner.turn_on(flow["id"])
    add_recipes(service, "Soup")
    run_id = emulator.runner.poll_flow(flow["id"]).run_ids[0]
    assert emulator.runner.execute_run(run_id) == "failed"
    step = client.get(f"/api/runs/{run_id}").get_json()["steps"][0]
    assert step["error"]["type"] == "CodeCrashed" and step["error"]["blame"] == "connector"
    assert step["error"]["message"] == (
        "kitchen.crashing_note has a bug in its connector code (the service is not at fault; fix the "
        "connector): perform raised KeyError: 'no_such_key'"
    )
    assert [(call["method"], call["status"]) for call in step["trace"]] == [("POST", 201)]
    assert step["attempts"] == 1, "a connector's bug is not retried"
