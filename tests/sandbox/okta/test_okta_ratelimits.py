"""Rate limits per endpoint family, with Okta's headers on every response, and injected faults."""

from __future__ import annotations

import httpx
import pytest
from okta_test_support import TOKEN, assert_okta_error

from sandboxes.okta import OktaSandbox, OktaSettings


@pytest.fixture
def settings() -> OktaSettings:
    return OktaSettings(rate_limits={"users": 3, "logs": 2}, synchronous_delivery=True)


def test_every_response_carries_rate_limit_headers_and_date(client: httpx.Client) -> None:
    for response in (client.get("/api/v1/users"), client.get("/api/v1/nowhere"), client.get("/api/v1/groups")):
        assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset", "date"} <= set(response.headers)
    assert client.get("/api/v1/groups").headers["x-rate-limit-limit"] == "500"


def test_exceeding_a_family_limit_gets_429_until_the_window_resets(client: httpx.Client, clock) -> None:
    remaining = [client.get("/api/v1/users").headers["x-rate-limit-remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    throttled = client.get("/api/v1/users")
    assert_okta_error(throttled, 429, "E0000047")
    assert throttled.headers["x-rate-limit-remaining"] == "0"
    reset = int(throttled.headers["x-rate-limit-reset"])
    assert reset > clock.now
    # Other families keep their own budget.
    assert client.get("/api/v1/users/00uSomebody/groups").status_code == 404
    clock.advance(reset - clock.now + 0.01)
    assert client.get("/api/v1/users").status_code == 200


def test_limits_can_be_changed_on_a_live_sandbox(sandbox: OktaSandbox, client: httpx.Client) -> None:
    sandbox.settings.rate_limits["logs"] = 100
    assert all(client.get("/api/v1/logs").status_code == 200 for _ in range(5))


def test_injected_errors_and_429_bursts_have_okta_bodies(sandbox: OktaSandbox, client: httpx.Client) -> None:
    sandbox.faults.update(burst_429=1)
    burst = client.get("/api/v1/groups")
    assert_okta_error(burst, 429, "E0000047")
    assert int(burst.headers["x-rate-limit-reset"]) >= int(sandbox.clock())
    sandbox.faults.update(error_rate=1.0)
    assert_okta_error(client.get("/api/v1/groups"), 500, "E0000009")
    sandbox.faults.reset()
    assert client.get("/api/v1/groups").status_code == 200


def test_a_dropped_connection_reaches_the_client_as_a_protocol_error(sandbox: OktaSandbox) -> None:
    sandbox.faults.update(drop_rate=1.0)
    with httpx.Client(transport=sandbox.transport(), headers={"Authorization": f"SSWS {TOKEN}"}) as client, \
            pytest.raises(httpx.RemoteProtocolError):
        client.get(f"{sandbox.base_url}/api/v1/users")
