"""The same store on PostgreSQL: the scaled deployment must behave like the SQLite default."""

from __future__ import annotations

import pytest
from emulator_kitchen import add_recipes

pytestmark = pytest.mark.postgres


def test_polling_hooks_and_replay_work_on_postgresql(make_app, postgres_url, service, clock):
    app = make_app(DATABASE_URL=postgres_url)
    em = app.extensions["emulator"]
    client = app.test_client()
    try:
        flow_id = client.post("/api/flows", json={
            "name": "pg", "trigger": {"app": "kitchen", "operation": "any_recipe", "connection_id": "kitchen-1"},
            "steps": [{"key": "note", "app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
                       "mapping": {"title": "{{trigger.name}}"}}],
        }).get_json()["id"]
        add_recipes(service, "old")
        em.runner.turn_on(flow_id)
        add_recipes(service, "a", "b")
        service.config["faults"]["POST /notes"] = [(400, {})]
        clock.advance(61)
        em.scheduler.tick()
        failed = client.get(f"/api/runs?flow={flow_id}&status=failed").get_json()["runs"]
        assert len(failed) == 1
        assert client.post(f"/api/runs/{failed[0]['id']}/replay").get_json()["status"] == "succeeded"
        assert sorted(n["title"] for n in service.config["notes"]) == ["a", "b"]

        hook_id = client.post("/api/flows", json={
            "name": "pg hook", "trigger": {"app": "kitchen", "operation": "new_order", "connection_id": "kitchen-1"},
        }).get_json()["id"]
        em.runner.turn_on(hook_id)
        body = {"data": {"events": [{"id": "e1"}]}}
        for _ in range(2):
            sent = client.post(f"/hooks/{hook_id}", json=body, headers={"X-Hook-Secret": "hook-secret-xyz"})
            assert sent.status_code == 200
        em.scheduler.tick()
        assert client.get(f"/api/runs?flow={hook_id}").get_json()["total"] == 1
    finally:
        em.store.engine.dispose()
