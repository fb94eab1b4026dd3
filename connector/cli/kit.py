"""``connector validate``, ``connector manifest`` and ``connector invoke``."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from connector.cli.output import fail, guarded, print_json
from connector.context import Connection, Meta
from connector.errors import BadInput, ConnectorError, ExpiredAuth, RefreshAuth
from connector.manifest import validate_app, write_manifests
from connector.registry import broken_apps, get_app, load_apps

APP_OPTION = click.option(
    "--app",
    "app_specs",
    multiple=True,
    metavar="MODULE:APP",
    help="Also load this app object (repeatable), besides the installed ones.",
)


@click.command("validate")
@click.argument("keys", nargs=-1)
@APP_OPTION
@guarded
def validate_command(keys: tuple[str, ...], app_specs: tuple[str, ...]) -> None:
    """Check every app (or the named ones) against the manifest schema and the cross-field rules."""
    apps = load_apps(list(app_specs))
    selected = [apps[k] if k in apps else get_app(k) for k in keys] if keys else list(apps.values())
    broken = [] if keys else list(broken_apps())
    for line in broken:
        click.echo(f"installed app not loaded: {line}")
    if not selected and not broken:
        fail("no apps found: install one or pass --app MODULE:APP")
    problems = len(broken)
    for app in selected:
        found = validate_app(app)
        problems += len(found)
        if not found:
            click.echo(f"{app.key} {app.version}: ok ({len(app.operations)} operations)")
        for problem in found:
            click.echo(f"{problem.location}: [{problem.rule}] {problem.message}")
    if problems:
        fail(f"{problems} problem(s) found")


@click.command("manifest")
@click.argument("keys", nargs=-1)
@click.option("--out", "out_dir", default="manifests", show_default=True, type=click.Path(file_okay=False))
@APP_OPTION
@guarded
def manifest_command(keys: tuple[str, ...], out_dir: str, app_specs: tuple[str, ...]) -> None:
    """Write one marketplace manifest (JSON) per app, after validating it."""
    apps = load_apps(list(app_specs))
    selected = [get_app(k, list(app_specs)) for k in keys] if keys else list(apps.values())
    if not selected:
        fail("no apps found: install one or pass --app MODULE:APP")
    for app in selected:
        problems = validate_app(app)
        if problems:
            for problem in problems:
                click.echo(f"{problem.location}: [{problem.rule}] {problem.message}", err=True)
            fail(f"{app.key} is not valid; fix the problems above before writing its manifest")
    for path in write_manifests(selected, Path(out_dir)):
        click.echo(str(path))


def _parse_fields(pairs: tuple[str, ...]) -> dict[str, str]:
    fields = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise BadInput(f"{pair!r} is not KEY=VALUE", "--field")
        fields[key] = value
    return fields


def _read_input(raw: str | None, path: str | None) -> dict[str, Any]:
    if raw is not None and path:
        raise BadInput("give --input or --input-file, not both", "--input")
    if raw is not None:
        text, option = raw, "--input"
    elif path == "-":
        text, option = sys.stdin.read(), "--input-file"
    elif path:
        text, option = Path(path).read_text(), "--input-file"
    else:
        text, option = "{}", "--input"
    return _json_object(text, option, '{"email": "ada@example.com"}')


def _json_object(text: str, option: str, example: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})", option) from exc
    if not isinstance(data, dict):
        raise BadInput(f"must be a JSON object such as {example}", option)
    return data


def _connection(app_key: str, name: str | None, fields: dict[str, str], base_url: str | None) -> Connection:
    if name:
        from auth.store import load_connection  # the product's credential store

        connection = load_connection(name)
        if connection.app != app_key:
            raise BadInput(f"connection {name!r} belongs to app {connection.app!r}, not {app_key!r}", "--connection")
        # --base-url points a saved connection elsewhere (a sandbox) instead of being silently ignored.
        return replace(connection, base_url=base_url) if base_url else connection
    return Connection(app=app_key, fields=fields, base_url=base_url or "")


@click.command("invoke")
@click.argument("target", metavar="APP.OPERATION")
@click.option("--input", "input_json", help="Input as a JSON object.")
@click.option(
    "--input-file", type=click.Path(exists=True, dir_okay=False, allow_dash=True),
    help="Read input JSON from a file ('-' reads stdin).",
)
@click.option("--connection", "connection_name", help="Use a saved connection (see `connector connections`).")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE", help="Ad-hoc connection field.")
@click.option("--base-url", help="Override the app's API base URL.")
@click.option(
    "--step",
    type=click.Choice(["perform", "list_samples", "subscribe", "unsubscribe", "test"]),
    default="perform",
    show_default=True,
)
@click.option("--target-url", help="The hook URL a hook trigger subscribes (with --step subscribe).")
@click.option("--subscription", "subscription_json", help="What subscribe printed, as JSON (with --step unsubscribe).")
@click.option("--trial", is_flag=True, help="Run as a trial (triggers return at most 3 samples).")
@click.option("--strict/--lenient", default=True, show_default=True,
              help="Check the output against its schema (as the emulator and the pytest fixtures do).")
@click.option("--trace", is_flag=True, help="Print the HTTP exchange (secrets redacted) with the output.")
@click.option("--time-limit", type=float, default=30.0, show_default=True)
@APP_OPTION
@guarded
def invoke_command(
    target: str,
    input_json: str | None,
    input_file: str | None,
    connection_name: str | None,
    fields: tuple[str, ...],
    base_url: str | None,
    step: str,
    target_url: str | None,
    subscription_json: str | None,
    trial: bool,
    strict: bool,
    trace: bool,
    time_limit: float,
    app_specs: tuple[str, ...],
) -> None:
    """Run one operation and print its output as JSON."""
    app_key, sep, op_key = target.partition(".")
    if not sep or not op_key:
        raise BadInput(f"{target!r} must look like APP.OPERATION, e.g. recipes.find_recipe", "APP.OPERATION")
    app = get_app(app_key, list(app_specs))
    values = _read_input(input_json, input_file)
    subscription = _json_object(subscription_json, "--subscription", '{"id": "..."}') if subscription_json else {}
    connection = _connection(app.key, connection_name, _parse_fields(fields), base_url)
    from connector.runtime import invoke  # here, not at the top: validate and manifest never run one

    meta = Meta(trial=trial, target_url=target_url, subscription=subscription)
    try:
        result = invoke(
            app,
            op_key,
            connection,
            values,
            meta,
            step=step,  # type: ignore[arg-type]
            strict=strict,
            trace=trace,
            time_limit=time_limit,
        )
    except (RefreshAuth, ExpiredAuth) as exc:
        _show_failed_trace(exc, trace)
        again = f"--name {connection_name}" if connection_name else "..."
        fail(f"{type(exc).__name__}: the {app.key} credential was refused ({exc.message}); check it, or "
             f"reconnect with `connector connect {app.key} {again}`")
    except ConnectorError as exc:
        _show_failed_trace(exc, trace)
        raise
    print_json({"output": result.output, "trace": result.trace} if trace else result.output)


def _show_failed_trace(exc: ConnectorError, trace: bool) -> None:
    """With --trace, a failed step still shows what the vendor answered (redacted), on stderr."""
    recorded = getattr(exc, "trace", None)
    if trace and recorded:
        click.echo(json.dumps({"trace": recorded}, indent=2, default=str), err=True)
