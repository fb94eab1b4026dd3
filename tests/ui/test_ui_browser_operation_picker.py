"""The flow editor's operation picker at catalogue size, in Chromium: search, groups, keyboard.

The platform runs with the shipped apps plus a "Catalogue" app of 400 operations over 20 areas (the size
of Okta's catalogue and more), so the picker is tried at the size users will meet. A user types words of
a label, key, description or area; the matches come grouped by nothing but relevance, the common ones
first among equals; arrows and Enter pick one, which fills the step exactly like choosing it in the
list. The list itself is grouped by area with the common operations first.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from ui_browser_harness import needs_chromium, open_start_url

from connector.apps.contacts.app import APP as CONTACTS
from connector.apps.okta.app import APP as OKTA
from connector.apps.personio.app import APP as PERSONIO
from connector.context import Context
from connector.definitions import Action, App, Field
from connector.registry import forget_named_apps

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]

AREAS = ("Applications", "Authenticators", "Authorization Servers", "Behavior Rules", "Brands", "Domains",
         "Event Hooks", "Factors", "Groups", "Identity Providers", "Inline Hooks", "Network Zones", "Policies",
         "Profile Mappings", "Schemas", "Sessions", "System Log", "Templates", "Trusted Origins", "Users")
VERBS = ("List", "Get", "Create", "Replace", "Update", "Delete", "Activate", "Deactivate", "Assign", "Unassign",
         "Verify", "Preview", "Clone", "Publish", "Revoke", "Rotate", "Export", "Import", "Lock", "Unlock")
COMMON = {"create_user", "deactivate_user", "list_group", "activate_application", "list_system_log"}


def _catalogue() -> App:
    """400 operations: every verb for every area, each with its own label, description and area."""

    def perform(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
        return ctx.http.get("/api/v1/org").json()

    actions = []
    for area in AREAS:
        noun = area.removesuffix("s") if area not in ("System Log", "Sessions") else area
        for verb in VERBS:
            key = f"{verb}_{noun}".lower().replace(" ", "_")
            actions.append(Action(
                key=key, noun=noun, label=f"{verb} {noun}", area=area, important=key in COMMON,
                description=f"{verb}s {noun.lower()} records of the organisation ({area} API).",
                input_fields=(Field("id", "ID"),), perform=perform,
            ))
    return App(key="catalogue", name="Catalogue", version="1.0.0", description="A catalogue-sized app.",
               auth=OKTA.auth, actions=tuple(actions))


@pytest.fixture
def catalogue_platform(start_platform: Any) -> Iterator[tuple[Any, str]]:
    apps = {"okta": OKTA, "contacts": CONTACTS, "personio": PERSONIO, "catalogue": _catalogue()}
    yield start_platform(APPS=apps)
    forget_named_apps()  # the big app was hosted for this platform only


def _new_step(page: Any, env: Any, base: str, app_key: str) -> None:
    open_start_url(page, env)
    page.goto(f"{base}/flows/new")
    page.wait_for_selector('#editor[data-ready="true"]')
    page.get_by_role("button", name="Add action step").click()
    page.select_option("#step-0-app", app_key)
    page.wait_for_selector("#step-0-operation-search")


def _type_and_time(page: Any, text: str) -> float:
    """Type ``text`` into the search box; the milliseconds the page took to filter and draw (not asserted)."""
    search = page.locator("#step-0-operation-search")
    search.fill("")
    started = time.perf_counter()
    search.fill(text)
    page.wait_for_selector("#step-0-operation-results:not([hidden])")
    return (time.perf_counter() - started) * 1000


def test_a_user_finds_one_of_400_operations_by_words_and_picks_it_with_the_keyboard(
    catalogue_platform: tuple[Any, str], page: Any,
) -> None:
    env, base = catalogue_platform
    _new_step(page, env, base, "catalogue")
    search = page.locator("#step-0-operation-search")
    assert "400 operations" in (search.get_attribute("placeholder") or "")

    timings = {text: _type_and_time(page, text) for text in ("zone", "deactivate network", "unassign factor")}
    options = page.locator('#step-0-operation-results [role="option"]')
    assert options.first.get_attribute("data-key") == "unassign_factor"
    assert page.inner_text("#step-0-operation-status").startswith("1 of 400 operations match")

    _type_and_time(page, "network zones")  # an area's name finds its operations
    assert page.inner_text("#step-0-operation-status").startswith("20 of 400 operations match")
    _type_and_time(page, "domain records rotate")  # words of the description, in any order
    assert options.first.get_attribute("data-key") == "rotate_domain"

    _type_and_time(page, "deactivate")
    first, second = options.nth(0).get_attribute("data-key"), options.nth(1).get_attribute("data-key")
    assert first == "deactivate_user"  # the common one first among equals
    search.press("ArrowDown")
    assert search.get_attribute("aria-activedescendant") == "step-0-operation-result-1"
    search.press("Enter")
    page.wait_for_selector(f'.step-card[data-step-key="{second}"]')
    assert page.locator("#step-0-operation").input_value() == second
    assert page.locator('#step-0-operation-results').is_hidden()
    page.wait_for_selector('.mapping-row[data-field="id"]')  # the step shows the chosen operation's fields

    _type_and_time(page, "nothing like this")
    assert page.inner_text("#step-0-operation-results").startswith("No operation matches")
    page.locator("#step-0-operation-search").press("Escape")
    assert page.get_attribute("#step-0-operation-search", "aria-expanded") == "false"

    drawn = page.evaluate("""() => {
        const input = document.getElementById('step-0-operation-search');
        const rounds = [];
        for (const text of ['a', 'de', 'dea', 'deac', 'deactivate', 'deactivate u', 'rotate', 'e']) {
            const t0 = performance.now();
            input.value = text;
            input.dispatchEvent(new Event('input'));
            rounds.push(performance.now() - t0);
        }
        rounds.sort((x, y) => x - y);
        return {median: rounds[Math.floor(rounds.length / 2)], max: rounds[rounds.length - 1]};
    }""")
    print(f"\noperation picker, 400 operations: keystroke filter+draw in the page median {drawn['median']:.2f} ms, "
          f"max {drawn['max']:.2f} ms; type-and-wait round trips "
          + ", ".join(f"{text!r} {ms:.0f} ms" for text, ms in timings.items()))


def test_the_list_is_grouped_by_area_with_the_common_operations_first(
    catalogue_platform: tuple[Any, str], page: Any,
) -> None:
    env, base = catalogue_platform
    _new_step(page, env, base, "catalogue")
    groups = page.eval_on_selector_all("#step-0-operation optgroup", "nodes => nodes.map(n => n.label)")
    assert groups == ["Common", *AREAS]
    common = page.eval_on_selector_all('#step-0-operation optgroup[label="Common"] option',
                                       "nodes => nodes.map(n => n.value)")
    assert sorted(common) == sorted(COMMON)
    assert page.locator("#step-0-operation option").count() == 401  # the placeholder and 400 operations

    page.select_option("#step-0-app", "contacts")
    page.wait_for_selector("#step-0-operation-search")
    contacts_groups = page.eval_on_selector_all("#step-0-operation optgroup", "nodes => nodes.map(n => n.label)")
    assert contacts_groups[0] == "Common" and "Advanced" in contacts_groups and "Tasks" in contacts_groups
    page.locator("#step-0-operation-search").fill("find or create")
    page.locator("#step-0-operation-search").press("Enter")
    page.wait_for_selector('.step-card[data-step-key="find_or_create_contact"]')
    page.wait_for_selector('.mapping-row[data-field="email"]')
    page.wait_for_selector('.mapping-row[data-field="first_name"]')
