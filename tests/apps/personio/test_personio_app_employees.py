"""Stories about the Personio triggers, searches, action and connection, through invoke and the sandbox."""

from __future__ import annotations

import pytest
from personio_app_support import ManualClock

from auth.connection_check import check_connection
from connector.apps.personio.app import APP
from connector.context import Connection, Meta
from connector.errors import BadInput, ExpiredAuth, ResponseError
from connector.runtime import invoke
from sandboxes.personio import PersonioSandbox


def test_turning_on_seeds_every_employee_page_by_page_and_a_new_hire_fires_once(
    personio_sandbox: PersonioSandbox, connection: Connection, clock: ManualClock
) -> None:
    personio_sandbox.seed_employees(250)
    batches: list[list[str]] = []
    turned_on = invoke(APP, "new_employee", connection, {}, Meta(first_poll=True), seen_sink=batches.append)
    assert turned_on.output == [] and [len(b) for b in batches] == [100, 100, 50]

    clock.advance(30)
    personio_sandbox.update_employee(1, position="Chief Engineer")  # changed, not new
    hire = personio_sandbox.create_employee(email="new.hire@example.com", first_name="New", last_name="Hire")
    polled = invoke(APP, "new_employee", connection, {}, Meta(cursor=turned_on.cursor), trace=True)
    seen = {identity for batch in batches for identity in batch}
    fired = [item for item in polled.output if str(item["id"]) not in seen]  # the platform's dedupe
    assert [item["id"] for item in fired] == [hire["id"]]
    assert fired[0]["email"] == "new.hire@example.com"
    assert len(polled.trace) == 1  # one page; the token is cached from turning on


def test_a_poll_with_nothing_changed_costs_one_call_whatever_the_company_size(
    personio_sandbox: PersonioSandbox, connection: Connection
) -> None:
    personio_sandbox.seed_employees(300)
    turned_on = invoke(APP, "updated_employee", connection, {}, Meta(first_poll=True))
    invoke(APP, "updated_employee", connection, {}, Meta(cursor=turned_on.cursor))  # token now cached
    polled = invoke(APP, "updated_employee", connection, {}, Meta(cursor=turned_on.cursor), trace=True)
    assert len(polled.trace) == 1
    assert "updated_since" in polled.trace[0]["url"]


