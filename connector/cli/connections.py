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

from auth.catalog import auth_spec_for, build_auth, secret_keys
from auth.connection_check import ConnectionCheck, check_connection
from auth.local_callback import wait_for_callback
from auth.oauth_flow import complete_authorization, start_authorization
from auth.secrets import KEYS_ENV, SecretBox
from auth.store import CredentialStore, open_store
from auth.token_refresh import forget_connection
from connector.cli.app_commands import AppCommands
from connector.cli.output import fail, guarded, print_json
from connector.context import Connection
from connector.definitions import App
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
def _flag(key: str) -> str:
    return "--" + key.replace("_", "-")


def connect_command_for(app: App) -> click.Command:
    """``connector connect APP``: one option per field of the app's auth spec, plus ``--oauth`` for
    OAuth 2.0 apps. Secret fields also read from ``APP_FIELD`` environment variables and ``--FIELD-file``
    (so a key need not appear in the shell's history)."""
    spec = app.auth
    field_keys = {f.key for f in spec.fields}
    params: list[click.Parameter] = []
    for auth_field in spec.fields:
        secret = auth_field.key in secret_keys(spec)
        envvar = f"{app.key.upper()}_{auth_field.key.upper()}" if secret else None
        text = f": {auth_field.help_text}" if auth_field.help_text else ""
        params.append(click.Option(
            [_flag(auth_field.key), auth_field.key], envvar=envvar, show_envvar=secret,
            help=f"{auth_field.display_label}{' (required)' if auth_field.required else ''}{text}.",
        ))
        if secret:
            params.append(click.Option(
                [_flag(auth_field.key) + "-file", f"{auth_field.key}__file"],
                type=click.Path(exists=True, dir_okay=False), help=f"Read {_flag(auth_field.key)} from a file.",
            ))
    oauth = spec.type == "oauth2"
    if oauth:
        params.append(click.Option(["--oauth", "oauth__flow"], is_flag=True,
                                   help="Connect through the app's consent page (OAuth 2.0 with PKCE)."))
        if "scopes" not in field_keys:
            params.append(click.Option(["--scopes", "oauth__scopes"], default=" ".join(spec.scopes),
                                       show_default=True, help="Space-separated scopes to request."))
        params.append(click.Option(["--port", "oauth__port"], default=8765, show_default=True,
                                   help="Local port for the OAuth callback."))
        params.append(click.Option(["--open-browser/--no-open-browser", "oauth__open_browser"], default=False,
                                   help="Open the consent page in a browser."))
    params.append(click.Option(["--name", "connection__name"], default=app.key, show_default=True,
                               help="Name of the saved connection."))
    params.append(click.Option(["--data-dir", "connection__data_dir"], type=click.Path(file_okay=False),
                               help="Where connector.db and secret.key live (default $CONNECTOR_DATA_DIR or ./data)."))

    @guarded
    def connect(**options: Any) -> None:
        fields: dict[str, Any] = {}
        for key in field_keys:
            from_file = options.get(f"{key}__file")
            if from_file and options.get(key):
                raise BadInput(f"give {_flag(key)} or {_flag(key)}-file, not both", _flag(key))
            value = Path(from_file).read_text() if from_file else options.get(key)
            if value:
                fields[key] = value
        if isinstance(fields.get(spec.url_field), str):
            fields[spec.url_field] = fields[spec.url_field].rstrip("/")
        store = open_store(options["connection__data_dir"])
        name = options["connection__name"]
        if options.get("oauth__flow"):
            fields = _authorize(app, fields, options)
        else:
            for auth_field in spec.fields:
                if auth_field.required and not fields.get(auth_field.key):
                    hint = f"; {auth_field.help_text}" if auth_field.help_text else ""
                    raise BadInput(f"is required to connect {app.name}{hint}", _flag(auth_field.key))
        _test_and_save(store, app.key, name, fields)

    return click.Command(
        app.key, params=params, callback=connect,
        help=f"Connect {app.name}: test the credential, then save it encrypted.",
    )


