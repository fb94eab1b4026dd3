"""REST-hook flows: subscribe on, unsubscribe off, and the ingress at /hooks/<flow id>."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def hook_flow(make_flow):
    return make_flow(
        name="Orders to notes",
        trigger={"app": "kitchen", "operation": "new_order", "connection_id": "kitchen-1"},
        steps=[{"key": "note", "app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
                "mapping": {"title": "Order {{trigger.id}}", "servings": "{{trigger.total}}"}}],
    )


def _delivery(*event_ids):
    return {"data": {"events": [{"id": e, "total": 3} for e in event_ids]}}


def _post(client, flow_id, body, secret="hook-secret-xyz"):
    return client.post(f"/hooks/{flow_id}", json=body, headers={"X-Hook-Secret": secret})


def test_turning_a_hook_flow_on_subscribes_its_url_and_off_unsubscribes(client, service, hook_flow):
    on = client.post(f"/api/flows/{hook_flow['id']}/on").get_json()
    assert on["state"] == "on" and on["subscribed"] is True
    assert on["hook_url"] == f"http://emulator.test/hooks/{hook_flow['id']}"
    [sub] = service.config["subscriptions"].values()
    assert sub["target_url"] == on["hook_url"]
    assert "hook-secret-xyz" not in json.dumps(on)
    off = client.post(f"/api/flows/{hook_flow['id']}/off").get_json()
    assert off["state"] == "off" and off["subscribed"] is False
    assert service.config["unsubscribed"] == [sub["id"]]
    assert service.config["subscriptions"] == {}


def test_the_vendor_handshake_is_answered(client, emulator, hook_flow):
    emulator.runner.turn_on(hook_flow["id"])
    response = client.get(f"/hooks/{hook_flow['id']}", headers={"x-verification-challenge": "abc123"})
    assert response.status_code == 200
    assert response.get_json() == {"verification": "abc123"}


def test_a_delivery_is_stored_before_it_is_acknowledged_and_then_fires(client, emulator, service, hook_flow):
    emulator.runner.turn_on(hook_flow["id"])
    response = _post(client, hook_flow["id"], _delivery("e1", "e2"))
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["status"] == "accepted"
    stored = emulator.store.get_delivery(answer["delivery"])
    assert stored["status"] == "received" and json.loads(stored["body"]) == _delivery("e1", "e2")
    assert "X-Hook-Secret" not in stored["headers"] and "x-hook-secret" not in stored["headers"]
    assert service.config["notes"] == []  # nothing ran while the vendor waited
    emulator.scheduler.tick()
    assert [n["title"] for n in service.config["notes"]] == ["Order e1", "Order e2"]
    assert emulator.store.get_delivery(answer["delivery"])["status"] == "processed"


def test_a_repeated_delivery_fires_once(client, emulator, service, hook_flow):
    emulator.runner.turn_on(hook_flow["id"])
    for _ in range(3):
        assert _post(client, hook_flow["id"], _delivery("e1")).status_code == 200
    assert _post(client, hook_flow["id"], _delivery("e1", "e2")).status_code == 200
    emulator.scheduler.tick()
    assert [n["title"] for n in service.config["notes"]] == ["Order e1", "Order e2"]


def test_a_delivery_with_a_wrong_secret_is_refused(client, emulator, hook_flow):
    emulator.runner.turn_on(hook_flow["id"])
    response = _post(client, hook_flow["id"], _delivery("e1"), secret="guess")
    assert response.status_code == 401
    assert "secret" in response.get_json()["error"]["message"]
    assert emulator.store.list_deliveries(hook_flow["id"]) == []


def test_deliveries_to_a_flow_that_is_off_or_unknown_are_gone(client, emulator, hook_flow):
    assert _post(client, hook_flow["id"], _delivery("e1")).status_code == 410
    assert _post(client, "flow_doesnotexist", _delivery("e1")).status_code == 410
    emulator.runner.turn_on(hook_flow["id"])
    emulator.runner.turn_off(hook_flow["id"])
    assert _post(client, hook_flow["id"], _delivery("e1")).status_code == 410


def test_an_oversized_delivery_is_refused_by_its_declared_and_actual_size(make_app, hook_flow, service):
    app = make_app(MAX_HOOK_BODY=100)
    client = app.test_client()
    app.extensions["emulator"].runner.turn_on(hook_flow["id"])
    big = _delivery(*[f"e{i}" for i in range(20)])
    assert _post(client, hook_flow["id"], big).status_code == 413
    lying = client.post(
        f"/hooks/{hook_flow['id']}", data=json.dumps(big).encode(),
        headers={"X-Hook-Secret": "hook-secret-xyz", "Content-Type": "application/json", "Content-Length": "10"},
    )
    assert lying.status_code in (400, 413)
    assert app.extensions["emulator"].store.list_deliveries(hook_flow["id"]) == []


def test_a_malformed_delivery_is_recorded_as_failed_without_stopping_others(client, emulator, service, hook_flow):
    emulator.runner.turn_on(hook_flow["id"])
    bad = client.post(f"/hooks/{hook_flow['id']}", data=b"not json", headers={"X-Hook-Secret": "hook-secret-xyz"})
    assert bad.status_code == 200
    assert _post(client, hook_flow["id"], _delivery("e9")).status_code == 200
    emulator.scheduler.tick()
    statuses = sorted(d["status"] for d in emulator.store.list_deliveries(hook_flow["id"]))
    assert statuses == ["failed", "processed"]
    assert [n["title"] for n in service.config["notes"]] == ["Order e9"]


def test_testing_a_hook_trigger_lists_samples(client, hook_flow):
    result = client.post(f"/api/flows/{hook_flow['id']}/test-trigger").get_json()
    assert [s["id"] for s in result["samples"]] == ["o2", "o1"]
    assert result["error"] is None


def test_the_delivery_log_shows_bodies_but_no_credentials(client, emulator, hook_flow):
    emulator.runner.turn_on(hook_flow["id"])
    _post(client, hook_flow["id"], _delivery("e1"))
    [delivery] = client.get(f"/api/flows/{hook_flow['id']}/deliveries").get_json()["deliveries"]
    assert delivery["status"] == "received" and "e1" in delivery["body"]
    assert "hook-secret-xyz" not in json.dumps(delivery)


def test_a_handshake_is_answered_while_the_flow_is_still_subscribing(client, emulator, hook_flow):
    emulator.runner.subscribing.add(hook_flow["id"])
    handshake = client.get(f"/hooks/{hook_flow['id']}", headers={"x-verification-challenge": "c1"})
    assert handshake.get_json() == {"verification": "c1"}
    early = _post(client, hook_flow["id"], _delivery("e1"))
    assert early.status_code == 503 and early.headers["Retry-After"] == "1"


def test_the_scheduler_thread_processes_a_delivery_soon_after_it_is_stored(make_app, service, hook_flow):
    import time

    app = make_app(RUNNER_THREAD=True, SCHEDULER_INTERVAL=5.0, CLOCK=None)
    emulator = app.extensions["emulator"]
    try:
        emulator.runner.turn_on(hook_flow["id"])
        assert _post(app.test_client(), hook_flow["id"], _delivery("e1")).status_code == 200
        deadline = time.monotonic() + 3
        while not service.config["notes"] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert [n["title"] for n in service.config["notes"]] == ["Order e1"]
    finally:
        emulator.scheduler.stop()
    assert not emulator.scheduler.running


def test_deliveries_to_a_paused_hook_flow_wait_and_fire_when_it_resumes(client, emulator, service, hook_flow):
    emulator.runner.turn_on(hook_flow["id"])
    emulator.runner.pause(hook_flow["id"], "reconnect kitchen-1")
    assert _post(client, hook_flow["id"], _delivery("e1")).status_code == 200
    emulator.scheduler.tick()
    assert service.config["notes"] == []
    resumed = client.post(f"/api/flows/{hook_flow['id']}/on").get_json()
    assert resumed["state"] == "on" and resumed["next_poll_at"] is None
    emulator.scheduler.tick()
    assert [n["title"] for n in service.config["notes"]] == ["Order e1"]
    assert len(service.config["subscriptions"]) == 1  # resumed without subscribing again


def _through_flask_only(app):
    """The same app with the ingress layer taken out: requests reach the blueprint's route."""
    layer = app.wsgi_app
    app.wsgi_app = layer.app
    return layer


