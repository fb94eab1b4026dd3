"""Limits every worker shares: one vendor rate budget (Redis pacing) and one OAuth refresh at a time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, jsonify, request

from connector.http import make_client
from connector.pacing import RedisPacer
from emulator.serving import serve
from sandboxes.contacts import ContactsSandbox, ContactsSettings

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

REDIS_URL = "redis://127.0.0.1:6379/0"
HERE = Path(__file__).resolve().parent
KEY, LOCATION = "scale-key", "loc_scale"


@pytest.fixture
def limited_contacts(scale_services: None) -> Iterator[tuple[ContactsSandbox, str]]:
    """A Contacts sandbox on a real port allowing 20 requests per 2 s per location, as HighLevel counts."""
    sandbox = ContactsSandbox(ContactsSettings(api_keys={KEY: LOCATION}, rate_limit=20, rate_window_seconds=2.0))
    with serve(sandbox.app, server="waitress") as served:
        sandbox.base_url = f"http://127.0.0.1:{served.port}"
        yield sandbox, sandbox.base_url


@pytest.fixture
def pace_prefix() -> Iterator[str]:
    prefix = f"scale-test-pace-{uuid.uuid4().hex[:10]}"
    yield prefix
    RedisPacer(REDIS_URL, prefix=prefix).forget()


def test_four_workers_pacing_through_redis_create_contacts_without_a_429(
    limited_contacts: tuple[ContactsSandbox, str], pace_prefix: str
) -> None:
    _sandbox, base_url = limited_contacts
    total = 60
    numbers = iter(range(total))
    numbers_lock = threading.Lock()
    statuses: Counter[int] = Counter()
    answered: list[float] = []

    def worker() -> None:
        pacer = RedisPacer(REDIS_URL, prefix=pace_prefix)  # nothing shared in memory: as separate processes
        headers = {"Authorization": f"Bearer {KEY}", "Version": "2021-07-28"}
        with make_client(base_url=base_url, headers=headers, pacer=pacer, raise_errors=False) as client:
            while True:
                with numbers_lock:
                    number = next(numbers, None)
                if number is None:
                    return
                response = client.post("/contacts/", json={"locationId": LOCATION, "email": f"p{number}@example.com"})
                with numbers_lock:
                    statuses[response.status_code] += 1
                    answered.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == {201: total}, statuses
    # Not one 429: the four pacers kept one budget together (the rate they reach is measured by
    # bench/scale_out.py --limit, not by a test). Three windows' worth took at least two window lengths.
    assert max(answered) - min(answered) >= 2 * 2.0 - 0.5


def _token_service() -> Flask:
    """An OAuth token endpoint that rotates refresh tokens (the old one dies on use) and an API behind it."""
    service = Flask("tokens")
    state = {"refresh": "rt-0", "access": "expired-at-0", "refreshes": 0, "n": 0}
    lock = threading.Lock()

    @service.post("/token")
    def token() -> Any:
        time.sleep(0.3)  # a provider taking its time widens the window for racing refreshes
        with lock:
            if request.form.get("refresh_token") != state["refresh"]:
                return jsonify(error="invalid_grant"), 400
            state["refreshes"] += 1
            state["n"] += 1
            state["refresh"], state["access"] = f"rt-{state['n']}", f"at-{state['n']}"
            return jsonify(access_token=state["access"], refresh_token=state["refresh"], expires_in=3600)

    @service.get("/data")
    def data() -> Any:
        if request.headers.get("Authorization") != f"Bearer {state['access']}" or state["access"].startswith("exp"):
            return jsonify(error="invalid_token"), 401
        return jsonify(ok=True)

    service.config["state"] = state
    return service


def _fifty_calls_over_four_processes(tmp_path: Path, redis_url: str) -> tuple[int, Counter[str]]:
    service = _token_service()
    tokens = tmp_path / "connection.json"
    tokens.write_text(json.dumps({"access_token": "expired-at-0", "refresh_token": "rt-0", "expires_at": 1.0}))
    prefix = f"scale-test-refresh-{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    with serve(service, server="waitress") as served:
        start_at = time.time() + 4.0  # every process has imported and waits for the same moment
        processes = [
            subprocess.Popen(
                [sys.executable, str(HERE / "refresh_caller.py"), f"http://127.0.0.1:{served.port}", str(tokens),
                 redis_url, prefix, str(calls), str(start_at)],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
            for calls in (13, 13, 12, 12)
        ]
        seen: Counter[str] = Counter()
        for process in processes:
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0, err.decode()
            seen.update(json.loads(out))
    return int(service.config["state"]["refreshes"]), seen


def test_fifty_calls_on_an_expired_token_over_four_processes_refresh_it_exactly_once(
    scale_services: None, tmp_path: Path
) -> None:
    refreshes, seen = _fifty_calls_over_four_processes(tmp_path, REDIS_URL)
    assert seen == {"200": 50}, seen
    assert refreshes == 1


def test_without_the_shared_lock_processes_race_and_burn_the_rotated_refresh_token(
    scale_services: None, tmp_path: Path
) -> None:
    """The control: each process refreshing on its own spends the refresh token more than once."""
    refreshes, seen = _fifty_calls_over_four_processes(tmp_path, "none")
    assert seen["200"] < 50 or refreshes > 1, (refreshes, seen)
