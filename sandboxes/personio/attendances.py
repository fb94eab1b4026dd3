"""Attendances: the periods employees worked, per Personio's ``/v1/company/attendances`` document.

- ``GET`` lists periods whose ``date`` lies in ``start_date..end_date`` (both required, inclusive),
  optionally only those updated in ``updated_from..updated_to`` and of some ``employees[]``; paged by
  ``limit`` (default 200) and ``offset``, in id order. Without ``includePending=true`` only confirmed
  periods are listed (the document: the flag "returns AttendancePeriods with a status of pending,
  rejected and confirmed").
- ``POST`` takes ``{"attendances": [...], "skip_approval"}``; every period is checked and either all are
  stored or none (a 400 whose ``detailed_message`` reports each row, as the document's example shows).
  Rows fail for an unknown employee, a malformed date or time, an end before the start, a break longer
  than the period, or an overlap with another period of the same employee on that day. With
  ``skip_approval: false`` periods start ``pending`` (the sandbox assumes the company has an approval
  rule for attendances); otherwise ``confirmed``.
- ``DELETE /{id}`` removes a period (404 when unknown).

What the document leaves open, decided here: a missing or malformed ``start_date``/``end_date``/``limit``
is a 400 in the error envelope (the document lists no status for it; see personio.deviations.json).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request

from sandboxes.personio.attributes import parse_datetime
from sandboxes.personio.employee_store import EmployeeStore
from sandboxes.personio.errors import PersonioApiError

DEFAULT_LIMIT = 200
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

Period = dict[str, Any]


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def _minutes(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:])


def bad_request(message: str) -> PersonioApiError:
    return PersonioApiError(400, message)


def query_date(name: str, *, required: bool) -> date | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        if required:
            raise bad_request(f"{name}: is required, a date such as 2026-01-31")
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise bad_request(f"{name}: must be a date such as 2026-01-31, got {raw!r}") from None


def query_instant(name: str) -> float | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return parse_datetime(raw)
    except ValueError:
        raise bad_request(f"{name}: must be a date or date-time such as 2026-01-31T08:00:00, got {raw!r}") from None


def query_number(name: str, default: int, low: int) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or int(raw) < low:
        raise bad_request(f"{name}: must be a whole number of {low} or more, got {raw!r}")
    return int(raw)


def query_employees() -> set[int] | None:
    raw = [item for value in request.args.getlist("employees[]") for item in value.split(",") if item]
    if not raw:
        return None
    if not all(item.isdigit() for item in raw):
        raise bad_request(f"employees[]: must be employee ids (whole numbers), got {raw!r}")
    return {int(item) for item in raw}


def paged(items: list[dict[str, Any]], limit: int, offset: int) -> dict[str, Any]:
    """Personio's list envelope: ``metadata`` (pages counted from 0), ``offset``, ``limit``, ``data``."""
    total = len(items)
    return {
        "success": True,
        "metadata": {"total_elements": total, "current_page": offset // limit, "total_pages": math.ceil(total / limit)},
        "offset": offset,
        "limit": limit,
        "data": items[offset: offset + limit],
    }


class AttendanceStore:
    """Attendance periods by id, checked against the company's employees."""

    def __init__(self, clock: Callable[[], float], employees: EmployeeStore) -> None:
        self.clock = clock
        self.employees = employees
        self.lock = threading.RLock()
        self.periods: dict[int, Period] = {}
        self._next_id = 1

    def create_many(self, rows: list[Any], *, confirmed: bool) -> list[int]:
        """Store every row or none; raises a 400 listing each row's outcome when one is wrong."""
        with self.lock:
            checked: list[tuple[Period | None, str | None]] = []
            accepted: list[Period] = []
            for row in rows:
                period, problem = self._check(row, accepted)
                checked.append((period, problem))
                if period is not None:
                    accepted.append(period)
            if any(problem for _, problem in checked):
                raise AttendanceRowsError([self._row_report(row, problem) for row, (_, problem)
                                           in zip(rows, checked, strict=True)])
            now = self.clock()
            ids = []
            for period in accepted:
                period.update(id=self._next_id, status="confirmed" if confirmed else "pending", updated_at=now)
                self.periods[self._next_id] = period
                ids.append(self._next_id)
                self._next_id += 1
            return ids

    def delete(self, period_id: int) -> None:
        with self.lock:
            if self.periods.pop(period_id, None) is None:
                raise PersonioApiError(404, "The attendance period was not found.")

    def listed(self, start: date, end: date, *, employees: set[int] | None, updated: tuple[float | None, float | None],
               pending: bool) -> list[dict[str, Any]]:
        low, high = updated
        with self.lock:
            return [
                self.render(period) for period in self.periods.values()
                if start <= date.fromisoformat(period["date"]) <= end
                and (employees is None or period["employee"] in employees)
                and (low is None or period["updated_at"] >= low) and (high is None or period["updated_at"] <= high)
                and (pending or period["status"] == "confirmed")
            ]

    @staticmethod
    def render(period: Period) -> dict[str, Any]:
        return {
            "id": period["id"],
            "type": "AttendancePeriod",
            "attributes": {
                "employee": period["employee"],
                "date": period["date"],
                "start_time": period["start_time"],
                "end_time": period["end_time"],
                "break": period["break"],
                "comment": period["comment"] or "",
                "updated_at": _iso(period["updated_at"]),
                "status": period["status"],
                "is_holiday": False,
                "is_on_time_off": False,
                "project": None,
            },
        }

    def _check(self, row: Any, accepted: list[Period]) -> tuple[Period | None, str | None]:
        if not isinstance(row, dict):
            return None, "each attendance period must be an object"
        employee, day, start, end = row.get("employee"), row.get("date"), row.get("start_time"), row.get("end_time")
        pause = row.get("break")
        if not isinstance(employee, int) or isinstance(employee, bool) or employee not in self.employees.records:
            return None, f"Employee {employee!r} was not found"
        try:
            date.fromisoformat(str(day))
        except ValueError:
            return None, f"date must be a date such as 2026-01-31, got {day!r}"
        if not isinstance(start, str) or not _TIME.match(start):
            return None, f"start_time must be hh:mm, got {start!r}"
        if end is not None and (not isinstance(end, str) or not _TIME.match(end)):
            return None, f"end_time must be hh:mm, got {end!r}"
        if not isinstance(pause, int) or isinstance(pause, bool) or pause < 0:
            return None, f"break must be a whole number of minutes, got {pause!r}"
        if end is not None and _minutes(end) <= _minutes(start):
            return None, "end_time must be after start_time"
        if end is not None and pause > _minutes(end) - _minutes(start):
            return None, "break is longer than the attendance period"
        period = {"employee": employee, "date": str(day), "start_time": start, "end_time": end, "break": pause,
                  "comment": row.get("comment"), "project_id": row.get("project_id")}
        others = [p for p in (*self.periods.values(), *accepted) if p["employee"] == employee and p["date"] == day]
        if any(_overlaps(period, other) for other in others):
            return None, "Existing overlapping attendances periods"
        return period, None

    @staticmethod
    def _row_report(row: Any, problem: str | None) -> dict[str, Any]:
        fields = row if isinstance(row, dict) else {}
        return {
            "success": problem is None, "error_msg": problem, "id": None,
            **{key: fields.get(key) for key in ("employee", "date", "start_time", "end_time", "break", "comment",
                                                "project_id") if key in fields},
        }


def _overlaps(one: Period, other: Period) -> bool:
    end_one = _minutes(one["end_time"]) if one["end_time"] else 24 * 60
    end_other = _minutes(other["end_time"]) if other["end_time"] else 24 * 60
    return _minutes(one["start_time"]) < end_other and _minutes(other["start_time"]) < end_one


class AttendanceRowsError(PersonioApiError):
    """A POST whose rows were refused: the 400 with a report per row."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        super().__init__(400, "Error when trying to insert Attendances periods rows")
        self.rows = rows


def attendances_blueprint(store: AttendanceStore) -> Blueprint:
    blueprint = Blueprint("personio_attendances", __name__)

    @blueprint.errorhandler(AttendanceRowsError)
    def rows_refused(error: AttendanceRowsError) -> Response:
        response = jsonify(success=False, error={"code": 400, "message": error.message,
                                                 "detailed_message": error.rows})
        response.status_code = 400
        return response

    @blueprint.get("/v1/company/attendances")
    def list_attendances() -> Response:
        start = query_date("start_date", required=True)
        end = query_date("end_date", required=True)
        assert start is not None and end is not None
        limit = query_number("limit", DEFAULT_LIMIT, 1)
        offset = query_number("offset", 0, 0)
        pending = request.args.get("includePending", "").lower() == "true"
        items = store.listed(start, end, employees=query_employees(), pending=pending,
                             updated=(query_instant("updated_from"), query_instant("updated_to")))
        return jsonify(paged(items, limit, offset))

    @blueprint.post("/v1/company/attendances")
    def create_attendances() -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("attendances"), list) or not body["attendances"]:
            raise bad_request("attendances: give a list of at least one attendance period")
        ids = store.create_many(body["attendances"], confirmed=body.get("skip_approval", True) is not False)
        return jsonify(success=True, data={"id": ids, "message": "success"})

    @blueprint.delete("/v1/company/attendances/<period_id>")
    def delete_attendance(period_id: str) -> Response:
        if not period_id.isdigit():
            raise bad_request("Bad Request: the attendance period id must be a whole number")
        store.delete(int(period_id))
        return jsonify(success=True, data={"message": "The attendance period was deleted."})

    return blueprint
