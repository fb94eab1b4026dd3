"""Fixtures for the Personio sandbox tests: a sandbox on a hand-moved clock and an authenticated client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from personio_sandbox_support import SandboxClock

from sandboxes.personio import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, PersonioSandbox


@pytest.fixture
def clock() -> SandboxClock:
    return SandboxClock()


@pytest.fixture
def personio_sandbox(clock: SandboxClock) -> PersonioSandbox:
    return PersonioSandbox(clock=clock)


@pytest.fixture
def anonymous(personio_sandbox: PersonioSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(transport=personio_sandbox.transport(), base_url=personio_sandbox.base_url) as client:
        yield client


@pytest.fixture
def api(anonymous: httpx.Client, personio_sandbox: PersonioSandbox) -> Iterator[httpx.Client]:
    """A client holding a token from ``POST /v1/auth``."""
    token = anonymous.post("/v1/auth", json={"client_id": DEFAULT_CLIENT_ID,
                                             "client_secret": DEFAULT_CLIENT_SECRET}).json()["data"]["token"]
    with httpx.Client(transport=personio_sandbox.transport(), base_url=personio_sandbox.base_url,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        yield client
