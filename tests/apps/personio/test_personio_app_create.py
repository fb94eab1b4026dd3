"""Create Employee: a new hire in Personio from a flow, with custom attributes, never twice."""

from __future__ import annotations

import pytest

from connector.errors import BadInput
from connector.testing import OperationRunner
from sandboxes.personio import PersonioSandbox


def test_a_new_employee_is_created_with_a_custom_attribute_and_a_replay_finds_them(
        personio_sandbox: PersonioSandbox, run: OperationRunner) -> None:
    values = {"email": "pia.new@example.com", "first_name": "Pia", "last_name": "New", "position": "Analyst",
              "custom_attributes": {"dynamic_1146702": "+49 30 555"}}
    created = run.output("create_employee", values)
    assert created["outcome"] == "created" and created["position"] == "Analyst"
    assert created["phone"] == "+49 30 555"
    assert personio_sandbox.employees.get(created["id"])["email"] == "pia.new@example.com"

    replayed = run.output("create_employee", values)
    assert (replayed["outcome"], replayed["id"]) == ("found", created["id"])
    assert len(personio_sandbox.employees.records) == 1


def test_an_employee_personio_refuses_is_a_clear_error_naming_the_field(run: OperationRunner) -> None:
    with pytest.raises(BadInput) as refused:
        run.output("create_employee", {"email": "x@example.com", "first_name": "X", "last_name": "Y",
                                "custom_attributes": {"dynamic_999": "nope"}})
    assert refused.value.field == "dynamic_999"
