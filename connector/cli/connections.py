"""``connector connect``, ``connector connections`` and ``connector keys``: saved, encrypted connections.

Every connect command runs the app's connection test before saving, then shows the connection's label.
Secrets are read from options or environment variables and are never printed: listings show them masked
(last four characters).
"""

from __future__ import annotations

import json
import os
import stat
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from auth.catalog import auth_spec_for, build_auth
from auth.connection_check import ConnectionCheck, check_connection
from auth.contacts import DEFAULT_BASE_URL as CONTACTS_BASE_URL
from auth.contacts import authorize_url, token_url
from auth.local_callback import wait_for_callback
from auth.oauth_flow import complete_authorization, start_authorization
from auth.okta import generate_keypair
from auth.secrets import KEYS_ENV, SecretBox
from auth.store import CredentialStore, open_store
from auth.token_refresh import forget_connection
from connector.cli.output import fail, guarded, print_json
from connector.context import Connection
from connector.errors import BadInput, ConnectorError, ExpiredAuth

DATA_DIR_OPTION = click.option(
    "--data-dir", type=click.Path(file_okay=False), default=None,
    help="Where connector.db and secret.key live (default $CONNECTOR_DATA_DIR or ./data).",
)


def _test_and_save(store: CredentialStore, app: str, name: str, fields: dict[str, Any]) -> None:
    """Run the connection test with ``fields``; save only a connection that works, then show its label."""
    spec = auth_spec_for(app)
    base_url = spec.base_url(fields) if spec.base_url else ""
    connection = Connection(app=app, fields=fields, auth=build_auth(spec, fields), name=name, base_url=base_url)
    check = check_connection(connection)
    record = store.save(app, name, fields, label=check.label)
    click.echo(f"Connected {record.name} ({app}): {check.label}")


# -- connect ----------------------------------------------------------------------------------------
@click.group("connect")
def connect_group() -> None:
    """Connect an account: test the credential, then save it encrypted."""


@connect_group.command("okta")
@click.option("--org-url", required=True, help="Your Okta org, e.g. https://dev-123456.okta.com")
@click.option("--token", envvar="OKTA_API_TOKEN", help="An API token (sent as SSWS). Env: OKTA_API_TOKEN.")
@click.option("--client-id", help="A service app's client id (OAuth 2.0 client credentials).")
@click.option("--private-key", type=click.Path(exists=True, dir_okay=False), help="PEM file of the service app key.")
@click.option("--key-id", help="The kid of the public JWK registered with the service app.")
@click.option("--scopes", help="Space-separated scopes to request (default: every scope the app needs).")
@click.option("--name", default="okta", show_default=True, help="Name of the saved connection.")
@DATA_DIR_OPTION
@guarded
def connect_okta(
    org_url: str, token: str | None, client_id: str | None, private_key: str | None, key_id: str | None,
    scopes: str | None, name: str, data_dir: str | None,
) -> None:
    """Connect an Okta org with an API token, or a service app with a private key."""
    fields: dict[str, Any] = {"org_url": org_url.rstrip("/")}
    if token and client_id:
        raise BadInput("give --token or --client-id with --private-key, not both", "--token")
    if token:
        fields["api_token"] = token
    elif client_id and private_key:
        fields.update({"client_id": client_id, "private_key": Path(private_key).read_text()})
        if key_id:
            fields["key_id"] = key_id
        if scopes:
            fields["scopes"] = scopes
    else:
        raise BadInput("give an API token (--token) or a service app (--client-id and --private-key)", "--token")
    _test_and_save(open_store(data_dir), "okta", name, fields)


@connect_group.command("contacts")
@click.option("--api-key", envvar="CONTACTS_API_KEY", help="A location API key. Env: CONTACTS_API_KEY.")
@click.option("--location-id", help="The location the key belongs to (API keys only).")
@click.option("--oauth", is_flag=True, help="Connect through the OAuth consent page instead of an API key.")
@click.option("--client-id", envvar="CONTACTS_CLIENT_ID", help="OAuth app client id. Env: CONTACTS_CLIENT_ID.")
@click.option("--client-secret", envvar="CONTACTS_CLIENT_SECRET", help="OAuth app secret. Env: CONTACTS_CLIENT_SECRET.")
@click.option("--scopes", default="contacts.readonly contacts.write", show_default=True)
@click.option("--port", default=8765, show_default=True, help="Local port for the OAuth callback.")
@click.option("--open-browser/--no-open-browser", default=False, help="Open the consent page in a browser.")
@click.option("--base-url", default=CONTACTS_BASE_URL, show_default=True, help="API base URL (a sandbox in tests).")
@click.option("--name", default="contacts", show_default=True, help="Name of the saved connection.")
@DATA_DIR_OPTION
@guarded
def connect_contacts(
    api_key: str | None, location_id: str | None, oauth: bool, client_id: str | None, client_secret: str | None,
    scopes: str, port: int, open_browser: bool, base_url: str, name: str, data_dir: str | None,
) -> None:
    """Connect a Contacts location with an API key, or with OAuth 2.0 (prints the authorize URL)."""
    fields: dict[str, Any] = {"base_url": base_url.rstrip("/")}
    if not oauth:
        if not api_key:
            raise BadInput("is required (or use --oauth)", "--api-key")
        if not location_id:
            raise BadInput("is required with --api-key: the location the key belongs to", "--location-id")
        fields.update({"api_key": api_key, "location_id": location_id})
        _test_and_save(open_store(data_dir), "contacts", name, fields)
        return
    if not client_id or not client_secret:
        raise BadInput("--client-id and --client-secret are required with --oauth", "--client-id")
    session: dict[str, Any] = {}
    redirect: dict[str, str] = {}

    def show_authorize_url(redirect_uri: str) -> None:
        redirect["uri"] = redirect_uri
        url = start_authorization(authorize_url(fields), client_id, redirect_uri, scopes.split(), session)
        click.echo(f"Open this URL to connect, then come back here:\n{url}")
        if open_browser:
            webbrowser.open(url)

    params = wait_for_callback(port, show_authorize_url)
    tokens = complete_authorization(token_url(fields), client_id, client_secret, redirect["uri"], params, session)
    fields.update({
        "client_id": client_id, "client_secret": client_secret, "location_id": tokens.get("locationId"),
        "access_token": tokens["access_token"], "refresh_token": tokens.get("refresh_token"),
        "expires_at": tokens.get("expires_at"),
    })
    _test_and_save(open_store(data_dir), "contacts", name, fields)


