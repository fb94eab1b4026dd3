"""The trimmed hook ingress still authenticates, stores each delivery once before answering, and sets no cookie."""

from __future__ import annotations

import importlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from connector.context import Connection
from emulator.app import create_app
from emulator.flow_spec import check_flow
from emulator.store import Store
from sandboxes.okta import OktaSandbox

OKTA = importlib.import_module("connector.apps.okta.app").APP
SECRET = "perf-hook-secret-0123456789"


@pytest.fixture
def hook_app(tmp_path: Path) -> tuple[Flask, str]:
    """An emulator with one Okta instant new-user flow, on, with a known hook secret."""
    org = OktaSandbox()
    connection = Connection(
        app="okta", fields={"org_url": org.base_url, "api_token": org.settings.token}, base_url=org.base_url,
        transport=org.transport(),
    )
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'emulator.db'}",
        "APPS": {"okta": OKTA},
        "CONNECTION_RESOLVER": lambda connection_id: connection,
    })
    columns = check_flow({"okta": OKTA}, {
        "name": "hooks", "trigger": {"app": "okta", "operation": "new_user_instant", "input": {}, "connection_id": "c"},
    })
    flow = app.extensions["emulator"].store.create_flow(
        {**columns, "state": "on", "subscription": {"id": "who1", "secret": SECRET}}, time.time()
    )
    yield app, flow["id"]
    app.extensions["emulator"].store.engine.dispose()


def _delivery(number: int) -> dict[str, Any]:
    return {"data": {"events": [{"uuid": f"evt-{number}", "eventType": "user.lifecycle.create",
                                 "target": [{"id": f"00u{number}", "type": "User"}]}]}}


def test_a_delivery_is_answered_with_its_stored_id_and_no_session_cookie(hook_app: tuple[Flask, str]) -> None:
    app, flow_id = hook_app
    client = app.test_client()
    client.set_cookie("session", "a-cookie-a-vendor-should-not-send")
    response = client.post(f"/hooks/{flow_id}", json=_delivery(1), headers={"Authorization": SECRET})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    answer = response.get_json()
    assert answer["status"] == "accepted"
    stored = app.extensions["emulator"].store.get_delivery(answer["delivery"])
    assert json.loads(stored["body"]) == _delivery(1)
    assert not {"authorization", "cookie"} & {name.lower() for name in stored["headers"]}


def test_a_delivery_with_the_wrong_secret_is_refused_and_not_stored(hook_app: tuple[Flask, str]) -> None:
    app, flow_id = hook_app
    response = app.test_client().post(f"/hooks/{flow_id}", json=_delivery(1), headers={"Authorization": "wrong"})
    assert response.status_code == 401
    assert app.extensions["emulator"].store.pending_deliveries() == []


def test_deliveries_arriving_together_are_each_committed_once_before_their_call_returns(tmp_path: Path) -> None:
    store = Store(_engine(tmp_path))
    ids: list[str] = []
    missing: list[str] = []
    lock = threading.Lock()

    def deliver(thread: int) -> None:
        for number in range(40):
            delivery_id = store.store_delivery("flow_1", "POST", {"X-N": str(number)}, {}, b"{}", float(thread))
            if store.get_delivery(delivery_id) is None:  # acknowledged but not yet committed
                missing.append(delivery_id)
            with lock:
                ids.append(delivery_id)

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert missing == []
    assert len(set(ids)) == 320
    assert all(store.get_delivery(delivery_id)["status"] == "received" for delivery_id in ids)
    store.engine.dispose()


class _BrokenConnection:
    """A pooled SQLite connection whose inserts fail, as a full disk would."""

    isolation_level: str | None = ""
    invalidated = False

    @property
    def driver_connection(self) -> _BrokenConnection:
        return self

    def execute(self, statement: str, parameters: list[Any]) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    def invalidate(self) -> None:
        self.invalidated = True


def test_a_delivery_whose_commit_fails_is_not_acknowledged_and_the_next_one_is_stored(tmp_path: Path) -> None:
    store = Store(_engine(tmp_path))
    broken = store._delivery_connection = _BrokenConnection()
    with pytest.raises(RuntimeError, match="could not be stored: database or disk is full"):
        store.store_delivery("flow_1", "POST", {}, {}, b"{}", 1.0)
    assert broken.invalidated  # dropped, not handed back to the pool
    assert store.list_deliveries("flow_1") == []
    delivery_id = store.store_delivery("flow_1", "POST", {}, {}, b"{}", 2.0)
    assert [row["id"] for row in store.list_deliveries("flow_1")] == [delivery_id]
    store.engine.dispose()


def _engine(tmp_path: Path) -> Any:
    from emulator.store import engine_for

    return engine_for(f"sqlite:///{tmp_path / 'deliveries.db'}")
