"""What the browser tests share: the full platform on a real port, Debian's Chromium, a tab that fails on JS errors.

The fixtures are re-exported by ``conftest.py``; Playwright is imported only when a browser starts, so
the rest of the UI tests run without it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_harness import ui_environment

from emulator.demo import Environment
from emulator.serving import ServedApp, serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: The README's screenshots; rewritten only when ``UPDATE_SCREENSHOTS=1``, so a test run leaves the tree clean.
README_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WAIT_MS = 15_000

Platform = tuple[Environment, str]

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"
)


class _Deferred:
    """A WSGI app filled in after the server starts, because the apps need the port in their URLs."""

    def __init__(self) -> None:
        self.target: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.target(environ, start_response)


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
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
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


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot: the README's with ``UPDATE_SCREENSHOTS=1``, else in a temporary folder."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        folder = README_SCREENSHOTS
    else:
        folder = Path(tempfile.gettempdir()) / "connector-kit-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def wait_for_runs(page: Any, base: str, status: str, count: int = 1) -> None:
    """Open the run history and refresh it until ``count`` runs have ``status`` (the runner is async)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

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


def open_start_url(page: Any, env: Environment) -> None:
    """Open the URL ``connector emulate`` printed: the token in it signs the browser in, then leaves the URL."""
    page.goto(env.start_url)
    page.wait_for_selector("h1")
    assert "token=" not in page.url, page.url


def sign_in_with_the_form(page: Any, env: Environment, next_path: str = "/connections") -> None:
    """Open a page without a session, land on the login form, and type the printed token into it."""
    page.goto(env.public_url + next_path)
    page.get_by_role("textbox", name="Access token").fill(env.access_token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(env.public_url + next_path)
