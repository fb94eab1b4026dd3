"""The "Connect" button under attack: replayed cookies and callbacks, failing token endpoints, framing.

Each test drives the composed platform as a browser does (werkzeug's client keeps cookies like one)
and looks at what reached the Contacts sandbox's token endpoint and what the user ends up seeing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from werkzeug.test import Client, TestResponse

from emulator.demo import DEMO_LOCATION, Environment, build_environment

PUBLIC_URL = "http://127.0.0.1:5997"


class Browser(Client):
    """A cookie-keeping client that signed in through the start URL and sends the page's CSRF token."""

    def __init__(self, env: Environment) -> None:
        super().__init__(env.wsgi)
        self.open(env.start_url.removeprefix(env.public_url))

    def csrf(self) -> str:
        html = self.get("/connections").get_data(as_text=True)
        return html.split('name="csrf-token" content="')[1].split('"')[0]

    def start_connect(self, name: str = "Contacts OAuth") -> str:
        """Press Connect and Allow on the consent page; returns the callback URL (path and query)."""
        started = self.post("/api/connections/oauth/start", json={"app": "contacts", "name": name},
                            headers={"X-CSRF-Token": self.csrf()})
        assert started.status_code == 200, started.get_data(as_text=True)
        authorize = urlsplit(started.get_json()["authorize_url"])
        html = self.get(authorize.path + "?" + authorize.query).get_data(as_text=True)
        nonce = html.split('name="nonce" value="')[1].split('"')[0]
        consent = self.post(authorize.path, data={"nonce": nonce, "decision": "allow", "locationId": DEMO_LOCATION})
        callback = urlsplit(consent.headers["Location"])
        return callback.path + "?" + callback.query


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Environment]:
    environment = build_environment(PUBLIC_URL, tmp_path / "data", okta_users=1, contacts=1, employees=1,
                                    runner_thread=False)
    yield environment
    environment.close()


