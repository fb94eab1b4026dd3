"""``connector emulate``: the local connector platform with the three sandboxes, ready to click through.

The sandboxes are an extra (``connector-kit[sandboxes]``). Without them, or with ``--no-sandboxes``,
the command serves the emulator alone (:func:`emulator.local.build_local`) for connections to the real
services, and says so in one line; with them it serves the demo (:func:`emulator.demo.build_environment`).

Installed apps are validated before they are loaded: one that breaks the manifest rules (no connection
test, a wrong field type...) is named with its first problem and left out, instead of failing later in
the middle of a flow. ``--reload`` is the connector author's development mode: the emulator runs in a
child process that restarts when a Python file of a loaded app changes (watchfiles watches the apps'
packages); the data folder keeps flows, runs and connections across restarts.
"""

from __future__ import annotations

import importlib.util
import logging
import shlex
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from connector.cli.output import guarded, wait_until_stopped
from connector.definitions import App

LOG_LEVELS = ("debug", "info", "warning", "error")


@click.command("emulate")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default).")
@click.option("--port", default=5000, show_default=True, help="Port to listen on.")
@click.option("--data", "data_dir", default="data", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the SQLite store, the key file and the connections.")
@click.option("--okta-users", default=40, show_default=True, help="Users seeded in the Okta sandbox.")
@click.option("--contacts", default=15, show_default=True, help="Contacts seeded in the Contacts sandbox.")
@click.option("--employees", default=10, show_default=True, help="Employees seeded in the Personio sandbox.")
@click.option("--no-demo", is_flag=True, help="Do not create the demo connections and flows.")
@click.option("--no-sandboxes", is_flag=True,
              help="Serve the emulator alone, for the real services (the default when the sandboxes are not "
                   "installed).")
@click.option("--allow-url", "allow_urls", multiple=True, metavar="ORIGIN", envvar="CONNECTOR_ALLOW_URLS",
              help="For local development: let connections call this origin although it is on this machine or "
                   "a private network, e.g. http://127.0.0.1:8080 (repeatable; env CONNECTOR_ALLOW_URLS, "
                   "space-separated). Every other such address stays refused.")
@click.option("--max-attempts", default=5, show_default=True, type=click.IntRange(1, 100),
              help="Tries of a failing step or hook delivery before it fails for good.")
@click.option("--retry-base-seconds", default=30.0, show_default=True, type=click.FloatRange(0, 3600),
              help="First automatic retry delay; it doubles with each try (a vendor's own delay wins).")
@click.option("--app", "app_specs", multiple=True, metavar="MODULE:APP",
              help="Also load this app object (repeatable), besides the installed ones.")
@click.option("--reload", is_flag=True,
              help="Development mode: restart when a Python file of a loaded app changes.")
@click.option("--log-level", type=click.Choice(LOG_LEVELS), default="warning", show_default=True,
              help="What the emulator logs on stderr (runs, polls, hook deliveries at info).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST[:PORT]",
              help="Another Host header to answer (e.g. a tunnel's name); repeatable. Loopback names are allowed.")
@guarded
def emulate_command(
    host: str, port: int, data_dir: str, okta_users: int, contacts: int, employees: int, no_demo: bool,
    no_sandboxes: bool, allow_urls: tuple[str, ...], max_attempts: int, retry_base_seconds: float,
    app_specs: tuple[str, ...], reload: bool, log_level: str, allow_hosts: tuple[str, ...],
) -> None:
    """Start the emulator on SQLite, with the demo and its sandboxes when they are installed.

    The demo's Okta, Contacts and Personio sandboxes come with `pip install 'connector-kit[sandboxes]'`;
    without them, or with --no-sandboxes, the emulator serves alone, for the real services.
    """
    from connector.extras import SANDBOXES_INSTALL, sandboxes_installed
    from connector.outbound import OutboundPolicy

    if not no_sandboxes and not sandboxes_installed():
        click.echo(
            "The sandboxes are not installed: serving the emulator alone, for connections to the real services "
            f"(add the Okta, Contacts and Personio sandboxes and the demo with: {SANDBOXES_INSTALL})", err=True,
        )
        no_sandboxes = True
    if not no_sandboxes:
        from sandboxes.contract_check import CHECKS

        CHECKS.enable_from_environment()  # a test that started this process reads the contract violations logged

    if okta_users < 0 or contacts < 0 or employees < 0:
        raise click.BadParameter("seed sizes must be 0 or more")
    OutboundPolicy.allowing(allow_urls)  # a value that is not an origin: one clear line before anything starts
    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    apps = _valid_apps(list(app_specs))
    if reload:
        options = [
            ("--host", host), ("--port", str(port)), ("--data", data_dir), ("--okta-users", str(okta_users)),
            ("--contacts", str(contacts)), ("--employees", str(employees)), ("--log-level", log_level),
            ("--max-attempts", str(max_attempts)), ("--retry-base-seconds", str(retry_base_seconds)),
            *(("--allow-url", origin) for origin in allow_urls), *(("--app", spec) for spec in app_specs),
            *(("--allow-host", name) for name in allow_hosts),
        ]
        _run_reloading(apps, options, no_demo, no_sandboxes)
        return
    retries = {"MAX_ATTEMPTS": max_attempts, "RETRY_BASE_SECONDS": retry_base_seconds}
    if no_sandboxes:
        _serve_alone(host, port, data_dir, apps, allow_urls, retries, allow_hosts)
        return
    _serve(host, port, data_dir, okta_users, contacts, employees, no_demo, apps, allow_urls, retries, allow_hosts)


def _valid_apps(app_specs: list[str]) -> dict[str, App]:
    """Every installed app that passes validation; each one that does not is named and left out."""
    from connector.manifest import validate_app
    from connector.registry import broken_apps, load_apps

    for line in broken_apps():
        click.secho(f"warning: installed app not loaded: {line}", fg="yellow", err=True)
    loaded: dict[str, App] = {}
    for key, app in load_apps(app_specs).items():
        problems = validate_app(app)
        if problems:
            first = problems[0]
            click.secho(
                f"warning: app {key!r} is not loaded: {len(problems)} problem(s), first {first.location}: "
                f"[{first.rule}] {first.message}; run `connector validate {key}` for all of them",
                fg="yellow", err=True,
            )
            continue
        loaded[key] = app
    return loaded


def _serve(
    host: str, port: int, data_dir: str, okta_users: int, contacts: int, employees: int, no_demo: bool,
    apps: dict[str, App], allow_urls: tuple[str, ...], retries: dict[str, float], allow_hosts: tuple[str, ...] = (),
) -> None:
    from emulator.demo import build_environment, seed_demo
    from emulator.serving import serve, settle_heap

    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    public_url = f"http://{shown_host}:{port}"
    env = build_environment(
        public_url, Path(data_dir), okta_users=okta_users, contacts=contacts, employees=employees,
        allow_urls=allow_urls, config={"APPS": apps, **retries}, bound_host=host, allow_hosts=allow_hosts,
    )
    if not no_demo:
        seed_demo(env)
    settle_heap()
    try:
        served = serve(env.wsgi, host=host, port=port, server="waitress")  # keep-alive, worker pool
    except OSError as exc:
        env.close()
        raise click.ClickException(f"cannot listen on {host}:{port} ({exc.strerror}); try --port 5050") from exc
    click.echo(f"Emulator running at {public_url}/")
    _describe(env.start_url, env.access_token, data_dir, apps, env.gateway.policy.allowed_origins, (
        f"Okta sandbox:     {env.okta.base_url}   (API token: SSWS {env.okta.settings.token})",
        f"Contacts sandbox: {env.contacts.base_url}",
        f"Personio sandbox: {env.personio.base_url}",
    ))
    try:
        wait_until_stopped()
    finally:
        served.stop()
        env.close()


def _serve_alone(
    host: str, port: int, data_dir: str, apps: dict[str, App], allow_urls: tuple[str, ...],
    retries: dict[str, float], allow_hosts: tuple[str, ...],
) -> None:
    """The emulator without sandboxes: its connections call the real services."""
    from emulator.local import build_local
    from emulator.serving import serve, settle_heap

    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    public_url = f"http://{shown_host}:{port}"
    platform = build_local(
        public_url, Path(data_dir), allow_urls=allow_urls, config={"APPS": apps, **retries}, bound_host=host,
        allow_hosts=allow_hosts,
    )
    settle_heap()
    try:
        served = serve(platform.wsgi, host=host, port=port, server="waitress")
    except OSError as exc:
        platform.close()
        raise click.ClickException(f"cannot listen on {host}:{port} ({exc.strerror}); try --port 5050") from exc
    click.echo(f"Emulator running at {public_url}/   (no sandboxes: connections call the real services)")
    _describe(platform.start_url, platform.access_token, data_dir, apps, platform.gateway.policy.allowed_origins)
    try:
        wait_until_stopped()
    finally:
        served.stop()
        platform.close()


def _describe(
    start_url: str, token: str, data_dir: str, apps: dict[str, App], allowed: Iterable[str],
    sandboxes: Iterable[str] = (),
) -> None:
    click.echo(f"  Open in a browser: {start_url}")
    click.echo(f"  API clients send:  X-Emulator-Token: {token}")
    click.echo(f"  Access token file: {(Path(data_dir) / 'access.token').resolve()}")
    for line in sandboxes:
        click.echo(f"  {line}")
    click.echo(f"  Apps:             {', '.join(sorted(apps)) or 'none'}")
    click.echo(f"  Data:             {Path(data_dir).resolve()}")
    for origin in allowed:
        click.echo(f"  Allowed local:    {origin}   (--allow-url; every other local or private address is refused)")
    click.echo("Press Ctrl-C to stop.")


def _run_reloading(
    apps: dict[str, App], options: list[tuple[str, str]], no_demo: bool, no_sandboxes: bool = False
) -> None:
    """Run ``connector emulate`` (without ``--reload``) in a child, restarted when app code changes."""
    import watchfiles

    command = [sys.executable, "-m", "connector.cli", "emulate"]
    for option, value in options:
        command += [option, value]
    if no_demo:
        command.append("--no-demo")
    if no_sandboxes:
        command.append("--no-sandboxes")
    paths = sorted(app_source_paths(apps.values()))
    click.echo(f"Reloading on changes under: {', '.join(paths)}")

    def announce(changes: set[tuple[watchfiles.Change, str]]) -> None:
        changed = sorted({Path(path).name for _change, path in changes})
        click.echo(f"changed: {', '.join(changed)}; restarting the emulator", err=True)

    watchfiles.run_process(
        *paths, target=shlex.join(command), target_type="command", callback=announce,
        watch_filter=watchfiles.PythonFilter(), debounce=400,
    )


def app_source_paths(apps: Iterable[App]) -> set[str]:
    """The folders holding the code of ``apps``: the top-level package (or single module's folder) of
    every function an app is made of, so a change anywhere in an app's package restarts the emulator."""
    modules: set[str] = set()
    for app in apps:
        functions: list[object] = [app.auth.handler, app.auth.test, app.auth.label, app.auth.base_url]
        for op in app.operations:
            functions += [op.perform, getattr(op, "subscribe", None), getattr(op, "parse_delivery", None)]
        modules.update(str(fn.__module__) for fn in functions if isinstance(getattr(fn, "__module__", None), str))
    paths: set[str] = set()
    for module in modules:
        spec = importlib.util.find_spec(module.split(".")[0])
        if spec is None:
            continue
        if spec.submodule_search_locations:
            paths.update(str(Path(p).resolve()) for p in spec.submodule_search_locations)
        elif spec.origin and spec.origin not in ("built-in", "frozen"):
            paths.add(str(Path(spec.origin).resolve().parent))
    return paths
