"""``connector init`` and ``connector scaffold``: start a connector package, then grow it an operation at a time."""

from __future__ import annotations

from pathlib import Path

import click

from connector.cli.output import guarded


@click.command("init")
@click.argument("name")
@click.option("--auth", "auth_type", type=click.Choice(["api_key", "oauth2"]), default="api_key", show_default=True,
              help="How connections authenticate.")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Where to write it (default ./NAME).")
@guarded
def init_command(name: str, auth_type: str, directory: str | None) -> None:
    """Create a connector package for app NAME whose tests pass out of the box.

    It holds the app (registered under the connector.apps entry point), auth with a connection test, a
    polling trigger, an action with a dynamic dropdown, searches, a small fake of the API and tests
    using the kit's pytest plugin and conformance suite. The guide: docs/writing-a-connector.md.
    """
    from connector.scaffold import init_package

    destination = Path(directory or name)
    written = init_package(name, auth_type, destination)  # type: ignore[arg-type]
    click.echo(f"Created the {name} connector in {destination} ({len(written)} files). Next:")
    click.echo(f"  cd {destination}")
    click.echo("  pip install -e .[test]    # registers the app for the CLI, the plugin and the emulator")
    click.echo("  pytest                    # its tests and the conformance checks, over the fake API")
    click.echo(f"  connector validate {name}")
    click.echo("  connector scaffold action archive_item   # one more operation, listed in app.py")


@click.command("scaffold")
@click.argument("kind", type=click.Choice(["trigger", "action", "search"]))
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=".", show_default=True,
              help="The connector package (the folder with its pyproject.toml).")
@guarded
def scaffold_command(kind: str, name: str, directory: str) -> None:
    """Add a trigger, action or search module called NAME to a connector package, listed in its app.py."""
    from connector.scaffold import scaffold_operation

    module, app_file = scaffold_operation(kind, name, Path(directory))  # type: ignore[arg-type]
    click.echo(f"Created {module} and listed it in {app_file}.")
    click.echo("Adapt its path, fields and sample to the real API; then `pytest` and `connector validate`.")
