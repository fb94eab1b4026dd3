"""Processes of a scaled deployment start together on one empty PostgreSQL database."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from auth.oauth_pending import OAuthPendingStore
from auth.secrets import SecretBox
from emulator.store import Store, metadata
from emulator.sync.store import SyncStore
from emulator.sync.store import metadata as sync_metadata

pytestmark = pytest.mark.postgres


def test_processes_starting_together_on_an_empty_database_all_get_the_same_schema(scale_database: str) -> None:
    engines = [sa.create_engine(scale_database) for _ in range(6)]
    start = threading.Barrier(len(engines))
    box = SecretBox([Fernet.generate_key().decode()])
    errors: list[BaseException] = []

    def boot(engine: sa.Engine) -> None:
        start.wait()
        try:
            store = Store(engine)  # the emulator's tables and the dedupe record
            SyncStore(store)
            OAuthPendingStore(engine, lambda: box)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=boot, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert errors == []
        tables = set(sa.inspect(engines[0]).get_table_names())
        assert set(metadata.tables) | set(sync_metadata.tables) <= tables
    finally:
        for engine in engines:
            engine.dispose()
