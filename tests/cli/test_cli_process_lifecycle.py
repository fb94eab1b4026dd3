"""Long-running commands stop cleanly when asked to, and a damaged database is one clear line.

These run ``connector`` as a real process, the way a service manager, a container runtime or a user's
shell starts and stops it: SIGTERM is what ``kill``, ``systemctl stop`` and ``docker stop`` send.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def _connector(*args: str) -> list[str]:
    return [sys.executable, "-m", "connector.cli", *args]


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "CONNECTOR_DATA_DIR": str(data_dir)}
    env.pop("CONNECTOR_SECRET_KEYS", None)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_http(url: str, process: subprocess.Popen[str], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the command exited early with {process.returncode}"
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"nothing answered at {url} within {seconds} s")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_connector_emulate_stops_cleanly_on_sigterm_as_on_ctrl_c(tmp_path: Path, stop: signal.Signals):
    port = _free_port()
    process = subprocess.Popen(
        _connector("emulate", "--port", str(port), "--data", str(tmp_path / "data"), "--okta-users", "2",
                   "--contacts", "1", "--employees", "1"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(tmp_path / "data"),
    )
    try:
        _wait_for_http(f"http://127.0.0.1:{port}/api/flows", process)
        process.send_signal(stop)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert stdout.rstrip().endswith("stopping")
    assert "Traceback" not in stderr
    with pytest.raises(httpx.TransportError):  # the port was released
        httpx.get(f"http://127.0.0.1:{port}/api/flows", timeout=2.0)


def test_a_served_sandbox_stops_cleanly_on_sigterm(tmp_path: Path):
    port = _free_port()
    process = subprocess.Popen(
        _connector("sandbox", "contacts", "--port", str(port), "--contacts", "1"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(tmp_path),
    )
    try:
        _wait_for_http(f"http://127.0.0.1:{port}/", process)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert stdout.rstrip().endswith("stopping") and "Traceback" not in stderr


@pytest.mark.parametrize(
    ("file_name", "command", "what"),
    [
        ("emulator.db", ("emulate", "--port", "0", "--no-demo"), "emulator"),
        ("connector.db", ("emulate", "--port", "0", "--no-demo"), "connections"),
        ("connector.db", ("connections", "list"), "connections"),
    ],
    ids=["emulate with a damaged run store", "emulate with a damaged connection store", "connections list"],
)
def test_a_damaged_database_file_is_one_clear_line_and_a_failing_exit(
    tmp_path: Path, file_name: str, command: tuple[str, ...], what: str
):
    data = tmp_path / "data"
    data.mkdir()
    damaged = data / file_name
    damaged.write_bytes(b"SQLite format 2\x00" + os.urandom(4096))  # not a database any more
    args = [*command, "--data", str(data)] if command[0] == "emulate" else list(command)
    result = subprocess.run(_connector(*args), capture_output=True, text=True, env=_env(data), timeout=60)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    [line] = lines
    assert line.startswith(f"error: the {what} database ")
    assert str(damaged.name) in line and "file is not a database" in line
    assert "move the file aside or restore it from a backup" in line
