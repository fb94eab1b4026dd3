"""Fixtures for the Contacts app stories: a Contacts sandbox, a connection to it, and a hook receiver."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from contacts_app_doubles import HookReceiver

from connector.apps.contacts.app import APP
from connector.context import Connection, Meta
from connector.runtime import invoke
from sandboxes.contacts import ContactsSandbox

API_KEY = "contacts-sandbox-key"
LOCATION = "loc_sandbox"
#: The marketplace app's webhook URL, as set in the app's settings.
APP_HOOK_URL = "https://platform.test/hooks/apps/contacts"

Run = Callable[..., Any]


@pytest.fixture
def receiver() -> HookReceiver:
    return HookReceiver()


@pytest.fixture
def sandbox(contacts_sandbox: ContactsSandbox, receiver: HookReceiver) -> ContactsSandbox:
    """The kit's ``contacts_sandbox``, delivering its app webhooks at once to ``receiver``."""
    contacts_sandbox.outbox.synchronous = True
    contacts_sandbox.outbox.transport = httpx.MockTransport(receiver.handle)
    contacts_sandbox.set_app_webhook(APP_HOOK_URL)
    return contacts_sandbox


@pytest.fixture
def connection(sandbox: ContactsSandbox) -> Connection:
    return Connection(
        app="contacts",
        fields={"api_key": API_KEY, "location_id": LOCATION},
        base_url=sandbox.base_url,
        transport=sandbox.transport(),
    )


@pytest.fixture
def run(connection: Connection) -> Run:
    """``run("create_contact", {...})`` -> the operation's output, through the one runtime path."""

    def _run(operation: str, values: dict[str, Any] | None = None, meta: Meta | None = None, **kwargs: Any) -> Any:
        return invoke(APP, operation, connection, values or {}, meta, **kwargs).output

    return _run


@pytest.fixture
def ada(run: Run) -> dict[str, Any]:
    """A contact made from an Okta user."""
    return run("create_contact", {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                                  "phone": "+15550100001", "external_id": "00uADA"})
