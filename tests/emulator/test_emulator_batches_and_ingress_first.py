"""Runs executed in batches, deliveries committed by whoever holds the write lock, and the ingress first.

- The scheduler executes its runnable runs as a batch: one statement claims them, their bookkeeping is
  read once, and runs with nothing left to do finish in one statement; each run still gets its own
  outcome, a run another executor holds is left alone, and one run's failure leaves the others' alone.
- A delivery that arrives while a run's transaction holds SQLite's one write lock is committed by that
  transaction's thread as it ends, and only then acknowledged.
- While deliveries stream in, the scheduler's thread waits for a pause before processing them, but a
  stream that never pauses still has its deliveries processed while it goes on.
"""

from __future__ import annotations

import gc
import sqlite3
import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa
from emulator_kitchen import add_recipes, poll_flow_body

import emulator.scheduler as scheduler_module
from emulator.serving import settle_heap

SECRET = {"X-Hook-Secret": "hook-secret-xyz"}


def _flow(client: Any, steps: list[dict[str, Any]] | None = None) -> str:
    body = poll_flow_body() if steps is None else poll_flow_body(steps=steps)
    response = client.post("/api/flows", json=body)
    assert response.status_code == 201, response.get_json()
    flow_id = str(response.get_json()["id"])
    assert client.post(f"/api/flows/{flow_id}/on").status_code == 200
    return flow_id


@pytest.fixture
def make_app(make_app: Any) -> Any:
    """The suite's app factory; every engine it made is closed after the test (PostgreSQL counts them)."""
    made: list[Any] = []

    def build(**overrides: Any) -> Any:
        app = make_app(**overrides)
        made.append(app)
        return app

    yield build
    for app in made:
        app.extensions["emulator"].store.engine.dispose()


def _statements(engine: sa.Engine, table: str) -> list[str]:
    """Collects the UPDATE statements sent for ``table`` from now on."""
    seen: list[str] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE") and table in statement:
            seen.append(statement)

    return seen


def test_runs_with_nothing_to_do_are_claimed_and_finished_with_one_statement_each_way(make_app, store_url, service):
    app = make_app(DATABASE_URL=store_url)
    em, client = app.extensions["emulator"], app.test_client()
    flow_id = _flow(client, steps=[])
    add_recipes(service, *(f"Dish {n}" for n in range(30)))
    run_ids = em.runner.poll_flow(flow_id).run_ids
    assert len(run_ids) == 30
    updates = _statements(em.store.engine, "emulator_runs")

    statuses = em.runner.execute_runs(run_ids)

    assert statuses == dict.fromkeys(run_ids, "succeeded")
    assert len(updates) == 2, updates  # one claim, one finish, for all thirty
    for run_id in run_ids:
        run = em.store.get_run(run_id)
        assert run["status"] == "succeeded" and run["finished"] is not None
        assert run["claimed_by"] is None and run["claimed_until"] is None
    assert em.runner.execute_runs(run_ids) == dict.fromkeys(run_ids, "succeeded")  # finished: left alone


def test_a_batch_runs_every_step_of_every_run_once_and_reports_each_outcome(make_app, store_url, service):
    app = make_app(DATABASE_URL=store_url)
    em, client = app.extensions["emulator"], app.test_client()
    flow_id = _flow(client)
    add_recipes(service, "Soup", "Stew", "Pie")
    run_ids = em.runner.poll_flow(flow_id).run_ids
    service.config["faults"]["POST /notes"] = [(400, {})]  # the first note the batch sends is refused

    statuses = em.runner.execute_runs([*run_ids, "run_unknown"])

    assert [statuses[run_id] for run_id in run_ids] == ["failed", "succeeded", "succeeded"]
    assert statuses["run_unknown"] == "missing"
    assert [note["title"] for note in service.config["notes"]] == ["Cook Stew", "Cook Pie"]
    failed = client.get(f"/api/runs/{run_ids[0]}").get_json()
    assert failed["status"] == "failed" and failed["steps"][0]["attempts"] == 1


