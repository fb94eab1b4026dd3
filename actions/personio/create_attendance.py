"""Create Attendance: record one period an employee worked.

Personio refuses a period that overlaps another of the same employee that day, so a replay of this
step would fail rather than duplicate; to make it succeed instead, the action first looks for the
same period (employee, date and start time, pending ones included) and returns it when it is there.
"""

from __future__ import annotations

import re
from typing import Any

from connector.apps.personio.time_tracking import (
    ATTENDANCE_OUTPUT_FIELDS,
    ATTENDANCE_SAMPLE,
    ATTENDANCES_PATH,
    day,
    flatten_attendance,
)
from connector.context import Context
from connector.definitions import Action, Field
from connector.errors import BadInput, ResponseError

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

INPUT_FIELDS: tuple[Field, ...] = (
    Field("employee_id", "Employee ID", type="integer", required=True,
          help_text="The Personio employee id (from Find Employee)."),
    Field("date", "Date", required=True, placeholder="2026-03-02"),
    Field("start_time", "Start time", required=True, placeholder="09:00", help_text="hh:mm, 24-hour clock."),
    Field("end_time", "End time", placeholder="17:30", help_text="hh:mm; empty for a period still running."),
    Field("break_minutes", "Break (minutes)", type="integer", default=0),
    Field("comment", "Comment"),
    Field("skip_approval", "Skip approval", type="boolean", default=True,
          help_text="When off, the period waits for approval if the company has an approval rule."),
)


def _time(values: dict[str, Any], key: str) -> str | None:
    raw = values.get(key)
    if raw in (None, ""):
        return None
    if not _TIME.match(str(raw)):
        raise BadInput(f"{raw!r} is not a time; use hh:mm such as 09:00", key)
    return str(raw)


def create_attendance(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    date = day(values, "date", required=True)
    start, end = _time(values, "start_time"), _time(values, "end_time")
    employee = int(values["employee_id"])
    if start is None:
        raise BadInput("is required: hh:mm such as 09:00", "start_time")
    same = _existing(ctx, employee, str(date), start)
    if same is not None:
        return same
    period = {"employee": employee, "date": date, "start_time": start, "end_time": end,
              "break": int(values.get("break_minutes") or 0), "comment": values.get("comment") or None}
    response = ctx.http.post(ATTENDANCES_PATH, json={"attendances": [period], "skip_approval": values.get(
        "skip_approval", True) is not False})
    ids = (response.json().get("data") or {}).get("id") or []
    if not ids:
        raise ResponseError("Personio created the attendance period but gave no id; list attendances to find it",
                            response=response)
    created = _existing(ctx, employee, str(date), start)
    if created is None:
        raise ResponseError(f"Personio gave attendance {ids[0]} but does not list it; try again", response=response)
    return created


def _existing(ctx: Context, employee: int, date: str, start: str) -> dict[str, Any] | None:
    listed = ctx.http.get(ATTENDANCES_PATH, params={"start_date": date, "end_date": date, "employees[]": [employee],
                                                    "includePending": "true", "limit": 200})
    for item in listed.json().get("data") or []:
        flat = flatten_attendance(item)
        if flat["employee_id"] == employee and flat["start_time"] == start:
            return flat
    return None


ACTION = Action(
    key="create_attendance",
    area="Attendances",
    noun="Attendance",
    label="Create Attendance",
    description="Records a period a Personio employee worked (date, start and end time, break).",
    input_fields=INPUT_FIELDS,
    output_fields=ATTENDANCE_OUTPUT_FIELDS,
    sample=ATTENDANCE_SAMPLE,
    perform=create_attendance,
    semantics="create",
    idempotent=True,
)
