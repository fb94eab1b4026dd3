"""``/api/syncs``: two-way syncs: create, list, read, preview, turn on and off, run a cycle, links, audit log.

The engine lives in :mod:`emulator.sync.engine`; this blueprint only turns HTTP into its calls and
its answers into JSON. :func:`register_syncs` wires the engine to the emulator's store, apps and
connections, runs due syncs on the emulator's scheduler, and documents the routes in the OpenAPI
document.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from connector.errors import BadInput
from emulator.api.errors import ApiError, json_body
from emulator.sync.engine import SyncEngine
from emulator.sync.spec import Side
from emulator.sync.store import AUDIT_COLUMNS, AUDIT_REASONS, SyncStore

bp = Blueprint("api_syncs", __name__, url_prefix="/api/syncs")

_FILTERS = ("reason", "field", "link_id", "direction")


def _engine() -> SyncEngine:
    return current_app.extensions["syncs"]


def _shape(row: dict[str, Any]) -> dict[str, Any]:
    engine = _engine()
    spec = row["spec"]
    return {
        "id": row["id"],
        "name": row["name"],
        "state": row["state"],
        "left": spec["left"],
        "right": spec["right"],
        "fields": spec["fields"],
        "deletion": spec.get("deletion", "ignore"),
        "tie_winner": spec.get("tie_winner", "left"),
        "interval_seconds": spec.get("interval_seconds", 60.0),
        "reconcile_seconds": spec.get("reconcile_seconds", 3600.0),
        "supports": _supports(engine, row),
        "links": engine.store.count_links(row["id"]),
        "last_cycle": row.get("last_cycle"),
        "next_run_at": row.get("next_run_at"),
        "clock_offsets": {side: (row[f"{side}_state"] or {}).get("offset") for side in ("left", "right")},
        "created": row["created"],
    }


def _supports(engine: SyncEngine, row: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return engine.choices(row)
    except BadInput:  # an app no longer installed: the sync is shown, its choices are not
        return None


def _whole(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(422, f"must be a whole number between {low} and {high}, got {raw!r}", name) from None
    if not low <= value <= high:
        raise ApiError(422, f"must be between {low} and {high}, got {value}", name)
    return value


def _audit_filters() -> dict[str, Any]:
    filters = {name: request.args.get(name) or None for name in _FILTERS}
    if filters["reason"] and filters["reason"] not in AUDIT_REASONS:
        raise ApiError(422, f"is {filters['reason']!r}; use one of: {', '.join(AUDIT_REASONS)}", "reason")
    if filters["direction"] and filters["direction"] not in ("left_to_right", "right_to_left", "both"):
        raise ApiError(422, "use left_to_right, right_to_left or both", "direction")
    return filters


@bp.get("")
def list_syncs() -> Any:
    return jsonify({"syncs": [_shape(row) for row in _engine().store.list_syncs()]})


@bp.post("")
def create_sync() -> Any:
    row = _engine().create(json_body())
    return jsonify(_shape(row)), 201


@bp.get("/<sync_id>")
def get_sync(sync_id: str) -> Any:
    return jsonify(_shape(_row(sync_id)))


@bp.patch("/<sync_id>")
def change_sync(sync_id: str) -> Any:
    _row(sync_id)
    return jsonify(_shape(_engine().change(sync_id, json_body())))


@bp.post("/<sync_id>/preview")
def preview(sync_id: str) -> Any:
    _row(sync_id)
    return jsonify(_engine().preview(sync_id))


@bp.post("/<sync_id>/on")
def turn_on(sync_id: str) -> Any:
    _row(sync_id)
    return jsonify(_shape(_engine().turn(sync_id, True)))


@bp.post("/<sync_id>/off")
def turn_off(sync_id: str) -> Any:
    _row(sync_id)
    return jsonify(_shape(_engine().turn(sync_id, False)))


@bp.post("/<sync_id>/run")
def run_cycle(sync_id: str) -> Any:
    _row(sync_id)
    report = _engine().run_cycle(sync_id)
    return jsonify({"cycle": report.to_json(), "sync": _shape(_row(sync_id))})


@bp.get("/<sync_id>/links")
def links(sync_id: str) -> Any:
    _row(sync_id)
    status = request.args.get("status") or None
    if status and status not in ("ok", "flagged", "deleted"):
        raise ApiError(422, "use ok, flagged or deleted", "status")
    found = _engine().store.all_links(sync_id, status=status, limit=_whole("limit", 200, 1, 1000),
                                      offset=_whole("offset", 0, 0, 10**9))
    return jsonify({"links": found})


@bp.get("/<sync_id>/audit")
def audit(sync_id: str) -> Any:
    _row(sync_id)
    entries = _engine().store.audit_entries(sync_id, **_audit_filters(), limit=_whole("limit", 200, 1, 1000),
                                            offset=_whole("offset", 0, 0, 10**9))
    return jsonify({"entries": entries, "reasons": list(AUDIT_REASONS)})


@bp.get("/<sync_id>/audit/export")
def export_audit(sync_id: str) -> Any:
    """The whole audit log (filters apply), streamed oldest first as CSV or JSON."""
    _row(sync_id)
    kind = request.args.get("format", "csv")
    if kind not in ("csv", "json"):
        raise ApiError(422, "use csv or json", "format")
    entries = _engine().store.iter_audit(sync_id, **_audit_filters())
    name = f"{sync_id}-audit.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if kind == "json":
        return Response(_json_lines(entries), mimetype="application/json", headers=headers)
    return Response(_csv_lines(entries), mimetype="text/csv", headers=headers)


def _json_lines(entries: Iterator[dict[str, Any]]) -> Iterator[str]:
    yield "["
    for index, entry in enumerate(entries):
        yield ("," if index else "") + json.dumps(entry, sort_keys=True, default=str)
    yield "]\n"


def _csv_lines(entries: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_COLUMNS)
    yield buffer.getvalue()
    for entry in entries:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(entry.get(column)) for column in AUDIT_COLUMNS])
        yield buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    # A spreadsheet runs a cell that starts like a formula; vendors' values are not to be trusted.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _row(sync_id: str) -> dict[str, Any]:
    row = _engine().store.get_sync(sync_id)
    if row is None:
        raise ApiError(404, f"sync {sync_id!r} does not exist; list syncs with GET /api/syncs", "sync_id")
    return row


def register_syncs(app: Flask) -> SyncEngine:
    """Give ``app`` its sync engine, the ``/api/syncs`` routes, their OpenAPI paths and scheduled cycles."""
    emulator = app.extensions["emulator"]
    invoker = emulator.invoker

    def connection_for(side: Side) -> Any:
        return invoker.connection(side.connection_id, side.app, f"{side.app}.connection_id")

    engine = SyncEngine(SyncStore(emulator.store), invoker.apps, connection_for, clock=emulator.clock)
    app.extensions["syncs"] = engine
    app.register_blueprint(bp)
    app.extensions.setdefault("openapi_paths", {}).update(SYNC_OPENAPI_PATHS)

    def run_due_syncs(now: float) -> None:
        for sync_id in engine.store.due_syncs(now):
            try:
                engine.run_cycle(sync_id)
            except BadInput as error:  # a sync whose connection is gone: off, with the reason kept
                engine.store.update_sync(sync_id, state="off", last_cycle={"at": now, "errors": [str(error)]})

    emulator.scheduler.also.append(run_due_syncs)
    return engine


_ERROR = {"$ref": "#/components/responses/Error"}
_SYNC_ID = [{"name": "sync_id", "in": "path", "required": True, "schema": {"type": "string"}}]


def _op(summary: str, *, ok: str = "200", errors: tuple[str, ...] = ("404",), body: dict[str, Any] | None = None,
        query: tuple[str, ...] = (), content: str = "application/json") -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {ok: {"description": "OK", "content": {content: {"schema": {"type": "object"}}}}},
    }
    for code in (*errors, "401"):  # 401: no access token
        op["responses"][code] = _ERROR
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        op["responses"]["400"] = _ERROR
    if query:
        op["parameters"] = [{"name": name, "in": "query", "schema": _QUERY[name]} for name in query]
    return op


_QUERY: dict[str, Any] = {
    "status": {"enum": ["ok", "flagged", "deleted"]},
    "limit": {"type": "integer", "minimum": 1, "maximum": 1000},
    "offset": {"type": "integer", "minimum": 0, "maximum": 10**9},
    "reason": {"enum": list(AUDIT_REASONS)},
    "field": {"type": "string"},
    "link_id": {"type": "string"},
    "direction": {"enum": ["left_to_right", "right_to_left", "both"]},
    "format": {"enum": ["csv", "json"]},
}


_TEXT = {"type": "string", "minLength": 1, "pattern": "\\S"}
_SIDE = {
    "type": "object",
    "required": ["app", "record_type"],
    "properties": {
        "app": _TEXT,
        "connection_id": {"type": ["string", "null"]},
        "record_type": {**_TEXT, "description": "APP.RECORD_TYPE: a record type the app declares (App.record_types)"},
        "new_records": {"enum": ["create", "link_only"]},
    },
}
_SYNC_INPUT = {
    "type": "object",
    "required": ["name", "left", "right", "fields"],
    "properties": {
        "name": _TEXT,
        "left": _SIDE,
        "right": _SIDE,
        "fields": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["left", "right"],
            "properties": {
                "left": _TEXT, "right": _TEXT,
                "direction": {"enum": ["both", "left_to_right", "right_to_left", "none"]},
                "to_right": {"description": "template over {left, right}, e.g. {{left.first_name}}"},
                "to_left": {"description": "template over {left, right}"},
                "left_prefix": {"type": "string"}, "right_prefix": {"type": "string"},
                "transform": {
                    "description": "a transform with a declared inverse, so the field can sync both ways",
                    "oneOf": [{"enum": ["lowercase", "uppercase"]}, {
                        "type": "object", "required": ["name"],
                        "properties": {"name": {"enum": ["lowercase", "uppercase", "prefix", "suffix"]},
                                       "value": {"type": "string"}},
                    }],
                },
            },
        }},
        "deletion": {"enum": ["ignore", "flag", "mirror", "mirror_left_to_right", "mirror_right_to_left"]},
        "tie_winner": {"enum": ["left", "right"]},
        "interval_seconds": {"type": "number", "minimum": 1, "maximum": 86400},
        "reconcile_seconds": {"type": "number", "minimum": 1, "maximum": 604800,
                              "description": "seconds between full listings, which find deleted records"},
    },
}
_SYNC_CHANGE = {**_SYNC_INPUT, "required": []}

SYNC_OPENAPI_PATHS: dict[str, Any] = {
    "/api/syncs": {
        "get": _op("List two-way syncs", errors=()),
        "post": _op("Create a two-way sync (off until turned on)", ok="201", errors=("400", "422"), body=_SYNC_INPUT),
    },
    "/api/syncs/{sync_id}": {
        "parameters": _SYNC_ID,
        "get": _op("One sync: sides, field map, state, last cycle, and what its record types support"),
        "patch": _op("Change a sync's settings (deletion policy, tie rule, intervals, field map); sides are fixed",
                     errors=("404", "422"), body=_SYNC_CHANGE),
    },
    "/api/syncs/{sync_id}/preview": {
        "parameters": _SYNC_ID,
        "post": _op("What the next cycle would link, create, update, and which fields conflict; writes nothing"),
    },
    "/api/syncs/{sync_id}/on": {"parameters": _SYNC_ID, "post": _op("Turn the sync on (cycles on the scheduler)")},
    "/api/syncs/{sync_id}/off": {"parameters": _SYNC_ID, "post": _op("Turn the sync off")},
    "/api/syncs/{sync_id}/run": {"parameters": _SYNC_ID, "post": _op("Run one cycle now and report what it did")},
    "/api/syncs/{sync_id}/links": {
        "parameters": _SYNC_ID,
        "get": _op("Linked pairs with their status and conflicts", errors=("404", "422"),
                   query=("status", "limit", "offset")),
    },
    "/api/syncs/{sync_id}/audit": {
        "parameters": _SYNC_ID,
        "get": _op("The audit log, newest first, filtered by reason, field, link or direction",
                   errors=("404", "422"), query=("reason", "field", "link_id", "direction", "limit", "offset")),
    },
    "/api/syncs/{sync_id}/audit/export": {
        "parameters": _SYNC_ID,
        "get": _op("The whole audit log as CSV or JSON (filters apply)", errors=("404", "422"),
                   query=("format", "reason", "field", "link_id", "direction"), content="text/csv"),
    },
}