def test_the_ingress_layer_stores_a_delivery_exactly_as_the_flask_route_does(app, client, emulator, hook_flow):
    emulator.runner.turn_on(hook_flow["id"])
    headers = {"X-Hook-Secret": "hook-secret-xyz", "X-Vendor-Event": "order.created", "X-Multi-Word-Header": "v"}
    path = f"/hooks/{hook_flow['id']}?source=shop&source=ignored&empty="
    layered = client.post(path, json=_delivery("e1"), headers=headers)
    layer = _through_flask_only(app)
    try:
        plain = client.post(path, json=_delivery("e1"), headers=headers)
    finally:
        app.wsgi_app = layer
    assert layered.status_code == plain.status_code == 200
    assert layered.headers["Content-Type"] == plain.headers["Content-Type"] == "application/json"
    rows = [emulator.store.get_delivery(r.get_json()["delivery"]) for r in (layered, plain)]
    assert rows[0]["headers"] == rows[1]["headers"]
    assert rows[0]["headers"]["X-Multi-Word-Header"] == "v"
    assert rows[0]["query"] == rows[1]["query"] == {"source": "shop", "empty": ""}
    assert rows[0]["body"] == rows[1]["body"]


def test_other_methods_and_deeper_paths_under_hooks_get_json_errors_from_flask(client, emulator, hook_flow):
    emulator.runner.turn_on(hook_flow["id"])
    put = client.put(f"/hooks/{hook_flow['id']}", json=_delivery("e1"), headers={"X-Hook-Secret": "hook-secret-xyz"})
    assert put.status_code == 405 and put.get_json()["error"]["message"]
    deeper = client.post(f"/hooks/{hook_flow['id']}/extra", json=_delivery("e1"))
    assert deeper.status_code == 404 and deeper.get_json()["error"]["message"]
    assert client.post("/hooks/", json=_delivery("e1")).status_code == 404
    assert emulator.store.pending_deliveries() == []


