"""The emulator as a connector author meets it in the browser: trials store nothing until "Save flow", a
flow can be deleted, a failing or paused flow is flagged, and the small things (labels, icons, the Okta
card's users, the consent page's styling, no stray "null") are right."""

from __future__ import annotations

import re
from typing import Any

import pytest
from ui_browser_harness import Platform, needs_chromium, open_start_url

from emulator.demo import seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]


def _flows(env: Any) -> list[dict[str, Any]]:
    return env.emulator.extensions["emulator"].store.list_flows()


def test_trials_store_nothing_until_save_and_a_saved_flow_can_be_deleted(platform: Platform, page: Any) -> None:
    env, base = platform
    open_start_url(page, env)  # the URL connector emulate printed signs the browser in
    seed_demo(env)
    before = len(_flows(env))
    not_found: list[str] = []
    page.on("response", lambda r: not_found.append(r.url) if r.status == 404 else None)

    page.goto(f"{base}/flows/new")
    page.wait_for_selector('#editor[data-ready="true"]')
    page.fill("#flow-name", "Tried, then saved")
    page.select_option("#trigger-app", "okta")
    options = page.locator("#trigger-operation option").all_inner_texts()
    assert "New User (Instant)" in options and not any("(Instant) (instant)" in o for o in options)
    page.select_option("#trigger-operation", "new_user")
    page.get_by_role("button", name="Test trigger").click()
    page.wait_for_selector("#trigger-samples h3:has-text('newest samples')")
    page.get_by_role("button", name="Add action step").click()
    page.select_option("#step-0-app", "contacts")
    page.select_option("#step-0-operation", "create_contact")
    page.fill("#step-0-field-email", "{{trigger.profile.email}}")
    page.fill("#step-0-field-first_name", "{{trigger.profile.firstName}}")
    page.locator('[data-test-step="0"]').click()
    result = page.locator('[data-step-index="0"] .step-test-result')
    result.locator('h3:has-text("Test succeeded")').wait_for()
    assert "null" not in result.inner_text().split("Input sent")[0], "no stray null under the heading"
    assert len(_flows(env)) == before, "Test trigger and Test action store nothing"
    assert page.locator("#delete-flow").is_hidden()

    page.get_by_role("button", name="Save flow").click()
    page.wait_for_url(re.compile(r"/flows/flow_[^/]+$"))
    assert len(_flows(env)) == before + 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete flow").click()
    page.wait_for_url(re.compile(r"/flows\?deleted="))
    page.wait_for_selector("text=Deleted Tried, then saved.")
    assert [f["name"] for f in _flows(env)].count("Tried, then saved") == 0
    assert not [url for url in not_found if url.endswith("/favicon.ico")]


def test_the_flows_list_shows_labels_and_flags_a_paused_flow(platform: Platform, page: Any) -> None:
    env, base = platform
    open_start_url(page, env)  # the URL connector emulate printed signs the browser in
    ids = seed_demo(env)
    env.emulator.extensions["emulator"].runner.pause(ids["flow"], "reconnect Okta sandbox")
    page.goto(f"{base}/flows")
    row = page.locator(f'#flows-body tr[data-flow-id="{ids["flow"]}"]')
    row.wait_for()
    assert "Okta · New User" in row.inner_text() and "okta · new_user" not in row.inner_text()
    assert "Contacts · Create Contact" in row.inner_text() and "contacts · create_contact" not in row.inner_text()
    banner = page.locator(f'.banner-attention[data-flow-id="{ids["flow"]}"]')
    banner.wait_for()
    assert "needs attention" in banner.inner_text() and "paused: reconnect Okta sandbox" in banner.inner_text()


def test_the_okta_card_lists_the_newest_users_and_the_consent_page_is_styled(platform: Platform, page: Any) -> None:
    env, base = platform
    open_start_url(page, env)  # the URL connector emulate printed signs the browser in
    page.goto(f"{base}/sandboxes")
    page.wait_for_selector("#okta-body tr[data-user-id]")
    page.fill("#okta-first-name", "Ola")
    page.fill("#okta-last-name", "Newest")
    page.fill("#okta-email", "ola.newest@example.org")
    page.get_by_role("button", name="Create a user in the Okta sandbox").click()
    page.wait_for_selector('#okta-body tr:first-child[data-email="ola.newest@example.org"]')

    favicon = page.request.get(f"{base}/favicon.ico")
    assert favicon.status == 200 and favicon.headers["content-type"].startswith("image/svg+xml")

    page.goto(f"{base}/connections")
    page.fill("#contacts-oauth-name", "Contacts (OAuth)")
    page.get_by_role("button", name=re.compile(r"^Connect Contacts")).click()
    page.wait_for_url(re.compile(r"/sandbox/contacts/oauth/chooselocation"))
    allow = page.get_by_role("button", name="Allow")
    assert allow.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(31, 79, 143)"
    assert page.locator("main").evaluate("m => getComputedStyle(m).borderRadius") == "12px"