def test_a_run_another_executor_holds_is_left_alone_and_the_rest_of_the_batch_runs(make_app, service, clock):
    app = make_app(LEASE_SECONDS=60)
    em, client = app.extensions["emulator"], app.test_client()
    flow_id = _flow(client)
    add_recipes(service, "Soup", "Stew")
    held, free = em.runner.poll_flow(flow_id).run_ids
    owner = em.store.owner
    em.store.owner = "another-worker"
    assert em.store.claim_run(held, ("pending",), clock.now, 60)
    em.store.owner = owner

    assert em.runner.execute_runs([held, free]) == {held: "running", free: "succeeded"}
    assert [note["title"] for note in service.config["notes"]] == ["Cook Stew"]
    assert em.store.get_run(held)["claimed_by"] == "another-worker"


def test_one_run_that_breaks_the_executor_does_not_stop_the_others(make_app, service, monkeypatch):
    app = make_app()
    em, client = app.extensions["emulator"], app.test_client()
    flow_id = _flow(client)
    add_recipes(service, "Soup", "Stew", "Pie")
    first, broken, last = em.runner.poll_flow(flow_id).run_ids
    run_step = em.runner.executor._run_step

    def breaks_on_one(run: Any, *args: Any, **kwargs: Any) -> Any:
        if run["id"] == broken:
            raise RuntimeError("a bug in the executor")
        return run_step(run, *args, **kwargs)

    monkeypatch.setattr(em.runner.executor, "_run_step", breaks_on_one)
    statuses = em.runner.execute_runs([first, broken, last])

    assert statuses == {first: "succeeded", broken: "error", last: "succeeded"}
    assert [note["title"] for note in service.config["notes"]] == ["Cook Soup", "Cook Pie"]
    assert em.store.get_run(broken)["status"] == "running"  # its lease runs out, then it is taken over


def test_a_delivery_arriving_during_a_runs_transaction_is_committed_when_it_ends_then_acknowledged(make_app):
    app = make_app()
    em = app.extensions["emulator"]
    stored: list[str] = []
    with em.store.begin() as conn:  # a run's transaction: SQLite's one write lock is taken
        conn.execute(sa.text("SELECT 1"))
        ingress = threading.Thread(
            target=lambda: stored.append(em.store.store_delivery("flow_x", "POST", {}, {}, b"{}", 1.0))
        )
        ingress.start()
        ingress.join(0.3)
        assert ingress.is_alive() and stored == []  # not acknowledged before it is committed
    ingress.join(5)
    assert not ingress.is_alive()
    [delivery_id] = stored
    assert em.store.get_delivery(delivery_id)["status"] == "received"


