"""``connector validate``, ``connector manifest`` and ``connector invoke``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from connector.cli.output import fail, guarded, print_json
from connector.context import Connection, Meta
from connector.errors import BadInput
from connector.manifest import validate_app, write_manifests
from connector.registry import get_app, load_apps
from connector.runtime import invoke

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
    if not selected:
        fail("no apps found: install one or pass --app MODULE:APP")
    problems = 0
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
    if raw and path:
        raise BadInput("give --input or --input-file, not both", "--input")
    text = raw if raw is not None else (Path(path).read_text() if path else "{}")
    if path == "-":
        text = sys.stdin.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})", "--input") from exc
    if not isinstance(data, dict):
        raise BadInput("must be a JSON object such as {\"email\": \"ada@example.com\"}", "--input")
    return data


def _connection(app_key: str, name: str | None, fields: dict[str, str], base_url: str | None) -> Connection:
    if name:
        from auth.store import load_connection  # the product's credential store

        connection = load_connection(name)
        if connection.app != app_key:
            raise BadInput(f"connection {name!r} belongs to app {connection.app!r}, not {app_key!r}", "--connection")
        return connection
    return Connection(app=app_key, fields=fields, base_url=base_url or "")


@click.command("invoke")
@click.argument("target", metavar="APP.OPERATION")
@click.option("--input", "input_json", help="Input as a JSON object.")
@click.option("--input-file", type=click.Path(dir_okay=False, allow_dash=True), help="Read input JSON from a file.")
@click.option("--connection", "connection_name", help="Use a saved connection (see `connector connections`).")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE", help="Ad-hoc connection field.")
@click.option("--base-url", help="Override the app's API base URL.")
@click.option(
    "--step",
    type=click.Choice(["perform", "list_samples", "subscribe", "unsubscribe", "test"]),
    default="perform",
    show_default=True,
)
@click.option("--trial", is_flag=True, help="Run as a trial (triggers return at most 3 samples).")
@click.option("--strict", is_flag=True, help="Also check the output against its schema.")
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
    trial: bool,
    strict: bool,
    trace: bool,
    time_limit: float,
    app_specs: tuple[str, ...],
) -> None:
    """Run one operation and print its output as JSON."""
    app_key, sep, op_key = target.partition(".")
    if not sep or not op_key:
        raise BadInput(f"{target!r} must look like APP.OPERATION, e.g. okta.find_user", "APP.OPERATION")
    app = get_app(app_key, list(app_specs))
    values = _read_input(input_json, input_file)
    connection = _connection(app.key, connection_name, _parse_fields(fields), base_url)
    result = invoke(
        app,
        op_key,
        connection,
        values,
        Meta(trial=trial),
        step=step,  # type: ignore[arg-type]
        strict=strict,
        trace=trace,
        time_limit=time_limit,
    )
    print_json({"output": result.output, "trace": result.trace} if trace else result.output)
