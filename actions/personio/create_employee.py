"""Create employee: add a person to the Personio company, never twice.

``POST /v1/company/employees`` with ``{"employee": {...}}``; Personio requires email, first and last
name, and answers with the new id only, so one read follows for the output. Safe to replay: the email is
looked up first (Personio keeps emails unique), and an employee who already has it is returned with
``outcome: "found"`` instead of a refused second create. Custom attributes go in
``custom_attributes`` by their ``dynamic_<id>`` key.
"""

from __future__ import annotations

from typing import Any

from connector.apps.personio.api import EMPLOYEES_PATH, employees_with_email, get_employee, rejected_field
from connector.apps.personio.employee_fields import EMPLOYEE_OUTPUT_FIELDS, EMPLOYEE_SAMPLE
from connector.context import Context
from connector.definitions import Action, Field
from connector.errors import BadInput
from connector.http import describe_error

_TEXT_FIELDS = ("first_name", "last_name", "preferred_name", "position", "department", "office")

INPUT_FIELDS: tuple[Field, ...] = (
    Field("email", "Email", type="email", required=True, help_text="Work email; Personio keeps it unique."),
    Field("first_name", "First name", required=True),
    Field("last_name", "Last name", required=True),
    Field("preferred_name", "Preferred name"),
    Field("gender", "Gender", choices=("male", "female", "diverse")),
    Field("position", "Position"),
    Field("department", "Department", help_text="The department's name, e.g. Engineering."),
    Field("office", "Office", help_text="The office's name, e.g. Berlin."),
    Field("hire_date", "Hire date", help_text="ISO date such as 2026-02-01."),
    Field("status", "Status", choices=("active", "inactive", "onboarding", "leave")),
    Field("custom_attributes", "Custom attributes", type="dict",
          help_text='Custom fields by key, e.g. {"dynamic_1146702": "+49 30 1234567"}.'),
)


def create_employee(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    existing = employees_with_email(ctx, str(values["email"]))
    if existing:
        return {**existing[0], "id": existing[0]["employee_id"], "outcome": "found"}
    employee: dict[str, Any] = {"email": values["email"]}
    employee.update({key: values[key] for key in _TEXT_FIELDS if values.get(key) not in (None, "")})
    for key in ("gender", "hire_date", "status"):
        if values.get(key) not in (None, ""):
            employee[key] = values[key]
    if values.get("custom_attributes"):
        employee["custom_attributes"] = dict(values["custom_attributes"])
    response = ctx.http.post(EMPLOYEES_PATH, json={"employee": employee}, extensions={"allow_status": (400, 422)})
    if response.status_code in (400, 422):
        raise BadInput(f"Personio refused the new employee: {describe_error(response)}",
                       rejected_field(response, employee) or "email")
    new_id = int((response.json().get("data") or {})["id"])
    created = get_employee(ctx, new_id, doing="read the new")
    return {**created, "id": created["employee_id"], "outcome": "created"}


ACTION = Action(
    key="create_employee",
    area="Employees",
    important=True,
    noun="Employee",
    label="Create Employee",
    description="Adds an employee to Personio (or finds the one with that email), with custom attributes.",
    input_fields=INPUT_FIELDS,
    output_fields=(*EMPLOYEE_OUTPUT_FIELDS, Field("outcome", "Outcome", choices=("created", "found"))),
    sample={**EMPLOYEE_SAMPLE, "outcome": "created"},
    perform=create_employee,
    semantics="create",
    idempotent=True,
)
