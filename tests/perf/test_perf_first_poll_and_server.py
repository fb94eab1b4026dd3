"""A first poll seeds with slim items; waitress serves keep-alive and still resets on a dropped connection."""

from __future__ import annotations

import importlib

import httpx
import pytest
from flask import Flask, Response

from connector.context import Connection, Meta
from connector.runtime import invoke
from emulator.serving import serve
from sandboxes.faults import Faults, install_faults
from sandboxes.okta import OktaSandbox

OKTA = importlib.import_module("connector.apps.okta.app").APP


def _connection(sandbox: OktaSandbox) -> Connection:
    return Connection(
        app="okta", fields={"org_url": sandbox.base_url, "api_token": sandbox.settings.token},
        base_url=sandbox.base_url, transport=sandbox.transport(),
    )


def test_turning_on_new_user_seeds_every_user_with_only_the_ids_the_dedupe_record_needs() -> None:
    sandbox = OktaSandbox()
    ids = sandbox.seed_users(430)
    first = invoke(OKTA, "new_user", _connection(sandbox), {}, Meta(first_poll=True))
    assert first.output == [{"id": user_id, "user_id": user_id} for user_id in reversed(ids)]
    assert first.cursor


def test_a_poll_that_lost_its_cursor_still_returns_whole_users() -> None:
    sandbox = OktaSandbox()
    ids = sandbox.seed_users(3)
    polled = invoke(OKTA, "new_user", _connection(sandbox), {}, Meta())
    assert [user["id"] for user in polled.output] == list(reversed(ids))
    assert all(user["profile"]["login"] for user in polled.output)


def _app() -> Flask:
    app = Flask("served")

    @app.get("/hello")
    def hello() -> dict[str, str]:
        return {"hello": "world"}

    return app


def test_waitress_keeps_the_connection_open_between_requests() -> None:
    with serve(_app(), server="waitress") as served, httpx.Client(base_url=served.base_url, timeout=3) as client:
        first = client.get("/hello")
        second = client.get("/hello")
    assert first.json() == second.json() == {"hello": "world"}
    assert first.headers.get("connection", "").lower() != "close"


def test_a_stopped_waitress_server_refuses_connections() -> None:
    served = serve(_app(), server="waitress")
    assert httpx.get(f"{served.base_url}/hello", timeout=3).status_code == 200
    served.stop()
    served.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{served.base_url}/hello", timeout=3)


def test_a_dropped_connection_fault_reaches_a_waitress_client_as_a_transport_error() -> None:
    faults = Faults()
    app = _app()
    install_faults(
        app, faults, error_response=lambda status: Response("error", status),
        throttle_response=lambda: Response("slow down", 429),
    )
    faults.update(drop_rate=1.0)
    with serve(app, server="waitress") as served, pytest.raises(httpx.TransportError):
        httpx.get(f"{served.base_url}/hello", timeout=3)


def test_an_unknown_server_name_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="werkzeug"):
        serve(_app(), server="gunicorn")  # type: ignore[arg-type]