def _authorize(app: App, fields: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """Run the authorization-code flow through a one-shot local callback; the fields with the tokens."""
    spec = app.auth
    client_id, client_secret = fields.get("client_id"), fields.get("client_secret")
    if not client_id or not client_secret:
        raise BadInput("--client-id and --client-secret are required with --oauth", "--client-id")
    scopes = str(options.get("oauth__scopes") or fields.get("scopes") or " ".join(spec.scopes)).split()
    session: dict[str, Any] = {}
    redirect: dict[str, str] = {}

    def show_authorize_url(redirect_uri: str) -> None:
        redirect["uri"] = redirect_uri
        url = start_authorization(spec.endpoint_url("authorize_url", fields), client_id, redirect_uri, scopes, session)
        click.echo(f"Open this URL to connect, then come back here:\n{url}")
        if options.get("oauth__open_browser"):
            webbrowser.open(url)

    params = wait_for_callback(options["oauth__port"], show_authorize_url)
    tokens = complete_authorization(
        spec.endpoint_url("token_url", fields), client_id, client_secret, redirect["uri"], params, session
    )
    fields = {
        **fields, "access_token": tokens["access_token"], "refresh_token": tokens.get("refresh_token"),
        "expires_at": tokens.get("expires_at"),
    }
    if spec.fields_from_token is not None:
        fields.update(spec.fields_from_token(tokens))
    return fields


connect_group = AppCommands(
    "connect", connect_command_for, what="to connect",
    params=[click.Option(["--app", "app_specs"], multiple=True, metavar="MODULE:APP",
                         help="Also offer this app object (repeatable), besides the installed ones.")],
    help="Connect an account of any installed app: test the credential, then save it encrypted.\n\n"
         "Each app's options come from its auth spec: `connector connect APP --help` lists them.",
)


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
        click.echo("No connections yet: run `connector connect APP ...` (`connector connect --help` lists the apps).")
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
    """Manage the encryption key of the credential store, and key pairs for service-app connections."""


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


@keys_group.command("keypair")
@click.argument("app_key", metavar="APP")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="Where to write the private key (PEM, owner-only permissions).")
@guarded
def keypair_command(app_key: str, out_path: str) -> None:
    """Generate a key pair for APP's service connections; prints the public JWK to register with the vendor.

    Offered for every app whose auth takes a private key (a ``private_key`` connection field).
    """
    from auth.keypairs import generate_keypair
    from connector.definitions import KEY_PAIR_FIELD
    from connector.registry import load_apps

    apps = load_apps()
    takers = sorted(key for key, found in apps.items() if found.auth.takes_key_pair)
    app = apps.get(app_key)
    if app is None or not app.auth.takes_key_pair:
        what = "is not an installed app" if app is None else "does not take a key pair"
        raise BadInput(f"{app_key!r} {what}; apps whose connections take one: {', '.join(takers) or 'none'}", "APP")
    path = Path(out_path)
    if path.exists():
        fail(f"{path} exists; choose another --out so an existing key is not overwritten")
    private_pem, public_jwk = generate_keypair()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as handle:
        handle.write(private_pem)
    click.echo(f"Private key written to {path} (keep it secret). Register this public JWK with {app.name}:")
    click.echo(json.dumps(public_jwk, indent=2))
    options = []
    for auth_field in app.auth.fields:
        if auth_field.key == KEY_PAIR_FIELD:
            options.append(f"{_flag(auth_field.key)}-file {path}")
        elif auth_field.key == "key_id":
            options.append(f"{_flag(auth_field.key)} {public_jwk['kid']}")
        elif not auth_field.is_secret and (auth_field.required or auth_field.key == "client_id"):
            options.append(f"{_flag(auth_field.key)} {auth_field.key.upper()}")
    click.echo(f"Then: connector connect {app.key} {' '.join(options)}")


COMMANDS = (connect_group, connections_group, keys_group)