def test_updated_items_are_one_per_change_with_the_employee_id_kept(
    personio_sandbox: PersonioSandbox, connection: Connection, clock: ManualClock
) -> None:
    ada = personio_sandbox.create_employee(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    first = invoke(APP, "updated_employee", connection, {}, Meta(trial=True)).output[0]
    clock.advance(1)
    personio_sandbox.update_employee(ada["id"], position="Analyst")
    second = invoke(APP, "updated_employee", connection, {}, Meta(trial=True)).output[0]
    assert first["employee_id"] == second["employee_id"] == ada["id"]
    assert first["id"] != second["id"] and second["id"].startswith(f"{ada['id']}:")
    assert second["position"] == "Analyst"


def test_trials_show_the_three_newest_employees_newest_first(
    personio_sandbox: PersonioSandbox, connection: Connection
) -> None:
    ids = personio_sandbox.seed_employees(40)
    shown = invoke(APP, "new_employee", connection, {}, Meta(trial=True)).output
    assert [item["id"] for item in shown] == ids[-1:-4:-1]


def test_find_employee_matches_email_in_any_case_and_finds_nobody_quietly(
    personio_sandbox: PersonioSandbox, connection: Connection
) -> None:
    personio_sandbox.create_employee(email="Ada@Example.com", first_name="Ada", last_name="Lovelace",
                                     custom_attributes={"dynamic_1146702": "+49 30 1234"}, department="Engines")
    [ada] = invoke(APP, "find_employee", connection, {"email": "ada@example.com"}).output
    assert (ada["first_name"], ada["phone"], ada["department"]) == ("Ada", "+49 30 1234", "Engines")
    assert isinstance(ada["department_id"], int)
    assert invoke(APP, "find_employee", connection, {"email": "nobody@example.com"}).output == []


def test_list_employees_pages_until_the_limit(personio_sandbox: PersonioSandbox, connection: Connection) -> None:
    personio_sandbox.seed_employees(130)
    listed = invoke(APP, "list_employees", connection, {"limit": 120}).output
    assert len(listed) == 120 and len({e["id"] for e in listed}) == 120


def test_update_employee_changes_the_given_attributes_only(
    personio_sandbox: PersonioSandbox, connection: Connection
) -> None:
    ada = personio_sandbox.create_employee(email="ada@example.com", first_name="Ada", last_name="Lovelace",
                                           position="Engineer", weekly_working_hours=40)
    personio_sandbox.define_org_unit("department", "Research")
    updated = invoke(APP, "update_employee", connection,
                     {"employee_id": ada["id"], "department": "Research", "weekly_working_hours": 32,
                      "custom_attributes": {"dynamic_1146702": "+49 89 5555"}}).output
    assert (updated["department"], updated["position"], updated["phone"]) == ("Research", "Engineer", "+49 89 5555")
    assert updated["weekly_working_hours"] == 32


def test_update_employee_sets_subcompany_and_supervisor_by_their_documented_names(
    personio_sandbox: PersonioSandbox, connection: Connection
) -> None:
    grace = personio_sandbox.create_employee(email="grace@example.com", first_name="Grace", last_name="Hopper")
    ada = personio_sandbox.create_employee(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    personio_sandbox.define_org_unit("subcompany", "ACME GmbH")
    updated = invoke(APP, "update_employee", connection,
                     {"employee_id": ada["id"], "subcompany": "ACME GmbH", "supervisor_id": grace["id"]}).output
    assert (updated["subcompany"], updated["supervisor_id"]) == ("ACME GmbH", grace["id"])
    with pytest.raises(BadInput) as caught:
        invoke(APP, "update_employee", connection, {"employee_id": ada["id"], "supervisor_id": 4711})
    assert caught.value.problems[0].field == "supervisor_id"


def test_a_department_personio_does_not_have_fails_the_step_instead_of_vanishing(
    personio_sandbox: PersonioSandbox, connection: Connection
) -> None:
    ada = personio_sandbox.create_employee(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    with pytest.raises(ResponseError, match=r"Personio ignored part of the change.*department: 'Atlantis'"):
        invoke(APP, "update_employee", connection, {"employee_id": ada["id"], "department": "Atlantis"})


def test_updating_a_missing_employee_or_a_bad_value_names_the_problem(
    personio_sandbox: PersonioSandbox, connection: Connection
) -> None:
    with pytest.raises(ResponseError, match="cannot update employee 999: Personio has no employee"):
        invoke(APP, "update_employee", connection, {"employee_id": 999, "position": "X"})
    ada = personio_sandbox.create_employee(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    with pytest.raises(BadInput) as caught:
        invoke(APP, "update_employee", connection, {"employee_id": ada["id"], "custom_attributes": {"dynamic_9": 1}})
    assert caught.value.problems[0].field == "dynamic_9"


def test_a_wrong_client_secret_asks_the_user_to_reconnect(connection: Connection) -> None:
    bad = Connection(app="personio", fields={**connection.fields, "client_secret": "nope"},
                     base_url=connection.base_url, transport=connection.transport)
    with pytest.raises(ExpiredAuth, match="check the client ID and secret") as caught:
        invoke(APP, "list_employees", bad, {})
    assert "nope" not in str(caught.value)


def test_the_token_is_fetched_once_and_a_revoked_one_is_replaced_once(
    personio_sandbox: PersonioSandbox, connection: Connection
) -> None:
    personio_sandbox.seed_employees(2)
    for _ in range(3):
        invoke(APP, "list_employees", connection, {})
    assert personio_sandbox.tokens.issued == 1
    personio_sandbox.faults.expire_tokens()
    assert len(invoke(APP, "list_employees", connection, {}).output) == 2
    assert personio_sandbox.tokens.issued == 2


def test_single_use_rotating_tokens_are_followed(personio_sandbox: PersonioSandbox, connection: Connection) -> None:
    personio_sandbox.settings.rotate_tokens = True
    personio_sandbox.seed_employees(3)
    for _ in range(3):
        assert len(invoke(APP, "list_employees", connection, {}).output) == 3
    assert personio_sandbox.tokens.issued == 4  # one from /v1/auth, then one new token per answer


def test_the_connection_test_labels_the_account_with_its_headcount(
    personio_sandbox: PersonioSandbox, connection: Connection
) -> None:
    personio_sandbox.seed_employees(7)
    check = check_connection(connection)
    assert check.label == "Personio papi-sandbox-client (7 employees)"
