"""Find the installed apps.

Apps register under the ``connector.apps`` entry-point group (``recipes = "recipes_connector.app:APP"``),
so a connector author's own package shows up in the CLI, the pytest plugin and the emulator once
installed. ``CONNECTOR_APPS="pkg.module:APP,..."`` and ``--app MODULE:APP`` add apps without
packaging; they import from the current folder, as ``python -m`` would, so an app being written is found
where its author stands. Such an app may not take the key of an installed app: that would silently
change what every saved connection and flow of the installed app runs.
"""

from __future__ import annotations

import importlib
import os
import sys
from functools import lru_cache
from importlib.metadata import entry_points

from connector.definitions import App
from connector.errors import BadInput, DefinitionError

ENTRY_POINT_GROUP = "connector.apps"


def load_object(spec: str) -> App:
    """Import ``module:ATTRIBUTE`` and check it is an App."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise BadInput(f"{spec!r} is not of the form 'package.module:APP'", "app")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise BadInput(f"cannot import {module_name!r}: {exc}", "app") from exc
    app = getattr(module, attr, None)
    if not isinstance(app, App):
        raise DefinitionError(f"{spec} is not a connector.definitions.App (got {type(app).__name__})")
    return app


@lru_cache(maxsize=1)
def _scan_entry_points() -> tuple[tuple[App, ...], tuple[str, ...]]:
    """The installed apps, and one line for each entry point that could not be loaded as an App.

    One broken package (an import error, a typo in its entry point) must not take every other app
    down with it; :func:`broken_apps` says what was left out and why.
    """
    apps: list[App] = []
    broken: list[str] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            app = ep.load()
        except Exception as exc:
            broken.append(f"{ep.name} = {ep.value} cannot be imported ({type(exc).__name__}: {exc})")
            continue
        if not isinstance(app, App):
            broken.append(f"{ep.name} = {ep.value} is not a connector.definitions.App (got {type(app).__name__})")
            continue
        apps.append(app)
    return tuple(apps), tuple(broken)


def _entry_point_apps() -> tuple[App, ...]:
    return _scan_entry_points()[0]


def broken_apps() -> tuple[str, ...]:
    """Installed ``connector.apps`` entry points that were left out, each with the reason."""
    return _scan_entry_points()[1]


#: ``--app`` specs named once in this process stay known, so the credential store and the connection
#: test find the app a command was given.
_named_specs: list[str] = []
#: App objects a host process chose explicitly (the emulator's ``APPS`` setting), by key.
_hosted: dict[str, App] = {}


def host_apps(apps: dict[str, App]) -> None:
    """Make the apps a host process runs (the emulator's ``APPS``) the ones every lookup by key finds,
    so its credential store and connection tests use the same definitions as its flows."""
    _hosted.update(apps)


def load_apps(extra: list[str] | None = None) -> dict[str, App]:
    """Every known app by key: installed entry points, CONNECTOR_APPS, then ``extra`` specs."""
    found = {app.key: app for app in _entry_point_apps()}
    installed = dict(found)
    specs = [s for s in os.environ.get("CONNECTOR_APPS", "").split(",") if s.strip()]
    for spec in [*specs, *_named_specs, *(s for s in extra or [] if s not in _named_specs)]:
        app = load_object(spec.strip())
        if app.key in installed and installed[app.key] is not app:
            raise BadInput(
                f"{spec.strip()} has the key {app.key!r}, which the installed app {installed[app.key].name!r} "
                f"already uses; give your app another key", "app",
            )
        found[app.key] = app
    _named_specs.extend(s for s in extra or [] if s not in _named_specs)
    found.update(_hosted)
    return found


def forget_named_apps() -> None:
    """Forget the ``--app`` specs and hosted apps named so far (tests that run many in one process)."""
    _named_specs.clear()
    _hosted.clear()


def get_app(key: str, extra: list[str] | None = None) -> App:
    apps = load_apps(extra)
    if key not in apps:
        for line in broken_apps():
            if line.startswith(f"{key} = "):
                raise BadInput(f"the installed app {key!r} could not be loaded: {line}", "app")
        known = ", ".join(sorted(apps)) or "none installed"
        raise BadInput(f"unknown app {key!r}; known apps: {known}", "app")
    return apps[key]
