"""Mistakes at the command line: one clear line, a non-zero exit, no traceback, and never a secret."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_world import CONTACTS_KEY, OKTA_TOKEN, CliWorld
from click.testing import Result

from connector.cli import main

WRONG_TOKEN = "okta-wrong-token-do-not-print-4d1e"


def _one_clear_error(result: Result) -> str:
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def test_input_that_is_not_json_names_the_option_and_the_position(world: CliWorld) -> None:
    result = world.run("invoke", "okta.create_user", "--connection", "okta-sandbox", "--input", '{"email": ')
    line = _one_clear_error(result)
    assert line.startswith("error: --input: not valid JSON") and "column" in line
    assert result.exit_code == 2


def test_input_that_is_not_an_object_shows_an_example(world: CliWorld) -> None:
    result = world.run("invoke", "okta.create_user", "--connection", "okta-sandbox", "--input", '["ada"]')
    assert "must be a JSON object such as" in _one_clear_error(result)


def test_a_missing_required_field_is_named_and_nothing_is_created(world: CliWorld) -> None:
    users_before = len(list(world.okta.state.users.records))
    result = world.run("invoke", "okta.create_user", "--connection", "okta-sandbox",
                       "--input", '{"firstName": "Ann", "lastName": "Lee"}')
    assert _one_clear_error(result) == "error: email: is required; give it a value"
    assert len(list(world.okta.state.users.records)) == users_before


def test_an_unknown_operation_lists_the_known_ones(world: CliWorld) -> None:
    result = world.run("invoke", "okta.create_usr", "--connection", "okta-sandbox", "--input", "{}")
    line = _one_clear_error(result)
    assert "has no operation 'create_usr'" in line and "create_user" in line


def test_an_unknown_app_lists_the_installed_ones(world: CliWorld) -> None:
    line = _one_clear_error(world.run("invoke", "workday.find_user", "--input", "{}"))
    assert "unknown app 'workday'" in line and "okta" in line and "contacts" in line and "personio" in line


def test_a_connection_of_another_app_is_refused(world: CliWorld) -> None:
    line = _one_clear_error(world.run("invoke", "okta.list_users", "--connection", "contacts-sandbox"))
    assert "belongs to app 'contacts'" in line


def test_a_missing_input_file_is_a_usage_error_not_a_traceback(world: CliWorld, tmp_path: Path) -> None:
    result = world.run("invoke", "okta.list_users", "--connection", "okta-sandbox",
                       "--input-file", str(tmp_path / "missing.json"))
    assert result.exit_code == 2 and "does not exist" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("trace", [False, True], ids=["plain", "with-trace"])
def test_a_wrong_token_fails_with_one_line_and_never_prints_the_token(world: CliWorld, trace: bool) -> None:
    result = world.run("invoke", "okta.list_users", "--field", f"org_url={world.okta_url}",
                       "--field", f"api_token={WRONG_TOKEN}", "--input", "{}", *(["--trace"] if trace else []))
    line = _one_clear_error(result)
    assert "credential was refused" in line and "E0000011" in line and "connector connect okta" in line
    assert WRONG_TOKEN not in result.output
    if trace:  # the failed exchange is shown, with the credential redacted
        shown = json.loads(result.stderr[: result.stderr.index("error:")])
        assert shown["trace"][0]["status"] == 401
        assert shown["trace"][0]["request_headers"]["authorization"] == "SSWS [redacted]"


def test_connecting_with_a_wrong_token_saves_nothing_and_prints_no_token(world: CliWorld) -> None:
    result = world.run("connect", "okta", "--org-url", world.okta_url, "--api-token", WRONG_TOKEN, "--name", "bad")
    assert _one_clear_error(result) and WRONG_TOKEN not in result.output
    assert "bad\t" not in world.ok("connections", "list").stdout


def test_a_successful_trace_redacts_the_saved_secrets(world: CliWorld) -> None:
    okta = world.ok("invoke", "okta.list_users", "--connection", "okta-sandbox", "--input", '{"limit": 1}', "--trace")
    contacts = world.ok("invoke", "contacts.list_contacts", "--connection", "contacts-sandbox",
                        "--input", '{"limit": 1}', "--trace")
    assert json.loads(okta.stdout)["trace"][0]["request_headers"]["authorization"] == "SSWS [redacted]"
    assert OKTA_TOKEN not in okta.output and CONTACTS_KEY not in contacts.output


@pytest.mark.slow  # three interpreter start-ups: about 2-3 s
def test_the_real_executable_connects_and_invokes_in_a_subprocess(world: CliWorld, tmp_path: Path) -> None:
    env = {**os.environ, "CONNECTOR_DATA_DIR": str(tmp_path / "data")}
    env.pop("CONNECTOR_SECRET_KEYS", None)
    cli = [sys.executable, "-m", "connector.cli"]
    world.okta.create_user({"login": "ann@example.com", "email": "ann@example.com", "firstName": "Ann",
                            "lastName": "Lee"})

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*cli, *args], env=env, capture_output=True, text=True, timeout=60, check=False)

    connected = run("connect", "okta", "--org-url", world.okta_url, "--api-token", OKTA_TOKEN, "--name", "okta-proc")
    assert connected.returncode == 0, connected.stderr
    found = run("invoke", "okta.find_user", "--connection", "okta-proc", "--input", '{"user": "ann@example.com"}')
    assert found.returncode == 0, found.stderr
    assert [user["profile"]["email"] for user in json.loads(found.stdout)] == ["ann@example.com"]
    refused = run("invoke", "okta.list_users", "--field", f"org_url={world.okta_url}",
                  "--field", f"api_token={WRONG_TOKEN}", "--input", "{}", "--trace")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines()[-1].startswith("error: ExpiredAuth: the okta credential was refused")
    assert OKTA_TOKEN not in connected.stdout + found.stdout and WRONG_TOKEN not in refused.stdout + refused.stderr


def test_input_can_come_from_stdin(world: CliWorld) -> None:
    result = world.runner.invoke(main, ["invoke", "okta.list_users", "--connection", "okta-sandbox",
                                        "--input-file", "-"], input='{"limit": 2}', env=world.env)
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 2


def test_base_url_points_a_saved_connection_elsewhere(world: CliWorld, request: pytest.FixtureRequest) -> None:
    # Only the Contacts API asks for a Version header: its refusal proves the request went to the given URL.
    result = world.run("invoke", "okta.list_users", "--connection", "okta-sandbox", "--base-url", world.contacts_url)
    line = _one_clear_error(result)
    assert "Version header was not found" in line
    if _has_fixture(request, "contract_violations"):
        # An Okta call sent to the Contacts sandbox on purpose breaks its contract: take those violations.
        taken = request.getfixturevalue("contract_violations")()
        assert taken and all("/api/v1/users" in str(violation) for violation in taken)


def _has_fixture(request: pytest.FixtureRequest, name: str) -> bool:
    try:
        request.getfixturevalue(name)
    except pytest.FixtureLookupError:
        return False
    return True
