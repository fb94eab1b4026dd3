"""``connector emulate``: the local connector platform with both sandboxes, ready to click through."""

from __future__ import annotations

from pathlib import Path

import click

from connector.cli.output import guarded, wait_until_stopped


@click.command("emulate")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default).")
@click.option("--port", default=5000, show_default=True, help="Port to listen on.")
@click.option("--data", "data_dir", default="data", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the SQLite store, the key file and the connections.")
@click.option("--okta-users", default=40, show_default=True, help="Users seeded in the Okta sandbox.")
@click.option("--contacts", default=15, show_default=True, help="Contacts seeded in the Contacts sandbox.")
@click.option("--employees", default=10, show_default=True, help="Employees seeded in the Personio sandbox.")
@click.option("--no-demo", is_flag=True, help="Do not create the demo connections and flow.")
@click.option("--allow-url", "allow_urls", multiple=True, metavar="ORIGIN", envvar="CONNECTOR_ALLOW_URLS",
              help="For local development: let connections call this origin although it is on this machine or "
                   "a private network, e.g. http://127.0.0.1:8080 (repeatable; env CONNECTOR_ALLOW_URLS, "
                   "space-separated). Every other such address stays refused.")
@click.option("--max-attempts", default=5, show_default=True, type=click.IntRange(1, 100),
              help="Tries of a failing step or hook delivery before it fails for good.")
@click.option("--retry-base-seconds", default=30.0, show_default=True, type=click.FloatRange(0, 3600),
              help="First automatic retry delay; it doubles with each try (a vendor's own delay wins).")
@guarded
def emulate_command(
    host: str, port: int, data_dir: str, okta_users: int, contacts: int, employees: int, no_demo: bool,
    allow_urls: tuple[str, ...], max_attempts: int, retry_base_seconds: float,
) -> None:
    """Start the emulator with the Okta and Contacts sandboxes on the embedded SQLite store."""
    from connector.outbound import OutboundPolicy
    from emulator.demo import build_environment, seed_demo
    from emulator.sandbox.serve import serve

    if okta_users < 0 or contacts < 0 or employees < 0:
        raise click.BadParameter("seed sizes must be 0 or more")
    OutboundPolicy.allowing(allow_urls)  # a value that is not an origin: one clear line before anything starts
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    public_url = f"http://{shown_host}:{port}"
    env = build_environment(
        public_url, Path(data_dir), okta_users=okta_users, contacts=contacts, employees=employees,
        allow_urls=allow_urls,
        config={"MAX_ATTEMPTS": max_attempts, "RETRY_BASE_SECONDS": retry_base_seconds},
    )
    if not no_demo:
        seed_demo(env)
    try:
        served = serve(env.wsgi, host=host, port=port, server="waitress")  # keep-alive, worker pool
    except OSError as exc:
        env.close()
        raise click.ClickException(f"cannot listen on {host}:{port} ({exc.strerror}); try --port 5050") from exc
    click.echo(f"Emulator running at {public_url}/")
    click.echo(f"  Okta sandbox:     {env.okta.base_url}   (API token: SSWS {env.okta.settings.token})")
    click.echo(f"  Contacts sandbox: {env.contacts.base_url}")
    click.echo(f"  Personio sandbox: {env.personio.base_url}")
    click.echo(f"  Data:             {Path(data_dir).resolve()}")
    for origin in env.gateway.policy.allowed_origins:
        click.echo(f"  Allowed local:    {origin}   (--allow-url; every other local or private address is refused)")
    click.echo("Press Ctrl-C to stop.")
    try:
        wait_until_stopped()
    finally:
        served.stop()
        env.close()
