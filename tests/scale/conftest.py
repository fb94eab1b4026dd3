"""Fixtures for the scaled deployment: a fresh PostgreSQL database, a queue of its own, the Kitchen on a port."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from emulator.serving import serve

KITCHEN_TESTS = str(Path(__file__).resolve().parent.parent / "emulator")
if KITCHEN_TESTS not in sys.path:
    sys.path.insert(0, KITCHEN_TESTS)

from emulator_kitchen import kitchen_service  # noqa: E402
from scale_world import Deployment  # noqa: E402

POSTGRES_SOCKET = "/var/run/postgresql"
REDIS_URL = "redis://127.0.0.1:6379/0"


def _services_up() -> str | None:
    """Why the scaled tests cannot run here (None: PostgreSQL and Redis answer)."""
    for command in (["pg_isready", "-q", "-h", POSTGRES_SOCKET], ["redis-cli", "-h", "127.0.0.1", "ping"]):
        try:
            if subprocess.run(command, capture_output=True, timeout=5).returncode != 0:
                return f"{command[0]} says the server is not up"
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{command[0]}: {exc}"
    return None


@pytest.fixture(scope="session")
def scale_services() -> None:
    reason = _services_up()
    if reason:
        pytest.skip(f"the scaled deployment needs the local PostgreSQL and Redis: {reason}")


@pytest.fixture
def scale_database(scale_services: None) -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    name = f"scale_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"host={POSTGRES_SOCKET} user=postgres dbname=postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@/{name}?host={POSTGRES_SOCKET}"
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def queue_name() -> Iterator[str]:
    import redis

    name = f"scale-test-{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(name, *client.keys(f"{name}*"))  # the queue and Celery's per-queue keys
    client.close()


@pytest.fixture
def kitchen() -> Iterator[tuple[Flask, str]]:
    service = kitchen_service()
    with serve(service, server="werkzeug") as served:
        yield service, f"http://127.0.0.1:{served.port}"


@pytest.fixture
def deployment(
    scale_database: str, queue_name: str, kitchen: tuple[Flask, str], tmp_path: Path
) -> Iterator[Deployment]:
    world = Deployment(scale_database, REDIS_URL, queue_name, kitchen[1], tmp_path)
    try:
        yield world
    finally:
        world.stop()
