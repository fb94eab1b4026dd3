"""``connector sandbox personio`` on a real port, used the way a developer would: connect with the CLI,
then find and update employees with ``connector invoke``, every exchange checked against the contract."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from connector.cli import main
from sandboxes.contract_check import LOG_ENV

CLIENT_ID = "papi-cli-client"
CLIENT_SECRET = "papi-cli-secret-4c1d9e"


@dataclass
class ServedPersonio:
    base_url: str
    contract_log: Path


@pytest.fixture
def served_personio(tmp_path: Path) -> Iterator[ServedPersonio]:
    log = tmp_path / "contract.jsonl"
    output = tmp_path / "sandbox.out"
    command = [sys.executable, "-m", "connector.cli", "sandbox", "personio", "--port", "0", "--employees", "5",
               "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET]
    with output.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, LOG_ENV: str(log), "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 30
        while not (found := re.search(r"Personio sandbox: (http://\S+)", output.read_text())):
            assert process.poll() is None, output.read_text()
            assert time.monotonic() < deadline, "the sandbox did not start: " + output.read_text()
            time.sleep(0.05)
        yield ServedPersonio(found.group(1), log)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_developer_connects_to_the_served_personio_sandbox_and_updates_an_employee(
    served_personio: ServedPersonio, tmp_path: Path
) -> None:
    runner = CliRunner()
    env = {"CONNECTOR_DATA_DIR": str(tmp_path / "data"), "CONNECTOR_SECRET_KEYS": None}

    def connector(*args: str) -> str:
        result = runner.invoke(main, list(args), env=env, catch_exceptions=True)
        assert result.exit_code == 0, f"connector {' '.join(args)}:\n{result.output}\n{result.exception!r}"
        assert CLIENT_SECRET not in result.output
        return result.stdout

    assert "(5 employees)" in connector("connect", "personio", "--client-id", CLIENT_ID, "--client-secret",
                                        CLIENT_SECRET, "--base-url", served_personio.base_url)
    listed = json.loads(connector("invoke", "personio.list_employees", "--connection", "personio",
                                  "--input", json.dumps({"limit": 5})))
    first = listed[0]
    [found] = json.loads(connector("invoke", "personio.find_employee", "--connection", "personio",
                                   "--input", json.dumps({"email": first["email"].upper()})))
    assert found["employee_id"] == first["employee_id"]
    updated = json.loads(connector("invoke", "personio.update_employee", "--connection", "personio", "--input",
                                   json.dumps({"employee_id": first["employee_id"], "weekly_working_hours": 30,
                                               "supervisor_id": listed[1]["employee_id"]})))
    assert (updated["weekly_working_hours"], updated["supervisor_id"]) == (30, listed[1]["employee_id"])
    with httpx.Client(base_url=served_personio.base_url) as http:  # read back over the wire, not via the kit
        token = http.post("/v1/auth", data={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
        employee = http.get(f"/v1/company/employees/{first['employee_id']}",
                            headers={"Authorization": f"Bearer {token.json()['data']['token']}"}).json()
    assert employee["data"]["attributes"]["weekly_working_hours"]["value"] == 30
    violations = served_personio.contract_log.read_text() if served_personio.contract_log.exists() else ""
    assert violations == "", violations


def test_the_served_sandbox_logs_contract_violations_for_the_test_to_read(served_personio: ServedPersonio) -> None:
    with httpx.Client(base_url=served_personio.base_url, headers={"User-Agent": "connector-kit/test"}) as http:
        token = http.post("/v1/auth", json={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
        http.patch("/v1/company/employees/1", json={"employee": {"weekly_hours": 20}},
                   headers={"Authorization": f"Bearer {token.json()['data']['token']}"})
    [line] = served_personio.contract_log.read_text().splitlines()
    violation = json.loads(line)
    assert (violation["sandbox"], violation["kind"]) == ("personio", "request body")
    assert "weekly_hours" in violation["detail"]
