"""The whole story in a real browser: connect both apps, build the demo flow, run it, see the contact.

Chromium (Debian's ``/usr/bin/chromium``) is driven by Playwright against the full local platform
served on a real port: the emulator with its UI, and both sandboxes mounted beside it. The same test
takes the screenshots the README shows (``docs/screenshots/``, rewritten only with
``UPDATE_SCREENSHOTS=1``). The fixtures live in ``ui_browser_harness``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from ui_browser_harness import (
    Platform,
    needs_chromium,
    open_start_url,
    shot,
    sign_in_with_the_form,
    wait_for_runs,
)
from ui_harness import LOCATION_ID, OKTA_TOKEN

from emulator.demo import DEMO_FLOW_NAME, Environment, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]


def _connect_okta(page: Any, base: str, env: Environment) -> None:
    page.goto(f"{base}/connections")
    page.fill("#okta-connection-name", "Okta sandbox")
    page.fill("#okta-org_url", env.okta.base_url)
    page.fill("#okta-api_token", OKTA_TOKEN)
    page.get_by_role("button", name="Save and test Okta connection").click()
    page.wait_for_selector('tr[data-connection="Okta sandbox"] .connection-label')


def _connect_contacts_with_oauth(page: Any) -> None:
    page.fill("#contacts-oauth-name", "Contacts (OAuth)")
    page.get_by_role("button", name=re.compile(r"^Connect Contacts")).click()
    page.wait_for_url(re.compile(r"/sandbox/contacts/oauth/chooselocation"))
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(re.compile(r"/connections\?connected="))
    page.wait_for_selector('tr[data-connection="Contacts (OAuth)"]')


def _map(page: Any, step: int, field: str, template: str) -> None:
    page.fill(f"#step-{step}-field-{field}", template)


def _insert_token(page: Any, step: int, field: str, token: str) -> None:
    picker = f"#step-{step}-field-{field}-tokens"
    page.wait_for_selector(f'{picker} option[value="{token}"]', state="attached")
    page.select_option(picker, token)
    page.click(f'.mapping-row[data-field="{field}"] .token-picker button')


def _build_flow(page: Any, base: str) -> None:
    page.goto(f"{base}/flows/new")
    page.wait_for_selector('#editor[data-ready="true"]')
    page.fill("#flow-name", "New Okta user becomes a tagged contact")
    page.fill("#flow-interval", "0.5")
    page.select_option("#trigger-app", "okta")
    page.select_option("#trigger-operation", "new_user")
    page.get_by_role("button", name="Test trigger").click()
    page.wait_for_selector("#trigger-samples h3:has-text('newest samples')")

    page.get_by_role("button", name="Add action step").click()
    page.select_option("#step-0-app", "contacts")
    page.select_option("#step-0-operation", "create_contact")
    _insert_token(page, 0, "first_name", "trigger.profile.firstName")
    _map(page, 0, "last_name", "{{trigger.profile.lastName}}")
    _map(page, 0, "email", "not an email {{trigger.profile.firstName}}")
    email_error = page.locator('.mapping-row[data-field="email"] .field-error')
    email_error.wait_for(state="visible")
    assert "email" in email_error.inner_text().lower() or email_error.inner_text()
    _map(page, 0, "email", "{{trigger.profile.email}}")
    email_error.wait_for(state="hidden")
    _map(page, 0, "source", "Okta")
    _map(page, 0, "tags", "from-okta, {{trigger.profile.department}}")
    _map(page, 0, "external_id", "{{trigger.id}}")
    page.wait_for_function(
        """() => {
          const v = document.querySelector('.mapping-row[data-field="tags"] .preview-value');
          return v && v.textContent.startsWith('["from-okta"');
        }"""
    )
    shot(page, "flow-editor.png")

    page.locator('[data-test-step="0"]').click()
    page.wait_for_selector('[data-step-index="0"] .step-test-result h3:has-text("Test succeeded")')

    page.get_by_role("button", name="Add action step").click()
    page.select_option("#step-1-app", "contacts")
    page.select_option("#step-1-operation", "add_tags")
    _map(page, 1, "contact_id", "{{steps.create_contact.id}}")
    _map(page, 1, "tags", "welcome")
    page.get_by_role("button", name="Save flow").click()
    page.wait_for_url(re.compile(r"/flows/flow_[^/]+$"))
    page.locator("#toggle-flow").click()
    page.wait_for_selector("#flow-state .badge-on")


def _create_okta_user(page: Any, base: str) -> None:
    page.goto(f"{base}/sandboxes")
    page.fill("#okta-first-name", "Nia")
    page.fill("#okta-last-name", "Newhire")
    page.fill("#okta-email", "nia.newhire@example.org")
    page.get_by_role("button", name="Create a user in the Okta sandbox").click()
    page.wait_for_selector('#okta-created [data-email="nia.newhire@example.org"]')


def test_a_new_okta_user_becomes_a_tagged_contact_through_the_ui(
    platform: tuple[Environment, str], page: Any
) -> None:
    env, base = platform
    sign_in_with_the_form(page, env)
    _connect_okta(page, base, env)
    _connect_contacts_with_oauth(page)
    page_text = page.content()
    assert OKTA_TOKEN not in page_text
    assert "Location " + LOCATION_ID in page.inner_text('tr[data-connection="Contacts (OAuth)"]')
    shot(page, "connections.png")

    _build_flow(page, base)
    _create_okta_user(page, base)

    wait_for_runs(page, base, "succeeded")
    shot(page, "run-history.png")
    page.locator('#runs-body tr[data-status="succeeded"] a').first.click()
    page.wait_for_selector('#run-steps [data-step-key="create_contact"][data-status="succeeded"]')
    page.wait_for_selector('#run-steps [data-step-key="add_tags"][data-status="succeeded"]')
    assert "nia.newhire@example.org" in page.inner_text("#run-steps")
    assert OKTA_TOKEN not in page.content()
    page.locator('[data-step-key="create_contact"] .trace-detail summary').last.click()
    shot(page, "run-detail.png")

    page.goto(f"{base}/sandboxes")
    page.fill("#contacts-query", "nia.newhire")
    page.get_by_role("button", name="Search").click()
    row = page.locator('#contacts-body tr[data-email="nia.newhire@example.org"]')
    row.wait_for()
    tags = row.locator(".contact-tags").inner_text()
    assert "from-okta" in tags
    assert "welcome" in tags


def test_held_items_are_released_from_the_flows_page_and_a_failed_run_is_replayed(
    start_platform: Callable[..., Platform], page: Any
) -> None:
    env, base = start_platform(FLOOD_LIMIT=1, MAX_ATTEMPTS=1)
    ids = seed_demo(env)
    flow_id = ids["flow"]
    open_start_url(page, env)
    page.goto(f"{base}/flows")
    page.get_by_role("button", name=f"Turn on {DEMO_FLOW_NAME}").click()
    page.wait_for_selector(f'tr[data-flow-id="{flow_id}"] .flow-state .badge-on')

    for first in ("Ravi", "Mina"):
        env.okta.create_user({"firstName": first, "lastName": "Flood", "email": f"{first.lower()}.flood@example.org",
                              "login": f"{first.lower()}.flood@example.org", "department": "Sales"})
    env.contacts.faults.update(error_rate=1.0)
    env.emulator.extensions["emulator"].runner.poll_flow(flow_id)

    page.reload()
    banner = page.locator(f'.banner[data-flow-id="{flow_id}"]')
    banner.wait_for()
    assert "2 new items are held" in banner.inner_text()
    shot(page, "flows.png")
    banner.get_by_role("button", name="Release 2 held items").click()
    page.wait_for_selector("#notice:has-text('Released 2 items')")

    wait_for_runs(page, base, "failed", count=2)
    page.select_option("#filter-status", "failed")
    page.select_option("#filter-flow", flow_id)
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"/runs\?flow=.+&status=failed"))
    page.wait_for_selector("#runs-count:has-text('of 2')")
    assert set(page.locator("#runs-body tr").evaluate_all("rows => rows.map(r => r.dataset.status)")) == {"failed"}
    env.contacts.faults.reset()
    page.locator('#runs-body tr[data-status="failed"] a').first.click()
    page.wait_for_selector('#run-steps [data-step-key="create_contact"][data-status="failed"] .error-box')
    page.get_by_role("button", name="Replay failed steps").click()
    page.wait_for_selector('#run-steps [data-step-key="add_tags"][data-status="succeeded"]')
    assert page.locator("#replay-run").is_hidden()
    assert "succeeded" in page.inner_text("#run-summary")

    page.goto(f"{base}/flows/{flow_id}")
    page.wait_for_selector('#editor[data-ready="true"]')
    assert page.input_value("#step-0-field-email") == "{{trigger.profile.email}}"
    page.wait_for_selector("#step-1-field-contact_id-choices option:nth-child(2)", state="attached")
    page.wait_for_selector('[data-step-index="1"] .mapping-summary:has-text("valid")')

    page.goto(f"{base}/connections")
    page.get_by_role("button", name="Test Okta sandbox").click()
    page.wait_for_selector("#notice:has-text('Okta sandbox works')")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete Contacts sandbox").click()
    page.wait_for_selector('tr[data-connection="Contacts sandbox"]', state="detached")
    assert page.locator('tr[data-connection="Okta sandbox"]').count() == 1
