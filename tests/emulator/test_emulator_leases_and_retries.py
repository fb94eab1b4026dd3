"""Nothing acknowledged is lost, nothing runs twice: delivery retries, leases on runs, atomic replays.

Each story runs on the embedded SQLite store and on PostgreSQL (the ``store_url`` fixture). Store
failures are produced with :class:`store_faults.StoreFaults`, which makes the driver itself refuse a
write, as a full disk does.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from emulator_kitchen import add_recipes
from store_faults import StoreFaults, writing

SECRET = {"X-Hook-Secret": "hook-secret-xyz"}


def _hook_flow(client: Any, operation: str = "order_details") -> str:
    response = client.post("/api/flows", json={
        "name": "Orders to notes",
        "trigger": {"app": "kitchen", "operation": operation, "connection_id": "kitchen-1"},
        "steps": [{"key": "note", "app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
                   "mapping": {"title": "Order {{trigger.id}}"}}],
    })
    assert response.status_code == 201, response.get_json()
    flow_id = response.get_json()["id"]
    assert client.post(f"/api/flows/{flow_id}/on").status_code == 200
    return str(flow_id)


def _deliver(client: Any, flow_id: str, *order_ids: str) -> str:
    response = client.post(f"/hooks/{flow_id}", json={"data": {"events": [{"id": i} for i in order_ids]}},
                           headers=SECRET)
    assert response.status_code == 200, response.get_json()
    return str(response.get_json()["delivery"])


def _delivery(client: Any, flow_id: str, delivery_id: str) -> dict[str, Any]:
    listed = client.get(f"/api/flows/{flow_id}/deliveries").get_json()["deliveries"]
    return next(d for d in listed if d["id"] == delivery_id)


@pytest.fixture
def platform(make_app, store_url):
    app = make_app(DATABASE_URL=store_url, MAX_ATTEMPTS=4)
    yield app, app.extensions["emulator"], app.test_client()
    app.extensions["emulator"].store.engine.dispose()


# --- 1. a delivery that meets a retriable error is retried, not lost ------------------------------


def test_a_delivery_throttled_while_reading_the_vendor_waits_the_asked_delay_and_then_fires(
    platform, service, clock
):
    _app, em, client = platform
    flow_id = _hook_flow(client)
    service.config["faults"]["GET /orders/o1"] = [(429, {"Retry-After": "7"})]
    delivery_id = _deliver(client, flow_id, "o1")
    em.scheduler.tick()

    waiting = _delivery(client, flow_id, delivery_id)
    assert waiting["status"] == "waiting_retry"
    assert waiting["error"]["type"] == "Throttled" and waiting["attempts"] == 1
    assert em.store.get_delivery(delivery_id)["next_attempt_at"] - clock.now == pytest.approx(7, abs=0.01)
    reads = service.config.get("order_reads", 0)
    clock.advance(5)
    em.scheduler.tick()
    assert service.config.get("order_reads", 0) == reads  # the vendor's delay is honoured
    clock.advance(3)
    em.scheduler.tick()
    assert _delivery(client, flow_id, delivery_id)["status"] == "processed"
    em.scheduler.tick()
    assert [n["title"] for n in service.config["notes"]] == ["Order o1"]


def test_a_delivery_meeting_server_errors_retries_with_growing_delays_fails_visibly_and_can_be_replayed(
    platform, service, clock
):
    _app, em, client = platform
    flow_id = _hook_flow(client)
    service.config["faults"]["GET /orders/o7"] = [(503, {})] * 4
    delivery_id = _deliver(client, flow_id, "o7")
    delays = []
    for _ in range(3):
        em.scheduler.tick()
        stored = em.store.get_delivery(delivery_id)
        assert stored["status"] == "waiting_retry"
        delays.append(stored["next_attempt_at"] - clock.now)
        clock.advance(delays[-1])
    assert delays == [10, 20, 40]  # RETRY_BASE_SECONDS doubling
    em.scheduler.tick()

    failed = _delivery(client, flow_id, delivery_id)
    assert failed["status"] == "failed" and failed["attempts"] == 4
    assert "gave up after 4 attempts" in failed["error"]["message"]
    assert service.config["notes"] == []

    replayed = client.post(f"/api/flows/{flow_id}/deliveries/{delivery_id}/replay")
    assert replayed.status_code == 200, replayed.get_json()
    assert replayed.get_json()["status"] == "processed" and replayed.get_json()["items"] == 1
    em.scheduler.tick()
    assert [n["title"] for n in service.config["notes"]] == ["Order o7"]
    again = client.post(f"/api/flows/{flow_id}/deliveries/{delivery_id}/replay")
    assert again.status_code == 409
    assert again.get_json()["error"] == {
        "message": f"delivery {delivery_id} is processed; only failed deliveries can be replayed", "field": "status",
    }


def test_replaying_an_unknown_delivery_is_a_json_404(platform):
    _app, _em, client = platform
    flow_id = _hook_flow(client)
    missing = client.post(f"/api/flows/{flow_id}/deliveries/dlv_nope/replay")
    assert missing.status_code == 404 and missing.get_json()["error"]["field"] == "delivery_id"


# --- 4. long ids are bounded; a poison delivery gives up ------------------------------------------


def test_an_item_id_longer_than_the_column_is_stored_hashed_and_still_fires_once(platform, service):
    _app, em, client = platform
    flow_id = _hook_flow(client, operation="new_order")
    long_id = "order-" + "x" * 700
    for _ in range(2):
        _deliver(client, flow_id, long_id)
    em.scheduler.tick()
    em.scheduler.tick()

    deliveries = client.get(f"/api/flows/{flow_id}/deliveries").get_json()["deliveries"]
    assert sorted((d["status"], d["items"]) for d in deliveries) == [("processed", 0), ("processed", 1)]
    [run] = client.get(f"/api/runs?flow={flow_id}").get_json()["runs"]
    assert run["status"] == "succeeded"
    assert run["item_id"].startswith("sha256:") and len(run["item_id"]) == len("sha256:") + 64
    assert client.get(f"/api/runs/{run['id']}").get_json()["item"]["id"] == long_id  # the item keeps its id
    assert len(service.config["notes"]) == 1


def test_a_delivery_whose_runs_cannot_be_stored_gives_up_after_bounded_tries_with_a_visible_error(
    platform, service, clock
):
    _app, em, client = platform
    flow_id = _hook_flow(client)
    faults = StoreFaults(em.store.engine)
    faults.fail(writing("emulator_runs"))
    delivery_id = _deliver(client, flow_id, "o3")
    for _ in range(10):
        em.scheduler.tick()
        clock.advance(1000)

    failed = _delivery(client, flow_id, delivery_id)
    assert failed["status"] == "failed" and failed["attempts"] == 4
    assert failed["error"]["type"] == "StoreError"
    assert "database or disk is full" in failed["error"]["message"]
    assert "gave up after 4 attempts" in failed["error"]["message"]
    assert service.config["order_reads"] == 4  # the vendor is not called on every tick forever

    faults.clear()
    assert client.post(f"/api/flows/{flow_id}/deliveries/{delivery_id}/replay").get_json()["status"] == "processed"
    em.scheduler.tick()
    assert [n["title"] for n in service.config["notes"]] == ["Order o3"]
    faults.remove()


# --- 3. a run whose executor could not record its outcome is taken over -----------------------------


def _two_step_flow(client: Any) -> str:
    response = client.post("/api/flows", json={
        "name": "Recipes to two notes",
        "trigger": {"app": "kitchen", "operation": "any_recipe", "connection_id": "kitchen-1"},
        "steps": [
            {"key": "a", "app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
             "mapping": {"title": "a {{trigger.name}}"}},
            {"key": "b", "app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
             "mapping": {"title": "b {{trigger.name}}"}},
        ],
    })
    flow_id = str(response.get_json()["id"])
    assert client.post(f"/api/flows/{flow_id}/on").status_code == 200
    return flow_id


def test_a_run_left_running_by_a_failed_store_write_is_taken_over_when_its_lease_expires(
    make_app, store_url, service, clock
):
    app = make_app(DATABASE_URL=store_url, LEASE_SECONDS=60)
    em = app.extensions["emulator"]
    client = app.test_client()
    flow_id = _two_step_flow(client)
    add_recipes(service, "Soup")
    [run_id] = client.post(f"/api/flows/{flow_id}/poll").get_json()["runs"]
    faults = StoreFaults(em.store.engine)
    faults.fail(writing("emulator_runs", containing="'succeeded'"))  # the run's outcome cannot be written
    em.scheduler.tick()
    assert faults.failed == 1
    assert em.store.get_run(run_id)["status"] == "running"
    faults.clear()

    em.scheduler.tick()  # the lease still holds: nobody else takes the run
    assert em.store.get_run(run_id)["status"] == "running"
    refused = client.post(f"/api/runs/{run_id}/replay")
    assert refused.status_code == 409
    assert "being executed right now" in refused.get_json()["error"]["message"]

    clock.advance(61)
    em.scheduler.tick()
    run = client.get(f"/api/runs/{run_id}").get_json()
    assert run["status"] == "succeeded"
    assert [step["attempts"] for step in run["steps"]] == [1, 1]  # succeeded steps were not run again
    assert [n["title"] for n in service.config["notes"]] == ["a Soup", "b Soup"]
    faults.remove()
    em.store.engine.dispose()


def test_an_executor_whose_lease_was_taken_over_does_not_write_the_runs_outcome(make_app, service, clock):
    app = make_app(LEASE_SECONDS=60)
    em = app.extensions["emulator"]
    client = app.test_client()
    flow_id = _two_step_flow(client)
    add_recipes(service, "Soup")
    [run_id] = client.post(f"/api/flows/{flow_id}/poll").get_json()["runs"]
    assert em.store.claim_run(run_id, ("pending",), clock.now, 60)  # a worker took it, then went silent
    em.store.owner = "another-worker"  # this process is now a second worker
    clock.advance(61)
    assert em.runner.execute_run(run_id) == "succeeded"
    assert [n["title"] for n in service.config["notes"]] == ["a Soup", "b Soup"]


def test_a_step_interrupted_on_every_try_fails_instead_of_starting_forever(make_app, service, clock):
    app = make_app(LEASE_SECONDS=60, MAX_ATTEMPTS=3)
    em = app.extensions["emulator"]
    client = app.test_client()
    flow_id = _two_step_flow(client)
    add_recipes(service, "Soup")
    [run_id] = client.post(f"/api/flows/{flow_id}/poll").get_json()["runs"]
    faults = StoreFaults(em.store.engine)
    faults.fail(writing("emulator_step_results", containing="'succeeded'"))  # no step outcome is ever stored
    for _ in range(4):
        em.scheduler.tick()
        clock.advance(61)
    run = client.get(f"/api/runs/{run_id}").get_json()
    assert run["status"] == "failed"
    assert run["steps"][0]["error"]["type"] == "Interrupted"
    assert "interrupted 3 times" in run["steps"][0]["error"]["message"]
    faults.remove()


# --- 2. concurrent replays claim the run once ---------------------------------------------------------


def test_simultaneous_replays_of_the_same_failed_runs_execute_each_once(make_app, store_url, service, clock):
    app = make_app(DATABASE_URL=store_url)
    em = app.extensions["emulator"]
    client = app.test_client()
    flow_id = _two_step_flow(client)
    add_recipes(service, *[f"dish {n}" for n in range(8)])
    run_ids = client.post(f"/api/flows/{flow_id}/poll").get_json()["runs"]
    service.config["faults"]["POST /notes"] = [(400, {})] * len(run_ids)
    em.scheduler.tick()
    assert {em.store.get_run(r)["status"] for r in run_ids} == {"failed"}

    answers: list[tuple[str, int]] = []
    start = threading.Barrier(4)

    def replay_all() -> None:
        own = app.test_client()
        start.wait()
        for run_id in run_ids:
            answers.append((run_id, own.post(f"/api/runs/{run_id}/replay").status_code))

    threads = [threading.Thread(target=replay_all) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for run_id in run_ids:
        codes = sorted(code for rid, code in answers if rid == run_id)
        assert codes == [200, 409, 409, 409], (run_id, codes)
        run = em.store.get_run(run_id)
        assert run["status"] == "succeeded" and run["replays"] == 1
    titles = [n["title"] for n in service.config["notes"]]
    assert sorted(titles) == sorted(f"{step} dish {n}" for n in range(8) for step in "ab")
    em.store.engine.dispose()


# --- throttling is the vendor saying "later", not a failure -------------------------------------------


def test_a_step_throttled_more_often_than_the_retry_budget_still_succeeds_and_long_delays_are_capped(
    make_app, service, clock
):
    app = make_app(MAX_ATTEMPTS=3)
    em = app.extensions["emulator"]
    client = app.test_client()
    flow_id = _two_step_flow(client)
    add_recipes(service, "Soup")
    [run_id] = client.post(f"/api/flows/{flow_id}/poll").get_json()["runs"]
    service.config["faults"]["POST /notes"] = [(429, {"Retry-After": "2"})] * 5 + [(429, {"Retry-After": "86400"})]
    for _ in range(6):
        em.scheduler.tick()
        run = em.store.get_run(run_id)
        assert run["status"] == "waiting_retry"
        clock.advance(run["next_retry_at"] - clock.now)
    assert run["next_retry_at"] - run["created"] <= 5 * 2 + 3600  # a day-long Retry-After waits an hour at most
    em.scheduler.tick()
    detail = client.get(f"/api/runs/{run_id}").get_json()
    assert detail["status"] == "succeeded"
    assert detail["steps"][0]["attempts"] == 7
    assert [n["title"] for n in service.config["notes"]] == ["a Soup", "b Soup"]


def test_a_delivery_throttled_more_often_than_the_retry_budget_is_still_processed(platform, service, clock):
    _app, em, client = platform  # MAX_ATTEMPTS=4
    flow_id = _hook_flow(client)
    service.config["faults"]["GET /orders/o9"] = [(429, {"Retry-After": "1"})] * 6 + [(500, {})] * 2
    delivery_id = _deliver(client, flow_id, "o9")
    for _ in range(20):
        em.scheduler.tick()
        clock.advance(100)
    processed = _delivery(client, flow_id, delivery_id)
    assert processed["status"] == "processed" and processed["attempts"] == 9
    assert [n["title"] for n in service.config["notes"]] == ["Order o9"]


def test_a_flow_name_or_connection_id_longer_than_its_column_is_refused_naming_the_field(platform):
    _app, _em, client = platform
    too_long_name = client.post("/api/flows", json={
        "name": "n" * 201, "trigger": {"app": "kitchen", "operation": "new_order", "connection_id": "kitchen-1"},
    })
    assert too_long_name.status_code == 422
    assert too_long_name.get_json()["error"]["field"] == "name"
    assert "at most 200 characters, got 201" in too_long_name.get_json()["error"]["message"]
    too_long_id = client.post("/api/flows", json={
        "name": "ok", "trigger": {"app": "kitchen", "operation": "new_order", "connection_id": "c" * 101},
    })
    assert too_long_id.status_code == 422
    assert too_long_id.get_json()["error"]["field"] == "trigger.connection_id"
    assert client.get("/api/flows").get_json()["flows"] == []


def test_one_throttled_delivery_holds_back_the_rest_of_its_flow_without_calling_the_vendor(
    platform, service, clock
):
    _app, em, client = platform
    flow_id = _hook_flow(client)
    service.config["faults"]["GET /orders/o1"] = [(429, {"Retry-After": "5"})]
    first = _deliver(client, flow_id, "o1")
    second = _deliver(client, flow_id, "o2")
    em.scheduler.tick()
    held_back = em.store.get_delivery(second)
    assert held_back["status"] == "waiting_retry" and not held_back["attempts"]
    assert held_back["next_attempt_at"] - clock.now == pytest.approx(5, abs=0.01)
    assert service.config.get("order_reads", 0) == 0  # o2 was not read into another 429
    clock.advance(5)
    em.scheduler.tick()
    assert {em.store.get_delivery(d)["status"] for d in (first, second)} == {"processed"}


def test_a_database_made_before_leases_and_delivery_retries_is_upgraded_in_place(make_app, store_url, service):
    app = make_app(DATABASE_URL=store_url)
    client = app.test_client()
    flow_id = _two_step_flow(client)
    add_recipes(service, "Soup")
    [run_id] = client.post(f"/api/flows/{flow_id}/poll").get_json()["runs"]
    engine = app.extensions["emulator"].store.engine
    added = {"emulator_runs": ("claimed_by", "claimed_until"), "emulator_step_results": ("throttled",),
             "emulator_hook_deliveries": ("attempts", "throttled", "next_attempt_at", "claimed_until")}
    with engine.begin() as conn:
        for table, columns in added.items():
            for column in columns:
                conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
    engine.dispose()

    upgraded = make_app(DATABASE_URL=store_url)
    em = upgraded.extensions["emulator"]
    em.scheduler.tick()
    assert em.store.get_run(run_id)["status"] == "succeeded"
    assert [n["title"] for n in service.config["notes"]] == ["a Soup", "b Soup"]
    em.store.engine.dispose()


def test_replaying_a_pending_run_is_refused_with_a_409_saying_it_will_run(make_app, service):
    app = make_app()
    client = app.test_client()
    flow_id = _two_step_flow(client)
    add_recipes(service, "Soup")
    [run_id] = client.post(f"/api/flows/{flow_id}/poll").get_json()["runs"]
    refused = client.post(f"/api/runs/{run_id}/replay")
    assert refused.status_code == 409
    assert refused.get_json()["error"] == {
        "message": f"run {run_id} is pending; only failed, halted or waiting runs can be replayed; it is queued "
                   "and will run shortly",
        "field": "status",
    }
    assert service.config["notes"] == []
