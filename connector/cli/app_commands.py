"""A click group whose subcommands are the installed apps, built from each app's definition on demand.

``connector connect APP`` and ``connector sandbox APP`` are the same for a shipped app and a third-party
one: the group asks the registry which apps exist and lets a builder turn an app into its command (its
options from the app's ``AuthSpec``, or the sandbox command the app's registry entry names). Commands
attached to the group by hand still work and win over built ones.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import click

from connector.definitions import App
from connector.errors import ConnectorError
from connector.registry import load_apps

AppCommandBuilder = Callable[[App], click.Command | None]


class AppCommands(click.Group):
    """Subcommands named after apps; ``build`` returns None for an app that has no such command."""

    def __init__(self, name: str, build: AppCommandBuilder, *, what: str, **kwargs: object) -> None:
        super().__init__(name, **kwargs)  # type: ignore[arg-type]
        self._build = build
        self._what = what

    def _apps(self, ctx: click.Context) -> dict[str, App]:
        specs = list(ctx.params.get("app_specs") or ()) if ctx is not None else []
        try:
            return load_apps(specs)
        except ConnectorError as exc:
            raise click.UsageError(exc.message, ctx) from exc

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(self.commands)
        names.update(key for key, app in self._apps(ctx).items() if self._build(app) is not None)
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        app = self._apps(ctx).get(cmd_name)
        return self._build(app) if app is not None else None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = click.utils.make_str(args[0])
        if self.get_command(ctx, name) is None and not name.startswith("-"):
            known = ", ".join(self.list_commands(ctx)) or "none"
            raise click.UsageError(f"no app {name!r} {self._what}; apps that do: {known}", ctx)
        return super().resolve_command(ctx, args)


def import_command(spec: str, name: str) -> click.Command:
    """Import the click command ``module:attribute`` that an app's registry entry names."""
    module_name, _, attribute = spec.partition(":")
    command = getattr(importlib.import_module(module_name), attribute, None)
    if not isinstance(command, click.Command):
        raise click.UsageError(f"{spec} (the sandbox of app {name!r}) is not a click command")
    command.name = name
    return command
