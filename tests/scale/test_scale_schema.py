"""Processes of a scaled deployment start together on one empty PostgreSQL database."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from connector.dedupe import create_schema
from emulator.store import metadata

pytestmark = pytest.mark.postgres


def test_processes_starting_together_on_an_empty_database_all_get_the_same_schema(scale_database: str) -> None:
    engines = [sa.create_engine(scale_database) for _ in range(6)]
    start = threading.Barrier(len(engines))
    errors: list[BaseException] = []

    def boot(engine: sa.Engine) -> None:
        start.wait()
        try:
            create_schema(metadata, engine, "emulator")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=boot, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert errors == []
        assert set(metadata.tables) <= set(sa.inspect(engines[0]).get_table_names())
    finally:
        for engine in engines:
            engine.dispose()
