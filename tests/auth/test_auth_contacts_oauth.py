"""OAuth 2.0 for the Contacts API, against the Contacts sandbox's authorization server."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from auth_support import CONTACTS_CLIENT, LOCATION, REDIRECT_URI, CountingTransport, consent

from auth.connection_check import check_connection
from auth.contacts import CONTACTS_AUTH, authorize_url, token_url
from auth.oauth_flow import complete_authorization, refresh_access_token, start_authorization
from auth.store import CredentialStore
from connector.errors import BadInput, ExpiredAuth, ResponseError
from connector.http import make_client
from sandboxes.contacts import ContactsSandbox

BASE = "http://contacts.sandbox"
FIELDS = {"base_url": BASE}


def authorize(browser: httpx.Client, session: dict[str, Any], client_id: str = CONTACTS_CLIENT[0],
              scopes: tuple[str, ...] = CONTACTS_AUTH.scopes) -> dict[str, str]:
    url = start_authorization(authorize_url(FIELDS), client_id, REDIRECT_URI, scopes, session)
    return consent(browser, url)


def exchange(params: dict[str, str], session: dict[str, Any], transport: httpx.BaseTransport,
             client: tuple[str, str] = CONTACTS_CLIENT) -> dict[str, Any]:
    return complete_authorization(token_url(FIELDS), client[0], client[1], REDIRECT_URI, params, session,
                                  transport=transport)


def save_oauth_connection(store: CredentialStore, tokens: dict[str, Any], client: tuple[str, str] = CONTACTS_CLIENT,
                          name: str = "contacts-oauth") -> str:
    fields = {
        **FIELDS, "client_id": client[0], "client_secret": client[1], "location_id": tokens["locationId"],
        "access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"],
        "expires_at": tokens["expires_at"],
    }
    return store.save("contacts", name, fields).id


def test_the_full_code_flow_connects_calls_refreshes_and_saves_the_rotated_tokens(
    store: CredentialStore, browser: httpx.Client, contacts_sandbox: ContactsSandbox,
    contacts_transport: CountingTransport,
) -> None:
    session: dict[str, Any] = {}
    url = start_authorization(authorize_url(FIELDS), CONTACTS_CLIENT[0], REDIRECT_URI, CONTACTS_AUTH.scopes, session)
    assert "code_challenge_method=S256" in url and "state=" in url
    params = consent(browser, url)
    tokens = exchange(params, session, contacts_transport)
    assert tokens["locationId"] == LOCATION and tokens["expires_at"] > time.time()
    connection_id = save_oauth_connection(store, tokens)

    check = check_connection(store.connection(connection_id, transport=contacts_transport))
    assert check.label == f"Location {LOCATION}"

    contacts_sandbox.faults.expire_tokens()  # the access token dies early: 401, refresh once, retry
    check_again = check_connection(store.connection(connection_id, transport=contacts_transport))
    assert check_again.data["locationId"] == LOCATION
    assert contacts_transport.count("/oauth/token") == 2  # the code exchange and one refresh
    saved = store.fields(connection_id)
    assert saved["refresh_token"] != tokens["refresh_token"]
    assert saved["access_token"] != tokens["access_token"]


@pytest.mark.parametrize("tamper", ["missing", "mismatched", "reused"])
def test_a_bad_state_exchanges_no_token(
    tamper: str, browser: httpx.Client, contacts_transport: CountingTransport
) -> None:
    session: dict[str, Any] = {}
    params = authorize(browser, session)
    if tamper == "reused":
        exchange(dict(params), session, contacts_transport)
        assert contacts_transport.count("/oauth/token") == 1
    elif tamper == "missing":
        params.pop("state")
    else:
        params["state"] = "forged-state"
    before = contacts_transport.count("/oauth/token")
    with pytest.raises(BadInput) as caught:
        exchange(params, session, contacts_transport)
    assert caught.value.field == "state"
    assert contacts_transport.count("/oauth/token") == before


def test_a_state_from_another_session_is_refused(browser: httpx.Client, contacts_transport: CountingTransport) -> None:
    params = authorize(browser, {})
    with pytest.raises(BadInput, match="state"):
        exchange(params, {}, contacts_transport)
    assert contacts_transport.count("/oauth/token") == 0


def test_fifty_concurrent_calls_on_an_expired_token_make_exactly_one_refresh(
    store: CredentialStore, browser: httpx.Client, contacts_transport: CountingTransport
) -> None:
    session: dict[str, Any] = {}
    tokens = exchange(authorize(browser, session), session, contacts_transport)
    tokens["expires_at"] = time.time() - 10  # already expired when the calls start
    connection_id = save_oauth_connection(store, tokens)
    connection = store.connection(connection_id, transport=contacts_transport)

    def call(_: int) -> int:
        with make_client(connection.base_url, auth=connection.auth, transport=contacts_transport) as client:
            return client.get("/contacts/", params={"locationId": LOCATION, "limit": 1}).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(call, range(50)))
    assert statuses == [200] * 50
    assert contacts_transport.count("/oauth/token") == 2  # code exchange + exactly one refresh


def test_fifty_concurrent_401s_make_exactly_one_refresh(
    store: CredentialStore, browser: httpx.Client, contacts_sandbox: ContactsSandbox,
    contacts_transport: CountingTransport,
) -> None:
    session: dict[str, Any] = {}
    connection_id = save_oauth_connection(store, exchange(authorize(browser, session), session, contacts_transport))
    contacts_sandbox.faults.expire_tokens()

    def call(_: int) -> int:
        connection = store.connection(connection_id, transport=contacts_transport)  # separate auth objects
        with make_client(connection.base_url, auth=connection.auth, transport=contacts_transport) as client:
            return client.get("/contacts/", params={"locationId": LOCATION, "limit": 1}).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        assert list(pool.map(call, range(50))) == [200] * 50
    assert contacts_transport.count("/oauth/token") == 2


def test_reusing_a_rotated_refresh_token_asks_to_reconnect_instead_of_retrying(
    store: CredentialStore, browser: httpx.Client, contacts_transport: CountingTransport
) -> None:
    session: dict[str, Any] = {}
    tokens = exchange(authorize(browser, session), session, contacts_transport)
    # Someone refreshed behind the store's back: the saved refresh token is now a rotated, used one.
    rotated = refresh_access_token(token_url(FIELDS), *CONTACTS_CLIENT, tokens["refresh_token"],
                                   transport=contacts_transport)
    assert rotated["refresh_token"] != tokens["refresh_token"]
    tokens["expires_at"] = time.time() - 10
    connection_id = save_oauth_connection(store, tokens)

    with pytest.raises(ExpiredAuth, match="reconnect"):
        check_connection(store.connection(connection_id, transport=contacts_transport))
    assert contacts_transport.count("/oauth/token") == 3  # exchange, the outside refresh, one refused refresh
    assert store.get(connection_id).status == "expired"
    with pytest.raises(ExpiredAuth, match="reconnect"):
        store.connection(connection_id, transport=contacts_transport)
    assert contacts_transport.count("/oauth/token") == 3  # no loop: nothing more was sent


def test_a_read_only_token_refused_on_a_write_names_the_missing_scope(
    store: CredentialStore, browser: httpx.Client, contacts_transport: CountingTransport
) -> None:
    client = ("read-only-app", "read-only-secret-0123456789")
    session: dict[str, Any] = {}
    params = authorize(browser, session, client_id=client[0], scopes=("contacts.readonly",))
    connection_id = save_oauth_connection(store, exchange(params, session, contacts_transport, client), client)
    connection = store.connection(connection_id, transport=contacts_transport)
    with (
        make_client(connection.base_url, auth=connection.auth, transport=contacts_transport) as http,
        pytest.raises(ResponseError) as caught,
    ):
        http.post("/contacts/", json={"locationId": LOCATION, "email": "ada@example.com"})
    assert "lacks contacts.write" in caught.value.message and "reconnect and grant it" in caught.value.message
    assert contacts_transport.count("/oauth/token") == 1  # a missing scope is not a reason to refresh


def test_a_location_api_key_connects_and_is_labelled_with_its_location(
    store: CredentialStore, contacts_transport: CountingTransport
) -> None:
    fields = {**FIELDS, "api_key": "contacts-sandbox-key", "location_id": LOCATION}
    record = store.save("contacts", "contacts-key", fields)
    check = check_connection(store.connection(record.id, transport=contacts_transport))
    assert check.label == "Location loc_sandbox"
    assert check.data["locationId"] == LOCATION
