"""The employee endpoints: list (offset paging, email, updated_since, attributes[]), read, create, update.

Listing order is by id, which is creation order, so offset paging is stable while employees change.
``updated_since`` keeps employees whose ``last_modified_at`` is at or after the given instant
(inclusive: Personio does not say; inclusive means a client that re-asks from its last seen time
never misses a change made in that same second). Since Personio's 2025 pagination enforcement,
``limit``/``offset`` apply with every filter, ``updated_since`` included.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request

from sandboxes.personio.access import readable_attributes
from sandboxes.personio.attributes import AttributeSpec, parse_datetime, render_employee
from sandboxes.personio.employee_store import EmployeeStore, Record
from sandboxes.personio.errors import PersonioApiError, invalid

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


def _whole_number(name: str, default: int, low: int, high: int | None = None) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        span = f"between {low} and {high}" if high is not None else f"{low} or more"
        raise invalid(name, f"must be a whole number {span}, got {raw!r}")
    return value


def _updated_since() -> float | None:
    raw = request.args.get("updated_since")
    if not raw:
        return None
    try:
        return parse_datetime(raw)
    except ValueError:
        raise invalid("updated_since",
                      f"must be an ISO 8601 date-time such as 2026-01-31T08:15:30, got {raw!r}") from None


def _wanted() -> set[str] | None:
    """Attributes to return: ``attributes[]`` (or ``attributes``) narrowed by the credential's whitelist."""
    asked = request.args.getlist("attributes[]") or request.args.getlist("attributes")
    wanted = {a for item in asked for a in item.split(",") if a} or None
    allowed = readable_attributes()
    if allowed is None:
        return wanted
    return set(allowed) if wanted is None else wanted & set(allowed)


def employees_blueprint(store: EmployeeStore, specs: Callable[[], tuple[AttributeSpec, ...]]) -> Blueprint:
    blueprint = Blueprint("personio_employees", __name__)

    def shown(record: Record, wanted: set[str] | None) -> dict[str, Any]:
        return render_employee(record, specs(), store.groups, wanted)

    def parse_id(raw: str) -> int:
        if not raw.isdigit():
            raise PersonioApiError(404, f"Employee {raw!r} was not found: employee ids are whole numbers.")
        return int(raw)

    @blueprint.get("/v1/company/employees")
    def list_employees() -> Response:
        limit = _whole_number("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        offset = _whole_number("offset", 0, 0)
        since = _updated_since()
        email = request.args.get("email") or None
        wanted = _wanted()
        with store.lock:
            matching = store.matching(email=None if since is not None else email, updated_since=since)
            page = [shown(record, wanted) for record in matching[offset: offset + limit]]
        total = len(matching)
        return jsonify(
            success=True,
            metadata={"total_elements": total, "current_page": offset // limit,
                      "total_pages": math.ceil(total / limit)},
            offset=offset,
            limit=limit,
            data=page,
        )

    @blueprint.get("/v1/company/employees/<employee_id>")
    def get_employee(employee_id: str) -> Response:
        with store.lock:
            return jsonify(success=True, data=shown(store.get(parse_id(employee_id)), _wanted()))

    @blueprint.post("/v1/company/employees")
    def create_employee() -> Response:
        record = store.create(request.get_json(silent=True))
        return jsonify(success=True, data={"id": record["id"], "message": "success"})

    @blueprint.patch("/v1/company/employees/<employee_id>")
    def update_employee(employee_id: str) -> Response:
        record, notes = store.update(parse_id(employee_id), request.get_json(silent=True))
        return jsonify(success=True, data={"id": record["id"]}, meta=notes)

    return blueprint
