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
    with httpx.Client(base_url=url, timeout=10) as client:
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