def test_deliveries_from_many_threads_are_each_committed_once(make_app):
    app = make_app()
    em = app.extensions["emulator"]
    ids: list[str] = []
    lock = threading.Lock()

    def send(count: int) -> None:
        for n in range(count):
            delivery_id = em.store.store_delivery("flow_x", "POST", {}, {}, str(n).encode(), 1.0)
            with lock:
                ids.append(delivery_id)
            if n % 5 == 0:
                with em.store.begin() as conn:  # runs' transactions in between, as the scheduler makes them
                    conn.execute(sa.text("SELECT 1"))

    threads = [threading.Thread(target=send, args=(40,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(ids) == len(set(ids)) == 320
    assert em.store.count_deliveries("flow_x") == 320


def _held_then_released(em: Any, bodies: list[bytes]) -> tuple[list[str], list[Exception]]:
    """Deliveries sent while a run's transaction holds the write lock, so one commit takes them all."""
    stored: list[str] = []
    failed: list[Exception] = []
    lock = threading.Lock()

    def send(body: bytes) -> None:
        try:
            delivery_id = em.store.store_delivery("flow_x", "POST", {}, {}, body, 1.0)
        except Exception as exc:  # what the ingress answers 503 for
            with lock:
                failed.append(exc)
            return
        with lock:
            stored.append(delivery_id)

    senders = [threading.Thread(target=send, args=(body,)) for body in bodies]
    with em.store.begin() as conn:
        conn.execute(sa.text("SELECT 1"))
        for sender in senders:
            sender.start()
        deadline = time.monotonic() + 10
        while len(em.store._pending_deliveries) < len(bodies) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(em.store._pending_deliveries) == len(bodies)  # all queued behind the transaction
    for sender in senders:
        sender.join(10)
    return stored, failed


def test_a_backlog_larger_than_one_insert_is_committed_whole(make_app):
    em = make_app().extensions["emulator"]
    # As on a SQLite build older than 3.32: at most 999 parameters a statement.
    pooled = em.store._delivery_connection = em.store.engine.raw_connection()
    pooled.driver_connection.isolation_level = None
    pooled.driver_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    bodies = [f"delivery {n}".encode() for n in range(450)]  # more than one multi-row INSERT carries
    stored, failed = _held_then_released(em, bodies)
    assert failed == [] and len(set(stored)) == 450
    assert sorted(bytes(em.store.get_delivery(d)["body"]) for d in stored) == sorted(bodies)


def test_a_batch_that_cannot_be_committed_stores_none_of_it_and_the_next_delivery_is_stored(make_app, monkeypatch):
    em = make_app().extensions["emulator"]
    monkeypatch.setattr("emulator.store.os.urandom", lambda size: b"\x01" * size)  # every id the same
    stored, failed = _held_then_released(em, [b"first", b"second", b"third"])
    assert stored == [] and len(failed) == 3  # none acknowledged: the vendor sends them again
    assert "could not be stored" in str(failed[0])
    assert em.store.count_deliveries("flow_x") == 0
    monkeypatch.undo()
    again = em.store.store_delivery("flow_x", "POST", {}, {}, b"first", 2.0)
    assert bytes(em.store.get_delivery(again)["body"]) == b"first"
    assert em.store.count_deliveries("flow_x") == 1


def _hook_flow(client: Any) -> str:
    response = client.post("/api/flows", json={
        "name": "Orders to notes",
        "trigger": {"app": "kitchen", "operation": "new_order", "connection_id": "kitchen-1"},
        "steps": [{"key": "note", "app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
                   "mapping": {"title": "Order {{trigger.id}}"}}],
    })
    assert response.status_code == 201, response.get_json()
    flow_id = str(response.get_json()["id"])
    assert client.post(f"/api/flows/{flow_id}/on").status_code == 200
    return flow_id


def _deliver(client: Any, flow_id: str, order_id: str) -> None:
    response = client.post(f"/hooks/{flow_id}", json={"data": {"events": [{"id": order_id, "total": 1}]}},
                           headers=SECRET)
    assert response.status_code == 200, response.get_json()


def test_a_burst_is_acknowledged_first_and_becomes_runs_once_it_pauses(make_app, service, monkeypatch):
    monkeypatch.setattr(scheduler_module, "INGRESS_QUIET", 1.0)  # any gap below a second is "still arriving"
    monkeypatch.setattr(scheduler_module, "INGRESS_MAX_DEFER", 60.0)
    app = make_app(RUNNER_THREAD=True, SCHEDULER_INTERVAL=0.05, CLOCK=None)
    em, client = app.extensions["emulator"], app.test_client()
    try:
        flow_id = _hook_flow(client)
        for n in range(6):
            _deliver(client, flow_id, f"o{n}")
            time.sleep(0.05)
        assert em.store.count_deliveries(flow_id, "processed") == 0  # still arriving: nothing processed yet
        deadline = time.monotonic() + 10
        while len(service.config["notes"]) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(note["title"] for note in service.config["notes"]) == [f"Order o{n}" for n in range(6)]
    finally:
        em.scheduler.stop()


def test_a_stream_that_never_pauses_is_still_processed_while_it_goes_on(make_app, service, monkeypatch):
    monkeypatch.setattr(scheduler_module, "INGRESS_QUIET", 1.0)
    monkeypatch.setattr(scheduler_module, "INGRESS_MAX_DEFER", 0.3)
    app = make_app(RUNNER_THREAD=True, SCHEDULER_INTERVAL=0.05, CLOCK=None)
    em, client = app.extensions["emulator"], app.test_client()
    try:
        flow_id = _hook_flow(client)
        sent = 0
        deadline = time.monotonic() + 15
        while len(service.config["notes"]) < 5 and time.monotonic() < deadline:
            _deliver(client, flow_id, f"o{sent}")  # never a gap of a second: the ingress is always busy
            sent += 1
            time.sleep(0.02)
        assert len(service.config["notes"]) >= 5, f"{sent} deliveries sent, none processed while they kept coming"
    finally:
        em.scheduler.stop()


def test_settling_the_heap_freezes_what_start_up_built_and_later_garbage_is_still_collected():
    class Node:
        def __init__(self) -> None:
            self.me = self

    before = Node()
    settle_heap()
    try:
        assert gc.get_freeze_count() > 0
        collected = gc.collect()
        late = Node()
        del late
        assert gc.collect() >= 1 and collected >= 0  # a cycle made after start-up is garbage as usual
        assert before.me is before
    finally:
        gc.unfreeze()
