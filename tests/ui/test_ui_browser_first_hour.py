"""A connector author's first hour, the emulator part, in a real browser: the package `connector init`
made is loaded by the emulator, its fake API runs on this machine and is allowed explicitly
(``--allow-url``), a connection is made from the app's own auth fields, and a flow from its trigger into
the Contacts sandbox runs."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ui_browser_harness import needs_chromium, open_start_url, wait_for_runs

from connector.cli import main
from connector.registry import load_apps
from emulator.demo import seed_demo
from emulator.serving import ServedApp, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]


@pytest.fixture
def recipes_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    result = CliRunner().invoke(main, ["init", "recipes", "--dir", str(tmp_path / "recipes")])
    assert result.exit_code == 0, result.output
    monkeypatch.syspath_prepend(str(tmp_path / "recipes"))
    import recipes_connector.app
    import recipes_connector.fake

    yield recipes_connector
    for name in [m for m in sys.modules if m.split(".")[0] == "recipes_connector"]:
        del sys.modules[name]


@pytest.fixture
def fake_api(recipes_package: Any) -> Iterator[tuple[ServedApp, Any]]:
    service = recipes_package.fake.create_fake()
    with serve(service) as served:
        yield served, service


def test_a_new_connector_runs_a_flow_into_the_contacts_sandbox(
    start_platform: Any, page: Any, recipes_package: Any, fake_api: tuple[ServedApp, Any]
) -> None:
    served, service = fake_api
    apps = {**load_apps(), "recipes": recipes_package.app.APP}
    env, base = start_platform(APPS=apps, ALLOW_URLS=[served.base_url])
    open_start_url(page, env)  # the URL connector emulate printed signs the browser in
    seed_demo(env)

    page.goto(f"{base}/connections")
    page.fill("#recipes-connection-name", "My recipes")
    page.fill("#recipes-api_key", recipes_package.fake.API_KEY)
    page.fill("#recipes-base_url", served.base_url)
    page.get_by_role("button", name="Save and test Recipes connection").click()
    row = page.locator('tr[data-connection="My recipes"]')
    try:
        row.wait_for()
    except Exception:
        raise AssertionError(page.inner_text("body")[:3000]) from None
    assert "Test Kitchen" in row.inner_text()
    assert recipes_package.fake.API_KEY not in page.content()

    page.goto(f"{base}/flows/new")
    page.wait_for_selector('#editor[data-ready="true"]')
    page.fill("#flow-name", "New recipe items become contacts")
    page.fill("#flow-interval", "0.5")
    page.select_option("#trigger-app", "recipes")
    page.select_option("#trigger-operation", "new_item")
    recipes_package.fake.add_record(service, "items", name="Tomato soup", category_id=1, notes=None)
    page.get_by_role("button", name="Test trigger").click()
    page.wait_for_selector("#trigger-samples h3:has-text('newest samples')")
    page.get_by_role("button", name="Add action step").click()
    page.select_option("#step-0-app", "contacts")
    page.select_option("#step-0-operation", "create_contact")
    page.fill("#step-0-field-first_name", "{{trigger.name}}")
    page.fill("#step-0-field-email", "item{{trigger.id}}@recipes.example.org")
    page.get_by_role("button", name="Save flow").click()
    page.wait_for_url(re.compile(r"/flows/flow_[^/]+$"))
    page.locator("#toggle-flow").click()
    page.wait_for_selector("#flow-state .badge-on")

    new = recipes_package.fake.add_record(service, "items", name="Lentil stew", category_id=2, notes=None)
    wait_for_runs(page, base, "succeeded")
    page.locator('#runs-body tr[data-status="succeeded"] a').first.click()
    page.wait_for_selector('#run-steps [data-step-key="create_contact"][data-status="succeeded"]')
    assert f"item{new['id']}@recipes.example.org" in page.inner_text("#run-steps")

    page.goto(f"{base}/sandboxes")
    page.fill("#contacts-query", f"item{new['id']}@recipes.example.org")
    page.get_by_role("button", name="Search").click()
    page.locator(f'#contacts-body tr[data-email="item{new["id"]}@recipes.example.org"]').wait_for()
