"""What the flow editor needs beyond the flows API: a live mapping preview and dynamic field choices.

The flows API previews only what is saved; the editor previews what the user is typing, before it is
saved, so a half-written template shows its problem next to its field instead of failing a save.
Both endpoints go through the kit (``FieldMapping``, ``invoke``) like the runner does, and neither
touches stored flows, runs or the dedupe record.

Routes:
    POST /api/mapping/preview   {app, operation, mapping, trigger, steps} -> {values, problems, ok, tokens}
    POST /api/choices           {app, operation, field, connection_id} -> {choices: [{value, label}]}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from connector.context import Meta
from connector.definitions import Field, Operation
from connector.errors import BadInput, ConnectorError
from connector.mapping import FieldMapping, MappingPreview
from connector.templates import sample_tokens
from emulator.api.errors import ApiError as ApiProblem
from emulator.api.shapes import jsonable, masked_preview

editor_api = Blueprint("ui_editor", __name__)

#: Most dynamic choices offered in one drop-down.
CHOICES_LIMIT = 200


def _invoker() -> Any:
    emulator = current_app.extensions.get("emulator")
    if emulator is None:
        raise ApiProblem(503, "the emulator's runner is not part of this app")
    return emulator.invoker


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiProblem(400, "the body must be a JSON object")
    return body


def _operation(body: Mapping[str, Any]) -> Operation:
    app_key, op_key = body.get("app"), body.get("operation")
    if not isinstance(app_key, str) or not app_key:
        raise ApiProblem(422, "must name an installed app", "app")
    if not isinstance(op_key, str) or not op_key:
        raise ApiProblem(422, "must name one of the app's operations", "operation")
    invoker = _invoker()
    if app_key not in invoker.apps:
        known = ", ".join(sorted(invoker.apps)) or "none installed"
        raise ApiProblem(422, f"{app_key!r} is not an installed app; known apps: {known}", "app")
    try:
        return invoker.operation(app_key, op_key)[1]
    except BadInput as exc:
        raise ApiProblem(422, exc.message, "operation") from exc


def _object(body: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApiProblem(422, "must be an object", key)
    return value




@editor_api.post("/api/mapping/preview")
def preview_mapping() -> Response:
    body = _body()
    op = _operation(body)
    mapping = _object(body, "mapping")
    trigger = _object(body, "trigger")
    steps = _object(body, "steps")
    tokens = [{"token": t, "value": jsonable(v)} for t, v in sample_tokens(trigger, "trigger")]
    for key, output in steps.items():
        if isinstance(output, dict):
            tokens += [{"token": t, "value": jsonable(v)} for t, v in sample_tokens(output, f"steps.{key}")]
    try:
        compiled = FieldMapping(op.input_fields, mapping)
    except BadInput as exc:
        preview = MappingPreview(values={}, problems=list(exc.problems))
    else:
        preview = compiled.preview({"trigger": trigger, "steps": steps})
    return jsonify({**masked_preview(preview, op.input_fields), "tokens": tokens})


def _dynamic_field(op: Operation, key: Any) -> Field:
    for f in op.input_fields:
        if f.key == key:
            if f.dynamic is None:
                raise ApiProblem(422, f"{key!r} has fixed choices, not dynamic ones", "field")
            return f
    raise ApiProblem(422, f"is not an input of {op.key}", "field")


@editor_api.post("/api/choices")
def dynamic_choices() -> Response:
    body = _body()
    op = _operation(body)
    f = _dynamic_field(op, body.get("field"))
    assert f.dynamic is not None
    invoker = _invoker()
    app_key = str(body["app"])
    try:
        app, source = invoker.operation(app_key, f.dynamic.operation, "field")
        connection_id = body.get("connection_id") or None
        connection = invoker.connection(connection_id, app.key, "connection_id")
        result = invoker.invoke(app, source, connection, {}, Meta(limit=CHOICES_LIMIT))
    except ConnectorError as exc:
        field = getattr(exc, "field", None)
        return jsonify({"choices": [], "error": {"message": exc.message, "field": field}})
    items = result.output if isinstance(result.output, list) else []
    choices = []
    for item in items[:CHOICES_LIMIT]:
        if isinstance(item, Mapping):
            value, label = _lookup(item, f.dynamic.value), _lookup(item, f.dynamic.label)
            if value is not None:
                choices.append({"value": value, "label": str(label if label is not None else value)})
    return jsonify({"choices": choices, "error": None})


def _lookup(item: Mapping[str, Any], path: str) -> Any:
    value: Any = item
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value if isinstance(value, str | int | float) else None


__all__ = ["editor_api"]