@pytest.fixture
def token_requests(env: Environment, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    """Every form the Contacts sandbox's token endpoint receives (a spy on the sandbox, not the emulator)."""
    seen: list[dict[str, str]] = []
    exchange = env.contacts.oauth.exchange

    def spy(form: dict[str, str], basic_auth: Any) -> dict[str, object]:
        seen.append(dict(form))
        return exchange(form, basic_auth)

    monkeypatch.setattr(env.contacts.oauth, "exchange", spy)
    return seen


def _outcome(answer: TestResponse) -> dict[str, str]:
    assert answer.status_code in (302, 303), answer.get_data(as_text=True)[:300]
    target = urlsplit(answer.headers["Location"])
    assert target.path == "/connections", answer.headers["Location"]
    return {key: unquote(values[0]) for key, values in parse_qs(target.query).items()}


def _code_grants(requests: list[dict[str, str]]) -> list[dict[str, str]]:
    return [form for form in requests if form.get("grant_type") == "authorization_code"]


def test_a_replayed_session_cookie_makes_no_second_token_request(
    env: Environment, token_requests: list[dict[str, str]]
) -> None:
    browser = Browser(env)
    callback = browser.start_connect()
    cookie_before_callback = browser.get_cookie("session")
    assert cookie_before_callback is not None
    assert "verifier" not in cookie_before_callback.value  # nothing of the authorization rides in the cookie

    assert "connected" in _outcome(browser.get(callback))
    # The attacker (or a back button, or a second tab) sends the old cookie with the same callback URL.
    browser.set_cookie("session", cookie_before_callback.value, domain=cookie_before_callback.domain)
    replayed = _outcome(browser.get(callback))

    assert "already used" in replayed["error"]
    assert len(_code_grants(token_requests)) == 1
    [saved] = env.gateway.store.list()
    tested = browser.post(f"/api/connections/{saved.id}/test", headers={"X-CSRF-Token": browser.csrf()})
    assert tested.get_json()["ok"] is True  # the live connection was not revoked by a code reuse


def test_a_callback_is_claimed_once_even_from_two_copies_of_the_same_browser(
    env: Environment, token_requests: list[dict[str, str]]
) -> None:
    browser = Browser(env)
    callback = browser.start_connect()
    twin = Client(env.wsgi)  # the same cookie in another client: what a stolen cookie jar looks like
    cookie = browser.get_cookie("session")
    assert cookie is not None
    twin.set_cookie("session", cookie.value, domain=cookie.domain)
    outcomes = [_outcome(twin.get(callback)), _outcome(browser.get(callback))]
    assert sorted("connected" in o for o in outcomes) == [False, True]
    assert len(_code_grants(token_requests)) == 1
    assert len(env.gateway.store.list()) == 1


def test_an_abandoned_authorization_expires_on_the_server(
    env: Environment, token_requests: list[dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import auth.oauth_flow

    browser = Browser(env)
    callback = browser.start_connect()
    real_time = auth.oauth_flow.time.time
    monkeypatch.setattr(auth.oauth_flow.time, "time", lambda: real_time() + auth.oauth_flow.PENDING_TTL_SECONDS + 1)
    outcome = _outcome(browser.get(callback))
    assert "timed out" in outcome["error"]
    assert _code_grants(token_requests) == []
    assert env.gateway.store.list() == []


def test_a_refused_code_returns_to_connections_with_the_reason(
    env: Environment, token_requests: list[dict[str, str]]
) -> None:
    browser = Browser(env)
    callback = browser.start_connect()
    tampered = callback.replace("code=", "code=x", 1)
    outcome = _outcome(browser.get(tampered))
    assert "token endpoint refused" in outcome["error"] and "invalid_grant" in outcome["error"]
    assert len(_code_grants(token_requests)) == 1
    assert env.gateway.store.list() == []
    page = browser.get("/connections")
    assert page.status_code == 200


def test_a_token_endpoint_that_is_down_returns_to_connections_with_the_reason(env: Environment) -> None:
    browser = Browser(env)
    callback = browser.start_connect()
    env.contacts.faults.update(error_rate=1.0)
    try:
        outcome = _outcome(browser.get(callback))
    finally:
        env.contacts.faults.reset()
    assert "connecting failed, nothing was saved" in outcome["error"]
    assert env.gateway.store.list() == []


def test_the_cookie_carries_no_pending_state_or_verifier(env: Environment) -> None:
    import base64
    import zlib

    browser = Browser(env)
    callback = browser.start_connect()
    state = parse_qs(urlsplit(callback).query)["state"][0]
    cookie = browser.get_cookie("session")
    assert cookie is not None
    payload = cookie.value.split(".")[1] if cookie.value.startswith(".") else cookie.value.split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    text = (zlib.decompress(raw) if cookie.value.startswith(".") else raw).decode()
    assert state not in text
    assert "verifier" not in text and "redirect_uri" not in text


# -- framing and sniffing ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/flows", "/connections", "/login", "/api/flows", "/runs"])
def test_emulator_pages_and_answers_carry_the_security_headers(env: Environment, path: str) -> None:
    answer = Browser(env).get(path)
    assert answer.status_code == 200
    csp = answer.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "default-src 'self'" in csp
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "no-referrer"


def test_the_sandbox_consent_page_cannot_be_framed(env: Environment) -> None:
    browser = Browser(env)
    started = browser.post("/api/connections/oauth/start", json={"app": "contacts"},
                           headers={"X-CSRF-Token": browser.csrf()}).get_json()
    authorize = urlsplit(started["authorize_url"])
    page = browser.get(authorize.path + "?" + authorize.query)
    assert page.status_code == 200 and 'name="nonce"' in page.get_data(as_text=True)
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    broken = browser.get(authorize.path + "?client_id=unknown")  # the error page is a page too
    assert broken.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/sandbox/okta/_sandbox/faults/reset", "/sandbox/okta/_sandbox/expire-tokens",
                                  "/sandbox/contacts/_sandbox/expire-tokens",
                                  "/sandbox/personio/_sandbox/faults/reset"])
@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"])
def test_a_cross_site_form_cannot_drive_the_sandboxes_admin_endpoints(
    env: Environment, path: str, content_type: str
) -> None:
    env.okta.faults.update(error_rate=0.5)
    try:
        # What a <form method=post> on another site sends: the user's cookies ride along, no custom header.
        answer = Browser(env).post(path, data="x=1", content_type=content_type,
                                   headers={"Origin": "https://attacker.example"})
        assert answer.status_code == 415, answer.get_data(as_text=True)
        assert env.okta.faults.settings.error_rate == 0.5
    finally:
        env.okta.faults.reset()
    assert Client(env.wsgi).post("/sandbox/okta/_sandbox/faults/reset", json={}).status_code == 200
