"""The platform as separate processes: web, Celery workers and one active scheduler on PostgreSQL and Redis."""

from __future__ import annotations

import collections
import time
from typing import Any

import httpx
import pytest
from scale_world import Deployment, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SECRET = {"X-Hook-Secret": "hook-secret-xyz"}


def _orders_flow(client: httpx.Client) -> str:
    created = client.post("/api/flows", json={
        "name": "Orders to notes",
        "trigger": {"app": "kitchen", "operation": "new_order", "connection_id": "kitchen-1"},
        "steps": [{"key": "note", "app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
                   "mapping": {"title": "Order {{trigger.id}}"}}],
    })
    assert created.status_code == 201, created.text
    flow_id: str = created.json()["id"]
    turned_on = client.post(f"/api/flows/{flow_id}/on")
    assert turned_on.status_code == 200, turned_on.text
    return flow_id


def _deliver(client: httpx.Client, flow_id: str, *event_ids: str) -> httpx.Response:
    body = {"data": {"events": [{"id": e, "total": 1} for e in event_ids]}}
    return client.post(f"/hooks/{flow_id}", json=body, headers=SECRET)


def _titles(service: Any) -> collections.Counter[str]:
    return collections.Counter(note["title"] for note in list(service.config["notes"]))


def test_hook_events_go_from_a_web_process_through_two_workers_to_the_vendor_once_each(
    deployment: Deployment, kitchen: Any
) -> None:
    service, _url = kitchen
    workers = [deployment.worker(), deployment.worker()]
    deployment.scheduler()
    _web, url = deployment.web()
    with httpx.Client(base_url=url, timeout=10, headers=deployment.api_headers()) as client:
        flow_id = _orders_flow(client)
        for n in range(30):
            assert _deliver(client, flow_id, f"e{n}a", f"e{n}b").status_code == 200
    wait_for(lambda: sum(_titles(service).values()) >= 60, 60, "60 notes at the Kitchen")
    time.sleep(0.5)  # anything repeated would arrive now
    titles = _titles(service)
    assert len(titles) == 60 and set(titles.values()) == {1}, titles
    assert all(w.poll() is None for w in workers), "a worker died"


def test_a_second_scheduler_stands_by_and_takes_over_when_the_active_one_is_killed(deployment: Deployment) -> None:
    first = deployment.scheduler()
    wait_for(lambda: "active" in deployment.log_of(first), 30, "first scheduler to become active")
    second = deployment.scheduler()
    wait_for(lambda: "standing by" in deployment.log_of(second), 30, "second scheduler to start")
    time.sleep(1.5)
    assert "active" not in deployment.log_of(second), "two schedulers were active at once"
    deployment.kill(first)
    wait_for(lambda: "active" in deployment.log_of(second), 30, "second scheduler to take over")


def test_jobs_lost_between_store_and_queue_are_swept_up_by_the_scheduler(
    deployment: Deployment, kitchen: Any, queue_name: str
) -> None:
    import redis

    service, _url = kitchen
    _web, url = deployment.web()
    with httpx.Client(base_url=url, timeout=10, headers=deployment.api_headers()) as client:
        flow_id = _orders_flow(client)
        for n in range(10):
            assert _deliver(client, flow_id, f"lost{n}").status_code == 200
    # Every message the web process sent is gone, as if it had died between commit and send.
    broker = redis.Redis.from_url(deployment.env["CONNECTOR_BROKER_URL"])
    assert broker.llen(queue_name) == 10
    broker.delete(queue_name)
    broker.close()
    deployment.worker()
    deployment.scheduler()
    wait_for(lambda: sum(_titles(service).values()) >= 10, 60, "10 notes at the Kitchen")
    assert _titles(service) == {f"Order lost{n}": 1 for n in range(10)}


def test_hook_events_survive_kill_9_of_workers_the_scheduler_and_a_web_process(
    deployment: Deployment, kitchen: Any
) -> None:
    """Counted at the vendor by source event: every acknowledged event makes exactly one note.

    ``SCALE_KILL_EVENTS=2000`` runs the full size; the suite sends fewer to stay quick.
    """
    import os
    import random

    events = int(os.environ.get("SCALE_KILL_EVENTS", "150"))
    service, _url = kitchen
    chance = random.Random(16)
    workers = [deployment.worker(), deployment.worker()]
    scheduler = deployment.scheduler()
    web, url = deployment.web()
    client = httpx.Client(base_url=url, timeout=10, headers=deployment.api_headers())
    flow_id = _orders_flow(client)
    acknowledged: set[str] = set()
    kills = collections.Counter[str]()
    try:
        for n in range(events):
            event = f"k{n}"
            if n and n % max(1, events // 6) == 0:
                victim = chance.choice(["worker", "worker", "scheduler", "web"])
                kills[victim] += 1
                if victim == "worker":
                    index = chance.randrange(len(workers))
                    deployment.kill(workers[index])
                    workers[index] = deployment.worker()
                elif victim == "scheduler":
                    deployment.kill(scheduler)
                    scheduler = deployment.scheduler()
                else:
                    deployment.kill(web)
                    client.close()
                    web, url = deployment.web()
                    client = httpx.Client(base_url=url, timeout=10, headers=deployment.api_headers())
            while event not in acknowledged:  # the vendor sends again until it is acknowledged
                try:
                    if _deliver(client, flow_id, event).status_code == 200:
                        acknowledged.add(event)
                except httpx.TransportError:
                    time.sleep(0.1)
    finally:
        client.close()
    try:
        wait_for(lambda: len(_titles(service)) >= events, 120, f"{events} distinct notes at the Kitchen")
    except AssertionError as exc:
        missing = sorted({f"Order k{n}" for n in range(events)} - set(_titles(service)))
        raise AssertionError(f"{exc}: {len(missing)} missing, e.g. {missing[:5]}") from None
    time.sleep(1.0)
    titles = _titles(service)
    assert set(titles) == {f"Order k{n}" for n in range(events)}
    duplicated = {title: count for title, count in titles.items() if count > 1}
    assert not duplicated, f"events that made more than one note: {duplicated}"
    assert sum(kills.values()) >= 5, kills
