"""The Sandboxes page's Personio button and list: employees made through Personio's own API, errors that help."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.demo import Environment
from sandboxes.personio import DEFAULT_CLIENT_SECRET
from sandboxes.ratelimit import WindowLimiter

URL = "/api/sandboxes/personio/employees"


def _create(session: tuple[FlaskClient, str], body: Any) -> tuple[int, dict[str, Any]]:
    client, token = session
    response = client.post(URL, json=body, headers={"X-CSRF-Token": token})
    return response.status_code, response.get_json()


def _secrets(env: Environment) -> list[str]:
    return [DEFAULT_CLIENT_SECRET, *env.personio.tokens.tokens]


def _as_personio_sees_it(env: Environment, employee_id: int) -> dict[str, Any]:
    """The employee read back through the sandbox's API with a token of our own."""
    sandbox = env.personio.app.test_client()
    client_id, secret = next(iter(env.personio.settings.credentials.items()))
    token = sandbox.post("/v1/auth", json={"client_id": client_id, "client_secret": secret}).get_json()["data"]["token"]
    answer = sandbox.get(f"/v1/company/employees/{employee_id}", headers={"Authorization": f"Bearer {token}"})
    return {key: item["value"] for key, item in answer.get_json()["data"]["attributes"].items()}


@pytest.fixture(autouse=True)
def unhurried_personio(env: Environment) -> Iterator[None]:
    """Lift the 15-a-second window: these tests call faster than anyone clicks (one test puts it back)."""
    per_second, env.personio.limits.per_second = env.personio.limits.per_second, None
    yield
    env.personio.limits.per_second = per_second


@pytest.fixture
def healthy_personio(env: Environment) -> Iterator[Environment]:
    """The module's environment, with the Personio sandbox's faults cleared afterwards."""
    yield env
    env.personio.faults.reset()


def test_the_personio_button_creates_a_generated_employee_through_the_sandbox_api(
    browser_session: tuple[FlaskClient, str], env: Environment
) -> None:
    status, answer = _create(browser_session, {})
    employee = answer["employee"]
    assert status == 201
    assert all(employee[key] for key in ("id", "first_name", "last_name", "email", "department", "position"))
    stored = _as_personio_sees_it(env, employee["id"])
    assert stored["email"] == employee["email"]
    assert stored["department"]["attributes"]["name"] == employee["department"]
    assert stored["dynamic_1146702"], "a generated employee has a phone for the flow to map"


def test_fields_the_user_typed_are_kept_and_the_rest_generated(
    browser_session: tuple[FlaskClient, str], env: Environment
) -> None:
    status, answer = _create(browser_session, {
        "first_name": "Pia", "last_name": "Newhire", "email": "pia.newhire@example.org",
        "department": "Research", "position": "  ",
    })
    employee = answer["employee"]
    assert status == 201
    assert (employee["first_name"], employee["last_name"], employee["department"]) == ("Pia", "Newhire", "Research")
    assert employee["position"], "a blank field is generated, not sent empty"
    assert _as_personio_sees_it(env, employee["id"])["email"] == "pia.newhire@example.org"


@pytest.mark.parametrize(("body", "status", "field"), [
    ([], 422, "body"),
    ({"email": 5}, 422, "email"),
    ({"salary": "100000"}, 422, "salary"),
    ({"email": "not an email"}, 422, "email"),  # refused by the sandbox itself
])
def test_bad_employee_input_gets_a_4xx_naming_the_field(
    browser_session: tuple[FlaskClient, str], env: Environment, body: Any, status: int, field: str
) -> None:
    got, answer = _create(browser_session, body)
    assert got == status
    assert answer["error"]["field"] == field
    assert answer["error"]["message"]
    assert not any(secret in str(answer) for secret in _secrets(env))


def test_a_taken_email_is_the_users_to_fix(browser_session: tuple[FlaskClient, str]) -> None:
    first, _ = _create(browser_session, {"email": "twice@example.org"})
    again, answer = _create(browser_session, {"email": "twice@example.org"})
    assert (first, again) == (201, 422)
    assert answer["error"]["field"] == "email"
    assert "already been taken" in answer["error"]["message"]


def test_a_failing_sandbox_is_a_502_not_the_users_fault(
    browser_session: tuple[FlaskClient, str], healthy_personio: Environment
) -> None:
    _create(browser_session, {})  # holds a token now, so the fault hits the employee call
    healthy_personio.personio.faults.update(error_rate=1.0)
    status, answer = _create(browser_session, {})
    assert status == 502
    assert answer["error"]["field"] is None
    assert "Personio sandbox" in answer["error"]["message"]


def test_a_spent_sandbox_rate_limit_is_a_429_that_says_when_to_retry(
    browser_session: tuple[FlaskClient, str], env: Environment
) -> None:
    env.personio.limits.per_second = WindowLimiter(1, 60.0, env.personio.clock)
    first, _ = _create(browser_session, {})
    status, answer = _create(browser_session, {})
    assert (first, status) == (201, 429)
    assert "try again in" in answer["error"]["message"]


def test_an_expired_token_is_renewed_without_the_user_noticing(
    browser_session: tuple[FlaskClient, str], env: Environment
) -> None:
    _create(browser_session, {})
    issued = env.personio.tokens.issued
    env.personio.tokens.expire_all()
    status, answer = _create(browser_session, {})
    assert status == 201, answer
    assert env.personio.tokens.issued == issued + 1


def test_the_list_shows_the_newest_employees_first(
    ui_app: Flask, browser_session: tuple[FlaskClient, str], env: Environment
) -> None:
    _create(browser_session, {"email": "newest@example.org"})
    response = browser_session[0].get(URL + "?limit=3")
    listed = response.get_json()
    assert response.status_code == 200, listed
    assert len(listed["employees"]) == 3
    assert listed["employees"][0]["email"] == "newest@example.org"
    assert [e["id"] for e in listed["employees"]] == sorted((e["id"] for e in listed["employees"]), reverse=True)
    assert listed["total"] == len(env.personio.employees.records)
    assert not any(secret in response.get_data(as_text=True) for secret in _secrets(env))


@pytest.mark.parametrize("limit", ["0", "51", "ten"])
def test_a_bad_list_limit_is_a_422_naming_it(api_client: FlaskClient, limit: str) -> None:
    answer = api_client.get(f"{URL}?limit={limit}")
    assert answer.status_code == 422
    assert answer.get_json()["error"]["field"] == "limit"


def test_creating_an_employee_needs_the_page_token(browser_session: tuple[FlaskClient, str], env: Environment) -> None:
    client, _token = browser_session
    before = len(env.personio.employees.records)
    response = client.post(URL, json={})
    assert response.status_code == 403
    assert len(env.personio.employees.records) == before
