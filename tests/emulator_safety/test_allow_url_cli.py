"""A connector author connects the emulator to their own API on 127.0.0.1 with ``--allow-url``, visibly."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from connector.cli import main
from emulator.serving import ServedApp, serve
from sandboxes.contacts import ContactsSandbox, ContactsSettings

API_KEY = "author-key"
LOCATION = "loc_author"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def own_api() -> Iterator[ServedApp]:
    """The author's API on this machine (the Contacts sandbox on a real port stands in for it)."""
    sandbox = ContactsSandbox(ContactsSettings(api_keys={API_KEY: LOCATION}))
    sandbox.seed_contacts(2, location_id=LOCATION)
    with serve(sandbox.app) as served:
        yield served
    sandbox.outbox.close()


@pytest.fixture
def emulator(own_api: ServedApp, tmp_path: Path) -> Iterator[tuple[httpx.Client, Path]]:
    port, log = _free_port(), tmp_path / "emulate.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "connector.cli", "emulate", "--port", str(port), "--data", str(tmp_path / "data"),
             "--no-demo", "--okta-users", "1", "--contacts", "1", "--employees", "1",
             "--allow-url", own_api.base_url],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10.0)
        try:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, log.read_text()
                printed = re.search(r"X-Emulator-Token: (\S+)", log.read_text(errors="replace"))
                if printed:  # the access token `connector emulate` printed, as a script author copies it
                    client.headers["X-Emulator-Token"] = printed.group(1)
                try:
                    if client.get("/api/flows").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "connector emulate did not start"
                time.sleep(0.05)
            yield client, log
        finally:
            client.close()
            process.terminate()
            process.wait(timeout=10)


def _connect(client: httpx.Client, base_url: str) -> httpx.Response:
    return client.post("/api/connections", json={"app": "contacts", "name": f"API at {base_url}", "fields": {
        "api_key": API_KEY, "location_id": LOCATION, "base_url": base_url}})


def test_an_allowed_local_api_connects_and_is_shown_while_the_guard_stays_on(emulator, own_api):
    client, log = emulator
    saved = _connect(client, own_api.base_url)
    assert saved.status_code == 201, saved.text
    assert saved.json()["label"] == f"Location {LOCATION}"

    other = f"http://127.0.0.1:{_free_port()}"
    refused = _connect(client, other)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "base_url"
    assert f"to allow it for local development, start the emulator with --allow-url {other}" in error["message"]

    page = client.get("/connections").text
    assert 'id="allowed-origins"' in page and f"<code>{own_api.base_url}</code>" in page
    assert f"Allowed local:    {own_api.base_url}" in log.read_text()


def test_without_the_setting_the_page_shows_no_allowance(tmp_path):
    from emulator.demo import build_environment

    env = build_environment("http://127.0.0.1:5997", tmp_path / "data", okta_users=1, contacts=1, employees=1,
                            runner_thread=False)
    try:
        browser = env.emulator.test_client()
        browser.get(env.start_url.removeprefix(env.public_url))  # signed in, as after opening the start URL
        page = browser.get("/connections")
        assert page.status_code == 200
        assert 'id="allowed-origins"' not in page.get_data(as_text=True)
        assert env.gateway.policy.allowed_origins == frozenset()
    finally:
        env.close()


@pytest.mark.parametrize("value", ["127.0.0.1:8080", "http://127.0.0.1:8080/api", "ftp://127.0.0.1"])
def test_an_allow_url_that_is_not_an_origin_is_one_clear_line(value, tmp_path):
    result = CliRunner().invoke(main, ["emulate", "--data", str(tmp_path / "data"), "--allow-url", value])
    assert result.exit_code != 0
    assert "allow_url" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "data").exists()
