"""The whole local platform (emulator + both sandboxes), as `connector emulate` builds it."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from emulator.demo import build_environment, seed_demo

PUBLIC_URL = "http://127.0.0.1:5999"


@pytest.fixture
def platform(tmp_path):
    env = build_environment(PUBLIC_URL, tmp_path / "data", okta_users=30, contacts=10, runner_thread=False)
    yield env
    env.close()


@pytest.fixture
def demo_ids(platform):
    return seed_demo(platform)


class BrowserClient(Client):
    """A cookie-keeping client for the composite app that sends the page's CSRF token, like the UI's JS."""

    def csrf(self) -> str:
        html = self.get("/connections").get_data(as_text=True)
        return html.split('name="csrf-token" content="')[1].split('"')[0]

    def post(self, *args, **kwargs):
        kwargs.setdefault("headers", {})["X-CSRF-Token"] = self.csrf()
        return super().post(*args, **kwargs)


def signed_in_browser(platform) -> BrowserClient:
    """A browser that opened the URL `connector emulate` printed (the access token signs it in)."""
    client = BrowserClient(platform.wsgi)
    assert client.get(platform.start_url.removeprefix(platform.public_url)).status_code == 302
    return client


@pytest.fixture
def browser(platform):
    return signed_in_browser(platform)


@pytest.fixture
def api(platform):
    """A script's view of the JSON API: no session cookie, the access token header (not CSRF-prone)."""
    client = platform.emulator.test_client()
    client.environ_base["HTTP_X_EMULATOR_TOKEN"] = platform.access_token
    return client
