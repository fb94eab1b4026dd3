"""The marketplace's standard checks, run on every Personio operation against the sandbox."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from personio_app_support import ManualClock

from connector.apps.personio.app import APP
from connector.conformance import ConformanceSetup, conformance_suite
from connector.context import Connection
from connector.manifest import validate_app
from sandboxes.personio import PersonioSandbox


@pytest.fixture
def conformance_setup(
    personio_sandbox: PersonioSandbox, connection: Connection, clock: ManualClock
) -> ConformanceSetup:
    personio_sandbox.seed_employees(5)
    ada = personio_sandbox.create_employee(email="ada@example.com", first_name="Ada", last_name="Lovelace",
                                           department="Engineering", custom_attributes={"dynamic_1146702": "+4930123"})
    [worked] = personio_sandbox.attendances.create_many(
        [{"employee": ada["id"], "date": "2026-03-02", "start_time": "09:00", "end_time": "17:00", "break": 30}],
        confirmed=True)
    booked = personio_sandbox.time_offs.create({
        "employee_id": str(ada["id"]), "time_off_type_id": "1", "start_date": "2026-04-06", "end_date": "2026-04-07",
        "half_day_start": "false", "half_day_end": "false"})["attributes"]["id"]
    counter = iter(range(1000))

    def make_new_item(key: str) -> None:
        n = next(counter)
        clock.advance(5)
        if key == "new_employee":
            personio_sandbox.create_employee(email=f"new{n}@example.com", first_name="New", last_name=f"Hire {n}")
        else:
            personio_sandbox.update_employee(ada["id"], position=f"Engineer {n}")

    inputs: dict[str, dict[str, Any]] = {
        "new_employee": {},
        "updated_employee": {},
        "find_employee": {"email": "ada@example.com"},
        "list_employees": {"limit": 3},
        "update_employee": {"employee_id": ada["id"], "position": "Analyst"},
        "create_employee": {"email": "conformance.hire@example.com", "first_name": "Con", "last_name": "Formance"},
        "api_request": {"path": "/v1/company/employees", "query": {"limit": 2}},
        "list_attendances": {"start_date": "2026-03-01", "end_date": "2026-03-31"},
        "create_attendance": {"employee_id": ada["id"], "date": "2026-03-03", "start_time": "09:00",
                              "end_time": "12:00"},
        "delete_attendance": {"attendance_id": worked},
        "list_time_offs": {"start_date": "2026-04-01"},
        "list_time_off_types": {},
        "create_time_off": {"employee_id": ada["id"], "time_off_type_id": 2, "start_date": "2026-05-04",
                            "end_date": "2026-05-04"},
        "delete_time_off": {"time_off_id": booked},
    }
    bad = replace(connection, fields={**connection.fields, "client_secret": "wrong-secret"})
    return ConformanceSetup(connection=connection, bad_connection=bad, inputs=inputs, make_new_item=make_new_item)


def test_every_operation_has_a_conformance_input(conformance_setup: ConformanceSetup) -> None:
    assert {op.key for op in APP.operations} == set(conformance_setup.inputs)


def test_the_personio_manifest_has_no_problems() -> None:
    assert validate_app(APP) == []


TestPersonioConformance = conformance_suite(APP)
