"""Kill -9 of ``connector emulate`` while Okta event hooks pour in, with Okta rate-limited and failing.

The Okta and Contacts sandboxes are served by the test process on their own ports, so they outlive the
killed emulator, as real vendors do; ``connector emulate --allow-url`` lets its connections reach them.
Okta answers the trigger's profile reads with 429s (bursts, and a small rate-limit window) and 500/503s, so
deliveries meet retriable errors while they are processed, and the emulator is killed with SIGKILL in
the middle of the load, with acknowledged deliveries still unprocessed. Okta re-sends what was not
acknowledged while the emulator is down (the sandbox's outbox is told to keep trying, as a vendor
retrying at will would).

Counted at the Contacts sandbox: every new Okta user is exactly one contact (0 lost, 0 duplicated).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from acceptance_world import (
    CONTACTS_KEY,
    LOCATION,
    OKTA_TOKEN,
    EmulatorProcess,
    contacts_by_external_id,
    free_port,
    hook_flow_spec,
    new_person,
)

from emulator.serving import serve
from sandboxes.contacts import ContactsSandbox, ContactsSettings
from sandboxes.okta import OktaSandbox, OktaSettings

pytestmark = pytest.mark.slow

USERS = 60
KILL_AFTER = 20  # users created before the kill
USER_READS_PER_WINDOW = 20
RATE_WINDOW_SECONDS = 1.0


class StatusCounter:
    """WSGI layer that counts the statuses Okta answered the emulator's user reads with."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.statuses: dict[int, int] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def counting(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if environ.get("PATH_INFO") == "/api/v1/users" and environ.get("REQUEST_METHOD") == "GET":
                with self._lock:
                    code = int(status.split()[0])
                    self.statuses[code] = self.statuses.get(code, 0) + 1
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return self.app(environ, counting)


@pytest.fixture
def vendors() -> Iterator[tuple[OktaSandbox, ContactsSandbox, StatusCounter]]:
    limits = {"users": USER_READS_PER_WINDOW}
    # The emulator's hook receiver is plain http on 127.0.0.1; Okta itself accepts only https hook URIs.
    okta = OktaSandbox(OktaSettings(token=OKTA_TOKEN, rate_limits=limits, rate_window_seconds=RATE_WINDOW_SECONDS,
                                    allow_http_hook_uris=True))
    okta.seed_users(5, seed=1)
    okta.outbox.retries, okta.outbox.retry_delay = 400, 0.1  # keep sending until acknowledged
    contacts = ContactsSandbox(ContactsSettings(api_keys={CONTACTS_KEY: LOCATION}))
    contacts.limits.burst.limit = 100_000  # Okta's limits are under test here, not the Contacts budget
    counted = StatusCounter(okta.app)
    with serve(counted) as served_okta, serve(contacts.app) as served_contacts:
        okta.base_url = served_okta.base_url
        contacts.base_url = served_contacts.base_url
        yield okta, contacts, counted
        okta.outbox.close()
        contacts.outbox.close()


