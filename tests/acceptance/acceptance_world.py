"""The acceptance tests' world: the composed platform, its JSON API, and ways to look into the sandboxes.

Everything here drives the platform the way a user or a script would (the JSON API, the sandboxes'
own APIs) and reads the outcome the way a user would check it (run history, the Contacts sandbox).
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from flask.testing import FlaskClient

from emulator.demo import Environment
from sandboxes.contacts import ContactsSandbox

PUBLIC_URL = "http://127.0.0.1:5998"
OKTA_TOKEN = "okta-sandbox-token"
CONTACTS_KEY = "contacts-sandbox-key"
LOCATION = "loc_sandbox"
FINISHED = ("succeeded", "failed", "halted", "discarded")


class FakeClock:
    """Epoch seconds that move only when a test says so (retry delays pass without sleeping)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance_to(self, when: float) -> float:
        self.now = max(self.now, when)
        return self.now


def api_client(env: Environment) -> FlaskClient:
    """A script's view of the JSON API: the access token header instead of a session and CSRF token."""
    client = env.emulator.test_client(use_cookies=False)  # a script keeps no session cookie
    client.environ_base["HTTP_X_EMULATOR_TOKEN"] = env.access_token
    return client


def new_person(n: int, tag: str = "new") -> dict[str, str]:
    """An Okta profile no seeded user has (seeded logins come from a fixed list of people)."""
    email = f"{tag}.person{n}@acceptance.example"
    return {"firstName": f"Person{n}", "lastName": tag.title(), "email": email, "login": email,
            "department": "Field Ops"}


def external_id_field_ids(sandbox: ContactsSandbox) -> set[str]:
    """The ids of the locations' External ID custom fields (contacts name custom fields by id)."""
    return {
        definition["id"]
        for fields in list(sandbox.state.custom_fields.values())
        for definition in list(fields.values())
        if definition["fieldKey"] == "contact.external_id"
    }


def external_id_of(contact: dict[str, Any], field_ids: set[str]) -> str | None:
    for item in contact.get("customFields") or []:
        if item.get("id") in field_ids:
            return str(item.get("value"))
    return None


def contacts_by_external_id(env: Environment | ContactsSandbox) -> dict[str, list[dict[str, Any]]]:
    """Every contact in the Contacts sandbox (of a platform, or served alone) that carries an external id, by it."""
    sandbox = env if isinstance(env, ContactsSandbox) else env.contacts
    grouped: dict[str, list[dict[str, Any]]] = {}
    field_ids = external_id_field_ids(sandbox)
    for contact in list(sandbox.state.contacts.values()):
        key = external_id_of(contact, field_ids)
        if key is not None:
            grouped.setdefault(key, []).append(contact)
    return grouped


def runs_of(client: FlaskClient, flow_id: str) -> list[dict[str, Any]]:
    """The flow's whole run history through the API, oldest first."""
    runs: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = client.get(f"/api/runs?flow={flow_id}&limit=200&offset={offset}").get_json()
        runs.extend(page["runs"])
        offset += len(page["runs"])
        if not page["runs"] or offset >= page["total"]:
            return list(reversed(runs))


def settle(env: Environment, clock: FakeClock, *, max_ticks: int = 400) -> int:
    """Tick the scheduler, moving the fake clock to each next retry, until no run is left to do.

    Returns the number of ticks taken. Fails loudly rather than looping forever.
    """
    emulator = env.emulator.extensions["emulator"]
    store = emulator.store
    for ticks in range(1, max_ticks + 1):
        emulator.scheduler.tick(clock())
        waiting, _ = store.list_runs(status="waiting_retry", limit=10_000)
        pending, _ = store.list_runs(status="pending", limit=1)
        if not waiting and not pending and not store.pending_deliveries(1):
            return ticks
        if not pending and not store.pending_deliveries(1, clock()):
            due = [r["next_retry_at"] for r in waiting]
            next_delivery = store.next_delivery_attempt()
            if next_delivery is not None:
                due.append(next_delivery)
            if due:
                clock.advance_to(min(due))
    raise AssertionError(f"runs still unfinished after {max_ticks} scheduler ticks")


def hook_flow_spec(okta_connection_id: str, contacts_connection_id: str) -> dict[str, Any]:
    """An instant flow: Okta's event hook for new users -> create a contact."""
    return {
        "name": "Instant: new Okta user -> contact",
        "trigger": {"app": "okta", "operation": "new_user_instant", "input": {},
                    "connection_id": okta_connection_id},
        "steps": [{
            "key": "create_contact", "app": "contacts", "operation": "create_contact",
            "connection_id": contacts_connection_id,
            "mapping": {
                "first_name": "{{trigger.profile.firstName}}",
                "last_name": "{{trigger.profile.lastName}}",
                "email": "{{trigger.profile.email}}",
                "source": "Okta hook",
                "external_id": "{{trigger.user_id}}",
            },
        }],
    }


class ResponseLostTransport(httpx.BaseTransport):
    """Lets some creating POSTs reach the vendor, then loses the answer (a reset after the commit).

    The sandboxes' own ``drop_rate`` drops a request before it is handled; this is the harder case
    for "nothing duplicated": the contact exists, but the emulator never heard so and must try again.
    """

    def __init__(self, inner: httpx.BaseTransport, rate: float, seed: int,
                 applies: Callable[[httpx.Request], bool]) -> None:
        self.inner = inner
        self.rate = rate
        self.applies = applies
        self.rng = random.Random(seed)
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if self.applies(request) and response.status_code < 300 and self.rng.random() < self.rate:
            response.read()
            response.close()
            self.lost += 1
            raise httpx.RemoteProtocolError("connection reset after the vendor answered", request=request)
        return response


STARTUP_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def connector_command() -> list[str]:
    import connector.cli

    if (Path(connector.cli.__file__).parent / "__main__.py").exists():
        return [sys.executable, "-m", "connector.cli"]
    return [str(Path(sys.executable).parent / "connector")]


class EmulatorProcess:
    """``connector emulate`` in a subprocess, reachable over HTTP (``args`` are added to the command)."""

    def __init__(self, port: int, data_dir: Path, log: Path, args: list[str]) -> None:
        self.base_url = f"http://127.0.0.1:{port}"
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [*connector_command(), "emulate", "--port", str(port), "--data", str(data_dir), *args],
            stdout=self._log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.http = httpx.Client(base_url=self.base_url, timeout=10.0)
        self._log_path = log  # `connector emulate` prints the access token there, as it does in a terminal
        self._wait_until_serving()

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"connector emulate exited with {self.process.returncode}")
            printed = re.search(r"X-Emulator-Token: (\S+)", self._log_path.read_text(errors="replace"))
            if printed:
                self.http.headers["X-Emulator-Token"] = printed.group(1)
            try:
                if self.http.get("/api/flows").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"connector emulate did not answer within {STARTUP_SECONDS} s")

    def okta(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, "/sandbox/okta" + path, headers={"Authorization": f"SSWS {OKTA_TOKEN}"},
                                 **kwargs)

    def contacts(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {CONTACTS_KEY}", "Version": "2021-07-28"}
        return self.http.request(method, "/sandbox/contacts" + path, headers=headers, **kwargs)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.http.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.http.close()
        self._log.close()
