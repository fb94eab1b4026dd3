"""List Time-Off Types: the kinds of absence the company has (Paid vacation, Sick leave, ...).

Feeds the type picker of Create Time-Off; ``unit`` says whether a type counts days or hours (only day
types can be created as time-offs).
"""

from __future__ import annotations

from typing import Any

from connector.apps.personio.time_tracking import LIMIT_FIELD, TIME_OFF_TYPES_PATH, collect, limit_of
from connector.context import Context
from connector.definitions import Field, Search


def list_time_off_types(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    items = collect(ctx, TIME_OFF_TYPES_PATH, {}, limit_of(values))
    return [dict(item.get("attributes") or {}) for item in items]


SEARCH = Search(
    key="list_time_off_types",
    area="Absences",
    noun="Time-Off Type",
    label="List Time-Off Types",
    description="Lists the company's time-off types, e.g. Paid vacation or Sick leave.",
    input_fields=(LIMIT_FIELD,),
    output_fields=(
        Field("id", "Type ID", type="integer", required=True),
        Field("name", "Name"),
        Field("category", "Category", nullable=True),
        Field("unit", "Unit", help_text="day or hour"),
        Field("approval_required", "Needs approval", type="boolean"),
    ),
    sample={"id": 1, "name": "Paid vacation", "category": "paid_vacation", "unit": "day", "approval_required": True},
    perform=list_time_off_types,
)
