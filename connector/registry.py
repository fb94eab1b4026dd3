"""Find the installed apps.

Apps register under the ``connector.apps`` entry-point group (``okta = "connector.apps.okta:APP"``),
so a connector author's own package shows up in the CLI, the pytest plugin and the emulator once
installed. ``CONNECTOR_APPS="pkg.module:APP,..."`` adds apps without packaging, e.g. in tests.
"""

from __future__ import annotations

import importlib
import os
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
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise BadInput(f"cannot import {module_name!r}: {exc}", "app") from exc
    app = getattr(module, attr, None)
    if not isinstance(app, App):
        raise DefinitionError(f"{spec} is not a connector.definitions.App (got {type(app).__name__})")
    return app


@lru_cache(maxsize=1)
def _entry_point_apps() -> tuple[App, ...]:
    apps = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        app = ep.load()
        if not isinstance(app, App):
            raise DefinitionError(f"entry point {ep.name} = {ep.value} is not an App")
        apps.append(app)
    return tuple(apps)


def load_apps(extra: list[str] | None = None) -> dict[str, App]:
    """Every known app by key: installed entry points, CONNECTOR_APPS, then ``extra`` specs."""
    found = {app.key: app for app in _entry_point_apps()}
    specs = [s for s in os.environ.get("CONNECTOR_APPS", "").split(",") if s.strip()]
    for spec in [*specs, *(extra or [])]:
        app = load_object(spec.strip())
        found[app.key] = app
    return found


def get_app(key: str, extra: list[str] | None = None) -> App:
    apps = load_apps(extra)
    if key not in apps:
        known = ", ".join(sorted(apps)) or "none installed"
        raise BadInput(f"unknown app {key!r}; known apps: {known}", "app")
    return apps[key]
