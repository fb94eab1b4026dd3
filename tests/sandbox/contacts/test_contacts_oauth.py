"""The OAuth 2.0 code flow with PKCE, token rotation and scope enforcement."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from contacts_doubles import ClientFactory, FakeClock, OAuthDance

from sandboxes.contacts import ContactsSandbox

LOCATION = "loc_sandbox"
REDIRECT_URI = "https://app.example.com/oauth/callback"


def authorize_params(**overrides: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": "app-1",
        "redirect_uri": REDIRECT_URI,
        "scope": "contacts.readonly",
        "state": "s-1",
        "code_challenge": create_s256_code_challenge("v" * 50),
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {key: value for key, value in params.items() if value != ""}


def test_the_code_flow_ends_in_tokens_that_call_the_api_and_rotate_on_refresh(
    oauth: OAuthDance,
    client_for: ClientFactory,
) -> None:
    grant = oauth.authorize(state="xyz-state")
    assert grant.state == "xyz-state"
    tokens = oauth.exchange_code(grant).json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 86399
    assert tokens["userType"] == "Location" and tokens["locationId"] == LOCATION
    assert {"access_token", "refresh_token", "scope", "companyId", "userId"} <= tokens.keys()
    assert client_for(tokens["access_token"]).get("/contacts/", params={"locationId": LOCATION}).status_code == 200

    rotated = oauth.refresh(tokens["refresh_token"]).json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert client_for(rotated["access_token"]).get("/contacts/", params={"locationId": LOCATION}).status_code == 200


def test_reusing_an_old_refresh_token_revokes_every_token_of_the_grant(
    oauth: OAuthDance, client_for: ClientFactory
) -> None:
    first = oauth.exchange_code(oauth.authorize()).json()
    second = oauth.refresh(first["refresh_token"]).json()
    third = oauth.refresh(second["refresh_token"]).json()

    replay = oauth.refresh(first["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    newest = client_for(third["access_token"]).get("/contacts/", params={"locationId": LOCATION})
    assert newest.status_code == 401
    assert oauth.refresh(third["refresh_token"]).status_code == 400


def test_a_code_works_once(oauth: OAuthDance) -> None:
    grant = oauth.authorize()
    assert oauth.exchange_code(grant).status_code == 200
    again = oauth.exchange_code(grant)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_a_code_expires_after_60_seconds(oauth: OAuthDance, clock: FakeClock) -> None:
    grant = oauth.authorize()
    clock.advance(61)
    expired = oauth.exchange_code(grant)
    assert expired.status_code == 400 and "expired" in expired.json()["error_description"]


def test_access_tokens_expire_but_refresh_still_works(
    oauth: OAuthDance, clock: FakeClock, client_for: ClientFactory
) -> None:
    tokens = oauth.exchange_code(oauth.authorize()).json()
    clock.advance(86400)
    assert client_for(tokens["access_token"]).get("/contacts/", params={"locationId": LOCATION}).status_code == 401
    fresh = oauth.refresh(tokens["refresh_token"]).json()
    assert client_for(fresh["access_token"]).get("/contacts/", params={"locationId": LOCATION}).status_code == 200


def test_a_wrong_code_verifier_is_refused(oauth: OAuthDance) -> None:
    grant = oauth.authorize()
    grant.verifier = "w" * 50
    response = oauth.exchange_code(grant)
    assert response.status_code == 400 and "code_verifier" in response.json()["error_description"]


@pytest.mark.parametrize("method", ["plain", ""])
def test_pkce_plain_or_missing_is_refused(browser: httpx.Client, method: str) -> None:
    response = browser.get("/oauth/chooselocation", params=authorize_params(code_challenge_method=method))
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["s-1"]
    assert "code" not in query


@pytest.mark.parametrize("redirect_uri", [None, "", REDIRECT_URI + "/", "https://app.example.com/other"],
                         ids=["missing", "empty", "trailing-slash", "different"])
def test_a_code_is_swapped_only_with_the_exact_redirect_uri_it_was_issued_for(
    oauth: OAuthDance, redirect_uri: str | None
) -> None:
    """RFC 6749 §4.1.3: the token request must repeat the authorization request's redirect_uri."""
    grant = oauth.authorize()
    form = {"client_id": "app-1", "client_secret": "app-1-secret", "grant_type": "authorization_code",
            "code": grant.code, "code_verifier": grant.verifier, "user_type": "Location"}
    if redirect_uri is not None:
        form["redirect_uri"] = redirect_uri
    refused = oauth.browser.post("/oauth/token", data=form)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"] == "invalid_grant" and "redirect_uri" in refused.json()["error_description"]
    assert oauth.exchange_code(grant).status_code == 200  # refused attempts did not spend the code


def test_a_redirect_uri_that_is_not_registered_exactly_is_refused_without_redirecting(browser: httpx.Client) -> None:
    response = browser.get("/oauth/chooselocation", params=authorize_params(redirect_uri=REDIRECT_URI + "/extra"))
    assert response.status_code == 400 and "location" not in response.headers
    assert "redirect_uri" in response.text


def test_denying_consent_redirects_with_access_denied_and_the_state(browser: httpx.Client) -> None:
    page = browser.get("/oauth/chooselocation", params=authorize_params())
    assert "Allow" in page.text and "Deny" in page.text and "Sandbox Location" in page.text
    nonce = page.text.split('name="nonce" value="')[1].split('"')[0]
    denied = browser.post("/oauth/chooselocation", data={"nonce": nonce, "decision": "deny"})
    query = parse_qs(urlsplit(denied.headers["location"]).query)
    assert query == {"error": ["access_denied"], "state": ["s-1"]}
    reused = browser.post("/oauth/chooselocation", data={"nonce": nonce, "decision": "allow", "locationId": LOCATION})
    assert reused.status_code == 400


def test_a_wrong_client_secret_is_refused(browser: httpx.Client) -> None:
    response = browser.post(
        "/oauth/token", data={"client_id": "app-1", "client_secret": "nope", "grant_type": "refresh_token"}
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_a_read_only_token_reads_but_cannot_write(oauth: OAuthDance, client_for: ClientFactory) -> None:
    tokens = oauth.exchange_code(oauth.authorize(scope="contacts.readonly")).json()
    reader = client_for(tokens["access_token"])
    assert reader.get("/contacts/", params={"locationId": LOCATION}).status_code == 200
    write = reader.post("/contacts/", json={"locationId": LOCATION, "email": "ada@example.com"})
    assert write.status_code == 401
    assert write.json() == {
        "statusCode": 401,
        "message": "The token is not authorized for this scope.",
        "error": "Unauthorized",
    }


def test_a_write_only_token_cannot_read(oauth: OAuthDance, client_for: ClientFactory) -> None:
    tokens = oauth.exchange_code(oauth.authorize(scope="contacts.write")).json()
    writer = client_for(tokens["access_token"])
    assert writer.post("/contacts/", json={"locationId": LOCATION, "email": "ada@example.com"}).status_code == 201
    assert writer.get("/contacts/", params={"locationId": LOCATION}).status_code == 401


def test_a_token_is_bound_to_the_location_picked_on_the_consent_page(
    sandbox: ContactsSandbox,
    oauth: OAuthDance,
    client_for: ClientFactory,
) -> None:
    tokens = oauth.exchange_code(oauth.authorize(location="loc_other")).json()
    assert tokens["locationId"] == "loc_other"
    other = client_for(tokens["access_token"])
    assert other.get("/contacts/", params={"locationId": "loc_other"}).status_code == 200
    assert other.get("/contacts/", params={"locationId": LOCATION}).status_code == 403