def test_a_delivery_the_store_cannot_commit_is_not_acknowledged_and_asks_to_be_sent_again(
    client, emulator, hook_flow, monkeypatch
):
    emulator.runner.turn_on(hook_flow["id"])

    def disk_full(*args, **kwargs):
        raise RuntimeError("the delivery could not be stored: database or disk is full")

    monkeypatch.setattr(emulator.store, "store_delivery", disk_full)
    response = _post(client, hook_flow["id"], _delivery("e1"))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert "send it again" in response.get_json()["error"]["message"]


def test_an_unexpected_failure_in_the_ingress_is_a_json_500_without_a_traceback(
    client, emulator, hook_flow, monkeypatch
):
    def broken(flow_id):
        raise KeyError("internal detail")

    monkeypatch.setattr(emulator.store, "hook_target", broken)
    response = _post(client, hook_flow["id"], _delivery("e1"))
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "the error is in its log" in body and "Traceback" not in body and "internal detail" not in body


def test_a_head_request_to_a_hook_url_is_answered_and_stores_nothing(client, emulator, hook_flow):
    emulator.runner.turn_on(hook_flow["id"])
    response = client.head(f"/hooks/{hook_flow['id']}", headers={"X-Hook-Secret": "hook-secret-xyz"})
    assert response.status_code == 200
    assert response.get_data() == b""
    assert emulator.store.pending_deliveries() == []
