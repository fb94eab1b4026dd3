"""Scaled mode without the broker: the store as outbox, jobs sent twice, on SQLite and PostgreSQL alike.

A recording queue stands in for Celery; the jobs are the same functions the Celery tasks call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from emulator_kitchen import add_recipes
from flask import Flask

from emulator.distributed import JOBS
from emulator.scheduler import DELIVERY_TASK, POLL_TASK, RUN_TASK


class RecordingQueue:
    """Keeps what was sent; ``down`` makes every send fail, as an unreachable broker does."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.down = False

    def backlog(self) -> int:
        return len(self.sent)

    def send(self, task: str, item_id: str) -> bool:
        if self.down:
            return False
        self.sent.append((task, item_id))
        return True

    def drain(self, emulator: Any, times: int = 1) -> None:
        """Run every job sent so far ``times`` times (a broker may hand a job out more than once)."""
        while self.sent:
            task, item_id = self.sent.pop(0)
            for _ in range(times):
                JOBS[task](emulator, item_id)


@pytest.fixture
def scaled(make_app: Callable[..., Flask], store_url: str) -> Iterator[tuple[Flask, Any, RecordingQueue]]:
    app = make_app(DATABASE_URL=store_url, RECOVER_ON_START=False)
    emulator = app.extensions["emulator"]
    queue = RecordingQueue()
    emulator.scheduler.queue = queue
    yield app, emulator, queue
    emulator.store.engine.dispose()
    emulator.store.dedupe.engine.dispose()


def _hook_flow(client: Any) -> str:
    flow_id: str = client.post("/api/flows", json={
        "name": "Orders to notes",
        "trigger": {"app": "kitchen", "operation": "new_order", "connection_id": "kitchen-1"},
        "steps": [{"key": "note", "app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
                   "mapping": {"title": "Order {{trigger.id}}"}}],
    }).get_json()["id"]
    assert client.post(f"/api/flows/{flow_id}/on").status_code == 200
    return flow_id


def _deliver(client: Any, flow_id: str, *events: str) -> None:
    body = {"data": {"events": [{"id": e} for e in events]}}
    assert client.post(f"/hooks/{flow_id}", json=body, headers={"X-Hook-Secret": "hook-secret-xyz"}).status_code == 200


def test_a_committed_delivery_is_sent_to_the_workers_and_jobs_handed_out_twice_make_one_note_each(
    scaled: tuple[Flask, Any, RecordingQueue], service: Flask
) -> None:
    app, emulator, queue = scaled
    client = app.test_client()
    flow_id = _hook_flow(client)
    _deliver(client, flow_id, "e1", "e2")
    assert [task for task, _ in queue.sent] == [DELIVERY_TASK]
    queue.drain(emulator, times=2)
    assert sorted(n["title"] for n in service.config["notes"]) == ["Order e1", "Order e2"]
    assert {r["status"] for r in client.get(f"/api/runs?flow={flow_id}").get_json()["runs"]} == {"succeeded"}


def test_what_the_broker_never_got_is_sent_by_the_sweep_and_resent_only_after_a_while(
    scaled: tuple[Flask, Any, RecordingQueue], service: Flask, clock: Any
) -> None:
    app, emulator, queue = scaled
    client = app.test_client()
    flow_id = _hook_flow(client)
    queue.down = True
    _deliver(client, flow_id, "e1")
    assert queue.sent == []  # the delivery is stored and acknowledged all the same
    queue.down = False
    first = emulator.scheduler.tick()
    assert [job.split(":")[0] for job in first.sent] == [DELIVERY_TASK]
    assert emulator.scheduler.tick().sent == []  # sent and still open: not sent again at once
    clock.advance(emulator.scheduler.resend_seconds + 1)
    assert emulator.scheduler.tick().sent == []  # still waiting in the queue for a worker: not lost
    queue.sent.clear()  # a worker took it, then died
    assert [job.split(":")[0] for job in emulator.scheduler.tick().sent] == [DELIVERY_TASK]
    queue.drain(emulator)
    queue.sent.clear()
    assert [n["title"] for n in service.config["notes"]] == ["Order e1"]
    clock.advance(emulator.scheduler.resend_seconds + 1)
    assert emulator.scheduler.tick().sent == []  # nothing open is left


def test_a_due_poll_is_polled_by_one_worker_however_often_it_is_handed_out(
    scaled: tuple[Flask, Any, RecordingQueue], service: Flask, clock: Any
) -> None:
    app, emulator, queue = scaled
    client = app.test_client()
    flow_id = client.post("/api/flows", json={
        "name": "Recipes to notes", "interval_seconds": 60,
        "trigger": {"app": "kitchen", "operation": "any_recipe", "connection_id": "kitchen-1"},
        "steps": [{"key": "note", "app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
                   "mapping": {"title": "{{trigger.name}}"}}],
    }).get_json()["id"]
    emulator.runner.turn_on(flow_id)
    add_recipes(service, "soup", "stew")
    clock.advance(61)
    sent = emulator.scheduler.tick().sent
    assert sent == [f"{POLL_TASK}:{flow_id}"]
    queue.sent.append((POLL_TASK, flow_id))
    queue.drain(emulator, times=3)
    assert sorted(n["title"] for n in service.config["notes"]) == ["soup", "stew"]
    runs = client.get(f"/api/runs?flow={flow_id}").get_json()["runs"]
    assert len(runs) == 2 and {r["status"] for r in runs} == {"succeeded"}
    assert all(task == RUN_TASK for task, _ in queue.sent)
