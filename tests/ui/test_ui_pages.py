"""Page shells: every page renders, carries the CSRF token, labels its inputs, and holds no secret."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from ui_harness import CONTACTS_KEY, LOCATION_ID, OKTA_TOKEN

from emulator.demo import Environment

PAGES = ["/flows", "/flows/new", "/flows/flow_x", "/connections", "/runs", "/runs/run_x", "/sandboxes"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_with_its_csrf_token_and_no_secret(
    ui_app: Flask, browser_session: tuple[FlaskClient, str], path: str
) -> None:
    response = browser_session[0].get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<meta name="csrf-token" content="[^"]{20,}">', html)
    for secret in (OKTA_TOKEN, CONTACTS_KEY, ui_app.config["SECRET_KEY"]):
        assert secret not in html
    for input_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
        assert f'for="{input_id}"' in html, f"{path}: input {input_id} has no label"


def test_the_home_page_leads_to_the_flows(browser_session: tuple[FlaskClient, str]) -> None:
    response = browser_session[0].get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/flows")


def test_the_sandbox_button_creates_a_user_through_the_okta_api(
    browser_session: tuple[FlaskClient, str], env: Environment
) -> None:
    client, token = browser_session
    response = client.post("/api/sandboxes/okta/users", json={"email": "grace@example.org"},
                           headers={"X-CSRF-Token": token})
    user = response.get_json()["user"]
    assert response.status_code == 201
    assert user["status"] == "PROVISIONED"  # activated without a password, as Okta does
    assert user["profile"]["login"] == "grace@example.org"
    listed = env.okta.app.test_client().get(
        f"/api/v1/users/{user['id']}", headers={"Authorization": f"SSWS {OKTA_TOKEN}"}
    )
    assert listed.get_json()["profile"]["email"] == "grace@example.org"
    assert OKTA_TOKEN not in response.get_data(as_text=True)


def test_the_sandboxes_page_lists_contacts_newest_first(api_client: FlaskClient, env: Environment) -> None:
    env.contacts.seed_contacts(2, seed=2, location_id=LOCATION_ID)
    contacts = api_client.get("/api/sandboxes/contacts/contacts").get_json()["contacts"]
    assert len(contacts) == 5
    assert contacts[0]["dateAdded"] >= contacts[-1]["dateAdded"]
