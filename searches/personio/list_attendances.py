"""List Attendances: the periods employees worked between two dates, as Personio records them.

Personio requires the period (``start_date`` and ``end_date``, inclusive); employees, a change window
and pending periods narrow or widen it. Pages of 200 until ``limit`` periods are read.
"""

from __future__ import annotations

from typing import Any

from connector.apps.personio.time_tracking import (
    ATTENDANCE_OUTPUT_FIELDS,
    ATTENDANCE_SAMPLE,
    ATTENDANCES_PATH,
    EMPLOYEE_IDS_FIELD,
    LIMIT_FIELD,
    collect,
    day,
    employees_filter,
    flatten_attendance,
    limit_of,
)
from connector.context import Context
from connector.definitions import Field, Search

INPUT_FIELDS: tuple[Field, ...] = (
    Field("start_date", "From", required=True, placeholder="2026-03-01", help_text="First day (yyyy-mm-dd)."),
    Field("end_date", "To", required=True, placeholder="2026-03-31", help_text="Last day, included."),
    EMPLOYEE_IDS_FIELD,
    Field("updated_from", "Changed since", type="datetime",
          help_text="Only periods added or changed at or after this time."),
    Field("include_pending", "Include pending and rejected", type="boolean", default=False),
    LIMIT_FIELD,
)


def list_attendances(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    params: dict[str, Any] = {
        "start_date": day(values, "start_date", required=True),
        "end_date": day(values, "end_date", required=True),
        **employees_filter(values),
    }
    if values.get("updated_from"):
        params["updated_from"] = str(values["updated_from"])
    if values.get("include_pending"):
        params["includePending"] = "true"
    return [flatten_attendance(item) for item in collect(ctx, ATTENDANCES_PATH, params, limit_of(values))]


SEARCH = Search(
    key="list_attendances",
    area="Attendances",
    noun="Attendance",
    label="List Attendances",
    description="Lists the attendance periods of Personio employees between two dates.",
    input_fields=INPUT_FIELDS,
    output_fields=ATTENDANCE_OUTPUT_FIELDS,
    sample=ATTENDANCE_SAMPLE,
    perform=list_attendances,
)
