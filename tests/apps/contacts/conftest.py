"""The Contacts app stories run on the kit's plugin fixtures (``sandbox``, ``connection``, ``run``,
``hook_receiver``); this file names the app, turns the app's webhook on, and gives a first contact."""

from __future__ import annotations

from typing import Any

import pytest

from connector.apps.contacts.app import APP
from connector.definitions import App
from connector.testing import HookReceiver, OperationRunner
from sandboxes.contacts import ContactsSandbox

API_KEY = "contacts-sandbox-key"
LOCATION = "loc_sandbox"
#: The marketplace app's webhook URL, as set in the app's settings.
APP_HOOK_URL = "https://platform.test/hooks/apps/contacts"


@pytest.fixture
def connector_app() -> App:
    return APP


@pytest.fixture(autouse=True)
def app_webhook(sandbox: ContactsSandbox, hook_receiver: HookReceiver) -> HookReceiver:
    """The marketplace app's webhook is set, so every location event reaches ``hook_receiver``."""
    sandbox.set_app_webhook(APP_HOOK_URL)
    return hook_receiver


@pytest.fixture
def ada(run: OperationRunner) -> dict[str, Any]:
    """A contact made from an Okta user."""
    return run.output("create_contact", {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                                         "phone": "+15550100001", "external_id": "00uADA"})
