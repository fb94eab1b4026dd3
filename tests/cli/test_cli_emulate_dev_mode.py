"""`connector emulate` for a connector author: apps that fail validation are named and left out, `--reload`
picks up edited connector code without a manual restart, and `--log-level` shows what the emulator does."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

PANTRY = '''
from connector.definitions import App, AuthSpec, Field, Search

LABEL = "{label}"

APP = App(
    key="pantry", name="Pantry", version="0.1.0", description="What is in the pantry.",
    auth=AuthSpec(type="api_key", fields=(Field("api_key", type="password", required=True),),
                  test=lambda ctx: {{}}),
    searches=(Search(key="find_jar", noun="Jar", label=LABEL, description="Finds a jar.",
                     output_fields=(Field("id", required=True),), sample={{"id": "j1"}},
                     perform=lambda ctx, values: []),),
)
'''
UNTESTED = PANTRY.replace("key=\"pantry\"", "key=\"cellar\"").replace("test=lambda ctx: {{}}", "")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Emulate:
    """``connector emulate ...`` in its own process group (``--reload`` runs a child of its own)."""

    def __init__(self, cwd: Path, *args: str, pythonpath: str = "") -> None:
        self.base_url = f"http://127.0.0.1:{_free_port()}"
        self.log = cwd / "emulate.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "connector.cli", "emulate", "--port", self.base_url.rsplit(":", 1)[1],
                 "--data", str(cwd / "data"), "--no-demo", "--okta-users", "0", "--contacts", "0",
                 "--employees", "0", *args],
                cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": pythonpath},
            )

    def output(self) -> str:
        return self.log.read_text()

    def apps(self) -> str | None:
        printed = re.search(r"X-Emulator-Token: (\S+)", self.output())  # the token the banner printed
        if printed is None:
            return None
        try:
            answer = httpx.get(f"{self.base_url}/api/apps", timeout=5.0,
                               headers={"X-Emulator-Token": printed.group(1)})
        except httpx.TransportError:
            return None
        return answer.text if answer.status_code == 200 else None

    def wait_for(self, check: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"connector emulate exited: {self.output()}")
            if check():
                return
            time.sleep(0.1)
        raise AssertionError(f"{what} did not happen within {seconds} s: {self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


@pytest.fixture
def emulate(tmp_path: Path) -> Iterator[Callable[..., Emulate]]:
    started: list[Emulate] = []

    def start(*args: str, pythonpath: str = "") -> Emulate:
        started.append(Emulate(tmp_path, *args, pythonpath=pythonpath))
        return started[-1]

    yield start
    for process in started:
        process.stop()


def test_an_app_that_fails_validation_is_named_and_not_loaded(emulate, tmp_path: Path) -> None:
    (tmp_path / "pantry_app.py").write_text(PANTRY.format(label="Find Jar"))
    (tmp_path / "cellar_app.py").write_text(UNTESTED.format(label="Find Bottle"))
    running = emulate("--app", "pantry_app:APP", "--app", "cellar_app:APP")
    running.wait_for(lambda: running.apps() is not None, "the emulator answering")
    listed = running.apps() or ""
    assert '"pantry"' in listed and '"cellar"' not in listed and '"okta"' in listed
    assert (
        "warning: app 'cellar' is not loaded: 1 problem(s), first cellar.auth.test: [auth] auth has no connection "
        "test" in running.output()
    )
    assert "Apps:             contacts, okta, pantry, personio" in running.output()


def test_reload_picks_up_edited_connector_code(emulate, tmp_path: Path) -> None:
    module = tmp_path / "pantry_app.py"
    module.write_text(PANTRY.format(label="Find Jar"))
    running = emulate("--app", "pantry_app:APP", "--reload", "--log-level", "info")
    running.wait_for(lambda: "Find Jar" in (running.apps() or ""), "the first start")
    module.write_text(PANTRY.format(label="Find Jar By Name"))
    running.wait_for(lambda: "Find Jar By Name" in (running.apps() or ""), "the restart with the edited label")
    assert "changed: pantry_app.py; restarting the emulator" in running.output()
    assert " INFO " in running.output(), "--log-level info shows the emulator's log lines"


def _install_a_broken_package(site: Path) -> None:
    """An installed connector package whose app module fails to import (as after a bad edit)."""
    dist = site / "broken_connector-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-connector\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[connector.apps]\nbroken = broken_connector.app:APP\n")
    (site / "broken_connector").mkdir()
    (site / "broken_connector" / "__init__.py").write_text("")
    (site / "broken_connector" / "app.py").write_text("APP = undefined_name\n")


def test_an_installed_app_that_cannot_be_imported_is_named_and_the_others_still_load(
    emulate, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    _install_a_broken_package(site)
    validated = subprocess.run(
        [sys.executable, "-m", "connector.cli", "validate"], capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(site)}, cwd=tmp_path,
    )
    assert validated.returncode == 1
    assert ("installed app not loaded: broken = broken_connector.app:APP cannot be imported (NameError: name "
            "'undefined_name' is not defined)") in validated.stdout
    assert "okta 1.0.0: ok" in validated.stdout
    running = emulate(pythonpath=str(site))
    running.wait_for(lambda: running.apps() is not None, "the emulator answering")
    assert '"okta"' in (running.apps() or "")
    assert "warning: installed app not loaded: broken = broken_connector.app:APP cannot be imported" in (
        running.output()
    )
