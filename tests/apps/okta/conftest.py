"""The Okta app stories run on the kit's plugin fixtures (``sandbox``, ``connection``, ``run``,
``request_counter``): a fresh sandbox org per test; this file only names the app."""

from __future__ import annotations

import pytest

from connector.apps.okta.app import APP
from connector.definitions import App


@pytest.fixture
def connector_app() -> App:
    return APP
