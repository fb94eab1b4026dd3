"""``connector sandbox``: served keep-alive like the vendors, with the rate limit the user asks for."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from click.testing import CliRunner

from connector.cli import main


@contextmanager
def running_sandbox(*args: str) -> Iterator[tuple[str, str]]:
    """Start ``connector sandbox ...`` on a free port; yields (base URL, everything it printed first)."""
    command = [sys.executable, "-m", "connector.cli", "sandbox", *args, "--port", "0"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        printed = []
        for line in process.stdout:
            printed.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        base_url = next(line.split(": ", 1)[1].strip() for line in printed if " sandbox: http" in line)
        yield base_url, "".join(printed)
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


def clear_of_a_window_edge(window_seconds: float, margin: float = 3.0) -> None:
    """Wait for a fresh window when the current one ends within ``margin`` seconds.

    The sandboxes count in windows aligned to the clock, like the vendors; a few requests that
    straddle a window's end would be counted in two windows, and the limit would not show.
    """
    left = window_seconds - time.time() % window_seconds
    if left < margin:
        time.sleep(left + 0.05)


def test_the_okta_sandbox_keeps_connections_alive_and_applies_the_rate_limit_asked_for():
    with running_sandbox("okta", "--users", "5", "--rate-limits", "3") as (base_url, printed):
        assert "rate limits:  3 requests per minute per endpoint family" in printed
        headers = {"Authorization": "SSWS okta-sandbox-token"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=5) as client:
            clear_of_a_window_edge(60)
            statuses = [client.get("/api/v1/users", params={"limit": 2}) for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert all(r.headers.get("connection", "").lower() != "close" for r in statuses)
    assert statuses[0].headers["X-Rate-Limit-Limit"] == "3"
    assert int(statuses[3].headers["X-Rate-Limit-Reset"]) > 0


def test_the_okta_sandbox_with_rate_limits_off_serves_a_walk_without_429s():
    with running_sandbox("okta", "--users", "450", "--rate-limits", "off") as (base_url, printed):
        assert "rate limits:  off" in printed
        headers = {"Authorization": "SSWS okta-sandbox-token"}
        seen = 0
        with httpx.Client(headers=headers, timeout=5) as client:
            for _ in range(3):  # three walks of the org: the default limit would not stop this either, off never
                url: str | None = f"{base_url}/api/v1/users?limit=200"
                while url:
                    response = client.get(url)
                    assert response.status_code == 200
                    seen += len(response.json())
                    url = response.links.get("next", {}).get("url")
    assert seen == 1_350


def test_the_contacts_sandbox_takes_a_rate_limit_per_window():
    with running_sandbox("contacts", "--contacts", "3", "--rate-limits", "2") as (base_url, printed):
        assert "rate limits:     2 requests per 10 s per location" in printed
        headers = {"Authorization": "Bearer contacts-sandbox-key", "Version": "2021-07-28"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=5) as client:
            clear_of_a_window_edge(10)
            statuses = [client.get("/contacts/", params={"locationId": "loc_sandbox"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_personio_sandbox_takes_a_rate_limit_per_minute_and_can_lift_it():
    credential = {"client_id": "papi-sandbox-client", "client_secret": "papi-sandbox-secret"}
    with running_sandbox("personio", "--employees", "3", "--rate-limits", "2") as (base_url, printed):
        assert "rate limits:      2 employee requests per minute per credential" in printed
        with httpx.Client(base_url=base_url, timeout=5) as client:
            token = client.post("/v1/auth", json=credential).json()["data"]["token"]
            clear_of_a_window_edge(60)
            answers = [client.get("/v1/company/employees", headers={"Authorization": f"Bearer {token}"})
                       for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 429]
    assert int(answers[2].headers["Retry-After"]) >= 1
    with running_sandbox("personio", "--employees", "3", "--rate-limits", "off") as (base_url, printed):
        assert "rate limits:      off" in printed
        with httpx.Client(base_url=base_url, timeout=5) as client:
            token = client.post("/v1/auth", json=credential).json()["data"]["token"]
            statuses = {client.get("/v1/company/employees", headers={"Authorization": f"Bearer {token}"}).status_code
                        for _ in range(40)}  # more than the vendor's 15 a second
    assert statuses == {200}


@pytest.mark.parametrize("value", ["zero", "0", "-5"])
def test_a_rate_limit_that_is_not_off_default_or_a_positive_number_is_refused_clearly(value):
    result = CliRunner().invoke(main, ["sandbox", "okta", "--rate-limits", value])
    assert result.exit_code == 2
    assert "--rate-limits" in result.output
    assert "Traceback" not in result.output
