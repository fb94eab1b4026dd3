from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from flask import Flask, Response

from emulator.serving import serve
from sandboxes.faults import ConnectionDropped, Faults, FaultSettings, install_faults
from sandboxes.transport import sandbox_transport


def _vendor_error(status: int) -> Response:
    return Response(json.dumps({"errorCode": "E0000009", "status": status}), status=status,
                    mimetype="application/json")


def _throttled() -> Response:
    return Response(json.dumps({"errorCode": "E0000047"}), status=429, mimetype="application/json",
                    headers={"X-Rate-Limit-Reset": "1700000000"})


def _sandbox(faults: Faults, admin_token: str | None = None) -> Flask:
    app = Flask("faulty_sandbox")

    @app.before_request
    def require_auth() -> Response | None:
        from flask import request

        if request.path.startswith("/api/") and request.headers.get("Authorization") != "SSWS ok":
            return Response("{}", status=401, mimetype="application/json")
        return None

    @app.get("/api/ping")
    def ping() -> dict[str, bool]:
        return {"ok": True}

    install_faults(app, faults, error_response=_vendor_error, throttle_response=_throttled,
                   admin_token=admin_token)
    return app


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
def client(faults: Faults) -> Iterator[httpx.Client]:
    with httpx.Client(transport=sandbox_transport(_sandbox(faults)), base_url="https://sandbox.test",
                      headers={"Authorization": "SSWS ok"}) as client:
        yield client


def test_a_sandbox_without_faults_answers_normally(client: httpx.Client) -> None:
    response = client.get("/api/ping")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_latency_is_added_to_every_request(faults: Faults, client: httpx.Client) -> None:
    faults.update(latency_ms=60)
    started = time.perf_counter()
    assert client.get("/api/ping").status_code == 200
    assert time.perf_counter() - started >= 0.06


def test_the_same_seed_gives_the_same_errors_alternating_500_and_503(
    faults: Faults, client: httpx.Client
) -> None:
    faults.update(error_rate=0.5, seed=7)
    first = [client.get("/api/ping").status_code for _ in range(40)]
    faults.update(seed=7)
    second = [client.get("/api/ping").status_code for _ in range(40)]
    assert first == second
    errors = [status for status in first if status != 200]
    assert 5 < len(errors) < 35
    assert errors[:4] == [500, 503, 500, 503]


def test_an_error_answer_uses_the_sandbox_error_body(faults: Faults, client: httpx.Client) -> None:
    faults.update(error_rate=1.0)
    response = client.get("/api/ping")
    assert response.status_code == 500
    assert response.json()["errorCode"] == "E0000009"


def test_a_429_burst_counts_down_then_requests_pass(faults: Faults, client: httpx.Client) -> None:
    faults.update(burst_429=3)
    statuses = [client.get("/api/ping").status_code for _ in range(5)]
    assert statuses == [429, 429, 429, 200, 200]
    assert faults.settings.burst_429 == 0


def test_faults_run_before_the_sandbox_own_auth_check(faults: Faults) -> None:
    faults.update(burst_429=1)
    with httpx.Client(transport=sandbox_transport(_sandbox(faults)), base_url="https://s.test") as anonymous:
        assert anonymous.get("/api/ping").status_code == 429
        assert anonymous.get("/api/ping").status_code == 401


def test_a_dropped_connection_is_a_remote_protocol_error_in_process(
    faults: Faults, client: httpx.Client
) -> None:
    faults.update(drop_rate=1.0)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/api/ping")


def test_flask_test_client_sees_the_drop_as_connection_dropped(faults: Faults) -> None:
    faults.update(drop_rate=1.0)
    with pytest.raises(ConnectionDropped):
        _sandbox(faults).test_client().get("/api/ping", headers={"Authorization": "SSWS ok"})


def test_a_dropped_connection_is_a_transport_error_on_a_real_port(faults: Faults) -> None:
    with serve(_sandbox(faults)) as served, httpx.Client(
        base_url=served.base_url, headers={"Authorization": "SSWS ok"}, timeout=3
    ) as client:
        assert client.get("/api/ping").status_code == 200
        faults.update(drop_rate=1.0)
        with pytest.raises(httpx.TransportError):
            client.get("/api/ping")
        faults.update(drop_rate=0.0)
        assert client.get("/api/ping").status_code == 200


def test_admin_endpoints_show_and_change_the_settings(faults: Faults, client: httpx.Client) -> None:
    assert client.get("/_sandbox/faults").json() == {
        "latency_ms": 0.0, "error_rate": 0.0, "burst_429": 0, "drop_rate": 0.0, "seed": 0,
    }
    changed = client.put("/_sandbox/faults", json={"error_rate": 1, "burst_429": 2})
    assert changed.status_code == 200
    assert changed.json()["burst_429"] == 2
    assert faults.settings.error_rate == 1.0
    # the admin paths themselves are never faulted
    assert client.get("/_sandbox/faults").status_code == 200
    assert client.post("/_sandbox/faults/reset", json={}).json()["error_rate"] == 0.0
    assert client.get("/api/ping").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [({"error_rate": 2}, "error_rate"), ({"bogus": 1}, "bogus"), ({"burst_429": -1}, "burst_429"),
     ({"latency_ms": "slow"}, "latency_ms")],
)
def test_a_bad_fault_setting_is_a_400_naming_the_field(
    faults: Faults, client: httpx.Client, body: dict[str, object], field: str
) -> None:
    response = client.put("/_sandbox/faults", json=body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert field in response.json()["error"]
    assert faults.settings == FaultSettings()


def test_a_fault_body_that_is_not_an_object_is_a_400(client: httpx.Client) -> None:
    response = client.put("/_sandbox/faults", content=b"[1]", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "JSON object" in response.json()["error"]


def test_expire_tokens_runs_what_the_sandbox_registered(faults: Faults, client: httpx.Client) -> None:
    issued = {"token-1", "token-2"}
    faults.on_expire_tokens(issued.clear)
    assert client.post("/_sandbox/expire-tokens", json={}).status_code == 204
    assert issued == set()


def test_admin_endpoints_need_the_admin_token_when_one_is_set(faults: Faults) -> None:
    app = _sandbox(faults, admin_token="s3cret")
    with httpx.Client(transport=sandbox_transport(app), base_url="https://s.test") as client:
        assert client.put("/_sandbox/faults", json={"error_rate": 1}).status_code == 401
        assert faults.settings.error_rate == 0.0
        ok = client.put("/_sandbox/faults", json={"error_rate": 1},
                        headers={"X-Sandbox-Admin-Token": "s3cret"})
        assert ok.status_code == 200


def test_update_validates_everything_before_changing_anything(faults: Faults) -> None:
    with pytest.raises(ValueError, match="drop_rate"):
        faults.update(error_rate=0.5, drop_rate=1.5)
    assert faults.settings.error_rate == 0.0


def test_reset_returns_to_the_settings_given_at_creation() -> None:
    faults = Faults(FaultSettings(latency_ms=5))
    faults.update(latency_ms=100, burst_429=4)
    faults.reset()
    assert faults.settings == FaultSettings(latency_ms=5)
