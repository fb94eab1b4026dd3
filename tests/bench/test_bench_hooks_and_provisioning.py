"""Smoke checks for the hook-ingress and provisioning benchmarks at a tiny size."""

from __future__ import annotations

import json

import pytest

from emulator.serving import serve

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


@pytest.mark.parametrize("server", ["waitress", "werkzeug"])
def test_the_lean_sender_reads_every_answer_on_kept_alive_and_on_closed_connections(server):
    loadgen = pytest.importorskip("loadgen")
    bodies = [hook_ingress.delivery_body(n) for n in range(12)]
    with serve(hook_ingress.ceiling_app(), server=server) as served:  # werkzeug closes after each answer
        result = loadgen.post_all(f"{served.base_url}/hooks/ceiling", bodies, connections=3)
    assert result.statuses == {200: 12}
    assert len(result.latencies) == 12
    assert result.wall > 0 and result.cpu >= 0


def test_the_lean_sender_counts_a_refused_delivery_by_its_status(tmp_path):
    loadgen = pytest.importorskip("loadgen")
    app, flow_id = hook_ingress.emulator_with_hook_flow(tmp_path)
    with serve(app, server="waitress") as served:
        wrong = loadgen.post_all(f"{served.base_url}/hooks/{flow_id}", [b"{}"] * 3, connections=2,
                                 headers={"Authorization": "not-the-secret"})
        gone = loadgen.post_all(f"{served.base_url}/hooks/no-such-flow", [b"{}"] * 2, connections=1)
    app.extensions["emulator"].store.engine.dispose()
    assert wrong.statuses == {401: 3}
    assert gone.statuses == {410: 2}


def test_the_httpx_sender_is_still_there_for_comparison(capsys):
    with serve(hook_ingress.ceiling_app(), server="waitress") as served:
        hook_ingress.child(f"{served.base_url}/hooks/ceiling", 25, 2, "httpx")
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["statuses"] == {"200": 5}
    assert report["sender_cpu_us"] > 0


def test_the_ingress_line_compares_median_rounds_not_the_best_ones():
    def round_(rate: float) -> dict[str, object]:
        return {"rate": rate, "p50_ms": 2.0, "p99_ms": 9.0, "statuses": {"200": 480}, "sent": 480}

    results = {
        "ceiling": round_(2_000), "emulator": round_(1_500), "stored": 500, "runs": 500, "process_s": 1.0,
        "every_round_once": True, "rates": ([1_900, 2_000, 3_000], [1_400, 1_500, 2_900]), "client": "lean",
    }
    line = hook_ingress.summarise(results, 500)
    assert "emulator 1,500 deliveries/s [1400-2900]" in line
    assert "bare Flask ceiling 2,000/s [1900-3000]" in line
    assert "ratio 0.75 of ceiling" in line
    assert line.endswith("MISS")  # best rounds (2,900 / 3,000 = 0.97) would have passed


def test_the_real_configuration_round_turns_every_delivery_into_one_run():
    result = hook_ingress.real_round(30, 3, "lean", "raised", timeout=60)
    assert result["statuses"] == {"processed": 30} and result["runs"] == 30
    assert result["end_to_end_s"] is not None and result["end_to_end_s"] > 0
    line = hook_ingress.summarise_real({"ceilings": [result], "reals": [result], "limits": "raised"}, 30)
    assert "30-30/30 runs" in line and "ratio 1.00 of ceiling" in line
