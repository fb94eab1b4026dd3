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
    for code in (*errors, "401"):  # 401: no access token
        op["responses"][code] = _ERROR
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        op["responses"]["400"] = _ERROR  # no body, or not JSON
        op["responses"]["415"] = _ERROR  # a form or text post: only JSON is taken
    return op


#: An address field of the sandbox forms: an address, or empty/null to have one generated.
_OPTIONAL_EMAIL = {"anyOf": [{"type": "string", "format": "email"}, {"type": "string", "maxLength": 0},
                             {"type": "null"}]}

_APP_OPERATION = {"app": {"$ref": "#/components/schemas/AppKey"},
                  "operation": {"$ref": "#/components/schemas/StepOperationKey"}}

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
            body={"type": "object", "description": "null or empty fields are generated", "properties": {
                **{k: {"type": ["string", "null"]} for k in ("firstName", "lastName", "title", "department",
                                                             "mobilePhone")},
                "email": _OPTIONAL_EMAIL,
                "login": {"type": ["string", "null"], "description": "default: the email; the org checks its form"}}},
            ok="201", errors=("400", "404", "422", "502"),
        ),
        "get": {
            **_op("The newest users of the Okta sandbox, newest first", errors=("404", "422", "502")),
            "parameters": [{"name": "limit", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 5}}],
        },
    },
    "/api/sandboxes/personio/employees": {
        "post": _op(
            "Create an employee in the Personio sandbox through its API; missing fields are generated",
            body={"type": "object", "additionalProperties": False, "description": "null or empty fields are generated",
                  "properties": {
                      **{k: {"type": ["string", "null"]} for k in ("first_name", "last_name", "department",
                                                                   "position")},
                      "email": _OPTIONAL_EMAIL}},
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
