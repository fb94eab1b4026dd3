"""The Personio app: employees as a source for other apps (new and changed employees), lookups, and the
employees' attendances and time-offs.

Every operation is listed here explicitly; each lives in its own module under ``triggers/personio/``,
``actions/personio/`` or ``searches/personio/``.
"""

from __future__ import annotations

from actions.personio import (
    create_attendance,
    create_employee,
    create_time_off,
    delete_attendance,
    delete_time_off,
    update_employee,
)
from auth.personio import PERSONIO_AUTH
from connector.api_request import api_request_action
from connector.apps.personio import records
from connector.definitions import App
from searches.personio import find_employee, list_attendances, list_employees, list_time_off_types, list_time_offs
from triggers.personio import new_employee, updated_employee

APP = App(
    key="personio",
    name="Personio",
    version="1.0.0",
    description="Trigger on new and changed Personio employees, find, create and update employees, and record "
                "their attendances and time-offs.",
    auth=PERSONIO_AUTH,
    sandbox="connector.cli.sandbox:personio_command",
    homepage="https://developer.personio.de/reference",
    triggers=(
        new_employee.TRIGGER,
        updated_employee.TRIGGER,
    ),
    actions=(
        api_request_action(app_name="Personio", example_path="/v1/company/employees", auth=PERSONIO_AUTH),
        create_employee.ACTION,
        update_employee.ACTION,
        create_attendance.ACTION,
        delete_attendance.ACTION,
        create_time_off.ACTION,
        delete_time_off.ACTION,
    ),
    searches=(
        find_employee.SEARCH,
        list_employees.SEARCH,
        list_attendances.SEARCH,
        list_time_offs.SEARCH,
        list_time_off_types.SEARCH,
    ),
    record_types=(
        records.RECORD_TYPE,
    ),
)
