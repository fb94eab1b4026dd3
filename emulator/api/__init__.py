"""The emulator's JSON API: one blueprint per concern, one error shape for all of them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

from emulator.api import apps, flows, runs, trials
from emulator.api.errors import register_error_handlers
from emulator.openapi import openapi_document

docs = Blueprint("api_docs", __name__, url_prefix="/api")


@docs.get("/openapi.json")
def openapi() -> Any:
    apps = current_app.extensions["emulator"].invoker.apps
    return jsonify(openapi_document(request.host_url, current_app.extensions.get("openapi_paths"), apps))


def register_api(app: Flask) -> None:
    """Add every API blueprint and the JSON error handlers to ``app``."""
    for blueprint in (flows.bp, runs.bp, apps.bp, trials.bp, docs):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
