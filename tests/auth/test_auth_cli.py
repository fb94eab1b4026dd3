"""The connect / connections / keys commands against sandboxes served on real ports."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import click
import httpx
import pytest
from auth_support import LOCATION
from click.testing import CliRunner

from auth.local_callback import wait_for_callback
from auth.oauth_flow import complete_authorization, start_authorization
from connector.cli.connections import COMMANDS
from emulator.serving import ServedApp, serve
from sandboxes.contacts import ContactsSandbox
from sandboxes.okta import OktaSandbox

CANARY = "okta-cli-canary-token-0123456789"


@click.group()
def cli() -> None:
    """The commands as they are registered under ``connector``."""


for command in COMMANDS:
    cli.add_command(command)


@pytest.fixture
def okta_box() -> Iterator[OktaSandbox]:
    box = OktaSandbox()
    box.add_token(CANARY)
    yield box
    box.close()


@pytest.fixture
def served_okta(okta_box: OktaSandbox) -> Iterator[ServedApp]:
    with serve(okta_box.app) as served:
        okta_box.base_url = served.base_url  # the OAuth audience is the org URL the client uses
        yield served


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("CONNECTOR_SECRET_KEYS", raising=False)
    monkeypatch.setenv("CONNECTOR_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def test_connect_list_test_rotate_and_delete_never_print_the_token(
    runner: CliRunner, served_okta: ServedApp, tmp_path: Path
) -> None:
    connected = runner.invoke(cli, ["connect", "okta", "--org-url", served_okta.base_url, "--api-token", CANARY,
                                    "--name", "okta-prod"])
    assert connected.exit_code == 0, connected.output
    assert f"Connected okta-prod (okta): 127.0.0.1:{served_okta.port}" in connected.output

    listed = runner.invoke(cli, ["connections", "list"])
    assert "okta-prod" in listed.output and "\u2022\u2022\u2022\u20226789" in listed.output
    as_json = json.loads(runner.invoke(cli, ["connections", "list", "--json"]).output)
    assert as_json[0]["fields"]["api_token"] == "\u2022\u2022\u2022\u20226789"

    rotated = runner.invoke(cli, ["keys", "rotate"])
    assert rotated.exit_code == 0 and "Re-encrypted 1 connection(s)" in rotated.output
    tested = runner.invoke(cli, ["connections", "test", "okta-prod"])
    assert tested.exit_code == 0 and "okta-prod: ok" in tested.output

    deleted = runner.invoke(cli, ["connections", "delete", "okta-prod", "--yes"])
    assert deleted.exit_code == 0
    outputs = [connected, listed, rotated, tested, deleted]
    assert all(CANARY not in result.output for result in outputs)
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").iterdir())
    assert CANARY.encode() not in raw


def test_a_wrong_token_is_not_saved_and_the_error_says_why(runner: CliRunner, served_okta: ServedApp) -> None:
    result = runner.invoke(
        cli, ["connect", "okta", "--org-url", served_okta.base_url, "--api-token", "wrong-token-123456"]
    )
    assert result.exit_code != 0 and "E0000011" in result.output
    assert "wrong-token-123456" not in result.output
    assert "No connections yet" in runner.invoke(cli, ["connections", "list"]).output


def test_a_service_app_connects_with_a_generated_key_pair(
    runner: CliRunner, okta_box: OktaSandbox, served_okta: ServedApp, tmp_path: Path
) -> None:
    key_path = tmp_path / "okta-key.pem"
    generated = runner.invoke(cli, ["keys", "keypair", "okta", "--out", str(key_path)])
    assert generated.exit_code == 0, generated.output
    public_jwk = json.loads(generated.output[generated.output.index("{"): generated.output.rindex("}") + 1])
    assert "BEGIN PRIVATE KEY" not in generated.output and (key_path.stat().st_mode & 0o077) == 0
    okta_box.register_oauth_client("0oa-cli", public_jwk, ["okta.users.read"])
    result = runner.invoke(cli, ["connect", "okta", "--org-url", served_okta.base_url, "--client-id", "0oa-cli",
                                 "--private-key-file", str(key_path), "--key-id", public_jwk["kid"],
                                 "--scopes", "okta.users.read", "--name", "okta-service"])
    assert result.exit_code == 0, result.output
    assert "(service app 0oa-cli)" in result.output


def test_contacts_with_an_api_key_shows_the_location(runner: CliRunner) -> None:
    box = ContactsSandbox()
    with serve(box.app) as served:
        result = runner.invoke(cli, ["connect", "contacts", "--api-key", "contacts-sandbox-key", "--location-id",
                                     LOCATION, "--base-url", served.base_url])
    box.outbox.close()
    assert result.exit_code == 0, result.output
    assert "Location loc_sandbox" in result.output and "contacts-sandbox-key" not in result.output


def test_the_local_callback_receives_the_code_after_consent() -> None:
    box = ContactsSandbox()
    with serve(box.app) as served, httpx.Client(base_url=served.base_url) as browser:
        session: dict[str, str] = {}
        done: dict[str, dict[str, str]] = {}

        def on_ready(redirect_uri: str) -> None:
            box.register_oauth_client("cli-app", "cli-app-secret-0123456789", [redirect_uri], ["contacts.readonly"])
            url = start_authorization(served.base_url + "/oauth/chooselocation", "cli-app", redirect_uri,
                                      ["contacts.readonly"], session)
            done["redirect"] = {"uri": redirect_uri}

            def click_allow() -> None:
                page = browser.get(url)
                nonce = page.text.split('name="nonce" value="')[1].split('"')[0]
                answer = browser.post("/oauth/chooselocation",
                                      data={"nonce": nonce, "decision": "allow", "locationId": LOCATION})
                httpx.get(answer.headers["location"])  # the browser follows the redirect to the CLI

            threading.Thread(target=click_allow, daemon=True).start()

        params = wait_for_callback(0, on_ready, timeout=10)
        tokens = complete_authorization(served.base_url + "/oauth/token", "cli-app", "cli-app-secret-0123456789",
                                        done["redirect"]["uri"], params, session)
    box.outbox.close()
    assert tokens["locationId"] == LOCATION and tokens["access_token"]


def test_a_key_pair_is_offered_only_for_apps_whose_auth_takes_one(runner: CliRunner, tmp_path: Path) -> None:
    key_path = tmp_path / "contacts-key.pem"
    refused = runner.invoke(cli, ["keys", "keypair", "contacts", "--out", str(key_path)])
    assert refused.exit_code == 2
    assert "'contacts' does not take a key pair; apps whose connections take one: okta" in refused.output
    assert not key_path.exists()
