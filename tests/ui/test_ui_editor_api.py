"""The flow editor's own endpoints: live preview of an unsaved mapping, dynamic choices, and their errors."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.demo import Environment, seed_demo

OKTA_SAMPLE = {"id": "00u1", "profile": {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.org",
                                         "department": "Research"}}


@pytest.fixture(scope="module")
def demo_ids(env: Environment) -> dict[str, str]:
    return seed_demo(env)


def _post(client: FlaskClient, token: str, url: str, body: object) -> tuple[int, dict]:
    response = client.post(url, json=body, headers={"X-CSRF-Token": token})
    return response.status_code, response.get_json()


def test_the_preview_renders_coerces_and_lists_tokens_of_an_unsaved_mapping(
    browser_session: tuple[FlaskClient, str],
) -> None:
    client, token = browser_session
    status, body = _post(client, token, "/api/mapping/preview", {
        "app": "contacts", "operation": "create_contact",
        "mapping": {"email": "{{trigger.profile.email}}", "tags": "okta, {{trigger.profile.department}}",
                    "first_name": "Dr. {{trigger.profile.firstName}}"},
        "trigger": OKTA_SAMPLE, "steps": {},
    })
    assert status == 200
    assert body["ok"] is True
    assert body["values"] == {"email": "ada@example.org", "tags": ["okta", "Research"], "first_name": "Dr. Ada"}
    assert {"token": "trigger.profile.email", "value": "ada@example.org"} in body["tokens"]


def test_the_preview_names_the_field_whose_value_is_wrong(browser_session: tuple[FlaskClient, str]) -> None:
    client, token = browser_session
    status, body = _post(client, token, "/api/mapping/preview", {
        "app": "contacts", "operation": "create_contact",
        "mapping": {"email": "not an email {{trigger.id}}"}, "trigger": OKTA_SAMPLE,
    })
    assert status == 200
    assert body["ok"] is False
    assert [p["field"] for p in body["problems"]] == ["email"]


def test_a_template_that_cannot_be_parsed_is_a_problem_of_its_field(browser_session: tuple[FlaskClient, str]) -> None:
    client, token = browser_session
    status, body = _post(client, token, "/api/mapping/preview", {
        "app": "contacts", "operation": "add_tags",
        "mapping": {"contact_id": "{{steps.}}", "colour": "red"}, "trigger": OKTA_SAMPLE,
    })
    assert status == 200
    assert {p["field"] for p in body["problems"]} >= {"colour"}
    assert body["ok"] is False


def test_earlier_step_outputs_are_tokens_for_later_steps(browser_session: tuple[FlaskClient, str]) -> None:
    client, token = browser_session
    _status, body = _post(client, token, "/api/mapping/preview", {
        "app": "contacts", "operation": "add_tags",
        "mapping": {"contact_id": "{{steps.create_contact.id}}", "tags": "welcome"},
        "trigger": OKTA_SAMPLE, "steps": {"create_contact": {"id": "c_42"}},
    })
    assert body["values"] == {"contact_id": "c_42", "tags": ["welcome"]}
    assert {"token": "steps.create_contact.id", "value": "c_42"} in body["tokens"]


def test_dynamic_choices_are_fetched_live_through_the_connection(
    browser_session: tuple[FlaskClient, str], demo_ids: dict[str, str], env: Environment
) -> None:
    client, token = browser_session
    status, body = _post(client, token, "/api/choices", {
        "app": "contacts", "operation": "add_tags", "field": "contact_id", "connection_id": demo_ids["contacts"],
    })
    assert status == 200, body
    assert body["error"] is None
    assert len(body["choices"]) == 3
    assert all(re.fullmatch(r"[A-Za-z0-9]+", c["value"]) and c["label"] for c in body["choices"])


def test_choices_without_a_connection_explain_what_is_missing(browser_session: tuple[FlaskClient, str]) -> None:
    client, token = browser_session
    status, body = _post(client, token, "/api/choices",
                         {"app": "contacts", "operation": "add_tags", "field": "contact_id"})
    assert status == 200
    assert body["choices"] == []
    assert body["error"]["message"]


@pytest.mark.parametrize(("url", "body", "status", "field"), [
    ("/api/mapping/preview", {"app": "nope", "operation": "x"}, 422, "app"),
    ("/api/mapping/preview", {"app": "contacts", "operation": "fly"}, 422, "operation"),
    ("/api/mapping/preview", {"app": "contacts", "operation": "add_tags", "mapping": []}, 422, "mapping"),
    ("/api/mapping/preview", [1, 2], 400, None),
    ("/api/choices", {"app": "contacts", "operation": "add_tags", "field": "tags"}, 422, "field"),
    ("/api/choices", {"app": "contacts", "operation": "add_tags", "field": "nope"}, 422, "field"),
    ("/api/sandboxes/okta/users", {"email": 5}, 422, "email"),
    ("/api/sandboxes/okta/users", [], 422, "body"),
])
def test_bad_editor_requests_get_a_4xx_naming_the_field(
    browser_session: tuple[FlaskClient, str], url: str, body: object, status: int, field: str | None
) -> None:
    client, token = browser_session
    got, answer = _post(client, token, url, body)
    assert got == status
    assert answer["error"]["field"] == field
    assert answer["error"]["message"]


def test_every_api_route_the_ui_adds_is_in_the_openapi_document(ui_app: Flask, api_client: FlaskClient) -> None:
    documented = set(api_client.get("/api/openapi.json").get_json()["paths"])
    ui_rules = [rule for rule in ui_app.url_map.iter_rules() if rule.endpoint.startswith("ui_")]
    assert len(ui_rules) >= 5
    for rule in ui_rules:
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            assert path in documented, f"{rule.rule} is not in /api/openapi.json"
