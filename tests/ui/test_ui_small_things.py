"""The small things a first session trips over: every page has an icon (no /favicon.ico 404), the Okta
card can list its newest users, the consent page has its stylesheet, and the README and `emulate
--help` count the sandboxes that really start."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from connector.cli import main
from emulator.demo import Environment

README = Path(__file__).resolve().parents[2] / "README.md"


def test_favicon_is_served_and_every_page_links_an_icon(
    ui_app: Flask, browser_session: tuple[FlaskClient, str]
) -> None:
    icon = ui_app.test_client().get("/favicon.ico")  # also before signing in: the login page has it too
    client = browser_session[0]
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.data
    page = client.get("/flows").get_data(as_text=True)
    linked = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', page)
    assert linked
    with client.get(linked.group(1)) as static_icon:
        assert static_icon.status_code == 200


def test_the_okta_card_lists_the_newest_users_first(
    browser_session: tuple[FlaskClient, str], env: Environment
) -> None:
    client, token = browser_session
    created = client.post("/api/sandboxes/okta/users", json={"email": "newest@example.org"},
                          headers={"X-CSRF-Token": token}).get_json()["user"]
    listed = client.get("/api/sandboxes/okta/users?limit=2").get_json()["users"]
    assert len(listed) == 2
    assert listed[0]["id"] == created["id"] and listed[0]["email"] == "newest@example.org"
    assert listed[0]["created"] >= listed[1]["created"]


def test_the_consent_page_loads_its_own_stylesheet(env: Environment) -> None:
    sandbox = env.contacts.app.test_client()
    css = sandbox.get("/oauth/consent.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert "button[value=\"allow\"]" in css.get_data(as_text=True)


def test_readme_and_emulate_help_count_three_sandboxes() -> None:
    help_text = CliRunner().invoke(main, ["emulate", "--help"]).output
    assert "Okta, Contacts and Personio sandboxes" in help_text
    readme = README.read_text()
    assert "with its three sandboxes" in readme and "both sandboxes" not in readme
