"""Connections in the emulator: tested before they are saved, secrets never shown, OAuth by consent."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit


def test_a_wrong_okta_token_is_refused_and_nothing_is_saved(platform, api):
    client = api
    answer = client.post("/api/connections", json={
        "app": "okta", "name": "Broken", "fields": {"org_url": platform.okta.base_url, "api_token": "wrong-token"}})
    assert answer.status_code == 422
    assert "connection test failed" in answer.get_json()["error"]["message"]
    assert client.get("/api/connections").get_json()["connections"] == []


def test_an_okta_connection_is_labelled_and_its_token_masked(platform, api):
    client = api
    fields = {"org_url": platform.okta.base_url, "api_token": "okta-sandbox-token"}
    answer = client.post("/api/connections", json={"app": "okta", "name": "Okta", "fields": fields})
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert "admin@sandbox.example.com" in body["label"]
    assert "okta-sandbox-token" not in str(body)
    tested = client.post(f"/api/connections/{body['connection']['id']}/test").get_json()
    assert tested["ok"] is True


def test_an_org_url_on_a_private_address_is_refused(platform, api):
    client = api
    answer = client.post("/api/connections", json={
        "app": "okta", "name": "Internal", "fields": {"org_url": "http://10.0.0.5", "api_token": "x"}})
    assert answer.status_code == 422
    assert answer.get_json()["error"]["field"] == "org_url"


def test_unknown_connection_ids_and_bad_bodies_get_clear_4xx(platform, api):
    client = api
    assert client.post("/api/connections/nope/test").status_code == 404
    assert client.delete("/api/connections/nope").status_code == 404
    assert client.post("/api/connections", data="{oops", content_type="application/json").status_code == 400
    answer = client.post("/api/connections", json={"app": "nope", "fields": {}})
    assert answer.status_code == 422 and answer.get_json()["error"]["field"] == "app"


def test_the_connect_button_runs_the_oauth_code_flow_through_the_consent_page(platform, api, browser):
    started = browser.post("/api/connections/oauth/start", json={"app": "contacts", "name": "Contacts OAuth"})
    assert started.status_code == 200, started.get_data(as_text=True)
    authorize = urlsplit(started.get_json()["authorize_url"])
    assert authorize.path == "/sandbox/contacts/oauth/chooselocation"
    params = parse_qs(authorize.query)
    assert params["code_challenge_method"] == ["S256"]

    page = browser.get(authorize.path + "?" + authorize.query)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'action="/sandbox/contacts/oauth/chooselocation"' in html
    nonce = html.split('name="nonce" value="')[1].split('"')[0]
    consent = browser.post("/sandbox/contacts/oauth/chooselocation",
                           data={"nonce": nonce, "decision": "allow", "locationId": "loc_sandbox"})
    assert consent.status_code in (302, 303)
    callback = urlsplit(consent.headers["Location"])
    assert callback.path == "/connections/oauth/callback"
    done = browser.get(callback.path + "?" + callback.query)
    assert done.status_code in (302, 303)
    assert "connected=Contacts%20OAuth" in done.headers["Location"]

    listed = api.get("/api/connections").get_json()["connections"]
    [saved] = [c for c in listed if c["name"] == "Contacts OAuth"]
    assert saved["status"] == "ok"
    assert "access_token" not in str(saved["fields"]).replace("'access_token': '••••", "")


def test_a_callback_replayed_from_another_session_saves_nothing(platform, api, browser):
    started = browser.post("/api/connections/oauth/start", json={"app": "contacts"}).get_json()
    state = parse_qs(urlsplit(started["authorize_url"]).query)["state"][0]
    stranger = type(browser)(platform.wsgi)  # another browser, signed in to the same emulator
    stranger.get(platform.start_url.removeprefix(platform.public_url))
    answer = stranger.get(f"/connections/oauth/callback?code=stolen&state={state}")
    assert answer.status_code in (302, 303) and "error=" in answer.headers["Location"]
    assert api.get("/api/connections").get_json()["connections"] == []
