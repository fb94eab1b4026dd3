"""The ``connector`` command line: one group, one module per concern."""

from __future__ import annotations

import click

from connector import __version__
from connector.cli.connections import connect_group, connections_group, keys_group
from connector.cli.emulate import emulate_command
from connector.cli.kit import invoke_command, manifest_command, validate_command
from connector.cli.sandbox import sandbox_group
from connector.cli.scaffold import init_command, scaffold_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="connector")
@click.option("--debug", is_flag=True, help="On failure, also print the traceback (for connector authors).")
def main(debug: bool) -> None:
    """Build, validate and run connectors; serve the sandboxes and the emulator."""


main.add_command(validate_command)
main.add_command(manifest_command)
main.add_command(invoke_command)
main.add_command(sandbox_group)
main.add_command(connect_group)
main.add_command(connections_group)
main.add_command(keys_group)
main.add_command(emulate_command)
main.add_command(init_command)
main.add_command(scaffold_command)
