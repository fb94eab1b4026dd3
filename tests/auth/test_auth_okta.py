"""Okta auth against the Okta sandbox: SSWS API tokens and client credentials with private_key_jwt."""

from __future__ import annotations

import pytest
from auth_support import CountingTransport

from auth.connection_check import check_connection
from auth.keypairs import generate_keypair
from auth.okta import OKTA_AUTH, OktaPrivateKeyJwtAuth, OktaTokenAuth
from auth.store import CredentialStore
from connector.context import Connection
from connector.errors import BadInput, ResponseError
from connector.http import make_client
from sandboxes.okta import OktaSandbox

ORG = "http://okta.sandbox"


def service_app(okta_sandbox: OktaSandbox, scopes: list[str], client_id: str = "0oa-service") -> dict[str, str]:
    private_pem, public_jwk = generate_keypair()
    okta_sandbox.register_oauth_client(client_id, public_jwk, scopes)
    return {"org_url": ORG, "client_id": client_id, "private_key": private_pem, "key_id": public_jwk["kid"]}


def test_an_api_token_connects_with_ssws_and_is_labelled_with_the_org(
    store: CredentialStore, okta_transport: CountingTransport
) -> None:
    record = store.save("okta", "okta-token", {"org_url": ORG + "/", "api_token": "okta-sandbox-token"})
    connection = store.connection(record.id, transport=okta_transport)
    assert isinstance(connection.auth, OktaTokenAuth)
    assert connection.base_url == ORG
    check = check_connection(connection)
    assert check.label.startswith("okta.sandbox (")


def test_a_wrong_api_token_fails_the_connection_test(okta_transport: CountingTransport) -> None:
    fields = {"org_url": ORG, "api_token": "not-a-real-token"}
    connection = Connection(app="okta", fields=fields, transport=okta_transport)
    with pytest.raises(Exception) as caught:
        check_connection(connection)
    assert "E0000011" in str(caught.value)


def test_a_service_app_gets_a_token_with_a_signed_assertion_and_caches_it(
    okta_sandbox: OktaSandbox, okta_transport: CountingTransport
) -> None:
    fields = {**service_app(okta_sandbox, ["okta.users.read"]), "scopes": "okta.users.read"}
    auth = OKTA_AUTH.handler(fields, transport=okta_transport)  # type: ignore[call-arg,misc]
    assert isinstance(auth, OktaPrivateKeyJwtAuth)
    with make_client(ORG, auth=auth, transport=okta_transport) as http:
        for _ in range(3):
            assert http.get("/api/v1/users", params={"limit": 1}).status_code == 200
    assert okta_transport.count("/oauth2/v1/token") == 1
    assert auth.token_requests == 1


def test_scopes_come_from_the_connection_and_a_401_fetches_one_new_token(
    okta_sandbox: OktaSandbox, okta_transport: CountingTransport
) -> None:
    fields = {**service_app(okta_sandbox, ["okta.users.read", "okta.groups.read"]),
              "scopes": "okta.users.read okta.groups.read"}
    connection = Connection(app="okta", fields=fields, transport=okta_transport,
                            auth=OKTA_AUTH.handler(fields, transport=okta_transport))  # type: ignore[call-arg,misc]
    assert check_connection(connection).label == "okta.sandbox (service app 0oa-service)"
    okta_sandbox.faults.expire_tokens()
    assert check_connection(connection).data["via"] == "oauth"
    assert okta_transport.count("/oauth2/v1/token") == 2


def test_a_read_only_service_app_refused_on_a_write_names_the_scope(
    okta_sandbox: OktaSandbox, okta_transport: CountingTransport
) -> None:
    fields = {**service_app(okta_sandbox, ["okta.users.read"]), "scopes": "okta.users.read"}
    auth = OKTA_AUTH.handler(fields, transport=okta_transport)  # type: ignore[call-arg,misc]
    with make_client(ORG, auth=auth, transport=okta_transport) as http, pytest.raises(ResponseError) as caught:
        http.post("/api/v1/users", params={"activate": "false"},
                  json={"profile": {"login": "ada@example.com", "email": "ada@example.com", "firstName": "Ada",
                                    "lastName": "Lovelace"}})
    assert "lacks okta.users.manage" in caught.value.message
    assert "grant okta.users.manage" in caught.value.message


def test_an_unregistered_key_is_refused_with_a_reconnect_message(
    okta_sandbox: OktaSandbox, okta_transport: CountingTransport
) -> None:
    fields = service_app(okta_sandbox, ["okta.users.read"])
    fields["private_key"], _ = generate_keypair()  # not the registered key
    auth = OKTA_AUTH.handler({**fields, "scopes": "okta.users.read"}, transport=okta_transport)  # type: ignore[call-arg,misc]
    with make_client(ORG, auth=auth, transport=okta_transport) as http, pytest.raises(Exception) as caught:
        http.get("/api/v1/users")
    assert "reconnect" in str(caught.value)
    assert fields["private_key"] not in str(caught.value)


def test_generated_key_pairs_give_a_public_jwk_with_a_key_id() -> None:
    private_pem, public_jwk = generate_keypair()
    assert private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert public_jwk["kty"] == "RSA" and public_jwk["kid"] and "d" not in public_jwk


def test_unknown_scopes_and_missing_credentials_are_named() -> None:
    with pytest.raises(BadInput) as caught:
        OKTA_AUTH.handler({"org_url": ORG, "client_id": "c", "private_key": "k", "scopes": "okta.everything"})  # type: ignore[misc]
    assert caught.value.field == "scopes"
    with pytest.raises(BadInput) as missing:
        OKTA_AUTH.handler({"org_url": ORG})  # type: ignore[misc]
    assert missing.value.field == "api_token"
