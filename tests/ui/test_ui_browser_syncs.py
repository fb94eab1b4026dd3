"""The demo sync "Personio employees ↔ contacts" in a real browser: preview, run, see the links, the audit log.

Same harness as ``test_ui_browser.py`` (the full platform on a real port, Debian's Chromium); the demo
seeds give the sync (off). A name changed in Personio reaches the contact, and the audit log says why.
"""

from __future__ import annotations

from typing import Any

import pytest
from ui_browser_harness import Platform, needs_chromium, open_start_url, shot

from emulator.demo import SYNC_NAME, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]


def test_the_demo_sync_previews_runs_and_audits_a_change_through_the_ui(platform: Platform, page: Any) -> None:
    env, base = platform
    seed_demo(env)
    employees = sorted(env.personio.employees.records.values(), key=lambda r: r["id"])

    open_start_url(page, env)
    page.goto(f"{base}/syncs")
    page.wait_for_selector(f'#sync-select option:has-text("{SYNC_NAME}")', state="attached")
    assert page.locator('#field-map tr[data-direction="left_to_right"] td.arrow').inner_text() == "→"
    assert page.locator('#field-map tr[data-direction="both"]').count() == 2
    assert "one side's records have no tags" in page.inner_text("#sync-unsupported")
    # Personio's API cannot delete an employee: mirroring into Personio is offered disabled, with why.
    assert page.locator('#sync-deletion option[value="mirror"]').is_disabled()
    assert page.locator('#sync-deletion option[value="mirror_right_to_left"]').is_disabled()
    assert "no way to delete an employee" in page.inner_text("#deletion-notes")
    page.select_option("#sync-deletion", "mirror_left_to_right")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#notice:has-text('Deletion policy saved')")
    page.reload()
    page.wait_for_selector('#sync-deletion option[value="flag"]', state="attached")
    assert page.input_value("#sync-deletion") == "mirror_left_to_right"  # kept by the server

    before = len(env.contacts.state.contacts)
    page.get_by_role("button", name="Preview").click()
    page.wait_for_selector("#preview-counts:has-text('Nothing has been written')")
    assert f"{len(employees)} to create" in page.inner_text("#preview-counts")
    assert len(env.contacts.state.contacts) == before, "a preview writes nothing"

    page.get_by_role("button", name="Run a cycle now").click()
    page.wait_for_selector("#notice:has-text('Cycle done')")
    page.wait_for_selector('#links-table tr[data-status="ok"]')
    assert page.locator('#links-table tr[data-status="ok"]').count() == len(employees)
    assert len(env.contacts.state.contacts) == before + len(employees)

    first = employees[0]
    env.personio.update_employee(first["id"], last_name="Renamed-In-Personio")
    page.get_by_role("button", name="Run a cycle now").click()
    page.wait_for_selector("#notice:has-text('1 updated')")
    page.select_option("#audit-reason", "changed")
    page.get_by_role("button", name="Filter").click()
    row = page.locator('#audit-table tr[data-reason="changed"]')
    row.first.wait_for()
    assert "Renamed-In-Personio" in row.first.inner_text()
    assert "left → right" in row.first.inner_text()
    assert "format=csv" in (page.get_attribute("#export-csv", "href") or "")
    assert "reason=changed" in (page.get_attribute("#export-csv", "href") or "")
    emails = {c["email"]: c for c in env.contacts.state.contacts.values()}
    assert emails[first["email"].lower()]["lastName"] == "Renamed-In-Personio"

    page.get_by_role("button", name="Turn on").click()
    page.wait_for_selector("#sync-state .badge:has-text('on')")
    shot(page, "syncs.png")
