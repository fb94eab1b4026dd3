"""List Time-Offs: absences counted in days (vacation, sick leave, ...) overlapping a period.

Pages of 200 until ``limit`` time-offs are read.
"""

from __future__ import annotations

from typing import Any

from connector.apps.personio.time_tracking import (
    EMPLOYEE_IDS_FIELD,
    LIMIT_FIELD,
    TIME_OFF_OUTPUT_FIELDS,
    TIME_OFF_SAMPLE,
    TIME_OFFS_PATH,
    collect,
    day,
    employees_filter,
    flatten_time_off,
    limit_of,
)
from connector.context import Context
from connector.definitions import Field, Search

INPUT_FIELDS: tuple[Field, ...] = (
    Field("start_date", "From", placeholder="2026-03-01", help_text="Time-offs that end on or after this day."),
    Field("end_date", "To", placeholder="2026-03-31", help_text="Time-offs that start on or before this day."),
    EMPLOYEE_IDS_FIELD,
    Field("updated_from", "Changed since", placeholder="2026-02-01",
          help_text="Only time-offs added or changed on or after this day."),
    LIMIT_FIELD,
)


def list_time_offs(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    params: dict[str, Any] = {**employees_filter(values)}
    for key in ("start_date", "end_date", "updated_from"):
        value = day(values, key)
        if value is not None:
            params[key] = value
    return [flatten_time_off(item) for item in collect(ctx, TIME_OFFS_PATH, params, limit_of(values))]


SEARCH = Search(
    key="list_time_offs",
    area="Absences",
    noun="Time-Off",
    label="List Time-Offs",
    description="Lists Personio time-offs (absences counted in days) overlapping a period.",
    input_fields=INPUT_FIELDS,
    output_fields=TIME_OFF_OUTPUT_FIELDS,
    sample=TIME_OFF_SAMPLE,
    perform=list_time_offs,
)
