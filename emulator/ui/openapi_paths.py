"""OpenAPI descriptions of the UI's own JSON endpoints, merged into ``/api/openapi.json``.

``register_ui`` adds these to ``app.extensions["openapi_paths"]``, which the emulator's OpenAPI
document includes, so every ``/api`` route stays documented.
"""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/responses/Error"}
_JSON_OBJECT: dict[str, Any] = {"type": "object"}


def _op(summary: str, *, body: dict[str, Any] | None = None, ok: str = "200",
        errors: tuple[str, ...] = ("400", "422")) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {ok: {"description": "OK", "content": {"application/json": {"schema": _JSON_OBJECT}}}},
    }
    for code in errors:
        op["responses"][code] = _ERROR
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


_APP_OPERATION = {"app": {"type": "string"}, "operation": {"type": "string"}}

UI_OPENAPI_PATHS: dict[str, Any] = {
    "/api/mapping/preview": {
        "post": _op(
            "Render, coerce and validate an unsaved field mapping against a trigger sample (live preview)",
            body={
                "type": "object",
                "required": ["app", "operation"],
                "properties": {
                    **_APP_OPERATION,
                    "mapping": {"type": "object", "description": "input field key -> template"},
                    "trigger": {"type": "object", "description": "the trigger sample"},
                    "steps": {"type": "object", "description": "earlier step key -> its output"},
                },
            },
        ),
    },
    "/api/choices": {
        "post": _op(
            "Choices for a field with dynamic choices, fetched live through its source operation",
            body={
                "type": "object",
                "required": ["app", "operation", "field"],
                "properties": {**_APP_OPERATION, "field": {"type": "string"},
                               "connection_id": {"type": ["string", "null"]}},
            },
        ),
    },
    "/api/sandboxes": {"get": _op("The sandboxes this emulator runs, with their URLs", errors=())},
    "/api/sandboxes/okta/users": {
        "post": _op(
            "Create (and activate) a user in the Okta sandbox through its API; missing profile fields are generated",
            body={"type": "object", "properties": {k: {"type": "string"} for k in (
                "firstName", "lastName", "email", "login", "title", "department", "mobilePhone")}},
            ok="201", errors=("400", "404", "422", "502"),
        ),
    },
    "/api/sandboxes/personio/employees": {
        "post": _op(
            "Create an employee in the Personio sandbox through its API; missing fields are generated",
            body={"type": "object", "additionalProperties": False, "properties": {k: {"type": "string"} for k in (
                "first_name", "last_name", "email", "department", "position")}},
            ok="201", errors=("400", "404", "422", "429", "502"),
        ),
        "get": {
            **_op("The newest employees of the Personio sandbox, newest first", errors=("404", "422", "429", "502")),
            "parameters": [{"name": "limit", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}}],
        },
    },
    "/api/sandboxes/contacts/contacts": {
        "get": {
            **_op("The newest contacts of the Contacts sandbox location", errors=("404", "502")),
            "parameters": [{"name": "query", "in": "query", "required": False, "schema": {"type": "string"}}],
        },
    },
}
