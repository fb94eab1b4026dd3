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


@pytest.fixture
def browser(platform):
    """A cookie-keeping client for the composite app, like a browser on the emulator's URL."""
    return Client(platform.wsgi)
