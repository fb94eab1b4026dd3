"""Issue 6, done when #2: kill the emulator mid-run, start it again, and nothing is lost or repeated.

``connector emulate`` runs in a real subprocess on a real port; the test only talks HTTP to it, as a
user's script would, and kills it with SIGKILL while a run is waiting on a slow Contacts sandbox.

What survives a restart and what does not (see emulator/demo/__init__.py): flows, runs, step results, dedupe
records and cursors live in SQLite under ``--data``; the sandboxes live in memory and are re-seeded
from the same seed. So the contacts the killed process created are gone after the restart and the
users created before the kill are gone from the fresh Okta org. The test arranges the kill before any
run has finished, so the honest claims are: every run recorded before the kill is still in history,
each finishes exactly once after the restart, and each user becomes exactly one contact in the
Contacts sandbox the restarted process talks to.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from acceptance_world import LOCATION, EmulatorProcess, free_port, new_person

from emulator.demo import DEMO_FLOW_NAME

pytestmark = pytest.mark.slow

SEEDED_USERS = 60
SEEDED_CONTACTS = 5


@pytest.fixture
def start_emulator(tmp_path: Path) -> Iterator[Callable[[], EmulatorProcess]]:
    port = free_port()
    started: list[EmulatorProcess] = []

    def start() -> EmulatorProcess:
        process = EmulatorProcess(
            port, tmp_path / "data", tmp_path / "emulate.log",
            ["--okta-users", str(SEEDED_USERS), "--contacts", str(SEEDED_CONTACTS)],
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def _wait_for(check: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def _runs(emulator: EmulatorProcess, flow_id: str) -> list[dict[str, Any]]:
    page = emulator.http.get("/api/runs", params={"flow": flow_id, "limit": 200}).json()
    assert page["total"] == len(page["runs"])
    return list(reversed(page["runs"]))


def _contacts_with_external_id(emulator: EmulatorProcess, external_id: str) -> list[dict[str, Any]]:
    found = emulator.contacts("POST", "/contacts/search",
                              json={"locationId": LOCATION, "pageLimit": 100, "query": external_id}).json()
    return [c for c in found["contacts"]
            if any(str(f.get("value")) == external_id for f in c.get("customFields") or [])]


def _demo_flow_id(emulator: EmulatorProcess) -> str:
    flows = emulator.http.get("/api/flows").json()["flows"]
    return next(flow["id"] for flow in flows if flow["name"] == DEMO_FLOW_NAME)


def test_killing_the_emulator_mid_run_loses_no_run_and_repeats_none(start_emulator):
    first = start_emulator()
    flow_id = _demo_flow_id(first)
    assert first.http.post(f"/api/flows/{flow_id}/on").json()["state"] == "on"

    users = []
    for n in range(3):
        response = first.okta("POST", "/api/v1/users", params={"activate": "true"}, json={"profile": new_person(n)})
        assert response.status_code == 200, response.text
        users.append(response.json())
    # Every call to the Contacts sandbox now takes 1.5 s: a run stays in flight long enough to be killed.
    slow = first.http.put("/sandbox/contacts/_sandbox/faults", json={"latency_ms": 1500})
    assert slow.status_code == 200, slow.text
    polled = first.http.post(f"/api/flows/{flow_id}/poll").json()
    assert len(polled["runs"]) == 3

    _wait_for(lambda: any(r["status"] == "running" for r in _runs(first, flow_id)), 10, "a run in flight")
    before = _runs(first, flow_id)
    assert not any(r["status"] == "succeeded" for r in before), "a run finished before the kill; slow it down"
    first.kill()

    second = start_emulator()  # same port, same data folder; the runner thread resumes the runs
    assert _demo_flow_id(second) == flow_id
    after = _wait_for(
        lambda: (runs := _runs(second, flow_id)) and all(r["status"] == "succeeded" for r in runs) and runs,
        20, "the runs recorded before the kill to succeed after the restart",
    )
    assert [r["id"] for r in after] == [r["id"] for r in before]  # none lost, none added
    items = [second.http.get(f"/api/runs/{r['id']}").json() for r in after]
    assert [run["item"]["id"] for run in items] == [user["id"] for user in users]
    for run in items:
        assert [step["status"] for step in run["steps"]] == ["succeeded", "succeeded"]

    for user in users:
        [contact] = _contacts_with_external_id(second, user["id"])
        assert contact["email"] == user["profile"]["email"]
        assert sorted(contact["tags"]) == ["field ops", "okta"]
    listed = second.contacts("POST", "/contacts/search", json={"locationId": LOCATION, "pageLimit": 1}).json()
    assert listed["total"] == SEEDED_CONTACTS + len(users)


def test_a_user_created_after_a_restart_fires_once(start_emulator):
    first = start_emulator()
    flow_id = _demo_flow_id(first)
    assert first.http.post(f"/api/flows/{flow_id}/on").json()["state"] == "on"
    for n in range(3):
        first.okta("POST", "/api/v1/users", params={"activate": "true"}, json={"profile": new_person(n, "before")})
    assert len(first.http.post(f"/api/flows/{flow_id}/poll").json()["runs"]) == 3
    first.kill()

    second = start_emulator()
    created = second.okta("POST", "/api/v1/users", params={"activate": "true"},
                          json={"profile": new_person(0, "after")})
    assert created.status_code == 200, created.text
    polled = second.http.post(f"/api/flows/{flow_id}/poll")
    assert polled.status_code == 200, polled.text
    assert len(polled.json()["runs"]) == 1, polled.json()
