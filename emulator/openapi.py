"""The OpenAPI 3.1 description of the emulator's JSON API and hook ingress.

Hand-written as data so it reads like the reference it is; a test checks that every registered
``/api`` route appears here, so a new endpoint cannot ship undocumented.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connector.definitions import App

_ERROR = {"$ref": "#/components/responses/Error"}
_OBJ: dict[str, Any] = {"type": "object"}


def _op(summary: str, *, body: str | None = None, ok: str = "200", errors: tuple[str, ...] = ("404",),
        params: tuple[str, ...] = ()) -> dict[str, Any]:
    """One operation: its OK answer, its errors, and 401 (no access token) on every one.

    ``body="Name!"`` is a required JSON body of schema ``Name``; a required body also documents the
    400 its absence (or broken JSON) gets.
    """
    answer = {"description": "No content"} if ok == "204" else {
        "description": "OK", "content": {"application/json": {"schema": _OBJ}}}
    op: dict[str, Any] = {"summary": summary, "responses": {ok: answer}}
    for code in (*errors, "401"):
        op["responses"][code] = _ERROR
    if body:
        op["requestBody"] = {
            "required": body.endswith("!"),
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body.rstrip('!')}"}}},
        }
        if body.endswith("!"):
            op["responses"]["400"] = _ERROR
    if params:
        op["parameters"] = [{"$ref": f"#/components/parameters/{p}"} for p in params]
    return op


_PATHS: dict[str, Any] = {
    "/api/connections": {
        "get": _op("List connections (secrets masked)", errors=()),
        "post": _op("Add a connection: the credential is tested first and saved only when it works",
                    body="ConnectionInput!", ok="201", errors=("400", "422")),
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
                    body="OAuthStart!", errors=("400", "422")),
    },
    "/connections/oauth/callback": {
        "get": {
            "summary": "Where the authorization server returns the browser; saves the connection and redirects",
            "responses": {"302": {"description": "Back to the connections page, with the outcome (or to the "
                                                 "login page when the browser is not signed in)"}},
            "security": [],  # a browser page: its signed-in session, never the API token
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
        "get": {**_op("Vendor handshake (a verification challenge the trigger answers); 410 when the flow is off or "
                      "unknown (REST-hook vendors stop sending)", errors=("401", "410", "413")),
                "security": []},
        "post": {**_op("A hook delivery: authenticated by its trigger, stored, then acknowledged; 410 when the flow "
                       "is off or unknown, 503 when it could not be stored", errors=("401", "410", "413", "503")),
                 "security": []},
    },
    "/hooks/apps/{app_key}": {
        "parameters": [{"in": "path", "name": "app_key", "required": True, "schema": {"type": "string"}}],
        "post": _op(
            "An app-level delivery (one webhook URL per app, set in the vendor's app settings): routed by account "
            "to every matching flow, "
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
        "app": {"$ref": "#/components/schemas/AppKey"},
        "operation": {"$ref": "#/components/schemas/StepOperationKey"},
        "connection_id": {"type": ["string", "null"], "pattern": "\\S"},
        "mapping": {"type": ["object", "null"],
                    "description": "field key -> template such as {{trigger.profile.email}}; null for none"},
    },
}

#: The editable fields of a flow, shared by saved flows and drafts tried before saving.
_FLOW_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "pattern": "\\S", "maxLength": 200},
    "trigger": {
        "type": "object",
        "required": ["app", "operation"],
        "properties": {
            "app": {"$ref": "#/components/schemas/AppKey"},
            "operation": {"$ref": "#/components/schemas/TriggerKey"},
            "input": {"type": ["object", "null"], "description": "the trigger's input; null for none"},
            "connection_id": {"type": ["string", "null"], "pattern": "\\S"},
        },
    },
    "steps": {"type": "array", "items": _STEP},
    "interval_seconds": {"type": "number", "minimum": 0.05, "maximum": 604800},
    "notify_url": {
        "type": ["string", "null"],
        "description": "Where a JSON notice is POSTed when the flow fails or is paused (null removes it); checked "
                       "by the outbound guard like every URL the emulator calls",
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
            "examples": [{"name": "New recipe", "interval_seconds": 60, "steps": [],
                          "trigger": {"app": "recipes", "operation": "new_recipe", "input": {},
                                      "connection_id": None}}],
            "properties": _FLOW_FIELDS,
        },
        "DraftFlow": {
            "type": "object",
            "additionalProperties": False,
            "required": ["trigger"],
            "properties": {  # a draft is tried, never stored: it has no notification URL
                **{name: schema for name, schema in _FLOW_FIELDS.items() if name != "notify_url"},
                "sample": {"type": ["object", "null"], "description": "one trigger item; default: the trigger's"},
            },
        },
        "SampleInput": {"type": "object", "properties": {"sample": {"type": "object"}}},
        "ConnectionInput": {
            "type": "object",
            "required": ["app", "name", "fields"],
            "properties": {
                "app": {"$ref": "#/components/schemas/AppKey"},
                "name": {"type": "string", "minLength": 1, "maxLength": 200},
                "fields": {"type": "object", "description": "the app's auth fields, e.g. org_url and api_token",
                           "additionalProperties": {"type": ["string", "number", "boolean"]}},
            },
        },
        "OAuthStart": {
            "type": "object",
            "required": ["app"],
            "properties": {"app": {"$ref": "#/components/schemas/AppKey"},
                           "name": {"type": ["string", "null"], "description": "default: '<app> (OAuth)'"}},
        },
        "AppKey": {"type": "string", "minLength": 1, "description": "an installed app (see /api/apps)"},
        "TriggerKey": {"type": "string", "minLength": 1, "description": "a trigger of the app (see /api/apps)"},
        "StepOperationKey": {"type": "string", "minLength": 1,
                             "description": "an action or search of the step's app (see /api/apps)"},
    },
    "securitySchemes": {
        "accessToken": {
            "type": "apiKey", "in": "header", "name": "X-Emulator-Token",
            "description": "This install's access token, printed by `connector emulate` (data/access.token)",
        },
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
        "offset": {"in": "query", "name": "offset", "schema": {"type": "integer", "minimum": 0, "maximum": 10**9}},
    },
}


def openapi_document(
    server_url: str = "/", extra_paths: Mapping[str, Any] | None = None, apps: Mapping[str, App] | None = None
) -> dict[str, Any]:
    """The OpenAPI 3.1 document for this emulator.

    Args:
        extra_paths: paths other blueprints add (``app.extensions["openapi_paths"]``), so a part of
            the API registered outside this package documents itself next to its routes.
        apps: the installed apps; fields that name an app or an operation list them.
    """
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Connector emulator API",
            "version": "1.0.0",
            "description": "Flows, runs, replays, trials and the app catalogue of the local connector platform.",
        },
        "servers": [{"url": server_url}],
        "security": [{"accessToken": []}],
        "paths": _with_links({**_PATHS, **(extra_paths or {})}),
        "components": _with_app_keys(_COMPONENTS, apps or {}),
    }


def _with_app_keys(components: dict[str, Any], apps: Mapping[str, App]) -> dict[str, Any]:
    """The components with app and operation keys narrowed to what this emulator has installed.

    Which operation belongs to which app is checked by the API (422), not by this document.
    """
    if not apps:
        return components
    schemas = dict(components["schemas"])
    example = _flow_example(apps)
    if example is not None:
        schemas["FlowInput"] = {**schemas["FlowInput"], "examples": [example]}
    enums = {
        "AppKey": sorted(apps),
        "TriggerKey": sorted({t.key for app in apps.values() for t in app.triggers}),
        "StepOperationKey": sorted({
            o.key for app in apps.values() for o in (*app.actions, *app.searches, *app.search_or_creates)
        }),
    }
    for name, values in enums.items():
        schemas[name] = {**schemas[name], "enum": values}
    return {**components, "schemas": schemas}


def _flow_example(apps: Mapping[str, App]) -> dict[str, Any] | None:
    """A flow an installed app can run as it is: the first trigger (by app key) that needs no input."""
    for key in sorted(apps):
        for trigger in apps[key].triggers:
            if not trigger.hidden and not any(f.required for f in trigger.input_fields):
                return {"name": f"{trigger.label} ({apps[key].name})", "interval_seconds": 60, "steps": [],
                        "trigger": {"app": key, "operation": trigger.key, "input": {}, "connection_id": None}}
    return None


def _ref(path: str, method: str) -> str:
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


#: Where an id a response hands out can be used next: create -> read -> change -> delete chains that
#: clients (and schemathesis's stateful phase) can follow. Each entry: the answer that hands the id out
#: (path, method, status, runtime expression, target parameter) and the links named after what they do.
_FLOW = "/api/flows/{flow_id}"
_LINKS: tuple[tuple[str, str, str, str, str, tuple[tuple[str, str, str], ...]], ...] = (
    ("/api/flows", "post", "201", "$response.body#/id", "flow_id", (
        ("ReadTheNewFlow", _FLOW, "get"), ("ChangeTheNewFlow", _FLOW, "patch"),
        ("DeleteTheNewFlow", _FLOW, "delete"), ("TurnTheNewFlowOn", _FLOW + "/on", "post"),
        ("TurnTheNewFlowOff", _FLOW + "/off", "post"), ("PollTheNewFlow", _FLOW + "/poll", "post"),
        ("TestTheNewFlowsTrigger", _FLOW + "/test-trigger", "post"),
        ("PreviewTheNewFlow", _FLOW + "/preview", "post"),
        ("TestAStepOfTheNewFlow", _FLOW + "/steps/{index}/test", "post"),
        ("ReleaseTheNewFlowsHeldRuns", _FLOW + "/held/release", "post"),
        ("DiscardTheNewFlowsHeldRuns", _FLOW + "/held/discard", "post"),
        ("ListTheNewFlowsDeliveries", _FLOW + "/deliveries", "get"),
        ("HandshakeOnTheNewFlowsHook", "/hooks/{flow_id}", "get"),
        ("DeliverToTheNewFlowsHook", "/hooks/{flow_id}", "post"),
    )),
    ("/api/flows", "post", "201", "$response.body#/id", "flow", (("ListTheNewFlowsRuns", "/api/runs", "get"),)),
    ("/api/flows", "get", "200", "$response.body#/flows/0/id", "flow_id", (
        ("ReadTheFirstFlow", _FLOW, "get"), ("ChangeTheFirstFlow", _FLOW, "patch"),
        ("DeleteTheFirstFlow", _FLOW, "delete"),
    )),
    (_FLOW, "patch", "200", "$response.body#/id", "flow_id", (
        ("ReadTheChangedFlow", _FLOW, "get"), ("DeleteTheChangedFlow", _FLOW, "delete"),
    )),
    (_FLOW + "/on", "post", "200", "$response.body#/id", "flow_id",
     (("TurnTheFlowOffAgain", _FLOW + "/off", "post"),)),
    ("/api/connections", "post", "201", "$response.body#/connection/id", "connection_id", (
        ("ReadTheNewConnection", "/api/connections/{connection_id}", "get"),
        ("TestTheNewConnection", "/api/connections/{connection_id}/test", "post"),
        ("DeleteTheNewConnection", "/api/connections/{connection_id}", "delete"),
    )),
    ("/api/connections", "get", "200", "$response.body#/connections/0/id", "connection_id", (
        ("ReadTheFirstConnection", "/api/connections/{connection_id}", "get"),
        ("TestTheFirstConnection", "/api/connections/{connection_id}/test", "post"),
    )),
    ("/api/runs", "get", "200", "$response.body#/runs/0/id", "run_id", (
        ("ReadTheNewestRun", "/api/runs/{run_id}", "get"), ("ReplayTheNewestRun", "/api/runs/{run_id}/replay", "post"),
    )),
    ("/api/apps", "get", "200", "$response.body#/apps/0/key", "app_key",
     (("ReadTheFirstApp", "/api/apps/{app_key}", "get"),)),
)


def _with_links(paths: dict[str, Any]) -> dict[str, Any]:
    """``paths`` with the OpenAPI links of :data:`_LINKS` on the responses that hand the ids out."""
    linked = {path: {method: (dict(op) if isinstance(op, dict) else op) for method, op in item.items()}
              for path, item in paths.items()}
    for source, method, status, expression, parameter, targets in _LINKS:
        if source not in linked:
            continue
        operation = linked[source][method]
        responses = operation["responses"] = dict(operation["responses"])
        response = responses[status] = dict(responses[status])
        links = response["links"] = dict(response.get("links") or {})
        for name, target, target_method in targets:
            if target in linked and target_method in linked[target]:
                links[name] = {"operationRef": _ref(target, target_method), "parameters": {parameter: expression}}
    return linked
