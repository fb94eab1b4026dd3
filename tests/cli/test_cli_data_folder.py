"""The data folder as a careless user leaves it: made beforehand, a key swapped, a key file lost.

Every case goes through the commands a user types; a wrong or missing key must stop with one clear
line that says what to do, never a listing with the secrets quietly left out or a fresh key that
strands the saved data.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cli_world import OKTA_TOKEN, CliWorld
from click.testing import CliRunner, Result
from cryptography.fernet import Fernet

from connector.cli import main
from connector.errors import BadInput
from emulator.demo import build_environment, seed_demo


def _run(data_dir: Path, *args: str, keys: str | None = None) -> Result:
    env = {"CONNECTOR_DATA_DIR": str(data_dir), "CONNECTOR_SECRET_KEYS": keys}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=True)


def _one_error_line(result: Result) -> str:
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    return line


@pytest.fixture
def saved(world: CliWorld, tmp_path: Path) -> Path:
    """A data folder the user made beforehand (``mkdir data``), with one saved Okta connection."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    connected = _run(data_dir, "connect", "okta", "--org-url", world.okta_url, "--api-token", OKTA_TOKEN,
                     "--name", "okta-folder")
    assert connected.exit_code == 0, connected.output
    return data_dir


def _modes(data_dir: Path) -> dict[str, int]:
    return {path.name: stat.S_IMODE(path.stat().st_mode) for path in data_dir.iterdir() if path.is_file()}


def test_every_file_in_an_existing_data_folder_is_owner_only(saved: Path) -> None:
    env = build_environment("http://127.0.0.1:5996", saved, okta_users=1, contacts=1, employees=1,
                            runner_thread=False)
    try:
        seed_demo(env)  # writes flows and connections: the WAL files exist now
        modes = _modes(saved)
    finally:
        env.close()
    assert {"connector.db", "emulator.db", "secret.key", "access.token"} <= modes.keys()
    assert any(name.endswith("-wal") for name in modes)
    assert {name: mode for name, mode in modes.items() if mode != 0o600} == {}


def test_a_database_left_readable_by_an_older_version_is_narrowed(saved: Path) -> None:
    (saved / "connector.db").chmod(0o644)
    assert _run(saved, "connections", "list").exit_code == 0
    assert _modes(saved)["connector.db"] == 0o600


def test_a_wrong_key_is_a_clear_error_not_a_listing_without_secrets(saved: Path) -> None:
    line = _one_error_line(_run(saved, "connections", "list", keys=Fernet.generate_key().decode()))
    assert "okta-folder" in line and "cannot decrypt" in line and "CONNECTOR_SECRET_KEYS" in line
    as_json = _run(saved, "connections", "list", "--json", keys=Fernet.generate_key().decode())
    assert as_json.exit_code != 0 and "api_token" not in as_json.stdout


def test_a_lost_key_file_is_an_error_naming_what_to_do_and_no_new_key_is_made(saved: Path) -> None:
    key_file = saved / "secret.key"
    key = key_file.read_text()
    key_file.unlink()
    line = _one_error_line(_run(saved, "connections", "list"))
    assert "secret.key is missing" in line and "restore the key file" in line and "connector.db" in line
    assert not key_file.exists()
    assert _one_error_line(_run(saved, "connect", "okta", "--org-url", "https://x.okta.com", "--api-token", "t",
                                "--name", "another"))
    assert not key_file.exists()

    key_file.write_text(key)  # restored from the backup: everything is readable again
    assert "okta-folder" in _run(saved, "connections", "list").stdout


def test_the_emulator_will_not_start_afresh_next_to_data_sealed_with_a_lost_key(saved: Path) -> None:
    (saved / "secret.key").unlink()
    with pytest.raises(BadInput, match=r"secret\.key is missing"):
        build_environment("http://127.0.0.1:5996", saved, okta_users=1, contacts=1, employees=1,
                          runner_thread=False)
    assert not (saved / "secret.key").exists()


def test_a_new_data_folder_still_gets_its_key_made(tmp_path: Path) -> None:
    assert _run(tmp_path / "fresh", "connections", "list").exit_code == 0
    assert stat.S_IMODE((tmp_path / "fresh" / "secret.key").stat().st_mode) == 0o600
