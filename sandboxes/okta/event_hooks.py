"""Routes under ``/api/v1/eventHooks``: CRUD and lifecycle (activate, deactivate, verify)."""

from __future__ import annotations

from flask import Blueprint, Response

from sandboxes.okta.errors import OktaError
from sandboxes.okta.json_responses import json_response, no_content
from sandboxes.okta.request_parsing import json_body
from sandboxes.okta.state import OktaState


def event_hooks_blueprint(state: OktaState) -> Blueprint:
    blueprint = Blueprint("okta_event_hooks", __name__)
    hooks = state.hooks

    @blueprint.get("/api/v1/eventHooks")
    def list_hooks() -> Response:
        return json_response([hook.view(state.base_url) for hook in hooks.records])

    @blueprint.post("/api/v1/eventHooks")
    def create_hook() -> Response:
        return json_response(hooks.create(json_body()).view(state.base_url))

    @blueprint.get("/api/v1/eventHooks/<hook_id>")
    def get_hook(hook_id: str) -> Response:
        return json_response(hooks.find(hook_id).view(state.base_url))

    @blueprint.put("/api/v1/eventHooks/<hook_id>")
    def replace_hook(hook_id: str) -> Response:
        body = json_body()
        return json_response(hooks.replace(hooks.find(hook_id), body).view(state.base_url))

    @blueprint.delete("/api/v1/eventHooks/<hook_id>")
    def delete_hook(hook_id: str) -> Response:
        hooks.delete(hooks.find(hook_id))
        return no_content()

    @blueprint.post("/api/v1/eventHooks/<hook_id>/lifecycle/<operation>")
    def hook_lifecycle(hook_id: str, operation: str) -> Response:
        hook = hooks.find(hook_id)
        if operation == "verify":
            return json_response(hooks.verify(hook).view(state.base_url))
        if operation in ("activate", "deactivate"):
            return json_response(hooks.set_active(hook, operation == "activate").view(state.base_url))
        raise OktaError("E0000008")

    return blueprint
