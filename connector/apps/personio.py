"""The Personio app: employees as a source for other apps (new and changed employees), plus lookups.

Every operation is listed here explicitly; each lives in its own module under ``triggers/personio/``
or ``actions/personio/``.
"""

from __future__ import annotations

from actions.personio import create_employee, employee_records, find_employee, list_employees, update_employee
from auth.personio import PERSONIO_AUTH
from connector.definitions import App
from triggers.personio import new_employee, updated_employee

APP = App(
    key="personio",
    name="Personio",
    version="1.0.0",
    description="Trigger on new and changed Personio employees, find and list employees, and update their "
                "attributes.",
    auth=PERSONIO_AUTH,
    sandbox="connector.cli.sandbox:personio_command",
    homepage="https://developer.personio.de/reference",
    triggers=(
        new_employee.TRIGGER,
        updated_employee.TRIGGER,
    ),
    actions=(
        create_employee.ACTION,
        update_employee.ACTION,
    ),
    searches=(
        find_employee.SEARCH,
        list_employees.SEARCH,
    ),
    record_types=(
        employee_records.RECORD_TYPE,
    ),
)
