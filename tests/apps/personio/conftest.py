"""The Personio app stories run on the kit's plugin fixtures (``sandbox``, ``connection``, ``run``); this
file names the app and puts the plugin's ``personio_sandbox`` on a hand-moved clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from personio_app_support import ManualClock

from auth.personio import forget_cached_tokens
from connector.apps.personio.app import APP
from connector.definitions import App
from sandboxes.personio import PersonioSandbox, PersonioSettings


@pytest.fixture
def connector_app() -> App:
    return APP


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
    """The plugin's Personio sandbox, but ``last_modified_at`` moves only with ``clock``.

    The per-second burst window is off: on a clock that stands still it would never reopen.
    """
    return PersonioSandbox(PersonioSettings(burst_per_second=None), clock=clock)
