"""A two-vendor world for sync stories: Personio and Contacts sandboxes on skewed clocks, one sync store.

Both sandboxes read one hand-moved clock plus their own skew, the way two vendors' servers disagree
about the time; the engine reads the unskewed clock. Retries wait by moving the clock, so a 429 is
honoured without sleeping. ``engine()`` builds a fresh engine on the same database each time, which is
what a restarted process is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from connector.apps.contacts import APP as CONTACTS_APP
from connector.apps.personio import APP as PERSONIO_APP
from connector.context import Connection
from connector.http import RetryPolicy
from emulator.sandbox.contacts import ContactsSandbox
from emulator.sandbox.contacts.app import ContactsSettings
from emulator.sandbox.personio import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, PersonioSandbox, PersonioSettings
from emulator.store import Store, engine_for
from emulator.sync.engine import Checkpoint, SyncEngine
from emulator.sync.spec import Side
from emulator.sync.store import SyncStore

LOCATION = "loc_sandbox"

DEMO_SPEC: dict[str, Any] = {
    "name": "Personio employees <-> contacts",
    "left": {"app": "personio", "connection_id": "personio", "record_type": "personio.employee"},
    "right": {"app": "contacts", "connection_id": "contacts", "record_type": "contacts.contact"},
    "fields": [
        {"left": "email", "right": "email", "direction": "left_to_right"},
        {"left": "first_name", "right": "first_name", "direction": "both"},
        {"left": "last_name", "right": "last_name", "direction": "both"},
        {"left": "position", "right": "company_name", "direction": "none"},
    ],
    "deletion": "flag",
    "tie_winner": "left",
}


class SkewedClock:
    """Epoch seconds moved by hand; ``skewed(s)`` is the same clock ``s`` seconds off."""

    def __init__(self, start: float = 1_780_000_000.25) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def skewed(self, seconds: float) -> Callable[[], float]:
        return lambda: self.now + seconds


class CountingTransport(httpx.BaseTransport):
    """Passes requests on and counts the writes (POST/PUT/PATCH/DELETE) per path."""

    def __init__(self, inner: httpx.BaseTransport, clock: SkewedClock, step: float) -> None:
        self.inner = inner
        self.clock = clock
        self.step = step
        self.writes: list[tuple[str, str]] = []
        self.calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        self.clock.advance(self.step)  # a request takes a little time, so Date phases vary
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and "/auth" not in request.url.path:
            self.writes.append((request.method, request.url.path))
        return self.inner.handle_request(request)


@dataclass
class SyncWorld:
    tmp: Path
    personio_skew: float = 37.2
    contacts_skew: float = -12.6
    request_step: float = 0.013
    clock: SkewedClock = field(default_factory=SkewedClock)

    def __post_init__(self) -> None:
        self.personio = PersonioSandbox(
            PersonioSettings(burst_per_second=None, employees_per_minute=1_000_000),
            clock=self.clock.skewed(self.personio_skew),
        )
        self.contacts = ContactsSandbox(ContactsSettings(rate_limit=1_000_000),
                                        clock=self.clock.skewed(self.contacts_skew))
        self.transports = {
            "personio": CountingTransport(self.personio.transport(), self.clock, self.request_step),
            "contacts": CountingTransport(self.contacts.transport(), self.clock, self.request_step),
        }
        self.store = Store(engine_for(f"sqlite:///{self.tmp / 'sync.db'}"))
        self.sync_store = SyncStore(self.store)

    def connection(self, side: Side) -> Connection:
        if side.app == "personio":
            return Connection(app="personio", fields={"client_id": DEFAULT_CLIENT_ID,
                                                      "client_secret": DEFAULT_CLIENT_SECRET,
                                                      "base_url": self.personio.base_url},
                              base_url=self.personio.base_url, transport=self.transports["personio"])
        api_key = next(iter(self.contacts.settings.api_keys))
        return Connection(app="contacts", fields={"api_key": api_key, "location_id": LOCATION},
                          base_url=self.contacts.base_url, transport=self.transports["contacts"])

    def engine(self, checkpoint: Checkpoint | None = None) -> SyncEngine:
        return SyncEngine(self.sync_store, {"personio": PERSONIO_APP, "contacts": CONTACTS_APP}, self.connection,
                          clock=self.clock, retry=RetryPolicy(max_attempts=4, jitter=0.0), sleep=self.clock.advance,
                          checkpoint=checkpoint)

    # --- edits as a user makes them in each vendor's own UI -------------------------------------
    def hire(self, email: str, first: str, last: str) -> str:
        return str(self.personio.create_employee(email=email, first_name=first, last_name=last)["id"])

    def edit_employee(self, employee_id: str, **fields: Any) -> None:
        self.personio.update_employee(int(employee_id), **fields)

    def employee(self, employee_id: str) -> dict[str, Any]:
        return dict(self.personio.employees.get(int(employee_id)))

    def add_contact(self, email: str, first: str, last: str, tags: list[str] | None = None) -> str:
        response = httpx.Client(transport=self.contacts.transport(), base_url=self.contacts.base_url).post(
            "/contacts/", json={"locationId": LOCATION, "email": email, "firstName": first, "lastName": last,
                                "tags": tags or []},
            headers=self._contacts_headers())
        response.raise_for_status()
        return str(response.json()["contact"]["id"])

    def edit_contact(self, contact_id: str, **body: Any) -> None:
        response = httpx.Client(transport=self.contacts.transport(), base_url=self.contacts.base_url).put(
            f"/contacts/{contact_id}", json=body, headers=self._contacts_headers())
        response.raise_for_status()

    def contact(self, contact_id: str) -> dict[str, Any]:
        return dict(self.contacts.state.contacts[contact_id])

    def contacts_list(self) -> list[dict[str, Any]]:
        return [dict(c) for c in self.contacts.state.contacts.values()]

    def _contacts_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {next(iter(self.contacts.settings.api_keys))}", "Version": "2021-07-28"}
