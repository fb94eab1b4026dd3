"""``connector sandbox APP``: serve an app's sandbox on a real port until stopped.

The group lists every installed app whose registry entry names a sandbox command (``App.sandbox``); the
commands of the shipped sandboxes live below and are found the same way as a third-party app's.

Served by waitress, as ``connector emulate`` serves the emulator: keep-alive connections and a pool of
worker threads, like the real vendors. (werkzeug's development server answered every request with
``Connection: close``: a client paging a big org opened a TCP connection per page.)

``--rate-limits`` sets the sandbox's budget: ``default`` is the vendor's (Okta: requests per minute per
endpoint family; Contacts: 100 per 10 s per location; Personio: employee calls 300 a minute and 15 a
second per API credential, ``/v1/auth`` 60 a minute), ``off`` lifts it out of the way (benchmarks, bulk
loads), and a number ``N`` sets every Okta family to N per minute, Contacts to N per window, or Personio's
employee calls to N per minute, to watch a client pace itself.
"""

from __future__ import annotations

import click

from connector.cli.app_commands import AppCommands, import_command
from connector.cli.output import guarded, wait_until_stopped
from connector.extras import sandboxes_installed, sandboxes_missing

#: What ``--rate-limits off`` sets: a budget no client reaches.
UNLIMITED = 1_000_000_000


class RateLimitsChoice(click.ParamType):  # type: ignore[type-arg]  # generic in click >= 8.3 only
    """``off``, ``default`` or a positive whole number of requests per window."""

    name = "off|default|N"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str | int:
        text = str(value).strip().lower()
        if text in ("off", "default"):
            return text
        try:
            number = int(text)
        except ValueError:
            self.fail(f"{value!r} is not off, default or a number of requests (e.g. 60)", param, ctx)
        if number < 1:
            self.fail(f"{number} must be at least 1 request per window (or off)", param, ctx)
        return number


RATE_LIMITS_OPTION = click.option(
    "--rate-limits", "rate_limits", type=RateLimitsChoice(), default="default", show_default=True,
    help="The sandbox's rate limit: the vendor's default, off, or N requests per window.",
)


def require_sandboxes(name: str) -> None:
    """One clear line, before anything starts, when the shipped sandboxes are not installed."""
    if not sandboxes_installed():
        raise click.ClickException(sandboxes_missing(f"`connector sandbox {name}`"))


def _serve_forever(app: object, port: int, host: str) -> tuple[object, str]:
    from emulator.serving import serve, settle_heap
    from sandboxes.contract_check import CHECKS

    CHECKS.enable_from_environment()  # tests that start this process read the violations it logs
    settle_heap()  # the org's records live as long as the process

    try:
        served = serve(app, host=host, port=port, server="waitress")  # type: ignore[arg-type]
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port} ({exc.strerror}); try --port 0") from exc
    return served, served.base_url


def okta_rate_limits(choice: str | int) -> dict[str, int]:
    """Requests per minute for every Okta endpoint family, from ``--rate-limits``."""
    from sandboxes.okta.settings import DEFAULT_RATE_LIMITS

    if choice == "default":
        return dict(DEFAULT_RATE_LIMITS)
    per_minute = UNLIMITED if choice == "off" else int(choice)
    return {family: per_minute for family in DEFAULT_RATE_LIMITS}


def _describe_limits(choice: str | int, window: str) -> str:
    if choice == "off":
        return "off"
    return "the vendor's default" if choice == "default" else f"{choice} requests per {window}"


def _describe_personio_limits(choice: str | int) -> str:
    if choice == "default":
        return "the vendor's default (employees 300 a minute and 15 a second per credential; /v1/auth 60 a minute)"
    if choice == "off":
        return "off"
    return f"{choice} employee requests per minute per credential (at most 15 a second)"


def _wait(served: object) -> None:
    try:
        wait_until_stopped()
    finally:
        served.stop()  # type: ignore[attr-defined]


sandbox_group = AppCommands(
    "sandbox",
    lambda app: import_command(app.sandbox, app.key) if app.sandbox else None,
    what="with a sandbox",
    params=[click.Option(["--app", "app_specs"], multiple=True, metavar="MODULE:APP",
                         help="Also offer this app's sandbox (repeatable), besides the installed apps'.")],
    help="Serve a faithful local fake of a vendor API on a real port: any app whose registry entry names "
         "a sandbox command (App.sandbox).",
)


@click.command("okta")
@click.option("--port", default=8101, show_default=True, help="Port to listen on (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--users", default=100, show_default=True, help="How many generated users to seed.")
@click.option("--token", default="okta-sandbox-token", show_default=True, help="The SSWS API token to accept.")
@click.option("--seed", default=1, show_default=True, help="RNG seed for the generated data.")
@click.option("--link-style", type=click.Choice(["lines", "comma"]), default="lines", show_default=True)
@click.option("--allow-http-hooks", is_flag=True,
              help="Accept http:// event hook URIs (Okta requires https; use for a receiver on this machine).")
