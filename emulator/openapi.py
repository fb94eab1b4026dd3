"""The OpenAPI 3.1 description of the emulator's JSON API and hook ingress.

Hand-written as data so it reads like the reference it is; a test checks that every registered
``/api`` route appears here, so a new endpoint cannot ship undocumented.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_ERROR = {"$ref": "#/components/responses/Error"}
_OBJ: dict[str, Any] = {"type": "object"}


def _op(summary: str, *, body: str | None = None, ok: str = "200", errors: tuple[str, ...] = ("404",),
        params: tuple[str, ...] = ()) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {ok: {"description": "OK", "content": {"application/json": {"schema": _OBJ}}}},
    }
    for code in errors:
        op["responses"][code] = _ERROR
    if body:
        op["requestBody"] = {
            "required": body.endswith("!"),
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body.rstrip('!')}"}}},
        }
    if params:
        op["parameters"] = [{"$ref": f"#/components/parameters/{p}"} for p in params]
    return op


_PATHS: dict[str, Any] = {
    "/api/connections": {
        "get": _op("List connections (secrets masked)", errors=()),
        "post": _op("Add a connection: the credential is tested first and saved only when it works",
                    ok="201", errors=("400", "422")),
    },
    "/api/connections/{connection_id}": {
        "parameters": [{"name": "connection_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "get": _op("One connection (secrets masked)"),
        "delete": _op("Delete a connection", ok="204"),
    },
    "/api/connections/{connection_id}/test": {
        "parameters": [{"name": "connection_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "post": _op("Run the connection test and refresh the label"),
    },
    "/api/connections/oauth/start": {
        "post": _op("Start the OAuth 2.0 authorization-code flow (PKCE S256, state); returns the authorize URL",
                    errors=("400", "422")),
    },
    "/connections/oauth/callback": {
        "get": {
            "summary": "Where the authorization server returns the browser; saves the connection and redirects",
            "responses": {"302": {"description": "Back to the connections page, with the outcome"}},
        },
    },
    "/api/flows": {
        "get": _op("List flows", errors=()),
        "post": _op("Create a flow", body="FlowInput!", ok="201", errors=("400", "422")),
    },
    "/api/flows/{flow_id}": {
        "parameters": [{"$ref": "#/components/parameters/flow_id"}],
        "get": _op("A flow"),
        "patch": _op("Change a flow's name, trigger (when off), steps, interval or notification URL", body="FlowInput!",
                     errors=("400", "404", "409", "422")),
        "delete": _op("Turn a flow off and delete it with its runs"),
    },
    "/api/flows/{flow_id}/on": {
        "parameters": [{"$ref": "#/components/parameters/flow_id"}],
        "post": _op("Turn on: seed the dedupe record (poll) or subscribe (hook); resume when paused",
                    errors=("404", "422", "502")),
    },
    "/api/flows/{flow_id}/off": {
        "parameters": [{"$ref": "#/components/parameters/flow_id"}],
        "post": _op("Turn off: unsubscribe, clear the dedupe record, stop polling"),
    },
    "/api/flows/{flow_id}/poll": {
        "parameters": [{"$ref": "#/components/parameters/flow_id"}],
        "post": _op("Poll now instead of waiting for the interval", errors=("404", "409", "502")),
    },
    "/api/flows/{flow_id}/test-trigger": {
        "parameters": [{"$ref": "#/components/parameters/flow_id"}],
        "post": _op("The newest few trigger items, without touching the dedupe record", errors=("404", "422")),
    },
    "/api/flows/{flow_id}/steps/{index}/test": {
        "parameters": [{"$ref": "#/components/parameters/flow_id"}, {"$ref": "#/components/parameters/index"}],
        "post": _op("Render one step's mapping against a sample and run it once", body="SampleInput",
                    errors=("400", "404", "422")),
    },
    "/api/flows/{flow_id}/preview": {
        "parameters": [{"$ref": "#/components/parameters/flow_id"}],
        "post": _op("What each step would receive for a sample, with problems per field", body="SampleInput",
                    errors=("400", "404", "422")),
    },
    "/api/flows/{flow_id}/held/release": {
        "parameters": [{"$ref": "#/components/parameters/flow_id"}],
        "post": _op("Let runs held by flood protection go ahead"),
    },
    "/api/flows/{flow_id}/held/discard": {
        "parameters": [{"$ref": "#/components/parameters/flow_id"}],
        "post": _op("Discard runs held by flood protection"),
    },
    "/api/flows/{flow_id}/deliveries": {
        "parameters": [{"$ref": "#/components/parameters/flow_id"}],
        "get": _op("Hook deliveries received for a flow, newest first (credential headers are not kept); "
                   "filter by status, page with limit and offset", errors=("404", "422"),
                   params=("delivery_status", "limit", "offset")),
    },
    "/api/flows/{flow_id}/deliveries/{delivery_id}/replay": {
        "parameters": [
            {"$ref": "#/components/parameters/flow_id"},
            {"name": "delivery_id", "in": "path", "required": True, "schema": {"type": "string"}},
        ],
        "post": _op("Process a failed delivery again with a fresh budget of tries; items already seen "
                    "do not fire twice", errors=("404", "409")),
    },
    "/api/runs": {
        "get": _op("Run history, newest first", errors=("404", "422"), params=("flow", "status", "limit", "offset")),
    },
    "/api/runs/{run_id}": {
        "parameters": [{"$ref": "#/components/parameters/run_id"}],
        "get": _op("A run with its steps: rendered input, output, trace, error, attempts, timing"),
    },
    "/api/runs/{run_id}/replay": {
        "parameters": [{"$ref": "#/components/parameters/run_id"}],
        "post": _op("Run the failed or waiting steps again; never the trigger or succeeded steps",
                    errors=("404", "409")),
    },
    "/api/trials/trigger": {
        "post": _op("Test the trigger of an unsaved flow", body="DraftFlow!", errors=("400", "422")),
    },
    "/api/trials/steps/{index}/test": {
        "parameters": [{"$ref": "#/components/parameters/index"}],
        "post": _op("Test one step of an unsaved flow against a sample", body="DraftFlow!",
                    errors=("400", "404", "422")),
    },
    "/api/trials/preview": {
        "post": _op("Preview the mappings of an unsaved flow", body="DraftFlow!", errors=("400", "422")),
    },
    "/api/apps": {"get": _op("Installed apps with operations, fields, samples and sample tokens", errors=())},
    "/api/apps/{app_key}": {
        "parameters": [{"in": "path", "name": "app_key", "required": True, "schema": {"type": "string"}}],
        "get": _op("One app"),
    },
    "/api/openapi.json": {"get": _op("This document", errors=())},
    "/hooks/{flow_id}": {
        "parameters": [{"$ref": "#/components/parameters/flow_id"}],
        "get": _op("Vendor handshake (e.g. Okta's x-okta-verification-challenge)", errors=("401", "410", "413")),
        "post": _op("A hook delivery: authenticated, stored, then acknowledged", errors=("401", "410", "413")),
    },
    "/hooks/apps/{app_key}": {
        "parameters": [{"in": "path", "name": "app_key", "required": True, "schema": {"type": "string"}}],
        "post": _op(
            "An app-level delivery (HighLevel's app webhook): routed by account to every matching flow, "
            "authenticated, stored, then acknowledged",
            errors=("400", "401", "404", "413"),
        ),
    },
}

_STEP = {
    "type": "object",
    "required": ["app", "operation"],
    "properties": {
        "key": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$"},
        "app": {"type": "string"},
        "operation": {"type": "string"},
        "connection_id": {"type": ["string", "null"]},
        "mapping": {"type": "object", "description": "field key -> template such as {{trigger.profile.email}}"},
    },
}

_COMPONENTS: dict[str, Any] = {
    "schemas": {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {"message": {"type": "string"}, "field": {"type": ["string", "null"]}},
                }
            },
        },
        "FlowInput": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string"},
                "trigger": {
                    "type": "object",
                    "required": ["app", "operation"],
                    "properties": {
                        "app": {"type": "string"},
                        "operation": {"type": "string"},
                        "input": {"type": "object"},
                        "connection_id": {"type": ["string", "null"]},
                    },
                },
                "steps": {"type": "array", "items": _STEP},
                "interval_seconds": {"type": "number", "exclusiveMinimum": 0},
                "notify_url": {
                    "type": ["string", "null"],
                    "description": "Where a JSON notice is POSTed when the flow fails or is paused (null removes "
                                   "it); checked by the outbound guard like every URL the emulator calls",
                },
            },
        },
        "DraftFlow": {
            "allOf": [{"$ref": "#/components/schemas/FlowInput"}],
            "properties": {"sample": {"type": "object"}},
            "required": ["trigger"],
        },
        "SampleInput": {"type": "object", "properties": {"sample": {"type": "object"}}},
    },
    "responses": {
        "Error": {
            "description": "An error naming the field at fault",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    },
    "parameters": {
        "flow_id": {"in": "path", "name": "flow_id", "required": True, "schema": {"type": "string"}},
        "run_id": {"in": "path", "name": "run_id", "required": True, "schema": {"type": "string"}},
        "index": {"in": "path", "name": "index", "required": True, "schema": {"type": "integer", "minimum": 0}},
        "flow": {"in": "query", "name": "flow", "schema": {"type": "string"}},
        "status": {
            "in": "query", "name": "status",
            "schema": {"enum": ["pending", "running", "succeeded", "failed", "halted", "held", "waiting_retry",
                                "discarded"]},
        },
        "delivery_status": {
            "in": "query", "name": "status", "schema": {"enum": ["received", "waiting_retry", "processed", "failed"]},
        },
        "limit": {"in": "query", "name": "limit", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
        "offset": {"in": "query", "name": "offset", "schema": {"type": "integer", "minimum": 0}},
    },
}


def openapi_document(server_url: str = "/", extra_paths: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document for this emulator.

    Args:
        extra_paths: paths other blueprints add (``app.extensions["openapi_paths"]``), so a part of
            the API registered outside this package documents itself next to its routes.
    """
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Connector emulator API",
            "version": "1.0.0",
            "description": "Flows, runs, replays, trials and the app catalogue of the local connector platform.",
        },
        "servers": [{"url": server_url}],
        "paths": {**_PATHS, **(extra_paths or {})},
        "components": _COMPONENTS,
    }
