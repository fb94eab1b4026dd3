"""A sync process killed with SIGKILL (``kill -9``) at checkpoints of a cycle, again and again, then
finished by a fresh process: every change lands exactly once, with exactly one audit entry, and nobody
is created twice.

The sandboxes serve on real ports from this process (they outlive the killed ones); each cycle runs in
a child process that sends itself SIGKILL at its n-th checkpoint, with n growing, so kills fall at
different steps: after an intent is recorded, between a write and its commit, between links.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sync_world import DEMO_SPEC

from connector.apps.contacts.app import APP as CONTACTS_APP
from connector.apps.personio.app import APP as PERSONIO_APP
from connector.context import Connection
from emulator.serving import serve
from emulator.store import Store, engine_for
from emulator.sync.engine import SyncEngine
from emulator.sync.spec import Side
from emulator.sync.store import SyncStore
from sandboxes.contacts import ContactsSandbox
from sandboxes.contacts.app import ContactsSettings
from sandboxes.contacts.contacts import new_contact
from sandboxes.personio import PersonioSandbox, PersonioSettings

WORKER = Path(__file__).with_name("sync_kill_worker.py")
WRITES = ("POST", "PUT", "PATCH", "DELETE")

pytestmark = pytest.mark.slow


def _no_connections(side: Side) -> Connection:
    raise AssertionError("this process only defines the sync; cycles run in the worker")


class WriteLog:
    """WSGI middleware that notes every write request (method, path) a sandbox answers."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.writes: list[tuple[str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        if method in WRITES and not path.endswith(("/auth", "/search")):
            self.writes.append((method, path))
        return self.app(environ, start_response)


@pytest.fixture
def sandboxes() -> Iterator[tuple[PersonioSandbox, ContactsSandbox, WriteLog, WriteLog]]:
    personio = PersonioSandbox(PersonioSettings(burst_per_second=None, employees_per_minute=10**6))
    contacts = ContactsSandbox(ContactsSettings(rate_limit=10**6))
    personio_log, contacts_log = WriteLog(personio.app.wsgi_app), WriteLog(contacts.app.wsgi_app)
    personio.app.wsgi_app = personio_log  # type: ignore[method-assign]
    contacts.app.wsgi_app = contacts_log  # type: ignore[method-assign]
    with serve(personio.app, server="waitress") as p_served, serve(contacts.app, server="waitress") as c_served:
        personio.base_url, contacts.base_url = p_served.base_url, c_served.base_url
        yield personio, contacts, personio_log, contacts_log
    contacts.outbox.close()


def _cycle(database: Path, sync_id: str, personio: PersonioSandbox, contacts: ContactsSandbox, kill_at: int) -> int:
    done = subprocess.run([sys.executable, str(WORKER), str(database), sync_id, personio.base_url,
                           contacts.base_url, str(kill_at)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode in (0, -9), done.stderr[-2000:]
    return done.returncode


def test_cycles_killed_at_every_step_and_finished_by_a_new_process_write_each_change_once(
        tmp_path: Path, sandboxes: tuple[PersonioSandbox, ContactsSandbox, WriteLog, WriteLog]) -> None:
    personio, contacts, personio_log, contacts_log = sandboxes
    for number in range(4):
        personio.create_employee(email=f"p{number}@example.com", first_name=f"P{number}", last_name="Employee")
    for number in range(2, 6):  # p2 and p3 are on both sides, with another last name in HighLevel
        contact = new_contact(contacts.state, "loc_sandbox", {"email": f"p{number}@example.com",
                                                               "firstName": f"P{number}", "lastName": "Contact"})
        contacts.state.add_contact(contact)
    database = tmp_path / "sync.db"
    store = Store(engine_for(f"sqlite:///{database}"))
    apps = {"personio": PERSONIO_APP, "contacts": CONTACTS_APP}
    sync_id = SyncEngine(SyncStore(store), apps, _no_connections).create(DEMO_SPEC)["id"]

    kills = 0
    for kill_at in range(1, 200, 2):
        if _cycle(database, sync_id, personio, contacts, kill_at) == 0:
            break  # the cycle finished before reaching that checkpoint
        kills += 1
    assert kills >= 5
    assert _cycle(database, sync_id, personio, contacts, 0) == 0
    assert _cycle(database, sync_id, personio, contacts, 0) == 0  # a quiet cycle after the work is done

    employees = {r["email"]: r for r in personio.employees.records.values()}
    people = {c["email"]: c for c in contacts.state.contacts.values()}
    assert sorted(employees) == sorted(people) == [f"p{n}@example.com" for n in range(6)]  # nobody twice
    for email, employee in employees.items():
        assert (employee["first_name"], employee["last_name"]) == (people[email]["firstName"],
                                                                   people[email]["lastName"]), email

    sync_store = SyncStore(store)
    links = {link["id"]: link for link in sync_store.all_links(sync_id, limit=100)}
    entries = sync_store.audit_entries(sync_id, limit=None)
    created = Counter(e["direction"] for e in entries if e["reason"] == "created")
    assert created == {"left_to_right": 2, "right_to_left": 2}
    assert Counter(w for w in contacts_log.writes if w == ("POST", "/contacts/")) == {("POST", "/contacts/"): 2}
    assert personio_log.writes.count(("POST", "/v1/company/employees")) == 2
    # Each update the sync applied was sent once: one PUT or PATCH per intent that wrote to the record.
    applied: dict[str, set[tuple[str, str]]] = {"left": set(), "right": set()}
    for entry in entries:
        if entry["intent_id"] and entry["reason"] in ("changed", "conflict won", "linked"):
            target = "right" if entry["direction"] == "left_to_right" else "left"
            applied[target].add((links[entry["link_id"]][f"{target}_id"], entry["intent_id"]))
    sent = {"right": Counter(path.rsplit("/", 1)[-1] for method, path in contacts_log.writes if method == "PUT"),
            "left": Counter(path.rsplit("/", 1)[-1] for method, path in personio_log.writes if method == "PATCH")}
    for side in ("left", "right"):
        assert sent[side] == Counter(record_id for record_id, _intent in applied[side]), side
    # p2 and p3 met a different last name: one conflict each, one write each to the losing side
    assert sum(sent["right"].values()) + sum(sent["left"].values()) == 2
