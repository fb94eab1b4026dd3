"""Every test starts with only the installed apps known: ``--app`` specs named by one test's commands
do not leak into the next."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connector.registry import forget_named_apps


@pytest.fixture(autouse=True)
def _forget_named_apps() -> Iterator[None]:
    yield
    forget_named_apps()
