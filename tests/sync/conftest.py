"""Fixtures for two-way sync stories."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sync_world import SyncWorld

from auth.personio import forget_cached_tokens


@pytest.fixture
def world(tmp_path: Path) -> Iterator[SyncWorld]:
    forget_cached_tokens()
    made = SyncWorld(tmp_path)
    yield made
    made.contacts.outbox.close()
    forget_cached_tokens()
