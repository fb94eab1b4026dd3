"""60-odd outbound URL forms against the emulator, and not one connection reaches a blocked range.

A real loopback listener counts every connection it accepts. Each form is something a user could type
into a connection (base URL, token URL) or a vendor could answer (a redirect, a ``Link: rel="next"``);
each must be refused with a clear error and the listener must accept nothing. A control at the end
shows the listener does count, so the zero means something.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from flask import Flask, jsonify, redirect, request

from connector.apps.contacts.app import APP as CONTACTS
from connector.apps.okta.app import APP as OKTA
from connector.errors import BadInput, ConnectorError
from connector.http import make_client
from connector.outbound import system_resolver
from connector.runtime import invoke
from emulator.demo import build_environment
from emulator.serving import serve

PUBLIC_URL = "http://127.0.0.1:5998"


class CountingListener:
    """TCP listeners on 127.0.0.1 and (where the machine has it) [::1], one port; counts accepted connections."""

    def __init__(self) -> None:
        self.accepted = 0
        self._lock = threading.Lock()
        self.sockets = [socket.create_server(("127.0.0.1", 0))]
        self.port = self.sockets[0].getsockname()[1]
        with contextlib.suppress(OSError):  # a machine without IPv6 loopback
            self.sockets.append(socket.create_server(("::1", self.port), family=socket.AF_INET6))
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._serve, args=(s,), daemon=True) for s in self.sockets]
        for thread in self._threads:
            thread.start()

    def _serve(self, server: socket.socket) -> None:
        server.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self.accepted += 1
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            conn.close()

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)
        for server in self.sockets:
            server.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[CountingListener]:
    counting = CountingListener()
    yield counting
    counting.close()


def _vendor(listener_port: int) -> Flask:
    """An API on an allowed origin that answers with redirects and next links into the blocked listener."""
    app = Flask("vendor")
    inside = f"http://127.0.0.1:{listener_port}"

    @app.get("/api/v1/users/me")
    def me() -> Any:
        return jsonify({"id": "00u1", "profile": {"login": "admin@example.com"}})

    @app.get("/api/v1/users")
    def users() -> Any:
        target = app.config.get("NEXT_LINK") or f"{inside}/api/v1/users?after=00u1"
        answer = jsonify([{"id": "00u1", "status": "ACTIVE", "created": "2026-01-01T00:00:00.000Z",
                           "profile": {"login": "a@example.com", "email": "a@example.com"}}])
        answer.headers["Link"] = f'<{target}>; rel="next"'
        return answer

    @app.get("/redirect")
    def bounce() -> Any:
        return redirect(request.args.get("to") or inside, 302)

    return app


class PlayedDns:
    """Names for the tests: some private, one mixed, one that answers public first and loopback next."""

    def __init__(self) -> None:
        self.rebind_calls = 0

    def __call__(self, host: str) -> list[str]:
        if host == "internal.test":
            return ["127.0.0.1"]
        if host == "mixed.test":
            return ["93.184.216.34", "127.0.0.1"]
        if host == "rebind.test":
            self.rebind_calls += 1
            return ["93.184.216.34"] if self.rebind_calls == 1 else ["127.0.0.1"]
        if host.endswith(".example"):
            return ["192.0.2.10"]  # documentation range: never dialled in a test
        return system_resolver(host)


@pytest.fixture(scope="module")
def world(listener: CountingListener, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    vendor_app = _vendor(listener.port)
    with serve(vendor_app) as vendor:
        env = build_environment(PUBLIC_URL, tmp_path_factory.mktemp("outbound"), okta_users=1, contacts=1,
                                employees=1, runner_thread=False, allow_urls=[vendor.base_url])
        env.gateway.resolver = PlayedDns()
        api = env.emulator.test_client()
        api.environ_base["HTTP_X_EMULATOR_TOKEN"] = env.access_token  # a script with the install's token
        yield {"env": env, "api": api, "vendor": vendor.base_url, "vendor_app": vendor_app}
        env.close()


def base_url_forms(port: int) -> list[str]:
    p = port
    return [
        # IPv4 loopback, every notation
        f"http://127.0.0.1:{p}", f"http://127.0.0.1:{p}/", f"http://127.1:{p}", f"http://127.0.1:{p}",
        f"http://2130706433:{p}", f"http://0x7f000001:{p}", f"http://0x7f.0x0.0x0.0x1:{p}", f"http://0177.0.0.1:{p}",
        f"http://017700000001:{p}", f"http://127.0.0.1.:{p}", f"http://127.000.000.001:{p}",
        f"http://127.255.255.254:{p}", f"https://127.0.0.1:{p}",
        # names for this machine
        f"http://localhost:{p}", f"http://localhost.:{p}", f"http://LOCALHOST:{p}", f"http://0.0.0.0:{p}",
        f"http://0:{p}",
        # IPv6 forms
        f"http://[::1]:{p}", f"http://[0:0:0:0:0:0:0:1]:{p}", f"http://[::ffff:127.0.0.1]:{p}",
        f"http://[::ffff:7f00:1]:{p}", f"http://[0:0:0:0:0:ffff:127.0.0.1]:{p}", f"http://[::127.0.0.1]:{p}",
        f"http://[2002:7f00:1::]:{p}", f"http://[64:ff9b::127.0.0.1]:{p}", f"http://[::]:{p}",
        f"http://[fe80::1%25lo]:{p}", f"http://[fc00::1]:{p}", f"http://[2001::1]:{p}", "http://[fd00:ec2::254]/",
        # user-info tricks
        f"http://user:pass@127.0.0.1:{p}", f"http://public.example@127.0.0.1:{p}",
        f"http://127.0.0.1:{p}@public.example", f"http://[::1]:{p}@public.example",
        f"http://public.example#@127.0.0.1:{p}/",
        # private and special-purpose ranges
        "http://10.0.0.1", "http://172.16.0.1", "http://192.168.1.1", "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1", "http://192.0.0.170", "http://198.18.0.1", "http://224.0.0.1",
        "http://255.255.255.255", "http://192.88.99.1", "http://240.0.0.1", "http://[ff02::1]",
        "http://[2002:a9fe:a9fe::]", "http://[64:ff9b::a9fe:a9fe]",
        # names that resolve inside
        f"http://internal.test:{p}", f"http://mixed.test:{p}", f"http://rebind.test:{p}",
        # other schemes
        "file:///etc/passwd", f"gopher://127.0.0.1:{p}/", f"ftp://127.0.0.1:{p}/",
    ]


def test_every_typed_base_url_form_is_refused_and_nothing_connects(world, listener):
    forms = base_url_forms(listener.port)
    assert len(forms) >= 55
    answers = {}
    for form in forms:
        answer = world["api"].post("/api/connections", json={"app": "contacts", "name": f"try {form}", "fields": {
            "api_key": "k", "location_id": "loc_1", "base_url": form}})
        answers[form] = (answer.status_code, answer.get_json()["error"])
    accepted = {form: answer for form, answer in answers.items() if answer[0] != 422}
    assert accepted == {}
    assert {error["field"] for _status, error in answers.values()} <= {"base_url", "url"}
    saved = {c["name"] for c in world["api"].get("/api/connections").get_json()["connections"]}
    assert not any(name.startswith("try ") for name in saved)
    assert listener.accepted == 0


def test_the_refusal_says_how_to_allow_a_local_api(world, listener):
    answer = world["api"].post("/api/connections", json={"app": "contacts", "name": "mine", "fields": {
        "api_key": "k", "location_id": "loc_1", "base_url": f"http://127.0.0.1:{listener.port}"}})
    message = answer.get_json()["error"]["message"]
    assert f"start the emulator with --allow-url http://127.0.0.1:{listener.port}" in message
    assert listener.accepted == 0


def _wait_for(predicate: Any, seconds: float = 0.3) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.02)


def test_a_token_url_inside_is_refused_on_save_and_on_refresh(world, listener):
    env, inside = world["env"], f"http://127.0.0.1:{listener.port}/oauth/token"
    fields = {"location_id": "loc_1", "base_url": env.contacts.base_url, "client_id": "c", "client_secret": "s",
              "access_token": "old", "refresh_token": "r", "expires_at": 1, "token_url": inside}
    answer = world["api"].post("/api/connections", json={"app": "contacts", "name": "tok", "fields": fields})
    assert answer.status_code == 422 and answer.get_json()["error"]["field"] == "token_url"
    # A connection saved before the guard knew token URLs: the refresh meets the guard at connect time.
    for token_url in (inside, f"http://[::ffff:127.0.0.1]:{listener.port}/oauth/token",
                      f"http://rebind.test:{listener.port}/oauth/token"):
        record = env.gateway.store.save("contacts", f"old {token_url}", {**fields, "token_url": token_url})
        with pytest.raises(ConnectorError):
            invoke(CONTACTS, "get_contact", env.gateway.resolve(record.id), {"contact_id": "c1"}, retry=None)
    _wait_for(lambda: listener.accepted > 0)
    assert listener.accepted == 0


def test_next_links_to_other_origins_are_not_followed(world, listener):
    env, vendor = world["env"], world["vendor"]
    record, _check = env.gateway.add("okta", "vendor okta", {"org_url": vendor, "api_token": "t"})
    targets = [f"http://127.0.0.1:{listener.port}/api/v1/users?after=1",
               f"http://[::ffff:127.0.0.1]:{listener.port}/api/v1/users", f"http://localhost:{listener.port}/x",
               f"http://internal.test:{listener.port}/x", "https://elsewhere.example/api/v1/users"]
    for target in targets:
        world["vendor_app"].config["NEXT_LINK"] = target
        with pytest.raises(ConnectorError, match=r"next link|leaves"):
            invoke(OKTA, "list_users", env.gateway.resolve(record.id), {"limit": 500}, retry=None)
    # The same targets asked for directly, through the same guarded transport.
    transport = env.gateway.transport_for(vendor)
    with make_client(transport=transport, retry=None) as client:
        for target in targets:
            with pytest.raises(BadInput):
                client.get(target)
    _wait_for(lambda: listener.accepted > 0)
    assert listener.accepted == 0


def test_redirects_into_blocked_ranges_are_not_followed_even_when_asked(world, listener):
    vendor = world["vendor"]
    transport = world["env"].gateway.transport_for(vendor)
    with make_client(vendor, transport=transport, retry=None, raise_errors=False) as client:
        for to in (f"http://127.0.0.1:{listener.port}/", f"http://[::1]:{listener.port}/",
                   f"http://internal.test:{listener.port}/", "http://169.254.169.254/latest/meta-data"):
            with pytest.raises(BadInput):
                client.get("/redirect", params={"to": to}, follow_redirects=True)
    _wait_for(lambda: listener.accepted > 0)
    assert listener.accepted == 0


def test_the_allowed_origin_is_reached_and_the_listener_does_count(world, listener):
    """Controls: the guard lets the allowed origin through, and an unguarded client reaches the listener."""
    with make_client(world["vendor"], transport=world["env"].gateway.transport_for(world["vendor"]),
                     retry=None) as client:
        assert client.get("/api/v1/users/me").json()["id"] == "00u1"
    before = listener.accepted
    with httpx.Client(trust_env=False) as unguarded:
        unguarded.get(f"http://127.0.0.1:{listener.port}/")
    _wait_for(lambda: listener.accepted > before, 2.0)
    assert listener.accepted == before + 1
