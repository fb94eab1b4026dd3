"""New employee: fires once for every employee added in Personio.

Items are the employee (flat keys, see connector/apps/personio/employee_fields.py) with ``id`` = Personio's
employee id. How polling finds them and what it costs: see connector/apps/personio/polling.py (one call when
nothing changed; employees changed but created before the last poll are left out).
"""

from __future__ import annotations

from typing import Any

from connector.apps.personio.employee_fields import EMPLOYEE_OUTPUT_FIELDS, EMPLOYEE_SAMPLE
from connector.apps.personio.polling import poll_employees
from connector.context import Context
from connector.definitions import Trigger


def new_item(employee: dict[str, Any]) -> dict[str, Any]:
    return {**employee, "id": employee["employee_id"]}


def new_employees(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    return poll_employees(ctx, new_item, sort_key=lambda item: item["employee_id"], only_new=True)


TRIGGER = Trigger(
    key="new_employee",
    noun="Employee",
    label="New Employee",
    description="Triggers when an employee is added in Personio (checked by polling).",
    output_fields=EMPLOYEE_OUTPUT_FIELDS,
    sample=EMPLOYEE_SAMPLE,
    perform=new_employees,
    kind="poll",
)
