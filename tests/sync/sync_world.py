"""A two-vendor world for sync stories: Personio and Contacts sandboxes on skewed clocks, one sync store.

Both sandboxes read one hand-moved clock plus their own skew, the way two vendors' servers disagree
about the time; the engine reads the unskewed clock. Retries wait by moving the clock, so a 429 is
honoured without sleeping. ``engine()`` builds a fresh engine on the same database each time, which is
what a restarted process is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from connector.apps.contacts.app import APP as CONTACTS_APP
from connector.apps.okta.app import APP as OKTA_APP
from connector.apps.personio.app import APP as PERSONIO_APP
from connector.context import Connection, Context
from connector.definitions import App
from connector.http import RetryPolicy
from connector.records import RecordType, RecordUpdate, SyncRecord
from emulator.store import Store, engine_for
from emulator.sync.engine import Checkpoint, SyncEngine
from emulator.sync.spec import Side
from emulator.sync.store import SyncStore
from sandboxes.contacts import ContactsSandbox
from sandboxes.contacts.app import ContactsSettings
from sandboxes.okta import OktaSandbox, OktaSettings
from sandboxes.okta.settings import DEFAULT_RATE_LIMITS
from sandboxes.personio import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, PersonioSandbox, PersonioSettings

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
        reads = ("/auth", "/search")  # token requests and HighLevel's search are POSTs that change nothing
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not any(p in request.url.path for p in reads):
            self.writes.append((request.method, request.url.path))
        return self.inner.handle_request(request)


@dataclass
class SyncWorld:
    tmp: Path
    personio_skew: float = 37.2
    contacts_skew: float = -12.6
    second_contacts_skew: float = 4.4
    okta_skew: float = -21.3
    request_step: float = 0.013
    clock: SkewedClock = field(default_factory=SkewedClock)

    def __post_init__(self) -> None:
        self.personio = PersonioSandbox(
            PersonioSettings(burst_per_second=None, employees_per_minute=1_000_000),
            clock=self.clock.skewed(self.personio_skew),
        )
        self.contacts = ContactsSandbox(ContactsSettings(rate_limit=1_000_000),
                                        clock=self.clock.skewed(self.contacts_skew))
        #: A second HighLevel location's sandbox, for contacts <-> contacts syncs (tags on both sides).
        self.contacts_b = ContactsSandbox(ContactsSettings(rate_limit=1_000_000, id_seed=2),
                                          base_url="http://contacts-b.sandbox",
                                          clock=self.clock.skewed(self.second_contacts_skew))
        self.okta = OktaSandbox(OktaSettings(rate_limits={key: 1_000_000 for key in DEFAULT_RATE_LIMITS}),
                                clock=self.clock.skewed(self.okta_skew))
        self.transports = {
            "okta": CountingTransport(self.okta.transport(), self.clock, self.request_step),
            "personio": CountingTransport(self.personio.transport(), self.clock, self.request_step),
            "contacts": CountingTransport(self.contacts.transport(), self.clock, self.request_step),
            "contacts_b": CountingTransport(self.contacts_b.transport(), self.clock, self.request_step),
        }
        #: (connection base URL, record id, field) for every field a record type's create/update sent.
        self.field_writes: list[tuple[str, str, str]] = []
        self.apps = {"personio": self._counted(PERSONIO_APP), "contacts": self._counted(CONTACTS_APP),
                     "okta": self._counted(OKTA_APP)}
        self.store = Store(engine_for(f"sqlite:///{self.tmp / 'sync.db'}"))
        self.sync_store = SyncStore(self.store)

    def _counted(self, app: App) -> App:
        """The app with its record types' writes logged per field, to check each is sent exactly once."""
        log = self.field_writes

        def wrap(record_type: RecordType) -> RecordType:
            update, create = record_type.update, record_type.create
            assert update is not None and create is not None

            def counted_update(ctx: Context, record_id: str, change: RecordUpdate) -> SyncRecord:
                keys = {*change.values, *(k for k, v in change.added.items() if v),
                        *(k for k, v in change.removed.items() if v)}
                log.extend((ctx.connection.base_url, record_id, key) for key in sorted(keys))
                return update(ctx, record_id, change)

            def counted_create(ctx: Context, values: Mapping[str, Any]) -> SyncRecord:
                made = create(ctx, values)
                log.append((ctx.connection.base_url, made.id, "*created*"))
                return made

            delete = record_type.delete
            if delete is None:
                return replace(record_type, update=counted_update, create=counted_create)

            def counted_delete(ctx: Context, record_id: str) -> bool:
                removed = delete(ctx, record_id)
                if removed:
                    log.append((ctx.connection.base_url, record_id, "*deleted*"))
                return removed

            return replace(record_type, update=counted_update, create=counted_create, delete=counted_delete)

        return replace(app, record_types=tuple(wrap(rt) for rt in app.record_types))

    def base_url_of(self, side: Side) -> str:
        return self.connection(side).base_url

    def connection(self, side: Side) -> Connection:
        if side.app == "okta":
            return Connection(app="okta", fields={"org_url": self.okta.base_url, "api_token": self.okta.settings.token},
                              base_url=self.okta.base_url, transport=self.transports["okta"])
        if side.app == "personio":
            return Connection(app="personio", fields={"client_id": DEFAULT_CLIENT_ID,
                                                      "client_secret": DEFAULT_CLIENT_SECRET,
                                                      "base_url": self.personio.base_url},
                              base_url=self.personio.base_url, transport=self.transports["personio"])
        sandbox = self.contacts_b if side.connection_id == "contacts_b" else self.contacts
        api_key = next(iter(sandbox.settings.api_keys))
        return Connection(app="contacts", fields={"api_key": api_key, "location_id": LOCATION},
                          base_url=sandbox.base_url, transport=self.transports[side.connection_id or "contacts"])

    def engine(self, checkpoint: Checkpoint | None = None) -> SyncEngine:
        return SyncEngine(self.sync_store, self.apps, self.connection,
                          clock=self.clock, retry=RetryPolicy(max_attempts=4, jitter=0.0), sleep=self.clock.advance,
                          checkpoint=checkpoint)

    # --- edits as a user makes them in each vendor's own UI -------------------------------------
    def hire(self, email: str, first: str, last: str) -> str:
        return str(self.personio.create_employee(email=email, first_name=first, last_name=last)["id"])

    def edit_employee(self, employee_id: str, **fields: Any) -> None:
        self.personio.update_employee(int(employee_id), **fields)

    def fire(self, employee_id: str) -> None:
        """Delete the employee as an admin does in Personio's own app."""
        self.personio.delete_employee(int(employee_id))

    def delete_contact(self, contact_id: str, sandbox: ContactsSandbox | None = None) -> None:
        with self._contacts_client(sandbox or self.contacts) as client:
            client.delete(f"/contacts/{contact_id}").raise_for_status()

    def employee(self, employee_id: str) -> dict[str, Any]:
        return dict(self.personio.employees.get(int(employee_id)))

    def okta_client(self) -> httpx.Client:
        return httpx.Client(transport=self.okta.transport(), base_url=self.okta.base_url,
                            headers={"Authorization": f"SSWS {self.okta.settings.token}"})

    def _contacts_client(self, sandbox: ContactsSandbox) -> httpx.Client:
        headers = {"Authorization": f"Bearer {next(iter(sandbox.settings.api_keys))}", "Version": "2021-07-28"}
        return httpx.Client(transport=sandbox.transport(), base_url=sandbox.base_url, headers=headers)

    def add_contact(self, email: str, first: str, last: str, tags: list[str] | None = None,
                    sandbox: ContactsSandbox | None = None) -> str:
        with self._contacts_client(sandbox or self.contacts) as client:
            response = client.post("/contacts/", json={"locationId": LOCATION, "email": email, "firstName": first,
                                                       "lastName": last, "tags": tags or []})
        response.raise_for_status()
        return str(response.json()["contact"]["id"])

    def edit_contact(self, contact_id: str, sandbox: ContactsSandbox | None = None, **body: Any) -> None:
        with self._contacts_client(sandbox or self.contacts) as client:
            response = client.put(f"/contacts/{contact_id}", json=body)
        response.raise_for_status()

    def tag_contact(self, contact_id: str, tag: str, *, add: bool, sandbox: ContactsSandbox | None = None) -> None:
        with self._contacts_client(sandbox or self.contacts) as client:
            response = client.request("POST" if add else "DELETE", f"/contacts/{contact_id}/tags",
                                      json={"tags": [tag]})
        response.raise_for_status()

    def contact(self, contact_id: str, sandbox: ContactsSandbox | None = None) -> dict[str, Any]:
        return dict((sandbox or self.contacts).state.contacts[contact_id])

    def contacts_list(self, sandbox: ContactsSandbox | None = None) -> list[dict[str, Any]]:
        return [dict(c) for c in (sandbox or self.contacts).state.contacts.values()]
