"""The Personio demo flow in a real browser: test its trigger, turn it on, hire someone, see the contact.

Same harness as ``test_ui_browser.py`` (the full platform on a real port, Debian's Chromium): the demo
seeds give the "Personio sandbox" connection and the flow "New Personio employee → create contact"
(off); everything after that is clicks.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from ui_browser_harness import Platform, needs_chromium, open_start_url, shot, wait_for_runs

from emulator.demo import PERSONIO_FLOW_NAME, seed_demo
from sandboxes.personio import DEFAULT_CLIENT_SECRET

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]

NEW_HIRE = {"first_name": "Pia", "last_name": "Personio", "email": "pia.personio@example.org",
            "department": "Research", "position": "Lab Lead"}


def _turn_on_the_personio_flow(page: Any, base: str) -> None:
    page.goto(f"{base}/flows")
    page.get_by_role("link", name=PERSONIO_FLOW_NAME).click()
    page.wait_for_url(re.compile(r"/flows/[^/]+$"))
    page.wait_for_selector('#editor[data-ready="true"]')
    page.fill("#flow-interval", "0.5")  # poll quickly so the run follows the click (saved on turning on)
    page.get_by_role("button", name="Test trigger").click()
    page.wait_for_selector("#trigger-samples h3:has-text('newest samples')")
    assert "personio.example.com" in page.inner_text("#trigger-samples"), "samples are the seeded employees"
    page.locator("#toggle-flow").click()
    page.wait_for_selector("#flow-state .badge-on")


def _hire_in_the_personio_sandbox(page: Any, base: str) -> None:
    page.goto(f"{base}/sandboxes")
    page.wait_for_selector("#personio-body tr[data-employee-id]")
    for field, value in NEW_HIRE.items():
        page.fill(f"#personio-{field.replace('_', '-')}", value)
    page.get_by_role("button", name="Create an employee in the Personio sandbox").click()
    created = page.locator(f'#personio-created [data-email="{NEW_HIRE["email"]}"]')
    created.wait_for()
    assert "Lab Lead in Research" in created.inner_text()
    page.wait_for_selector(f'#personio-body tr[data-email="{NEW_HIRE["email"]}"]')


def test_a_new_personio_employee_becomes_a_contact_through_the_ui(platform: Platform, page: Any) -> None:
    env, base = platform
    seed_demo(env)
    open_start_url(page, env)
    _turn_on_the_personio_flow(page, base)
    _hire_in_the_personio_sandbox(page, base)

    wait_for_runs(page, base, "succeeded")
    page.locator('#runs-body tr[data-status="succeeded"] a').first.click()
    page.wait_for_selector('#run-steps [data-step-key="create_contact"][data-status="succeeded"]')
    assert NEW_HIRE["email"] in page.inner_text("#run-steps")

    page.goto(f"{base}/sandboxes")
    page.fill("#contacts-query", "pia.personio")
    page.get_by_role("button", name="Search").click()
    row = page.locator(f'#contacts-body tr[data-email="{NEW_HIRE["email"]}"]')
    row.wait_for()
    tags = row.locator(".contact-tags").inner_text().lower()
    assert "personio" in tags
    assert "research" in tags
    shot(page, "sandboxes.png")
    html = page.content()
    assert DEFAULT_CLIENT_SECRET not in html
    assert not any(token in html for token in env.personio.tokens.tokens)
