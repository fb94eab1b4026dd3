"""Time-offs (absences counted in days) and time-off types, per Personio's personnel document.

- ``GET /v1/company/time-off-types`` lists the company's types (``limit`` default 200, ``offset``). The
  sandbox company has Paid vacation and Sick leave (days) and Home office (hours); admins add more with
  :meth:`TimeOffStore.define_type`.
- ``GET /v1/company/time-offs`` lists periods overlapping ``start_date..end_date`` (inclusive; both
  optional), created or changed in ``updated_from..updated_to`` (dates, inclusive), of ``employees[]``;
  paged by ``limit`` (default 200) and ``offset``, in id order. ``GET /{id}`` reads one.
- ``POST /v1/company/time-offs`` takes a form (the document's only content type) with ``employee_id``,
  ``time_off_type_id``, ``start_date``, ``end_date``, ``half_day_start``, ``half_day_end`` (all
  required), ``comment`` and ``skip_approval``. Unknown employee or type: 404. Missing or malformed
  fields, an end before the start: 422 with ``error_data`` naming each field. A type counted in hours
  (those go to absence periods) or an overlap with another time-off of the employee: 400, "Error when
  trying to insert absence period". The period starts ``approved``, or ``pending`` with
  ``skip_approval=false`` when the type requires approval.
- ``DELETE /{id}`` removes one (404 when unknown).

What the document leaves open, decided here: ``days_count`` counts Monday to Friday (a half day at
either end counts 0.5; the sandbox knows no holiday calendars or work schedules); dates are rendered
as midnight UTC in the document's ``2017-12-27T00:00:00+0100`` style.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, jsonify, request

from sandboxes.personio.attendances import paged, query_date, query_employees, query_number
from sandboxes.personio.employee_store import EmployeeStore, Record
from sandboxes.personio.errors import PersonioApiError

DEFAULT_LIMIT = 200
INSERT_FAILED = "Error when trying to insert absence period"

#: (name, category, unit, approval_required) of the types every sandbox company starts with.
DEFAULT_TYPES: tuple[tuple[str, str, str, bool], ...] = (
    ("Paid vacation", "paid_vacation", "day", True),
    ("Sick leave", "sick_leave", "day", False),
    ("Home office", "offsite_work", "hour", True),
)
_TRUE, _FALSE = ("true", "1"), ("false", "0")


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _day_stamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00+0000"


def days_count(start: date, end: date, half_start: bool, half_end: bool) -> float:
    """Working days (Monday to Friday) from ``start`` to ``end`` inclusive, half days counted as 0.5."""
    total = 0.0
    day = start
    while day <= end:
        if day.weekday() < 5:
            total += 1
        day += timedelta(days=1)
    for half, day in ((half_start, start), (half_end, end)):
        if half and day.weekday() < 5:
            total -= 0.5
    if start == end and half_start and half_end and start.weekday() < 5:
        total = 0.5
    return max(total, 0.0)


class ValidationFailed(PersonioApiError):
    """A 422 whose ``error_data`` names each refused field."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        super().__init__(422, "The given data failed to pass validation.")
        self.problems = problems


