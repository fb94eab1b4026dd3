"""Fixtures for the auth tests: sandboxes with registered OAuth clients, and a store in a temp dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from auth_support import CONTACTS_CLIENT, REDIRECT_URI, CountingTransport

from auth.contacts import SCOPES as CONTACTS_SCOPES
from auth.secrets import SecretBox
from auth.store import CredentialStore
from connector.dedupe import sqlite_engine
from sandboxes.contacts import ContactsSandbox
from sandboxes.okta import OktaSandbox


@pytest.fixture
def contacts_sandbox() -> Iterator[ContactsSandbox]:
    box = ContactsSandbox()
    both = list(CONTACTS_SCOPES)
    box.register_oauth_client(CONTACTS_CLIENT[0], CONTACTS_CLIENT[1], [REDIRECT_URI], both)
    box.register_oauth_client("read-only-app", "read-only-secret-0123456789", [REDIRECT_URI], ["contacts.readonly"])
    yield box
    box.outbox.close()


@pytest.fixture
def contacts_transport(contacts_sandbox: ContactsSandbox) -> CountingTransport:
    return CountingTransport(contacts_sandbox.transport())


@pytest.fixture
def browser(contacts_sandbox: ContactsSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(transport=contacts_sandbox.transport(), base_url=contacts_sandbox.base_url) as client:
        yield client


@pytest.fixture
def okta_sandbox() -> Iterator[OktaSandbox]:
    box = OktaSandbox()
    box.seed_users(3)
    yield box
    box.close()


@pytest.fixture
def okta_transport(okta_sandbox: OktaSandbox) -> CountingTransport:
    return CountingTransport(okta_sandbox.transport())


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CredentialStore:
    monkeypatch.delenv("CONNECTOR_SECRET_KEYS", raising=False)
    engine: sa.Engine = sqlite_engine(tmp_path / "connector.db")
    return CredentialStore(engine, SecretBox.from_environment(tmp_path))