# -- connections ------------------------------------------------------------------------------------
@click.group("connections")
def connections_group() -> None:
    """List, test and delete saved connections."""


@connections_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@DATA_DIR_OPTION
@guarded
def list_connections(as_json: bool, data_dir: str | None) -> None:
    """Every saved connection with its label and status; secrets masked."""
    records = open_store(data_dir).list()
    if as_json:
        print_json([r.to_dict() for r in records])
        return
    if not records:
        click.echo("No connections yet: run `connector connect okta ...` or `connector connect contacts ...`.")
        return
    for record in records:
        status = record.status if record.status == "ok" else f"{record.status} ({record.status_reason})"
        shown = ", ".join(f"{k}={v}" for k, v in sorted({**record.public, **record.masked}.items())
                          if k not in ("connection_id",))
        click.echo(f"{record.name}\t{record.app}\t{record.label}\t{status}\t{shown}")


@connections_group.command("test")
@click.argument("name")
@DATA_DIR_OPTION
@guarded
def check_saved_connection(name: str, data_dir: str | None) -> None:
    """Run the connection test of a saved connection and refresh its label."""
    store = open_store(data_dir)
    try:
        check: ConnectionCheck = check_connection(store.connection(name))
    except ExpiredAuth as exc:
        record = store.get(name)
        fail(f"{record.name} needs to be reconnected ({exc.message}); run `connector connect {record.app} "
             f"--name {record.name} ...`")
    except ConnectorError as exc:
        fail(f"{name}: the connection test failed: {exc.message}")
    store.set_label(name, check.label)
    store.mark_ok(name)
    click.echo(f"{name}: ok, {check.label}")


@connections_group.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@DATA_DIR_OPTION
@guarded
def delete_connection(name: str, yes: bool, data_dir: str | None) -> None:
    """Delete a saved connection and its secrets."""
    store = open_store(data_dir)
    record = store.get(name)
    if not yes:
        click.confirm(f"Delete {record.name} ({record.app}, {record.label})?", abort=True)
    store.delete(record.id)
    forget_connection(record.id)
    click.echo(f"Deleted {record.name}.")


# -- keys -------------------------------------------------------------------------------------------
@click.group("keys")
def keys_group() -> None:
    """Manage the encryption key of the credential store, and Okta service-app key pairs."""


@keys_group.command("rotate")
@DATA_DIR_OPTION
@guarded
def rotate_keys(data_dir: str | None) -> None:
    """Re-encrypt every saved connection under a new key."""
    store = open_store(data_dir)
    count = store.rotate_keys(also=_emulator_rotations(data_dir))
    if os.environ.get(KEYS_ENV):
        click.echo(f"Re-encrypted {count} connection(s) under the first key in {KEYS_ENV}; "
                   "the other keys in it can now be removed.")
    else:
        click.echo(f"Re-encrypted {count} connection(s) under a new key; the old key was retired from "
                   f"{store.box.key_file}.")


def _emulator_rotations(data_dir: str | None) -> list[Callable[[SecretBox], int]]:
    """The emulator's sealed flow columns use the same key; re-seal them in the same rotation."""
    from auth.store import data_dir_path

    database = data_dir_path(data_dir) / "emulator.db"
    if not database.exists():
        return []
    from emulator.sealing import reseal_flows
    from emulator.store import engine_for

    engine = engine_for(f"sqlite:///{database.resolve()}")
    return [lambda box: reseal_flows(engine, box)]


@keys_group.command("okta-keypair")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="Where to write the private key (PEM, owner-only permissions).")
def okta_keypair(out_path: str) -> None:
    """Generate a key pair for an Okta service app; prints the public JWK to register in Okta."""
    path = Path(out_path)
    if path.exists():
        fail(f"{path} exists; choose another --out so an existing key is not overwritten")
    private_pem, public_jwk = generate_keypair()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as handle:
        handle.write(private_pem)
    click.echo(f"Private key written to {path} (keep it secret). Register this public JWK with the service app:")
    click.echo(json.dumps(public_jwk, indent=2))
    click.echo(f"Then: connector connect okta --org-url URL --client-id CLIENT_ID --private-key {path} "
               f"--key-id {public_jwk['kid']}")


COMMANDS = (connect_group, connections_group, keys_group)
