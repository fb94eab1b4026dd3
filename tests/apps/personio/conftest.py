"""Fixtures for the Personio app stories: a Personio sandbox on a hand-moved clock and a connection."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from personio_app_support import ManualClock

from auth.personio import forget_cached_tokens
from connector.apps.personio.app import APP
from connector.context import Connection, Meta
from connector.runtime import invoke
from sandboxes.personio import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, PersonioSandbox

Run = Callable[..., Any]


@pytest.fixture(autouse=True)
def fresh_token_cache() -> Iterator[None]:
    """Each story starts without a cached Personio token (every sandbox issues its own)."""
    forget_cached_tokens()
    yield
    forget_cached_tokens()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def personio_sandbox(clock: ManualClock) -> PersonioSandbox:
    """A Personio sandbox whose ``last_modified_at`` moves only with ``clock``.

    The per-second burst window is off: on a clock that stands still it would never reopen.
    """
    from sandboxes.personio import PersonioSettings

    return PersonioSandbox(PersonioSettings(burst_per_second=None), clock=clock)


@pytest.fixture
def connection(personio_sandbox: PersonioSandbox) -> Connection:
    return Connection(
        app="personio",
        fields={"client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET,
                "base_url": personio_sandbox.base_url},
        base_url=personio_sandbox.base_url,
        transport=personio_sandbox.transport(),
    )


@pytest.fixture
def run(connection: Connection) -> Run:
    """``run("find_employee", {...})`` -> the operation's output, through the one runtime path."""

    def _run(operation: str, values: dict[str, Any] | None = None, meta: Meta | None = None, **kwargs: Any) -> Any:
        return invoke(APP, operation, connection, values or {}, meta, **kwargs).output

    return _run
