"""Processes of a scaled deployment for tests: web, workers and schedulers as real subprocesses.

Every process shares one fresh PostgreSQL database and one Celery queue of its own on the local Redis,
and reaches the Kitchen vendor (tests/emulator/emulator_kitchen.py) over HTTP on this machine, so what
the Kitchen counts is what every worker did together.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from connector.context import Connection

HERE = Path(__file__).resolve().parent
KITCHEN_TESTS = HERE.parent / "emulator"


def kitchen_config() -> dict[str, Any]:
    """``create_app`` configuration of every process (``CONNECTOR_APP_FACTORY``): the Kitchen over HTTP."""
    from emulator_kitchen import APP, TOKEN, KitchenAuth

    base_url = os.environ["KITCHEN_URL"]

    def resolve(connection_id: str) -> Connection:
        return Connection(
            app="kitchen", name=connection_id, base_url=base_url, auth=KitchenAuth(TOKEN),
            fields={"token": TOKEN}, transport=httpx.HTTPTransport(),
        )

    return {
        "APPS": {"kitchen": APP}, "CONNECTION_RESOLVER": resolve,
        # Short leases, so work of a killed worker is taken over within the test's time.
        "TIME_LIMIT": 2.0, "LEASE_SECONDS": 1.0, "RETRY_BASE_SECONDS": 0.5,
    }


class Deployment:
    """Starts and kills the processes of one scaled deployment; stops whatever is left at the end."""

    def __init__(self, database_url: str, broker_url: str, queue: str, kitchen_url: str, tmp: Path) -> None:
        self.env = {
            **os.environ,
            "CONNECTOR_DATABASE_URL": database_url, "CONNECTOR_BROKER_URL": broker_url, "CONNECTOR_QUEUE": queue,
            "CONNECTOR_APP_FACTORY": "scale_world:kitchen_config", "CONNECTOR_DATA": str(tmp / "data"),
            "KITCHEN_URL": kitchen_url,
            "PYTHONPATH": os.pathsep.join([str(HERE), str(KITCHEN_TESTS), os.environ.get("PYTHONPATH", "")]),
        }
        self.tmp = tmp
        self.processes: list[subprocess.Popen[bytes]] = []

    def _start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        with (self.tmp / f"{name}-{len(self.processes)}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "connector.cli", name, *args], env=self.env, stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def worker(self, concurrency: int = 4, pool: str = "threads") -> subprocess.Popen[bytes]:
        return self._start("worker", f"--concurrency={concurrency}", f"--pool={pool}")

    def scheduler(self, resend_seconds: float = 3.0) -> subprocess.Popen[bytes]:
        return self._start("scheduler", "--interval=0.2", f"--resend-seconds={resend_seconds}")

    def web(self) -> tuple[subprocess.Popen[bytes], str]:
        """A web process on a free port; returns it and its base URL once it listens."""
        process = self._start("web", "--port=0")
        log = self.tmp / f"web-{len(self.processes) - 1}.log"
        url = wait_for(lambda: _listening_url(log), 30, f"web process to listen (log {log})")
        return process, url

    def api_headers(self) -> dict[str, str]:
        """The install's access token, which every web process of the deployment wants from API clients."""
        from emulator.access import ACCESS_TOKEN_HEADER, load_access_token

        return {ACCESS_TOKEN_HEADER: load_access_token(self.tmp / "data")}

    def log_of(self, process: subprocess.Popen[bytes]) -> str:
        index = self.processes.index(process)
        return "\n".join(p.read_text(errors="replace") for p in self.tmp.glob(f"*-{index}.log"))

    @staticmethod
    def kill(process: subprocess.Popen[bytes]) -> None:
        """kill -9: no cleanup, no goodbye to the broker or the database."""
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def _listening_url(log: Path) -> str | None:
    if not log.exists():
        return None
    match = re.search(r"web listening on (http://[\d.]+:\d+)/", log.read_text(errors="replace"))
    return match.group(1) if match else None


def wait_for(check: Callable[[], Any], seconds: float, what: str) -> Any:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds:.0f}s waiting for the {what}")
