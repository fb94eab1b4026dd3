"""``/api/apps``: the catalogue of installed apps, their operations, fields, samples and tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from emulator.api.errors import ApiError
from emulator.api.shapes import app_shape

bp = Blueprint("api_apps", __name__, url_prefix="/api/apps")


@bp.get("")
def list_apps() -> Any:
    apps = current_app.extensions["emulator"].invoker.apps
    return jsonify({"apps": [app_shape(apps[key]) for key in sorted(apps)]})


@bp.get("/<app_key>")
def get_app(app_key: str) -> Any:
    apps = current_app.extensions["emulator"].invoker.apps
    if app_key not in apps:
        raise ApiError(404, f"no app {app_key!r}; known apps: {', '.join(sorted(apps)) or 'none'}", "app")
    return jsonify(app_shape(apps[app_key]))
