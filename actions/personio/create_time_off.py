"""Create Time-Off: book an absence counted in days (vacation, sick leave) for an employee.

Personio takes the time-off as a form, not JSON (its document's only content type). It refuses a
time-off that overlaps another of the employee, so a replay would fail rather than duplicate; to make
it succeed instead, the action first looks for the same time-off (employee, type, first and last day)
and returns it when it is there.
"""

from __future__ import annotations

from typing import Any

from connector.apps.personio.time_tracking import (
    TIME_OFF_OUTPUT_FIELDS,
    TIME_OFF_SAMPLE,
    TIME_OFFS_PATH,
    day,
    flatten_time_off,
)
from connector.context import Context
from connector.definitions import Action, DynamicChoices, Field
from connector.errors import BadInput

INPUT_FIELDS: tuple[Field, ...] = (
    Field("employee_id", "Employee ID", type="integer", required=True,
          help_text="The Personio employee id (from Find Employee)."),
    Field("time_off_type_id", "Time-off type", type="integer", required=True,
          dynamic=DynamicChoices("list_time_off_types", "id", "name"),
          help_text="A type counted in days, from List Time-Off Types."),
    Field("start_date", "First day", required=True, placeholder="2026-03-05"),
    Field("end_date", "Last day", required=True, placeholder="2026-03-06"),
    Field("half_day_start", "Half day at the start", type="boolean", default=False),
    Field("half_day_end", "Half day at the end", type="boolean", default=False),
    Field("comment", "Comment"),
    Field("skip_approval", "Skip approval", type="boolean", default=True,
          help_text="When off, the time-off waits for approval if its type needs it."),
)


def create_time_off(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    start, end = day(values, "start_date", required=True), day(values, "end_date", required=True)
    if str(end) < str(start):
        raise BadInput(f"{end} is before the first day {start}; give a last day on or after it", "end_date")
    employee, kind = int(values["employee_id"]), int(values["time_off_type_id"])
    same = _existing(ctx, employee, kind, str(start), str(end))
    if same is not None:
        return same
    form = {
        "employee_id": str(employee), "time_off_type_id": str(kind), "start_date": start, "end_date": end,
        "half_day_start": _flag(values.get("half_day_start")), "half_day_end": _flag(values.get("half_day_end")),
        "skip_approval": _flag(values.get("skip_approval", True)),
    }
    if values.get("comment"):
        form["comment"] = str(values["comment"])
    response = ctx.http.post(TIME_OFFS_PATH, data=form)
    return flatten_time_off(response.json().get("data") or {})


def _flag(value: Any) -> str:
    return "true" if value is True else "false"


def _existing(ctx: Context, employee: int, kind: int, start: str, end: str) -> dict[str, Any] | None:
    listed = ctx.http.get(TIME_OFFS_PATH, params={"start_date": start, "end_date": end, "employees[]": [employee],
                                                  "limit": 200})
    for item in listed.json().get("data") or []:
        flat = flatten_time_off(item)
        if (flat["employee_id"], flat["time_off_type_id"], flat["start_date"], flat["end_date"]) == (
                employee, kind, start, end):
            return flat
    return None


ACTION = Action(
    key="create_time_off",
    area="Absences",
    noun="Time-Off",
    label="Create Time-Off",
    description="Books a Personio time-off counted in days (e.g. vacation) for an employee.",
    input_fields=INPUT_FIELDS,
    output_fields=TIME_OFF_OUTPUT_FIELDS,
    sample=TIME_OFF_SAMPLE,
    perform=create_time_off,
    semantics="create",
    idempotent=True,
    important=True,
)
