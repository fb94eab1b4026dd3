"""Find employee: look an employee up by email (Personio's own exact, case-insensitive filter).

One call. Returns a list, empty when nobody has that email, so a flow can branch on "not found"
(for example to create the contact only for real employees).
"""

from __future__ import annotations

from typing import Any

from connector.apps.personio.api import employees_with_email
from connector.apps.personio.employee_fields import EMPLOYEE_OUTPUT_FIELDS, EMPLOYEE_SAMPLE
from connector.context import Context
from connector.definitions import Field, Search

INPUT_FIELDS: tuple[Field, ...] = (
    Field("email", "Email", type="email", required=True, placeholder="ada.lovelace@example.com",
          help_text="The employee's work email in Personio (not case-sensitive)."),
)


def find_employee(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    return employees_with_email(ctx, str(values["email"]))


SEARCH = Search(
    key="find_employee",
    area="Employees",
    important=True,
    noun="Employee",
    label="Find Employee",
    description="Finds a Personio employee by email.",
    input_fields=INPUT_FIELDS,
    output_fields=EMPLOYEE_OUTPUT_FIELDS,
    sample=EMPLOYEE_SAMPLE,
    perform=find_employee,
)
