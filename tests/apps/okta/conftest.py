"""Fixtures for the Okta app's stories: a fresh sandbox org per test, a connection to it, and a runner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from okta_app_support import CountingTransport, Run

from connector.apps.okta.app import APP
from connector.context import Connection, Meta
from connector.runtime import Invocation, invoke
from sandboxes.okta import OktaSandbox, OktaSettings


@pytest.fixture
def sandbox() -> Iterator[OktaSandbox]:
    org = OktaSandbox(OktaSettings(synchronous_delivery=True))
    yield org
    org.close()


@pytest.fixture
def counter(sandbox: OktaSandbox) -> CountingTransport:
    return CountingTransport(sandbox.transport())


@pytest.fixture
def connection(sandbox: OktaSandbox, counter: CountingTransport) -> Connection:
    return Connection(
        app="okta",
        name="okta-sandbox",
        fields={"org_url": sandbox.base_url, "api_token": sandbox.settings.token},
        base_url=sandbox.base_url,
        transport=counter,
    )


@pytest.fixture
def run(connection: Connection) -> Run:
    """``run("create_user", {...}, meta=Meta(...), step=...)`` through the one runtime path, strictly checked."""

    def _run(operation: str, values: dict[str, Any] | None = None, meta: Meta | None = None,
             **options: Any) -> Invocation:
        options.setdefault("strict", True)
        options.setdefault("sleep", lambda _seconds: None)
        return invoke(APP, operation, connection, values or {}, meta, **options)

    return _run
