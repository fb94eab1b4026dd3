"""Fixtures: an isolated emulator on a SQLite file, the Kitchen vendor in-process, a fake clock."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from emulator_kitchen import APP, kitchen_service, poll_flow_body, resolver
from flask import Flask
from flask.testing import FlaskClient

from emulator.app import Emulator, create_app


class FakeClock:
    """Epoch seconds that only move when a test says so."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service() -> Flask:
    return kitchen_service()


@pytest.fixture
def make_app(tmp_path: Path, service: Flask, clock: FakeClock) -> Callable[..., Flask]:
    """Build an emulator app on the test's database file (call twice to simulate a restart)."""

    def build(**overrides: Any) -> Flask:
        config = {
            "TESTING": True,
            "CSRF_ENABLED": False,  # the JSON API's own tests; the CSRF check has its own
            "DATABASE_URL": f"sqlite:///{tmp_path / 'emulator.db'}",
            "APPS": {"kitchen": APP},
            "CONNECTION_RESOLVER": resolver(service),
            "PUBLIC_URL": "http://emulator.test",
            "CLOCK": clock,
            "RETRY_BASE_SECONDS": 10,
            **overrides,
        }
        return create_app(config)

    return build


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def emulator(app: Flask) -> Emulator:
    return app.extensions["emulator"]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_flow(client: FlaskClient) -> Callable[..., dict[str, Any]]:
    def create(**overrides: Any) -> dict[str, Any]:
        response = client.post("/api/flows", json=poll_flow_body(**overrides))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return create


POSTGRES_SOCKET = "/var/run/postgresql"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh database on the local PostgreSQL server, dropped after the test."""
    psycopg = pytest.importorskip("psycopg")
    name = f"emulator_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(
            f"host={POSTGRES_SOCKET} user=postgres dbname=postgres", autocommit=True, connect_timeout=3
        )
    except psycopg.OperationalError as exc:
        pytest.skip(f"no local PostgreSQL server: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@/{name}?host={POSTGRES_SOCKET}"
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on the embedded SQLite default and on PostgreSQL (the scaled deployment)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'emulator.db'}"
    return str(request.getfixturevalue("postgres_url"))