def _wait_for(check: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def _deliveries(emulator: EmulatorProcess, flow_id: str, status: str | None = None) -> dict[str, Any]:
    params = {"limit": 200, **({"status": status} if status else {})}
    answer: dict[str, Any] = emulator.http.get(f"/api/flows/{flow_id}/deliveries", params=params).json()
    return answer


def _open_deliveries(emulator: EmulatorProcess, flow_id: str) -> int:
    return sum(int(_deliveries(emulator, flow_id, status)["total"]) for status in ("received", "waiting_retry"))


def _all_done(emulator: EmulatorProcess, flow_id: str) -> bool:
    if _open_deliveries(emulator, flow_id) or _deliveries(emulator, flow_id, "failed")["total"]:
        return False
    runs = emulator.http.get("/api/runs", params={"flow": flow_id, "limit": 200}).json()
    return bool(runs["total"]) and all(r["status"] == "succeeded" for r in runs["runs"])


def test_killing_the_emulator_under_hook_load_with_okta_throttling_and_failing_loses_and_repeats_nothing(
    vendors, tmp_path: Path
):
    okta, contacts, okta_reads = vendors
    port = free_port()
    args = ["--no-demo", "--allow-url", okta.base_url, "--allow-url", contacts.base_url,
            "--max-attempts", "30", "--retry-base-seconds", "0.5"]
    started: list[EmulatorProcess] = []

    def start() -> EmulatorProcess:
        started.append(EmulatorProcess(port, tmp_path / "data", tmp_path / "emulate.log", args))
        return started[-1]

    try:
        first = start()
        okta_connection = first.http.post("/api/connections", json={
            "app": "okta", "name": "Okta", "fields": {"org_url": okta.base_url, "api_token": OKTA_TOKEN},
        }).json()["connection"]["id"]
        contacts_connection = first.http.post("/api/connections", json={
            "app": "contacts", "name": "Contacts",
            "fields": {"api_key": CONTACTS_KEY, "location_id": LOCATION, "base_url": contacts.base_url},
        }).json()["connection"]["id"]
        flow_id = first.http.post("/api/flows", json=hook_flow_spec(okta_connection, contacts_connection)).json()["id"]
        assert first.http.post(f"/api/flows/{flow_id}/on").json()["state"] == "on"
        # 429 bursts (X-Rate-Limit-Reset one second ahead) and 500/503 on a quarter of Okta's answers, on top
        # of the small rate-limit window the emulator's pacer has to keep to.
        okta.faults.update(error_rate=0.25, burst_429=2, seed=5)

        users = [okta.create_user(new_person(n, "load")) for n in range(KILL_AFTER)]
        # Kill once deliveries were acknowledged that are still waiting for Okta to let the reads through.
        # A flow's deliveries are parsed in batches (one profile read for all), so once every delivery so far
        # went in together, one more user at a time makes a delivery that waits for the next batch.
        # The open count is taken in the same look that decides to kill: a second look a moment later
        # can find the batch already processed.
        open_at_kill: list[int] = []

        def caught() -> bool:
            processed = _deliveries(first, flow_id, "processed")["total"]
            still_open = _open_deliveries(first, flow_id) if processed else 0
            if still_open:
                open_at_kill.append(still_open)
                return True
            if processed and len(users) < USERS - 5:  # all in: one more user makes a delivery that waits
                users.append(okta.create_user(new_person(len(users), "load")))
            return False

        _wait_for(caught, 30, "acknowledged deliveries, some processed and some not")
        before_kill = len(users)
        first.kill()

        # The load goes on while the emulator is down; Okta re-sends until the new process answers.
        rest = threading.Thread(
            target=lambda: users.extend(okta.create_user(new_person(n, "load")) for n in range(before_kill, USERS))
        )
        rest.start()
        second = start()
        okta.faults.update(burst_429=2)  # the restarted emulator is throttled too
        rest.join()
        okta.outbox.flush(timeout=60)
        assert all(d.delivered for d in okta.outbox.deliveries), "Okta gave up on a delivery"
        _wait_for(lambda: _all_done(second, flow_id), 45, "every delivery processed and every run succeeded")
        second_total = _deliveries(second, flow_id)["total"]
    finally:
        for process in started:
            process.stop()

    assert open_at_kill, "the kill should have caught acknowledged deliveries still unprocessed"
    assert okta_reads.statuses.get(429, 0) > 0 and okta_reads.statuses.get(500, 0) + okta_reads.statuses.get(
        503, 0
    ) > 0, okta_reads.statuses
    assert second_total >= USERS  # every new user was delivered (a repeat is possible: at least once)
    made = contacts_by_external_id(contacts)
    assert {user["id"]: len(made.get(user["id"], [])) for user in users} == {user["id"]: 1 for user in users}
    assert sum(len(found) for found in made.values()) == USERS

