"""Check a flow description (from the API or the UI) before it is stored.

A flow is a trigger and a list of steps, each step an action or search with a field mapping. Every
problem is reported as :class:`~connector.errors.BadInput` naming the exact field
(``steps[1].mapping.email``), so the API can answer 422 and the UI can point at the input.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from connector.definitions import Action, App, Operation, Search, Trigger
from connector.errors import BadInput, FieldProblem
from connector.mapping import FieldMapping, validate_input
from emulator.store import CONNECTION_ID_LENGTH, FLOW_NAME_LENGTH

STEP_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
DEFAULT_INTERVAL = 60.0
MIN_INTERVAL = 0.05
MAX_INTERVAL = 7 * 24 * 3600.0
EDITABLE = ("name", "trigger", "steps", "interval_seconds")


def _fail(field: str, message: str, value: Any = None) -> BadInput:
    return BadInput([FieldProblem(field, message, value)])


def _object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(field, f"must be an object, got {type(value).__name__}", value)
    return value


def _text(value: Any, field: str, *, required: bool = True, max_length: int | None = None) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(field, "must be a non-empty string", value)
    if max_length is not None and len(value) > max_length:
        # The store's column is this long; PostgreSQL would refuse a longer value with a 500.
        raise _fail(field, f"must be at most {max_length} characters, got {len(value)}", value[:40] + "...")
    return value


def find_operation(apps: Mapping[str, App], app_key: Any, op_key: Any, field: str) -> tuple[App, Operation]:
    """The app and operation a flow names, or BadInput listing what exists."""
    _text(app_key, f"{field}.app")
    _text(op_key, f"{field}.operation")
    app = apps.get(app_key)
    if app is None:
        known = ", ".join(sorted(apps)) or "none installed"
        raise _fail(f"{field}.app", f"unknown app {app_key!r}; known apps: {known}", app_key)
    try:
        return app, app.operation(op_key)
    except BadInput as exc:
        raise _fail(f"{field}.operation", exc.message, op_key) from exc


def _prefixed(exc: BadInput, prefix: str) -> BadInput:
    return BadInput([FieldProblem(f"{prefix}.{p.field}", p.message, p.value) for p in exc.problems])


def check_trigger(apps: Mapping[str, App], value: Any) -> dict[str, Any]:
    """Trigger columns from ``{"app", "operation", "input", "connection_id"}``."""
    spec = _object(value, "trigger")
    _app, op = find_operation(apps, spec.get("app"), spec.get("operation"), "trigger")
    if not isinstance(op, Trigger):
        raise _fail("trigger.operation", f"{op.key!r} is not a trigger; pick one of the app's triggers", op.key)
    given_input = spec.get("input")  # null means no input; "", [] or 0 are mistakes, not "no input"
    raw_input = _object({} if given_input is None else given_input, "trigger.input")
    try:
        validate_input(op.input_fields, raw_input)
    except BadInput as exc:
        raise _prefixed(exc, "trigger.input") from exc
    return {
        "trigger_app": spec["app"],
        "trigger_operation": op.key,
        "trigger_input": raw_input,
        "trigger_connection_id": _text(
            spec.get("connection_id"), "trigger.connection_id", required=False, max_length=CONNECTION_ID_LENGTH
        ),
    }


def check_steps(apps: Mapping[str, App], value: Any) -> list[dict[str, Any]]:
    """Normalised steps: each with a unique key, an action or search, and a mapping that compiles."""
    if not isinstance(value, list):
        raise _fail("steps", f"must be a list of steps, got {type(value).__name__}", value)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, raw in enumerate(value):
        where = f"steps[{n}]"
        step = _object(raw, where)
        key = step.get("key") or f"step{n + 1}"
        if not isinstance(key, str) or not STEP_KEY.match(key):
            raise _fail(f"{where}.key", "must start with a letter and hold only letters, digits and _", key)
        if key in seen:
            raise _fail(f"{where}.key", f"{key!r} is used by an earlier step; step keys must be unique", key)
        seen.add(key)
        _app, op = find_operation(apps, step.get("app"), step.get("operation"), where)
        if not isinstance(op, Action | Search):
            raise _fail(f"{where}.operation", f"{op.key!r} is not an action or a search", op.key)
        given_mapping = step.get("mapping")
        mapping = _object({} if given_mapping is None else given_mapping, f"{where}.mapping")
        try:
            FieldMapping(op.input_fields, mapping)
        except BadInput as exc:
            raise _prefixed(exc, f"{where}.mapping") from exc
        out.append({
            "key": key,
            "app": step["app"],
            "operation": op.key,
            "connection_id": _text(step.get("connection_id"), f"{where}.connection_id", required=False),
            "mapping": mapping,
        })
    return out


def check_interval(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail("interval_seconds", f"must be a number of seconds, got {type(value).__name__}", value)
    if not math.isfinite(value) or value > MAX_INTERVAL:
        raise _fail("interval_seconds", f"must be a finite number of seconds up to {MAX_INTERVAL:g} (a week)", value)
    if value < MIN_INTERVAL:
        raise _fail("interval_seconds", f"must be at least {MIN_INTERVAL} seconds", value)
    return float(value)


def draft_flow(apps: Mapping[str, App], payload: Any) -> dict[str, Any]:
    """A flow described inline (not stored), shaped like a stored row, for trials before saving.

    Only ``trigger`` is required; steps default to none and the name to "Draft".
    """
    body = _object(payload, "body")
    unknown = sorted(set(body) - set(EDITABLE))
    if unknown:  # a typo ("step", "trigger_app") must not be silently left out of the trial
        raise _fail(unknown[0], f"is not a flow field; flows have {', '.join(EDITABLE)}", body[unknown[0]])
    known = {k: body[k] for k in EDITABLE if k in body}
    columns = check_flow(apps, {"name": "Draft", **known})
    return {"id": None, "state": "off", "cursor": None, "subscription": None, **columns}


def check_flow(apps: Mapping[str, App], payload: Any, existing: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Columns for a new flow (``existing`` None) or the changed columns of an existing one.

    Raises:
        BadInput: naming the first field that is wrong.
    """
    body = _object(payload, "body")
    unknown = sorted(set(body) - set(EDITABLE))
    if unknown:
        raise _fail(unknown[0], f"is not a flow field; flows have {', '.join(EDITABLE)}", body[unknown[0]])
    columns: dict[str, Any] = {}
    if existing is None or "name" in body:
        name = _text(body.get("name"), "name", max_length=FLOW_NAME_LENGTH)
        if name is not None and len(name) > 200:
            raise _fail("name", "must be at most 200 characters", name)
        columns["name"] = name
    if existing is None or "trigger" in body:
        if existing is None and "trigger" not in body:
            raise _fail("trigger", "is required: {app, operation, input, connection_id}")
        columns.update(check_trigger(apps, body.get("trigger")))
    if existing is None or "steps" in body:
        columns["steps"] = check_steps(apps, body.get("steps", []))
    if existing is None or "interval_seconds" in body:
        columns["interval_seconds"] = check_interval(body.get("interval_seconds", DEFAULT_INTERVAL))
    return columns
