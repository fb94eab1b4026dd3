"""List employees: page through Personio's employees, optionally only those changed since a time.

Also feeds the employee picker of Update Employee. Pages of 100 until ``limit`` employees are read.
"""

from __future__ import annotations

from typing import Any

from connector.apps.personio.api import employee_pages
from connector.apps.personio.employee_fields import EMPLOYEE_OUTPUT_FIELDS, EMPLOYEE_SAMPLE
from connector.context import Context
from connector.definitions import Field, Search
from connector.errors import BadInput

MAX_EMPLOYEES = 10_000
INPUT_FIELDS: tuple[Field, ...] = (
    Field("updated_since", "Changed since", type="datetime", placeholder="2026-01-31T08:15:30",
          help_text="Only employees added or changed at or after this time (ISO 8601)."),
    Field("limit", "Most employees", type="integer", default=100, help_text=f"Up to {MAX_EMPLOYEES:,}."),
)


def list_employees(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    limit = values.get("limit") or 100
    if not 1 <= int(limit) <= MAX_EMPLOYEES:
        raise BadInput(f"must be between 1 and {MAX_EMPLOYEES:,}, got {limit}", "limit")
    params = {"updated_since": str(values["updated_since"])} if values.get("updated_since") else {}
    employees: list[dict[str, Any]] = []
    for page in employee_pages(ctx, params):
        employees.extend(page)
        if len(employees) >= limit:
            break
    return employees[:limit]


SEARCH = Search(
    key="list_employees",
    area="Employees",
    noun="Employee",
    label="List Employees",
    description="Lists Personio employees, optionally only those added or changed since a time.",
    input_fields=INPUT_FIELDS,
    output_fields=EMPLOYEE_OUTPUT_FIELDS,
    sample=EMPLOYEE_SAMPLE,
    perform=list_employees,
)
