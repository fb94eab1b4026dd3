"""A third-party app gets the same command line as a shipped one: `connect`, `sandbox`, hints and checks,
all derived from its auth spec and registry entry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from recipes_app import recipes_service

from auth.store import CredentialStore, open_store
from connector.cli import main
from connector.errors import ExpiredAuth
from emulator.connections import ConnectionGateway
from emulator.serving import serve

RECIPES = "recipes_app:APP"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_connect_offers_every_field_of_a_third_party_apps_auth_spec(runner: CliRunner) -> None:
    result = runner.invoke(main, ["connect", "--app", RECIPES, "recipes", "--help"])
    assert result.exit_code == 0, result.output
    assert "--token TEXT" in result.output and "RECIPES_TOKEN" in result.output
    assert "--server TEXT" in result.output and "where the recipes API runs" in result.output


def test_a_third_party_app_connects_from_the_cli_with_its_own_fields(runner: CliRunner, tmp_path: Path) -> None:
    with serve(recipes_service()) as served:
        connected = runner.invoke(main, [
            "connect", "--app", RECIPES, "recipes", "--token", "secret-token-123", "--server", served.base_url,
            "--name", "my-recipes", "--data-dir", str(tmp_path),
        ])
        refused = runner.invoke(main, [
            "connect", "--app", RECIPES, "recipes", "--token", "wrong-token-456", "--server", served.base_url,
            "--name", "bad", "--data-dir", str(tmp_path),
        ])
    assert connected.exit_code == 0, connected.output
    assert "Connected my-recipes (recipes): chef" in connected.output
    assert "secret-token-123" not in connected.output
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert refused.output.startswith("error: ") and "wrong-token-456" not in refused.output
    assert [r.name for r in open_store(str(tmp_path)).list()] == ["my-recipes"]


def test_a_missing_required_field_names_its_option(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["connect", "--app", RECIPES, "recipes", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "error: --token: is required to connect Recipes" in result.output


def test_connect_names_the_apps_it_knows_when_given_an_unknown_one(runner: CliRunner) -> None:
    result = runner.invoke(main, ["connect", "pantry"])
    assert result.exit_code == 2
    assert "no app 'pantry' to connect; apps that do: contacts, okta, personio" in result.output


@pytest.mark.parametrize("app", ["okta", "contacts", "personio"])
def test_the_reconnect_hint_of_an_expired_connection_names_a_command_that_exists(
    runner: CliRunner, tmp_path: Path, app: str
) -> None:
    store: CredentialStore = open_store(str(tmp_path))
    record = store.save(app, f"{app}-old", {"client_id": "c", "base_url": "https://example.com"})
    store.mark_expired(record.id, "refresh refused")
    with pytest.raises(ExpiredAuth) as caught:
        store.connection(record.name)
    hint = caught.value.message.split("`")[1]
    assert hint == f"connector connect {app} --name {app}-old ..."
    assert runner.invoke(main, [*hint.split()[1:-1], "--help"]).exit_code == 0


def test_a_third_party_app_registers_its_sandbox_command(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONNECTOR_APPS", RECIPES)
    listed = runner.invoke(main, ["sandbox", "--help"])
    served = runner.invoke(main, ["sandbox", "recipes", "--port", "0"])
    assert listed.exit_code == 0 and "recipes" in listed.output and "okta" in listed.output
    assert served.exit_code == 0, served.output
    assert served.output.startswith("Recipes sandbox: http://127.0.0.1:")
    monkeypatch.delenv("CONNECTOR_APPS")
    named = runner.invoke(main, ["sandbox", "--app", RECIPES, "recipes", "--port", "0"])
    assert named.exit_code == 0 and named.output.startswith("Recipes sandbox: http://127.0.0.1:")


def test_the_emulator_names_the_apps_own_url_field_when_it_refuses_an_address(tmp_path: Path) -> None:
    gateway = ConnectionGateway(open_store(str(tmp_path)))
    monkey = pytest.MonkeyPatch()
    monkey.setenv("CONNECTOR_APPS", RECIPES)
    try:
        with pytest.raises(Exception) as caught:
            gateway.add("recipes", "local", {"token": "secret-token-123", "server": "http://127.0.0.1:9"})
    finally:
        monkey.undo()
    assert getattr(caught.value, "field", None) == "server"


def test_an_app_module_in_the_current_folder_is_found(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pantry_app.py").write_text(
        "from connector.definitions import App, AuthSpec, Field\n"
        "APP = App(key='pantry', name='Pantry', version='0.1.0', description='A pantry.',\n"
        "          auth=AuthSpec(type='api_key', fields=(Field('key', type='password'),), test=lambda ctx: {}))\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.path", [p for p in __import__("sys").path if p not in ("", str(tmp_path))])
    result = runner.invoke(main, ["validate", "pantry", "--app", "pantry_app:APP"])
    assert result.exit_code == 0, result.output
    assert "pantry 0.1.0: ok" in result.output


def test_an_app_taking_the_key_of_an_installed_app_is_refused(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my_okta.py").write_text(
        "from connector.definitions import App, AuthSpec\n"
        "APP = App(key='okta', name='My Okta', version='0.1.0', description='Mine.',\n"
        "          auth=AuthSpec(type='api_key', test=lambda ctx: {}))\n"
    )
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["validate", "--app", "my_okta:APP"])
    assert result.exit_code == 2
    assert "has the key 'okta', which the installed app 'Okta' already uses; give your app another key" in (
        result.output
    )


def test_the_generic_connection_code_names_no_app() -> None:
    """What decides connect/sandbox commands, forms, URL checks and hints reads each app's spec and
    registry entry; no shipped app's key or field is spelled out in it."""
    import inspect

    import auth.catalog
    import connector.cli.app_commands
    import connector.cli.connections
    import connector.registry
    import emulator.api.connections
    import emulator.connections

    sources = {
        "auth/catalog.py": inspect.getsource(auth.catalog),
        "emulator/connections.py": inspect.getsource(emulator.connections),
        "emulator/api/connections.py": inspect.getsource(emulator.api.connections),
        "connector/cli/app_commands.py": inspect.getsource(connector.cli.app_commands),
        "connector/registry.py": inspect.getsource(connector.registry),
        "connect commands": inspect.getsource(connector.cli.connections.connect_command_for)
        + inspect.getsource(connector.cli.connections._authorize),
    }
    for where, source in sources.items():
        for name in ("okta", "contacts", "personio", "org_url", "locationId", "location_id"):
            assert not re.search(rf"\b{name}\b", source, re.IGNORECASE), f"{where} names {name!r}"