@RATE_LIMITS_OPTION
@guarded
def okta_command(
    port: int, host: str, users: int, token: str, seed: int, link_style: str, allow_http_hooks: bool,
    rate_limits: str | int,
) -> None:
    """Serve the Okta sandbox."""
    require_sandboxes("okta")
    from sandboxes.okta import OktaSandbox, OktaSettings

    if users < 0:
        raise click.BadParameter("must be 0 or more", param_hint="--users")
    sandbox = OktaSandbox(OktaSettings(
        token=token, link_style=link_style, allow_http_hook_uris=allow_http_hooks,
        rate_limits=okta_rate_limits(rate_limits),
    ))
    sandbox.seed_users(users, seed=seed)
    served, base_url = _serve_forever(sandbox.app, port, host)
    sandbox.base_url = base_url
    click.echo(f"Okta sandbox: {base_url}")
    click.echo(f"  users seeded: {users}")
    click.echo(f"  rate limits:  {_describe_limits(rate_limits, 'minute per endpoint family')}")
    click.echo(f"  API token:    Authorization: SSWS {token}")
    click.echo(f"  try:          curl -H 'Authorization: SSWS {token}' {base_url}/api/v1/users?limit=5")
    click.echo("Press Ctrl-C to stop.")
    _wait(served)


@click.command("contacts")
@click.option("--port", default=8102, show_default=True, help="Port to listen on (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--contacts", "count", default=100, show_default=True, help="How many contacts to seed.")
@click.option("--api-key", default="contacts-sandbox-key", show_default=True, help="The location API key.")
@click.option("--location", default="loc_sandbox", show_default=True, help="The key's location id.")
@click.option("--seed", default=1, show_default=True, help="RNG seed for the generated data.")
@click.option("--app-webhook", default=None, metavar="URL",
              help="The marketplace app's webhook URL (e.g. an emulator's /hooks/apps/contacts): every "
                   "location's events are sent there, signed.")
@RATE_LIMITS_OPTION
@guarded
def contacts_command(
    port: int, host: str, count: int, api_key: str, location: str, seed: int, app_webhook: str | None,
    rate_limits: str | int,
) -> None:
    """Serve the Contacts (HighLevel-style) sandbox."""
    require_sandboxes("contacts")
    from sandboxes.contacts import ContactsSandbox, ContactsSettings

    if count < 0:
        raise click.BadParameter("must be 0 or more", param_hint="--contacts")
    settings = ContactsSettings(api_keys={api_key: location})
    if rate_limits == "off":
        settings.rate_limit = settings.daily_limit = UNLIMITED
    elif rate_limits != "default":
        settings.rate_limit = int(rate_limits)
    sandbox = ContactsSandbox(settings)
    if app_webhook:
        try:
            sandbox.set_app_webhook(app_webhook)
        except Exception as exc:  # the sandbox's 422 names what is wrong with the URL
            raise click.BadParameter(str(exc), param_hint="--app-webhook") from None
    sandbox.seed_contacts(count, seed=seed, location_id=location)
    served, base_url = _serve_forever(sandbox.app, port, host)
    sandbox.base_url = base_url
    click.echo(f"Contacts sandbox: {base_url}")
    click.echo(f"  contacts seeded: {count} in location {location}")
    click.echo(f"  rate limits:     {_describe_limits(rate_limits, '10 s per location')}")
    click.echo(f"  API key:         Authorization: Bearer {api_key}   (and Version: 2021-07-28 or v3)")
    click.echo(f"  app webhook:     {app_webhook or 'none (set it with --app-webhook or PUT /_sandbox/app-webhook)'}")
    click.echo(
        f"  try:             curl -H 'Authorization: Bearer {api_key}' -H 'Version: 2021-07-28' "
        f"-H 'Content-Type: application/json' -d '{{\"locationId\": \"{location}\", \"pageLimit\": 5}}' "
        f"'{base_url}/contacts/search'"
    )
    click.echo("Press Ctrl-C to stop.")
    _wait(served)


@click.command("personio")
@click.option("--port", default=8103, show_default=True, help="Port to listen on (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--employees", "count", default=100, show_default=True, help="How many generated employees to seed.")
@click.option("--client-id", default="papi-sandbox-client", show_default=True, help="The API credential's client id.")
@click.option("--client-secret", default="papi-sandbox-secret", show_default=True,
              help="The API credential's client secret.")
@click.option("--seed", default=1, show_default=True, help="RNG seed for the generated data.")
@RATE_LIMITS_OPTION
@guarded
def personio_command(
    port: int, host: str, count: int, client_id: str, client_secret: str, seed: int, rate_limits: str | int
) -> None:
    """Serve the Personio sandbox (v1 employees and POST /v1/auth)."""
    require_sandboxes("personio")
    from sandboxes.personio import PersonioSandbox, PersonioSettings

    if count < 0:
        raise click.BadParameter("must be 0 or more", param_hint="--employees")
    if not client_id or not client_secret:
        raise click.BadParameter("must not be empty", param_hint="--client-id/--client-secret")
    settings = PersonioSettings(credentials={client_id: client_secret})
    if rate_limits == "off":
        settings.employees_per_minute = settings.auth_per_minute = UNLIMITED
        settings.burst_per_second = None
    elif rate_limits != "default":  # N a minute per credential; Personio's 15 a second still caps bursts
        settings.employees_per_minute = int(rate_limits)
        settings.burst_per_second = min(int(rate_limits), settings.burst_per_second or int(rate_limits))
    sandbox = PersonioSandbox(settings)
    sandbox.seed_employees(count, seed=seed)
    served, base_url = _serve_forever(sandbox.app, port, host)
    sandbox.base_url = base_url
    click.echo(f"Personio sandbox: {base_url}")
    click.echo(f"  employees seeded: {count}")
    click.echo(f"  rate limits:      {_describe_personio_limits(rate_limits)}")
    click.echo(f"  credential:       client_id={client_id} client_secret={client_secret}")
    click.echo(
        f"  try:              curl -s -X POST {base_url}/v1/auth -d client_id={client_id} "
        f"-d client_secret={client_secret}"
    )
    click.echo("Press Ctrl-C to stop.")
    _wait(served)
