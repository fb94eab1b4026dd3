"""Update employee: change a few attributes of an employee; fields left empty keep their value.

``PATCH /v1/company/employees/{id}`` with ``{"employee": {...}}``, then one read so the output is
the employee as Personio now holds it. Only the attributes Personio's document lists are sent, under
its names (``weekly_working_hours``, ``supervisor_id``, ...): Personio **ignores** any other attribute
without an error, so a wrong name would change nothing. The API cannot change an employee's email.
Custom fields go in ``custom_attributes`` by their ``dynamic_<id>`` key.

Departments, offices and subcompanies must exist in Personio already; Personio ignores an unknown one
and says so in the answer's ``meta``. That fails the step with Personio's words, so the change that did
not happen is not mistaken for one that did (the rest of the change is applied; a replay repeats it).
"""

from __future__ import annotations

from typing import Any

from connector.apps.personio.api import EMPLOYEE_PATH, get_employee, rejected_field
from connector.apps.personio.employee_fields import EMPLOYEE_OUTPUT_FIELDS, EMPLOYEE_SAMPLE
from connector.context import Context
from connector.definitions import Action, DynamicChoices, Field
from connector.errors import BadInput, ResponseError
from connector.http import describe_error
from connector.paths import api_path

_TEXT_FIELDS = ("first_name", "last_name", "preferred_name", "position", "department", "office", "subcompany")

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
    Field("subcompany", "Subcompany", help_text="The subcompany's name, as set up in Personio."),
    Field("status", "Status", choices=("active", "inactive", "onboarding", "leave")),
    Field("weekly_working_hours", "Weekly hours", type="number"),
    Field("supervisor_id", "Supervisor", type="integer",
          dynamic=DynamicChoices("list_employees", "employee_id", "email"),
          help_text="The Personio id of the employee's supervisor."),
    Field("custom_attributes", "Custom attributes", type="dict",
          help_text='Custom fields by key, e.g. {"dynamic_1146702": "+49 30 1234567"}.'),
)


def update_employee(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    employee: dict[str, Any] = {key: values[key] for key in _TEXT_FIELDS if values.get(key) not in (None, "")}
    for key in ("status", "weekly_working_hours", "supervisor_id"):
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
                       rejected_field(response, employee) or "employee_id")
    ignored = _meta_notes(response)
    if ignored:
        raise ResponseError(f"Personio ignored part of the change to employee {employee_id}: "
                            f"{'; '.join(ignored)}", response=response)
    updated = get_employee(ctx, employee_id, doing="read the updated")
    return {**updated, "id": updated["employee_id"]}


def _meta_notes(response: Any) -> list[str]:
    try:
        meta = response.json().get("meta")
    except (ValueError, AttributeError):
        return []
    return [str(note) for note in meta] if isinstance(meta, list) else []


ACTION = Action(
    key="update_employee",
    area="Employees",
    important=True,
    noun="Employee",
    label="Update Employee",
    description="Changes the given attributes of a Personio employee (name, position, department, office, "
                "subcompany, status, weekly hours, supervisor, custom fields).",
    input_fields=INPUT_FIELDS,
    output_fields=EMPLOYEE_OUTPUT_FIELDS,
    sample=EMPLOYEE_SAMPLE,
    perform=update_employee,
    semantics="update",
)
