"""Connections through the UI's session: add, test, label, delete; secrets never come back; OAuth Connect."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from ui_harness import CONTACTS_KEY, LOCATION_ID, OKTA_TOKEN

from emulator.demo import Environment


def _headers(token: str) -> dict[str, str]:
    return {"X-CSRF-Token": token}


def test_an_okta_connection_is_tested_labelled_and_its_token_never_returned(
    browser_session: tuple[FlaskClient, str], env: Environment
) -> None:
    client, token = browser_session
    response = client.post(
        "/api/connections",
        json={"app": "okta", "name": "okta-sandbox", "fields": {"org_url": env.okta.base_url, "api_token": OKTA_TOKEN}},
        headers=_headers(token),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["label"]
    listing = client.get("/api/connections").get_data(as_text=True)
    assert "okta-sandbox" in listing
    for page in (listing, response.get_data(as_text=True), client.get("/connections").get_data(as_text=True)):
        assert OKTA_TOKEN not in page


def test_a_connection_change_without_the_csrf_token_is_refused(browser_session: tuple[FlaskClient, str]) -> None:
    client, _token = browser_session
    response = client.post("/api/connections", json={"app": "contacts", "name": "x", "fields": {}})
    assert response.status_code == 403
    assert response.get_json()["error"]["field"] == "X-CSRF-Token"


def test_the_connect_button_runs_the_oauth_code_flow_through_the_consent_page(
    browser_session: tuple[FlaskClient, str], env: Environment
) -> None:
    client, token = browser_session
    start = client.post("/api/connections/oauth/start", json={"app": "contacts", "name": "contacts-oauth"},
                        headers=_headers(token))
    assert start.status_code == 200, start.get_json()
    authorize = urlsplit(start.get_json()["authorize_url"])
    sandbox = env.contacts.app.test_client()
    consent_path = authorize.path.removeprefix("/sandbox/contacts")
    consent = sandbox.get(f"{consent_path}?{authorize.query}")
    nonce = re.search(r'name="nonce" value="([^"]+)"', consent.get_data(as_text=True))
    assert nonce, consent.get_data(as_text=True)[:500]
    allowed = sandbox.post("/oauth/chooselocation", data={"nonce": nonce.group(1), "locationId": LOCATION_ID,
                                                          "decision": "allow"})
    callback = urlsplit(allowed.headers["Location"])
    back = client.get(f"{callback.path}?{callback.query}")
    assert "connected=contacts-oauth" in back.headers["Location"]
    listing = client.get("/api/connections")
    (connection,) = [c for c in listing.get_json()["connections"] if c["name"] == "contacts-oauth"]
    assert LOCATION_ID in connection["label"]
    assert "access_token" in connection["fields"]
    assert connection["fields"]["access_token"].startswith("••••")
    assert CONTACTS_KEY not in listing.get_data(as_text=True)
