"""Fixtures for the Okta sandbox tests: a fake clock, a fresh org per test, and an httpx client on it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from okta_test_support import TOKEN

from sandboxes.okta import OktaSandbox, OktaSettings


class FakeClock:
    """Epoch seconds that only move when a test says so."""

    def __init__(self, now: float = 1_790_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings() -> OktaSettings:
    return OktaSettings(synchronous_delivery=True)


@pytest.fixture
def sandbox(settings: OktaSettings, clock: FakeClock) -> Iterator[OktaSandbox]:
    org = OktaSandbox(settings, clock=clock)
    yield org
    org.close()


@pytest.fixture
def client(sandbox: OktaSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(
        transport=sandbox.transport(), base_url=sandbox.base_url, headers={"Authorization": f"SSWS {TOKEN}"}
    ) as http:
        yield http
