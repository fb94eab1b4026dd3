"""A location's custom field definitions, as HighLevel's Locations API serves them.

``GET /locations/{locationId}/customFields?model=contact|opportunity|all`` -> ``{customFields}``
(scope ``locations/customFields.readonly``); ``POST`` ``{name, dataType, placeholder?, position?,
model?}`` -> 201 ``{customField}`` (scope ``locations/customFields.write``); ``GET .../{id}`` ->
``{customField}``. The ``fieldKey`` is ``contact.`` plus the name in snake case. Contact bodies refer
to these fields by ``id``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from sandboxes.contacts.auth import require_location
from sandboxes.contacts.errors import bad_request, unprocessable
from sandboxes.contacts.state import ContactsState, field_key_of
from sandboxes.contacts.validation import check_body, json_object

DATA_TYPES = (
    "TEXT", "LARGE_TEXT", "NUMERICAL", "PHONE", "MONETORY", "CHECKBOX", "SINGLE_OPTIONS", "MULTIPLE_OPTIONS",
    "FLOAT", "TIME", "DATE", "TEXTBOX_LIST", "FILE_UPLOAD", "SIGNATURE", "RADIO",
)
CREATE_RULES = {
    "name": "string", "dataType": "string", "placeholder": "string", "acceptedFormat": "string_list",
    "isMultipleFile": "boolean", "maxNumberOfFiles": "number", "textBoxListOptions": "list",
    "position": "number", "model": "string",
}
MODELS = ("contact", "opportunity", "all")


def custom_fields_blueprint(state: ContactsState) -> Blueprint:
    blueprint = Blueprint("contacts_custom_fields", __name__)

    @blueprint.get("/locations/<location_id>/customFields")
    def list_custom_fields(location_id: str) -> Response:
        location = require_location(location_id)
        model = request.args.get("model", "all")
        if model not in MODELS:
            raise unprocessable([f"model must be one of the following values: {', '.join(MODELS)}"])
        with state.lock:
            fields = [
                state.snapshot(definition) for definition in state.custom_fields.get(location, {}).values()
                if model == "all" or definition["model"] == model
            ]
        return jsonify(customFields=fields)

    @blueprint.post("/locations/<location_id>/customFields")
    def create_custom_field(location_id: str) -> tuple[Response, int]:
        location = require_location(location_id)
        body = json_object()
        check_body(body, CREATE_RULES, required=("name", "dataType"))
        problems = []
        if body["dataType"] not in DATA_TYPES:
            problems.append(f"dataType must be one of the following values: {', '.join(DATA_TYPES)}")
        if body.get("model", "contact") not in ("contact", "opportunity"):
            problems.append("model must be one of the following values: contact, opportunity")
        if not field_key_of(body["name"]):
            problems.append("name must contain a letter or a digit")
        if problems:
            raise unprocessable(problems)
        key = "contact." + field_key_of(body["name"])
        with state.lock:
            if any(d["fieldKey"] == key for d in state.custom_fields.get(location, {}).values()):
                raise bad_request(f"A custom field with the key {key} already exists in this location.")
            extra: dict[str, Any] = {name: body[name] for name in ("placeholder", "model") if name in body}
            if "position" in body:
                extra["position"] = body["position"]
            definition = state.add_custom_field(location, body["name"], body["dataType"], **extra)
        return jsonify(customField=state.snapshot(definition)), 201

    @blueprint.get("/locations/<location_id>/customFields/<field_id>")
    def get_custom_field(location_id: str, field_id: str) -> Response:
        location = require_location(location_id)
        definition = state.custom_field(location, field_id)
        if definition is None:
            raise bad_request("Custom field not found")
        return jsonify(customField=state.snapshot(definition))

    return blueprint
