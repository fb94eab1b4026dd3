"""A hook delivery that finally failed is shown in the UI and replayed from it, in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from ui_browser_harness import Platform, needs_chromium, open_start_url, wait_for_runs

from emulator.demo import seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]


def test_a_failed_hook_delivery_is_flagged_on_the_flows_page_and_replayed_from_the_flow(
    start_platform: Callable[..., Platform], page: Any
) -> None:
    env, base = start_platform(MAX_ATTEMPTS=1)
    ids = seed_demo(env)
    emulator = env.emulator.extensions["emulator"]
    flow = emulator.store.create_flow({
        "name": "Instant: new Okta user -> contact", "trigger_app": "okta", "trigger_operation": "new_user_instant",
        "trigger_input": {}, "trigger_connection_id": ids["okta"], "interval_seconds": 60.0,
        "steps": [{"key": "create_contact", "app": "contacts", "operation": "create_contact",
                   "connection_id": ids["contacts"],
                   "mapping": {"email": "{{trigger.profile.email}}", "external_id": "{{trigger.user_id}}"}}],
    }, emulator.clock())
    emulator.runner.turn_on(flow["id"])
    env.okta.faults.update(error_rate=1.0)  # reading the new user's profile fails: the delivery fails
    user = env.okta.create_user({"firstName": "Dana", "lastName": "Lost", "email": "dana.lost@example.org",
                                 "login": "dana.lost@example.org"})
    env.okta.outbox.flush()

    open_start_url(page, env)
    page.goto(f"{base}/flows")
    banner = page.locator(f'.banner[data-flow-id="{flow["id"]}"]')
    for _ in range(30):  # the scheduler thread tries the delivery shortly after it arrives
        page.reload()
        if banner.count():
            break
        page.wait_for_timeout(200)
    assert "1 hook deliveries failed" in banner.inner_text()

    env.okta.faults.reset()
    banner.get_by_role("link", name="the flow").click()
    row = page.locator("tr[data-delivery-id]")
    row.wait_for()
    assert "gave up after 1 attempts" in row.inner_text()
    row.get_by_role("button", name="Replay").click()
    page.wait_for_selector("#notice:has-text('is processed')")

    wait_for_runs(page, base, "succeeded")
    contacts = [c for c in env.contacts.state.contacts.values() if c.get("email") == "dana.lost@example.org"]
    assert len(contacts) == 1, user
