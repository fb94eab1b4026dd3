"""The ``connector`` command line: one group, one module per concern, each imported only when used.

Start-up is measured (``bench/startup.py``): ``connector --help`` must not pay for SQLAlchemy, authlib,
jsonschema or httpx. So the group knows each command by name, module and one-line help, and imports a
command's module only when that command runs (or its own ``--help`` is asked for); the modules import
their heavy dependencies inside the commands that need them.
"""

from __future__ import annotations

import importlib

import click

from connector import __version__

#: name -> (module, attribute, the one-line help ``connector --help`` shows without importing it)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": (
        "connector.cli.kit", "validate_command",
        "Check every app (or the named ones) against the manifest schema and the cross-field rules.",
    ),
    "manifest": (
        "connector.cli.kit", "manifest_command",
        "Write one marketplace manifest (JSON) per app, after validating it.",
    ),
    "invoke": ("connector.cli.kit", "invoke_command", "Run one operation and print its output as JSON."),
    "sandbox": (
        "connector.cli.sandbox", "sandbox_group",
        "Serve a faithful local fake of a vendor API on a real port: any app whose registry entry names a "
        "sandbox command (App.sandbox).",
    ),
    "connect": (
        "connector.cli.connections", "connect_group",
        "Connect an account of any installed app: test the credential, then save it encrypted.",
    ),
    "connections": ("connector.cli.connections", "connections_group", "List, test and delete saved connections."),
    "keys": (
        "connector.cli.connections", "keys_group",
        "Manage the encryption key of the credential store, and key pairs for service-app connections.",
    ),
    "emulate": (
        "connector.cli.emulate", "emulate_command",
        "Start the emulator on SQLite, with the demo and its sandboxes when they are installed.",
    ),
    "init": (
        "connector.cli.scaffold", "init_command",
        "Create a connector package for app NAME whose tests pass out of the box.",
    ),
    "scaffold": (
        "connector.cli.scaffold", "scaffold_command",
        "Add a trigger, action or search module called NAME to a connector package, listed in its app.py.",
    ),
    "web": (
        "connector.cli.scale", "web_command",
        "Serve the UI, the JSON API and the hook ingress; deliveries are committed, then sent to the workers.",
    ),
    "worker": (
        "connector.cli.scale", "worker_command",
        "Run a Celery worker that executes runs, polls and hook processing from the shared queue.",
    ),
    "scheduler": (
        "connector.cli.scale", "scheduler_command",
        "Send due polls, retries and anything committed but not queued to the workers; one is active at a time.",
    ),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use (click's documented lazy-group pattern)."""

    def __init__(self, *args: object, lazy: dict[str, tuple[str, str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, attribute, _help = self.lazy[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{module}.{attribute} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the table, so ``--help`` imports none of the commands."""
        rows = []
        for name in self.list_commands(ctx):
            if name in self.lazy and name not in self.commands:
                limit = formatter.width - 6 - len(name)
                placeholder = click.Command(name, help=self.lazy[name][2])  # click's own shortening, no import
                rows.append((name, placeholder.get_short_help_str(limit)))
            else:
                command = self.commands[name]
                if not command.hidden:
                    rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="connector")
@click.option("--debug", is_flag=True, help="On failure, also print the traceback (for connector authors).")
def main(debug: bool) -> None:
    """Build, validate and run connectors; serve the sandboxes and the emulator."""
