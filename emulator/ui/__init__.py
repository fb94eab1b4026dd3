"""The emulator's web UI: page shells, their static files, and the UI-only JSON endpoints.

``register_ui(app)`` is all ``create_app`` needs to call. It installs CSRF protection
(:mod:`emulator.csrf`), the security headers (:mod:`emulator.security_headers`), the pages (Flows,
Flow editor, Connections, Runs, Run detail, Sandboxes), the flow editor's live mapping preview and
dynamic choices. The Sandboxes page's API (Okta, Contacts, Personio) comes with the demo
(:mod:`emulator.demo.sandbox_pages`), which runs the sandboxes. Connections themselves come
from ``emulator.api.connections`` (``register_connections``).
"""

from __future__ import annotations

from flask import Flask

from emulator.csrf import init_csrf
from emulator.security_headers import init_security_headers
from emulator.ui.editor_api import editor_api
from emulator.ui.openapi_paths import UI_OPENAPI_PATHS
from emulator.ui.pages import ui


def register_ui(app: Flask) -> None:
    """Register the UI blueprints and CSRF protection on ``app`` (idempotent)."""
    init_csrf(app)
    init_security_headers(app)
    app.extensions.setdefault("openapi_paths", {}).update(UI_OPENAPI_PATHS)
    for blueprint in (ui, editor_api):
        if blueprint.name not in app.blueprints:
            app.register_blueprint(blueprint)


__all__ = ["register_ui"]
