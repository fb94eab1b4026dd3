"""Fixtures of the UI tests: the demo environment with the UI, its test client, a browser session, and
(from ``ui_browser_harness``) the real platform and Chromium for the browser tests."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from ui_browser_harness import browser, page, platform, start_platform  # noqa: F401  (browser test fixtures)
from ui_harness import ui_environment

from emulator.demo import Environment


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Environment]:
    """One environment per test module: building it (keys, databases, seeding) is the slow part."""
    environment = ui_environment(tmp_path_factory.mktemp("ui"))
    yield environment
    environment.close()


@pytest.fixture
def ui_app(env: Environment) -> Flask:
    return env.emulator


@pytest.fixture
def browser_session(ui_app: Flask) -> tuple[FlaskClient, str]:
    """A test client signed in through the start URL, holding a session cookie, and the page's CSRF token."""
    client = ui_app.test_client()
    signed_in = client.get("/?token=" + ui_app.config["ACCESS_TOKEN"])
    assert signed_in.status_code == 302 and "token" not in signed_in.headers["Location"]
    html = client.get("/connections").get_data(as_text=True)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert match, "the page must carry its CSRF token in a meta tag"
    return client, match.group(1)


@pytest.fixture
def api_client(ui_app: Flask) -> FlaskClient:
    """A script's view of the JSON API: the access token in its header, no session cookie."""
    client = ui_app.test_client(use_cookies=False)
    client.environ_base["HTTP_X_EMULATOR_TOKEN"] = ui_app.config["ACCESS_TOKEN"]
    return client
