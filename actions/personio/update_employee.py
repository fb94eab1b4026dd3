"""Update employee: change a few attributes of an employee; fields left empty keep their value.

``PATCH /v1/company/employees/{id}`` with ``{"employee": {...}}``, then one read so the output is
the employee as Personio now holds it. Personio does not let the API change an employee's email.
Custom fields go in ``custom_attributes`` by their ``dynamic_<id>`` key.
"""

from __future__ import annotations

from typing import Any

from actions.personio.employee_fields import EMPLOYEE_OUTPUT_FIELDS, EMPLOYEE_SAMPLE
from actions.personio.employees_api import EMPLOYEE_PATH, get_employee
from connector.context import Context
from connector.definitions import Action, DynamicChoices, Field
from connector.errors import BadInput, ResponseError
from connector.http import describe_error
from connector.paths import api_path

_TEXT_FIELDS = ("first_name", "last_name", "preferred_name", "position", "department", "office")

INPUT_FIELDS: tuple[Field, ...] = (
    Field("employee_id", "Employee", type="integer", required=True,
          dynamic=DynamicChoices("list_employees", "employee_id", "email"),
          help_text="The employee's Personio id (pick one, or map employee_id from the trigger)."),
    Field("first_name", "First name"),
    Field("last_name", "Last name"),
    Field("preferred_name", "Preferred name"),
    Field("position", "Position"),
    Field("department", "Department", help_text="The department's name, e.g. Engineering."),
    Field("office", "Office", help_text="The office's name, e.g. Berlin."),
    Field("status", "Status", choices=("active", "inactive", "onboarding", "leave")),
    Field("weekly_hours", "Weekly hours", type="number"),
    Field("custom_attributes", "Custom attributes", type="dict",
          help_text='Custom fields by key, e.g. {"dynamic_1146702": "+49 30 1234567"}.'),
)


def update_employee(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    employee: dict[str, Any] = {key: values[key] for key in _TEXT_FIELDS if values.get(key) not in (None, "")}
    for key in ("status", "weekly_hours"):
        if values.get(key) not in (None, ""):
            employee[key] = values[key]
    if values.get("custom_attributes"):
        employee["custom_attributes"] = dict(values["custom_attributes"])
    if not employee:
        raise BadInput("give at least one attribute to change (first name, position, department, ...)", "first_name")
    employee_id = int(values["employee_id"])
    response = ctx.http.patch(api_path(EMPLOYEE_PATH, employee_id=employee_id), json={"employee": employee},
                              extensions={"allow_status": (400, 404, 422)})
    if response.status_code == 404:
        raise ResponseError(f"cannot update employee {employee_id}: Personio has no employee with that id; "
                            "pick one from Find Employee or List Employees", response=response)
    if response.status_code in (400, 422):
        raise BadInput(f"Personio refused the change to employee {employee_id}: {describe_error(response)}",
                       _rejected_field(response) or "employee_id")
    updated = get_employee(ctx, employee_id, doing="read the updated")
    return {**updated, "id": updated["employee_id"]}


def _rejected_field(response: Any) -> str | None:
    try:
        data = (response.json().get("error") or {}).get("error_data") or {}
    except (ValueError, AttributeError):
        return None
    first = next(iter(data), None) if isinstance(data, dict) else None
    return str(first) if first else None


ACTION = Action(
    key="update_employee",
    noun="Employee",
    label="Update Employee",
    description="Changes the given attributes of a Personio employee (name, position, department, office, "
                "status, weekly hours, custom fields).",
    input_fields=INPUT_FIELDS,
    output_fields=EMPLOYEE_OUTPUT_FIELDS,
    sample=EMPLOYEE_SAMPLE,
    perform=update_employee,
    semantics="update",
)