class TimeOffStore:
    """Time-off types and time-off periods of the company, checked against its employees."""

    def __init__(self, clock: Callable[[], float], employees: EmployeeStore) -> None:
        self.clock = clock
        self.employees = employees
        self.lock = threading.RLock()
        self.types: dict[int, dict[str, Any]] = {}
        self.periods: dict[int, dict[str, Any]] = {}
        self._next_type = 1
        self._next_id = 1
        for name, category, unit, approval in DEFAULT_TYPES:
            self.define_type(name, category=category, unit=unit, approval_required=approval)

    def define_type(self, name: str, *, category: str = "other", unit: str = "day",
                    approval_required: bool = False) -> int:
        """Add a time-off type as an admin would in Personio's settings; returns its id."""
        with self.lock:
            type_id = self._next_type
            self.types[type_id] = {"id": type_id, "name": name, "category": category, "unit": unit,
                                   "approval_required": approval_required}
            self._next_type += 1
            return type_id

    def create(self, form: Mapping[str, str]) -> dict[str, Any]:
        values = self._checked(form)
        with self.lock:
            employee = self.employees.records.get(values["employee_id"])
            if employee is None:
                raise PersonioApiError(404, "Employee not found.")
            kind = self.types.get(values["time_off_type_id"])
            if kind is None:
                raise PersonioApiError(404, "Time-off type not found.")
            if kind["unit"] != "day":
                raise PersonioApiError(400, f"{INSERT_FAILED}: the time-off type {kind['name']!r} is counted in "
                                            "hours; hours go to absence periods")
            start, end = values["start_date"], values["end_date"]
            for other in self.periods.values():
                if other["employee_id"] == employee["id"] and other["start"] <= end and start <= other["end"]:
                    raise PersonioApiError(400, f"{INSERT_FAILED}: it overlaps time-off {other['id']} "
                                                f"({other['start']} to {other['end']})")
            now = self.clock()
            pending = kind["approval_required"] and values["skip_approval"] is False
            period = {
                "id": self._next_id, "employee_id": employee["id"], "type_id": kind["id"], "start": start, "end": end,
                "half_day_start": values["half_day_start"], "half_day_end": values["half_day_end"],
                "comment": values["comment"], "status": "pending" if pending else "approved",
                "created_at": now, "updated_at": now,
            }
            self.periods[self._next_id] = period
            self._next_id += 1
            return self.render(period)

    def get(self, period_id: int) -> dict[str, Any]:
        with self.lock:
            period = self.periods.get(period_id)
            if period is None:
                raise PersonioApiError(404, "The absence period was not found.")
            return self.render(period)

    def delete(self, period_id: int) -> None:
        with self.lock:
            if self.periods.pop(period_id, None) is None:
                raise PersonioApiError(404, "The absence period was not found.")

    def listed(self, start: date | None, end: date | None, *, employees: set[int] | None,
               updated: tuple[date | None, date | None]) -> list[dict[str, Any]]:
        low, high = updated
        with self.lock:
            return [
                self.render(period) for period in self.periods.values()
                if (start is None or period["end"] >= start) and (end is None or period["start"] <= end)
                and (employees is None or period["employee_id"] in employees)
                and (low is None or datetime.fromtimestamp(period["updated_at"], UTC).date() >= low)
                and (high is None or datetime.fromtimestamp(period["updated_at"], UTC).date() <= high)
            ]

    def render(self, period: dict[str, Any]) -> dict[str, Any]:
        kind = self.types[period["type_id"]]
        employee = self.employees.records.get(period["employee_id"])
        return {
            "type": "TimeOffPeriod",
            "attributes": {
                "id": period["id"],
                "status": period["status"],
                "start_date": _day_stamp(period["start"]),
                "end_date": _day_stamp(period["end"]),
                "days_count": days_count(period["start"], period["end"], period["half_day_start"],
                                         period["half_day_end"]),
                "half_day_start": period["half_day_start"],
                "half_day_end": period["half_day_end"],
                "time_off_type": {"type": "TimeOffType", "attributes": {
                    "id": kind["id"], "name": kind["name"], "category": kind["category"]}},
                "employee": _short_employee(employee, period["employee_id"]),
                "certificate": {"status": "not-required"},
                "created_at": _stamp(period["created_at"]),
                "created_by": "API",
                "updated_at": _stamp(period["updated_at"]),
            },
        }

    def _checked(self, form: Mapping[str, str]) -> dict[str, Any]:
        problems: dict[str, list[str]] = {}
        values: dict[str, Any] = {"comment": form.get("comment") or None}

        def need(name: str) -> str | None:
            raw = form.get(name)
            if raw in (None, ""):
                problems[name] = [f"The {name.replace('_', ' ')} field is required."]
                return None
            return raw

        for name in ("employee_id", "time_off_type_id"):
            raw = need(name)
            if raw is not None and not raw.isdigit():
                problems[name] = [f"The {name.replace('_', ' ')} must be an integer."]
            elif raw is not None:
                values[name] = int(raw)
        for name in ("start_date", "end_date"):
            raw = need(name)
            try:
                values[name] = date.fromisoformat(raw) if raw is not None else None
            except ValueError:
                problems[name] = [f"The {name.replace('_', ' ')} is not a valid date (yyyy-mm-dd)."]
        for name in ("half_day_start", "half_day_end"):
            raw = need(name)
            if raw is not None and raw.lower() not in (*_TRUE, *_FALSE):
                problems[name] = [f"The {name.replace('_', ' ')} field must be true or false."]
            elif raw is not None:
                values[name] = raw.lower() in _TRUE
        skip = form.get("skip_approval")
        values["skip_approval"] = None if skip in (None, "") else skip.lower() in _TRUE
        if not problems and values["end_date"] < values["start_date"]:
            problems["end_date"] = ["The end date must be a date after or equal to start date."]
        if problems:
            raise ValidationFailed(problems)
        return values

    def type_list(self) -> list[dict[str, Any]]:
        with self.lock:
            return [{"type": "TimeOffType", "attributes": dict(kind)} for kind in self.types.values()]


