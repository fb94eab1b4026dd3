"""Building blocks shared by the UI tests: the demo environment, web UI included.

``emulator.demo.build_environment`` composes the emulator (``create_app`` registers the UI) with the
sandboxes, exactly as ``connector emulate`` serves it; the tests drive it with Flask's test client or,
in the browser tests, Chromium.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from emulator.demo import DEMO_CONTACTS_KEY, DEMO_LOCATION, DEMO_OKTA_TOKEN, Environment, build_environment

OKTA_TOKEN = DEMO_OKTA_TOKEN
CONTACTS_KEY = DEMO_CONTACTS_KEY
LOCATION_ID = DEMO_LOCATION


def ui_environment(
    data_dir: Path,
    public_url: str = "http://emulator.test",
    *,
    runner_thread: bool = False,
    okta_users: int = 3,
    config: Mapping[str, Any] | None = None,
) -> Environment:
    """The emulator, both sandboxes and the web UI, for ``public_url``."""
    return build_environment(
        public_url, data_dir, okta_users=okta_users, contacts=3, runner_thread=runner_thread,
        config={"SCHEDULER_INTERVAL": 0.1, "RETRY_BASE_SECONDS": 0.5, **dict(config or {})},
    )
