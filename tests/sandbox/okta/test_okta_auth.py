"""Authentication: SSWS API tokens, OAuth private_key_jwt service apps, and per-endpoint scopes."""

from __future__ import annotations

import time
import uuid
import warnings

import httpx
import pytest
from okta_test_support import assert_okta_error, new_profile

from sandboxes.okta import OktaSandbox

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.jose import JsonWebKey, JsonWebToken

CLIENT_ID = "0oaServiceApp0000001"


@pytest.fixture(scope="module")
def private_key():
    return JsonWebKey.generate_key("RSA", 2048, is_private=True)


@pytest.fixture
def service_app(sandbox: OktaSandbox, private_key) -> str:
    sandbox.register_oauth_client(
        CLIENT_ID, private_key.as_dict(is_private=False), ["okta.users.read", "okta.users.manage", "okta.logs.read"]
    )
    return CLIENT_ID


def assertion(sandbox: OktaSandbox, key, **overrides: object) -> str:
    now = sandbox.clock()
    claims = {
        "iss": CLIENT_ID, "sub": CLIENT_ID, "aud": f"{sandbox.base_url}/oauth2/v1/token",
        "iat": int(now), "exp": int(now) + 300, "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return JsonWebToken(["RS256"]).encode({"alg": "RS256"}, claims, key).decode()


def ask_token(client: httpx.Client, jwt: str, scope: str = "okta.users.read") -> httpx.Response:
    return client.post("/oauth2/v1/token", data={
        "grant_type": "client_credentials", "scope": scope,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": jwt,
    }, headers={"Authorization": ""})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_ssws_tokens_work_with_and_without_the_space(client: httpx.Client) -> None:
    assert client.get("/api/v1/users", headers={"Authorization": "SSWS okta-sandbox-token"}).status_code == 200
    assert client.get("/api/v1/users", headers={"Authorization": "SSWSokta-sandbox-token"}).status_code == 200


def test_missing_or_unknown_tokens_get_401_e0000011(sandbox: OktaSandbox, client: httpx.Client) -> None:
    assert_okta_error(client.get("/api/v1/users", headers={"Authorization": "SSWS wrong"}), 401, "E0000011")
    assert_okta_error(client.get("/api/v1/users", headers={"Authorization": ""}), 401, "E0000011")
    sandbox.add_token("second-token")
    assert client.get("/api/v1/users", headers={"Authorization": "SSWS second-token"}).status_code == 200


def test_a_service_app_gets_a_one_hour_bearer_token_with_the_requested_scopes(
    sandbox: OktaSandbox, client: httpx.Client, service_app: str, private_key, clock
) -> None:
    response = ask_token(client, assertion(sandbox, private_key), "okta.users.read okta.logs.read")
    assert response.status_code == 200, response.text
    token = response.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    assert token["scope"] == "okta.users.read okta.logs.read"
    assert client.get("/api/v1/users", headers=bearer(token["access_token"])).status_code == 200
    clock.advance(3601)
    assert_okta_error(client.get("/api/v1/users", headers=bearer(token["access_token"])), 401, "E0000011")


def test_a_token_with_only_users_read_cannot_create_users_or_read_groups(
    sandbox: OktaSandbox, client: httpx.Client, service_app: str, private_key
) -> None:
    token = ask_token(client, assertion(sandbox, private_key)).json()["access_token"]
    response = client.post("/api/v1/users", json={"profile": new_profile()}, headers=bearer(token))
    assert_okta_error(response, 403, "E0000006")
    assert_okta_error(client.get("/api/v1/groups", headers=bearer(token)), 403, "E0000006")
    assert_okta_error(client.get("/api/v1/logs", headers=bearer(token)), 403, "E0000006")
    manage = ask_token(client, assertion(sandbox, private_key), "okta.users.manage").json()["access_token"]
    assert client.post("/api/v1/users", json={"profile": new_profile()}, headers=bearer(manage)).status_code == 200


def test_the_oauth_actor_appears_in_the_system_log(
    sandbox: OktaSandbox, client: httpx.Client, service_app: str, private_key
) -> None:
    manage = ask_token(client, assertion(sandbox, private_key), "okta.users.manage").json()["access_token"]
    client.post("/api/v1/users", json={"profile": new_profile()}, headers=bearer(manage))
    assert sandbox.state.log.events[0]["actor"]["id"] == CLIENT_ID


@pytest.mark.parametrize(
    ("case", "status", "error"),
    [
        ("bad_signature", 401, "invalid_client"),
        ("wrong_aud", 401, "invalid_client"),
        ("expired", 401, "invalid_client"),
        ("too_far_ahead", 401, "invalid_client"),
        ("reused_jti", 401, "invalid_client"),
        ("unknown_client", 401, "invalid_client"),
        ("unknown_scope", 400, "invalid_scope"),
        ("scope_not_granted", 400, "invalid_scope"),
    ],
)
def test_private_key_jwt_failures_are_refused_as_oauth_errors(
    sandbox: OktaSandbox, client: httpx.Client, service_app: str, private_key, case: str, status: int, error: str
) -> None:
    scope = "okta.users.read"
    if case == "bad_signature":
        jwt = assertion(sandbox, JsonWebKey.generate_key("RSA", 2048, is_private=True))
    elif case == "wrong_aud":
        jwt = assertion(sandbox, private_key, aud="https://elsewhere.okta.com/oauth2/v1/token")
    elif case == "expired":
        jwt = assertion(sandbox, private_key, exp=int(sandbox.clock()) - 600)
    elif case == "too_far_ahead":
        jwt = assertion(sandbox, private_key, exp=int(sandbox.clock()) + 7200)
    elif case == "reused_jti":
        jwt = assertion(sandbox, private_key, jti="same-jti")
        assert ask_token(client, jwt).status_code == 200
        jwt = assertion(sandbox, private_key, jti="same-jti")
    elif case == "unknown_client":
        jwt = assertion(sandbox, private_key, iss="0oaSomeoneElse", sub="0oaSomeoneElse")
    elif case == "unknown_scope":
        jwt, scope = assertion(sandbox, private_key), "okta.everything"
    else:
        jwt, scope = assertion(sandbox, private_key), "okta.groups.manage"
    response = ask_token(client, jwt, scope)
    body = response.json()
    assert (response.status_code, body["error"]) == (status, error)
    assert set(body) == {"error", "error_description"} and body["error_description"]


def test_expiring_every_token_revokes_oauth_tokens_but_not_api_tokens(
    sandbox: OktaSandbox, client: httpx.Client, service_app: str, private_key
) -> None:
    token = ask_token(client, assertion(sandbox, private_key)).json()["access_token"]
    assert client.post("/_sandbox/expire-tokens", json={}).status_code == 204
    assert_okta_error(client.get("/api/v1/users", headers=bearer(token)), 401, "E0000011")
    assert client.get("/api/v1/users").status_code == 200


def test_real_time_clock_also_accepts_fresh_assertions(private_key) -> None:
    sandbox = OktaSandbox()
    sandbox.register_oauth_client(CLIENT_ID, private_key.as_dict(is_private=False), ["okta.logs.read"])
    with httpx.Client(transport=sandbox.transport(), base_url=sandbox.base_url) as client:
        jwt = assertion(sandbox, private_key, iat=int(time.time()))
        assert ask_token(client, jwt, "okta.logs.read").status_code == 200
