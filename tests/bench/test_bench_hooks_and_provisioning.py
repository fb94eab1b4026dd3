"""Smoke checks for the hook-ingress and provisioning benchmarks at a tiny size."""

from __future__ import annotations

import json

import pytest

from emulator.sandbox.serve import serve

hook_ingress = pytest.importorskip("hook_ingress")
provisioning = pytest.importorskip("provisioning")


def test_a_benchmark_delivery_is_stored_acknowledged_and_becomes_one_run(tmp_path):
    app, flow_id = hook_ingress.emulator_with_hook_flow(tmp_path)
    client = app.test_client()
    headers = {"Authorization": hook_ingress.SECRET, "Content-Type": "application/json"}
    for number in (1, 2, 2):  # the third is a repeated delivery of the second event
        response = client.post(f"/hooks/{flow_id}", data=hook_ingress.delivery_body(number), headers=headers)
        assert response.status_code == 200
    stored, runs = hook_ingress.process_all(app, flow_id)
    app.extensions["emulator"].store.engine.dispose()
    assert (stored, runs) == (3, 2)


def test_the_load_generator_sends_every_delivery_to_the_bare_flask_ceiling(capsys):
    with serve(hook_ingress.ceiling_app()) as served:
        hook_ingress.child(f"{served.base_url}/hooks/ceiling", 30, 3)
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["sent"] == 10  # 20 warm-up deliveries are not timed
    assert report["statuses"] == {"200": 10}
    assert report["p99_ms"] >= report["p50_ms"] > 0


def test_provisioning_a_few_users_creates_each_contact_exactly_once():
    result = provisioning.provision(4, limit=1000, window=1.0)
    assert result["polled"] == 4
    assert result["failures"] == []
    assert result["contacts"] == result["unique"] == 4
    assert result["expected"]
    assert provisioning.summarise(result, 1000, 1.0).startswith("provisioning: 4 users (4 polled) -> 4 contacts")
