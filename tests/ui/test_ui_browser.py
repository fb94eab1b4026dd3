"""The whole story in a real browser: connect both apps, build the demo flow, run it, see the contact.

Chromium (Debian's ``/usr/bin/chromium``) is driven by Playwright against the full local platform
served on a real port: the emulator with its UI, and both sandboxes mounted beside it. The same test
saves the screenshots the README shows (``docs/screenshots/``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from ui_harness import LOCATION_ID, OKTA_TOKEN, ui_environment

from emulator.demo import DEMO_FLOW_NAME, Environment, seed_demo
from emulator.sandbox.serve import ServedApp, serve

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WAIT_MS = 15_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"
    ),
]


class _Deferred:
    """A WSGI app filled in after the server starts, because the apps need the port in their URLs."""

    def __init__(self) -> None:
        self.target: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.target(environ, start_response)


Platform = tuple[Environment, str]


@pytest.fixture
def start_platform(tmp_path: Path) -> Iterator[Callable[..., Platform]]:
    """Start the full platform on a free port (emulator config overrides as keywords)."""
    started: list[tuple[ServedApp, Environment]] = []

    def start(**config: Any) -> Platform:
        deferred = _Deferred()
        served: ServedApp = serve(deferred)  # type: ignore[arg-type]
        env = ui_environment(tmp_path / f"data{len(started)}", served.base_url, runner_thread=True, okta_users=5,
                             config=config)
        deferred.target = env.wsgi
        started.append((served, env))
        return env, served.base_url

    yield start
    for served, env in started:
        served.stop()
        env.close()


@pytest.fixture
def platform(start_platform: Callable[..., Platform]) -> Platform:
    return start_platform()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


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
    _shot(page, "flow-editor.png")

    page.locator('[data-test-step="0"]').click()
    page.wait_for_selector('[data-step-index="0"] .step-test-result h3:has-text("Test succeeded")')

    page.get_by_role("button", name="Add action step").click()
    page.select_option("#step-1-app", "contacts")
    page.select_option("#step-1-operation", "add_tags")
    _map(page, 1, "contact_id", "{{steps.create_contact.id}}")
    _map(page, 1, "tags", "welcome")
    page.get_by_role("button", name="Save flow").click()
    page.wait_for_url(re.compile(r"/flows/[^/]+$"))
    page.locator("#toggle-flow").click()
    page.wait_for_selector("#flow-state .badge-on")


def _create_okta_user(page: Any, base: str) -> None:
    page.goto(f"{base}/sandboxes")
    page.fill("#okta-first-name", "Nia")
    page.fill("#okta-last-name", "Newhire")
    page.fill("#okta-email", "nia.newhire@example.org")
    page.get_by_role("button", name="Create a user in the Okta sandbox").click()
    page.wait_for_selector('#okta-created [data-email="nia.newhire@example.org"]')


def _wait_for_runs(page: Any, base: str, status: str, count: int = 1) -> None:
    """Open the run history and refresh it until ``count`` runs have ``status`` (the runner is async)."""
    page.goto(f"{base}/runs")
    page.wait_for_selector("#runs-count")
    rows = f'#runs-body tr[data-status="{status}"]'
    for _ in range(60):  # each round waits on the page for up to a second; no sleeps
        try:
            page.wait_for_function(f"() => document.querySelectorAll('{rows}').length >= {count}", timeout=1_000)
            return
        except PlaywrightTimeout:
            page.get_by_role("button", name="Refresh").click()
            page.wait_for_selector("#runs-count")
    raise AssertionError(f"fewer than {count} runs are {status}: " + page.inner_text("#runs-body"))


def test_a_new_okta_user_becomes_a_tagged_contact_through_the_ui(
    platform: tuple[Environment, str], page: Any
) -> None:
    env, base = platform
    _connect_okta(page, base, env)
    _connect_contacts_with_oauth(page)
    page_text = page.content()
    assert OKTA_TOKEN not in page_text
    assert "Location " + LOCATION_ID in page.inner_text('tr[data-connection="Contacts (OAuth)"]')
    _shot(page, "connections.png")

    _build_flow(page, base)
    _create_okta_user(page, base)

    _wait_for_runs(page, base, "succeeded")
    _shot(page, "run-history.png")
    page.locator('#runs-body tr[data-status="succeeded"] a').first.click()
    page.wait_for_selector('#run-steps [data-step-key="create_contact"][data-status="succeeded"]')
    page.wait_for_selector('#run-steps [data-step-key="add_tags"][data-status="succeeded"]')
    assert "nia.newhire@example.org" in page.inner_text("#run-steps")
    assert OKTA_TOKEN not in page.content()
    page.locator('[data-step-key="create_contact"] .trace-detail summary').last.click()
    _shot(page, "run-detail.png")

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
    _shot(page, "flows.png")
    banner.get_by_role("button", name="Release 2 held items").click()
    page.wait_for_selector("#notice:has-text('Released 2 items')")

    _wait_for_runs(page, base, "failed", count=2)
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
