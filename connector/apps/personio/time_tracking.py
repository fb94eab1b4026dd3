"""What the attendance and time-off operations share: paths, paging, input checks and flat output shapes.

Personio nests each period as ``{type, attributes}`` (a time-off also nests its type and a short
employee); flows want flat fields, so every operation returns the same flat shape built here.
Listings page with ``offset``/``limit`` (Personio's default page is 200) until a short page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import httpx

from connector.context import Context
from connector.definitions import Field
from connector.errors import BadInput, ResponseError
from connector.pagination import follow_offset

ATTENDANCES_PATH = "/v1/company/attendances"
ATTENDANCE_PATH = ATTENDANCES_PATH + "/{attendance_id}"
TIME_OFFS_PATH = "/v1/company/time-offs"
TIME_OFF_PATH = TIME_OFFS_PATH + "/{time_off_id}"
TIME_OFF_TYPES_PATH = "/v1/company/time-off-types"
PAGE_SIZE = 200
MAX_ITEMS = 10_000

EMPLOYEE_IDS_FIELD = Field("employee_ids", "Employees", type="list", item_type="integer",
                           help_text="Only these employees (Personio ids); all when empty.")
LIMIT_FIELD = Field("limit", "Most results", type="integer", default=200, help_text=f"Up to {MAX_ITEMS:,}.")


def day(values: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    """The ``yyyy-mm-dd`` date in ``values[key]`` (a date-time keeps its date), or BadInput naming ``key``."""
    raw = values.get(key)
    if raw in (None, ""):
        if required:
            raise BadInput("is required: a date such as 2026-03-02", key)
        return None
    text = str(raw).strip()[:10]
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise BadInput(f"{raw!r} is not a date; use yyyy-mm-dd such as 2026-03-02", key) from None


def limit_of(values: Mapping[str, Any]) -> int:
    limit = int(values.get("limit") or PAGE_SIZE)
    if not 1 <= limit <= MAX_ITEMS:
        raise BadInput(f"must be between 1 and {MAX_ITEMS:,}, got {limit}", "limit")
    return limit


def employees_filter(values: Mapping[str, Any]) -> dict[str, list[int]]:
    ids = values.get("employee_ids") or []
    return {"employees[]": [int(i) for i in ids]} if ids else {}


def _data(response: httpx.Response) -> list[Any]:
    body = response.json()
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise ResponseError(f"Personio answered {response.request.url.path} without a data list; try again later",
                            response=response)
    return data


def collect(ctx: Context, path: str, params: Mapping[str, Any], limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` raw items of a Personio listing, page by page, in Personio's order."""
    found: list[dict[str, Any]] = []
    for response in follow_offset(ctx.http, path, params, page_size=min(PAGE_SIZE, limit), items=_data):
        page = _data(response)
        found.extend(page)
        if len(found) >= limit or len(page) < min(PAGE_SIZE, limit):
            break
    return found[:limit]


# --- attendances ------------------------------------------------------------------------------------

ATTENDANCE_OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Attendance ID", type="integer", required=True),
    Field("employee_id", "Employee ID", type="integer"),
    Field("date", "Date"),
    Field("start_time", "Start time"),
    Field("end_time", "End time", nullable=True),
    Field("break_minutes", "Break (minutes)", type="integer"),
    Field("comment", "Comment", nullable=True),
    Field("status", "Status", help_text="confirmed, pending or rejected"),
    Field("updated_at", "Updated at", nullable=True),
    Field("project_id", "Project ID", type="integer", nullable=True),
)
ATTENDANCE_SAMPLE: dict[str, Any] = {
    "id": 1234, "employee_id": 325659, "date": "2026-03-02", "start_time": "09:00", "end_time": "17:30",
    "break_minutes": 30, "comment": "Release day", "status": "confirmed", "updated_at": "2026-03-02T17:41:08+00:00",
    "project_id": None,
}


def flatten_attendance(item: Mapping[str, Any]) -> dict[str, Any]:
    attributes = item.get("attributes") or {}
    project = attributes.get("project")
    return {
        "id": item.get("id"),
        "employee_id": attributes.get("employee"),
        "date": attributes.get("date"),
        "start_time": attributes.get("start_time"),
        "end_time": attributes.get("end_time"),
        "break_minutes": attributes.get("break"),
        "comment": attributes.get("comment") or None,
        "status": attributes.get("status"),
        "updated_at": attributes.get("updated_at"),
        "project_id": project.get("id") if isinstance(project, dict) else None,
    }


# --- time-offs --------------------------------------------------------------------------------------

TIME_OFF_OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Time-off ID", type="integer", required=True),
    Field("status", "Status", help_text="approved, pending, ..."),
    Field("start_date", "Start date"),
    Field("end_date", "End date"),
    Field("days_count", "Days", type="number"),
    Field("half_day_start", "Half day at the start", type="boolean"),
    Field("half_day_end", "Half day at the end", type="boolean"),
    Field("time_off_type_id", "Time-off type ID", type="integer"),
    Field("time_off_type_name", "Time-off type", nullable=True),
    Field("employee_id", "Employee ID", type="integer"),
    Field("employee_email", "Employee email", nullable=True),
    Field("created_at", "Created at", nullable=True),
    Field("updated_at", "Updated at", nullable=True),
)
TIME_OFF_SAMPLE: dict[str, Any] = {
    "id": 12345, "status": "approved", "start_date": "2026-03-05", "end_date": "2026-03-06", "days_count": 2,
    "half_day_start": False, "half_day_end": False, "time_off_type_id": 1, "time_off_type_name": "Paid vacation",
    "employee_id": 4567, "employee_email": "michael.miller@example.com", "created_at": "2026-02-17T10:32:18+0100",
    "updated_at": "2026-02-17T10:32:18+0100",
}


def flatten_time_off(item: Mapping[str, Any]) -> dict[str, Any]:
    attributes = item.get("attributes") or {}
    kind = (attributes.get("time_off_type") or {}).get("attributes") or {}
    employee = (attributes.get("employee") or {}).get("attributes") or {}

    def value(key: str) -> Any:
        entry = employee.get(key)
        return entry.get("value") if isinstance(entry, dict) else entry

    return {
        "id": attributes.get("id"),
        "status": attributes.get("status"),
        "start_date": str(attributes.get("start_date") or "")[:10] or None,
        "end_date": str(attributes.get("end_date") or "")[:10] or None,
        "days_count": attributes.get("days_count"),
        "half_day_start": attributes.get("half_day_start"),
        "half_day_end": attributes.get("half_day_end"),
        "time_off_type_id": kind.get("id"),
        "time_off_type_name": kind.get("name"),
        "employee_id": value("id"),
        "employee_email": value("email"),
        "created_at": attributes.get("created_at"),
        "updated_at": attributes.get("updated_at"),
    }
