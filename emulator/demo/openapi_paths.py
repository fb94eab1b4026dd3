"""OpenAPI descriptions of the demo's Sandboxes-page endpoints, merged into ``/api/openapi.json``.

Only an emulator that runs the sandboxes (:func:`emulator.demo.build_environment`) serves these routes,
so only it documents them.
"""

from __future__ import annotations

from typing import Any

from emulator.ui.openapi_paths import operation

#: An address field of the sandbox forms: an address, or empty/null to have one generated.
_OPTIONAL_EMAIL = {"anyOf": [{"type": "string", "format": "email"}, {"type": "string", "maxLength": 0},
                             {"type": "null"}]}

SANDBOX_OPENAPI_PATHS: dict[str, Any] = {
    "/api/sandboxes": {"get": operation("The sandboxes this emulator runs, with their URLs", errors=())},
    "/api/sandboxes/okta/users": {
        "post": operation(
            "Create (and activate) a user in the Okta sandbox through its API; missing profile fields are generated",
            body={"type": "object", "description": "null or empty fields are generated", "properties": {
                **{k: {"type": ["string", "null"]} for k in ("firstName", "lastName", "title", "department",
                                                             "mobilePhone")},
                "email": _OPTIONAL_EMAIL,
                "login": {"type": ["string", "null"], "description": "default: the email; the org checks its form"}}},
            ok="201", errors=("400", "404", "422", "502"),
        ),
        "get": {
            **operation("The newest users of the Okta sandbox, newest first", errors=("404", "422", "502")),
            "parameters": [{"name": "limit", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 5}}],
        },
    },
    "/api/sandboxes/personio/employees": {
        "post": operation(
            "Create an employee in the Personio sandbox through its API; missing fields are generated",
            body={"type": "object", "additionalProperties": False, "description": "null or empty fields are generated",
                  "properties": {
                      **{k: {"type": ["string", "null"]} for k in ("first_name", "last_name", "department",
                                                                   "position")},
                      "email": _OPTIONAL_EMAIL}},
            ok="201", errors=("400", "404", "422", "429", "502"),
        ),
        "get": {
            **operation("The newest employees of the Personio sandbox, newest first",
                        errors=("404", "422", "429", "502")),
            "parameters": [{"name": "limit", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}}],
        },
    },
    "/api/sandboxes/contacts/contacts": {
        "get": {
            **operation("The newest contacts of the Contacts sandbox location", errors=("404", "502")),
            "parameters": [{"name": "query", "in": "query", "required": False, "schema": {"type": "string"}}],
        },
    },
}
