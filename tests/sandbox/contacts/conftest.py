"""Fixtures for the Contacts sandbox tests: a sandbox, API clients, a fake clock and the OAuth dance."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from contacts_doubles import LOCATION, REDIRECT_URI, ClientFactory, FakeClock, OAuthDance

from sandboxes.contacts import ContactsSandbox, ContactsSettings


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Iterator[ContactsSandbox]:
    box = ContactsSandbox(ContactsSettings(locations={LOCATION: "Sandbox Location", "loc_other": "Other"}), clock=clock)
    box.outbox.synchronous = True
    box.register_oauth_client("app-1", "app-1-secret", [REDIRECT_URI], ["contacts.readonly", "contacts.write"])
    yield box
    box.outbox.close()


@pytest.fixture
def client_for(sandbox: ContactsSandbox) -> Iterator[ClientFactory]:
    factory = ClientFactory(sandbox)
    yield factory
    for client in factory.made:
        client.close()


@pytest.fixture
def api(client_for: ClientFactory) -> httpx.Client:
    """An API client with the location API key (both scopes)."""
    return client_for()


@pytest.fixture
def browser(sandbox: ContactsSandbox) -> Iterator[httpx.Client]:
    """A client with no credentials, like the user's browser or the app's back end."""
    with httpx.Client(transport=sandbox.transport(), base_url=sandbox.base_url) as client:
        yield client


@pytest.fixture
def oauth(browser: httpx.Client) -> OAuthDance:
    return OAuthDance(browser)
