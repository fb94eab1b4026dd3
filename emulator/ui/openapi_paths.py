"""OpenAPI descriptions of the UI's own JSON endpoints, merged into ``/api/openapi.json``.

``register_ui`` adds these to ``app.extensions["openapi_paths"]``, which the emulator's OpenAPI
document includes, so every ``/api`` route stays documented.
"""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/responses/Error"}
_JSON_OBJECT: dict[str, Any] = {"type": "object"}


def operation(summary: str, *, body: dict[str, Any] | None = None, ok: str = "200",
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


_APP_OPERATION = {"app": {"$ref": "#/components/schemas/AppKey"},
                  "operation": {"$ref": "#/components/schemas/StepOperationKey"}}

UI_OPENAPI_PATHS: dict[str, Any] = {
    "/api/mapping/preview": {
        "post": operation(
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
        "post": operation(
            "Choices for a field with dynamic choices, fetched live through its source operation",
            body={
                "type": "object",
                "required": ["app", "operation", "field"],
                "properties": {**_APP_OPERATION, "field": {"type": "string"},
                               "connection_id": {"type": ["string", "null"]}},
            },
        ),
    },
}
