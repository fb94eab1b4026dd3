"""Planted canary secrets appear nowhere in DEBUG logs, Authlib's and httpx's included."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from auth_support import CONTACTS_CLIENT, REDIRECT_URI, CountingTransport, consent

from auth.connection_check import check_connection
from auth.contacts import authorize_url, token_url
from auth.keypairs import generate_keypair
from auth.oauth_flow import complete_authorization, start_authorization
from auth.redaction import install_redaction, redact
from auth.store import CredentialStore
from sandboxes.contacts import ContactsSandbox
from sandboxes.okta import OktaSandbox

FIELDS = {"base_url": "http://contacts.sandbox"}


def test_credentials_in_headers_bodies_and_pem_blocks_are_redacted() -> None:
    text = (
        'Authorization: Bearer abcdef123456 SSWS 00abcdefghijk {"refresh_token": "rt-secret-value"} '
        "client_secret=cs-secret&code_verifier=cv-secret -----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----"
    )
    cleaned = redact(text)
    for secret in ("abcdef123456", "00abcdefghijk", "rt-secret-value", "cs-secret", "cv-secret", "MIIB"):
        assert secret not in cleaned
    assert "Bearer [redacted]" in cleaned


def test_canary_secrets_appear_nowhere_in_debug_logs(
    caplog: pytest.LogCaptureFixture, store: CredentialStore, browser: httpx.Client,
    contacts_sandbox: ContactsSandbox, contacts_transport: CountingTransport, okta_sandbox: OktaSandbox,
    okta_transport: CountingTransport,
) -> None:
    install_redaction()
    caplog.set_level(logging.DEBUG)
    for name in ("authlib", "httpx", "httpcore", "connector", "auth"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    log = logging.getLogger("auth.tests.canary")

    session: dict[str, Any] = {}
    params = consent(browser, start_authorization(authorize_url(FIELDS), CONTACTS_CLIENT[0], REDIRECT_URI,
                                                  ("contacts.readonly", "contacts.write"), session))
    tokens = complete_authorization(token_url(FIELDS), *CONTACTS_CLIENT, REDIRECT_URI, params, session,
                                    transport=contacts_transport)
    record = store.save("contacts", "canary", {
        **FIELDS, "client_id": CONTACTS_CLIENT[0], "client_secret": CONTACTS_CLIENT[1], "location_id": "loc_sandbox",
        "access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"],
        "expires_at": tokens["expires_at"]})
    contacts_sandbox.faults.expire_tokens()
    check_connection(store.connection(record.id, transport=contacts_transport))  # refresh with rotation
    rotated = store.fields(record.id)

    private_pem, public_jwk = generate_keypair()
    okta_sandbox.register_oauth_client("0oa-canary", public_jwk, ["okta.users.read"])
    okta = store.save("okta", "okta-canary", {"org_url": "http://okta.sandbox", "client_id": "0oa-canary",
                                              "private_key": private_pem, "scopes": "okta.users.read"})
    check_connection(store.connection(okta.id, transport=okta_transport))

    canaries = [CONTACTS_CLIENT[1], tokens["access_token"], tokens["refresh_token"], rotated["access_token"],
                rotated["refresh_token"], private_pem.splitlines()[1], "okta-sandbox-token"]
    log.debug("tokens %s and %r", tokens, rotated)
    log.info("Authorization: SSWS okta-sandbox-token")
    try:
        raise ValueError(f"boom with {tokens['refresh_token']}")
    except ValueError:
        log.exception("refresh failed for %s", CONTACTS_CLIENT[1])

    captured = caplog.text + "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert len(caplog.records) >= 4
    for canary in canaries:
        assert canary not in captured