def _short_employee(employee: Record | None, employee_id: int) -> dict[str, Any]:
    def attribute(key: str, label: str, value: Any, kind: str) -> dict[str, Any]:
        return {"label": label, "value": value, "type": kind, "universal_id": key}

    found = employee or {}
    return {"type": "Employee", "attributes": {
        "id": attribute("id", "id", employee_id, "integer"),
        "first_name": attribute("first_name", "First name", found.get("first_name"), "standard"),
        "last_name": attribute("last_name", "Last name", found.get("last_name"), "standard"),
        "email": attribute("email", "Email", found.get("email"), "standard"),
    }}


def time_offs_blueprint(store: TimeOffStore) -> Blueprint:
    blueprint = Blueprint("personio_time_offs", __name__)

    @blueprint.errorhandler(ValidationFailed)
    def validation_failed(error: ValidationFailed) -> Response:
        response = jsonify(success=False, error={"code": 422, "message": error.message, "error_data": error.problems})
        response.status_code = 422
        return response

    def parse_id(raw: str, *, invalid_status: int) -> int:
        if not raw.isdigit():  # the document answers 400 on DELETE, and knows only 404 on GET
            raise PersonioApiError(invalid_status, "The absence period id is invalid."
                                   if invalid_status == 400 else "The absence period was not found.")
        return int(raw)

    @blueprint.get("/v1/company/time-off-types")
    def list_types() -> Response:
        limit, offset = query_number("limit", DEFAULT_LIMIT, 1), query_number("offset", 0, 0)
        return jsonify(success=True, data=store.type_list()[offset: offset + limit])

    @blueprint.get("/v1/company/time-offs")
    def list_time_offs() -> Response:
        limit, offset = query_number("limit", DEFAULT_LIMIT, 1), query_number("offset", 0, 0)
        items = store.listed(query_date("start_date", required=False), query_date("end_date", required=False),
                             employees=query_employees(),
                             updated=(query_date("updated_from", required=False),
                                      query_date("updated_to", required=False)))
        return jsonify(paged(items, limit, offset))

    @blueprint.post("/v1/company/time-offs")
    def create_time_off() -> Response:
        return jsonify(success=True, data=store.create(request.form))

    @blueprint.get("/v1/company/time-offs/<period_id>")
    def get_time_off(period_id: str) -> Response:
        return jsonify(success=True, data=store.get(parse_id(period_id, invalid_status=404)))

    @blueprint.delete("/v1/company/time-offs/<period_id>")
    def delete_time_off(period_id: str) -> Response:
        store.delete(parse_id(period_id, invalid_status=400))
        return jsonify(success=True, data={"message": "The absence period was deleted."})

    return blueprint
