"""CSRF protection and session cookie flags: a forged browser request is refused with 403 JSON."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient


def test_a_browser_change_without_the_page_token_is_refused(browser_session: tuple[FlaskClient, str]) -> None:
    client, _token = browser_session
    response = client.post("/api/sandboxes/okta/users", json={})
    assert response.status_code == 403
    assert response.is_json
    assert response.get_json()["error"]["field"] == "X-CSRF-Token"


def test_a_browser_change_with_a_wrong_token_is_refused(browser_session: tuple[FlaskClient, str]) -> None:
    client, _token = browser_session
    response = client.post("/api/flows", json={}, headers={"X-CSRF-Token": "forged"})
    assert response.status_code == 403
    assert "does not match" in response.get_json()["error"]["message"]


def test_a_browser_change_with_the_page_token_goes_through(browser_session: tuple[FlaskClient, str]) -> None:
    client, token = browser_session
    response = client.post("/api/sandboxes/okta/users", json={"firstName": "Ada"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 201
    assert response.get_json()["user"]["profile"]["firstName"] == "Ada"


def test_a_form_post_may_carry_the_token_in_a_field(browser_session: tuple[FlaskClient, str]) -> None:
    client, token = browser_session
    refused = client.post("/login", data={"token": "guess"})
    accepted = client.post("/login", data={"token": "guess", "csrf_token": token})
    assert refused.status_code == 403
    assert accepted.status_code == 401  # past the CSRF check, refused by the login itself


def test_a_cross_site_post_without_any_cookie_is_refused(ui_app: Flask) -> None:
    response = ui_app.test_client().post("/api/flows", data='{"name": "x"}', content_type="text/plain")
    assert response.status_code in (401, 403)  # no login to ride on, and no CSRF token either


def test_an_api_client_with_the_access_token_and_no_session_is_exempt(ui_app: Flask) -> None:
    response = ui_app.test_client().post(
        "/api/sandboxes/okta/users", json={}, headers={"X-Emulator-Token": ui_app.config["ACCESS_TOKEN"]}
    )
    assert response.status_code == 201


def test_a_bearer_header_is_neither_a_login_nor_a_csrf_exemption(ui_app: Flask) -> None:
    """A flow step may send a connection's credential in Authorization; it must open nothing here."""
    response = ui_app.test_client().post(
        "/api/sandboxes/okta/users", json={}, headers={"Authorization": "Bearer cli-token"}
    )
    assert response.status_code == 401
    assert response.get_json()["error"]["field"] == "X-Emulator-Token"


def test_hook_deliveries_are_not_asked_for_a_csrf_token(ui_app: Flask) -> None:
    response = ui_app.test_client().post("/hooks/flow_unknown", json={"event": 1})
    assert response.status_code == 410  # reached the ingress (unknown flow), not refused by CSRF


def test_the_session_cookie_is_httponly_and_samesite_lax(ui_app: Flask) -> None:
    response = ui_app.test_client().get("/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
