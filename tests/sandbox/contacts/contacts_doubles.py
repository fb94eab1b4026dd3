"""Test doubles for the Contacts sandbox tests: a fake clock, API client factory and the OAuth dance.

Kept out of conftest.py so test modules can import the classes for their type hints.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from sandboxes.contacts import ContactsSandbox

API_KEY = "contacts-sandbox-key"
LOCATION = "loc_sandbox"
REDIRECT_URI = "https://app.example.com/oauth/callback"


class FakeClock:
    """Epoch seconds that only move when a test says so."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class ClientFactory:
    """Makes API clients for a token (closes them at the end of the test)."""

    def __init__(self, sandbox: ContactsSandbox) -> None:
        self.sandbox = sandbox
        self.made: list[httpx.Client] = []

    def __call__(self, token: str = API_KEY) -> httpx.Client:
        client = httpx.Client(
            transport=self.sandbox.transport(),
            base_url=self.sandbox.base_url,
            headers={"Authorization": f"Bearer {token}", "Version": "2021-07-28"},
        )
        self.made.append(client)
        return client


@dataclass
class Authorization:
    code: str
    state: str
    verifier: str


class OAuthDance:
    """The three steps an app performs: authorize (consent page), exchange the code, refresh."""

    def __init__(self, browser: httpx.Client) -> None:
        self.browser = browser

    def authorize(
        self, *, scope: str = "contacts.readonly contacts.write", location: str = LOCATION, state: str | None = None
    ) -> Authorization:
        """Open the consent page, click Allow for ``location`` and read the code from the redirect."""
        verifier = secrets.token_urlsafe(48)
        state = state or secrets.token_urlsafe(8)
        page = self.browser.get(
            "/oauth/chooselocation",
            params={
                "response_type": "code",
                "client_id": "app-1",
                "redirect_uri": REDIRECT_URI,
                "scope": scope,
                "state": state,
                "code_challenge": create_s256_code_challenge(verifier),
                "code_challenge_method": "S256",
            },
        )
        assert page.status_code == 200, page.text
        nonce = re.search(r'name="nonce" value="([^"]+)"', page.text)
        assert nonce is not None
        answer = self.browser.post(
            "/oauth/chooselocation", data={"nonce": nonce.group(1), "locationId": location, "decision": "allow"}
        )
        assert answer.status_code == 302
        query = parse_qs(urlsplit(answer.headers["location"]).query)
        return Authorization(code=query["code"][0], state=query["state"][0], verifier=verifier)

    def exchange_code(self, grant: Authorization) -> httpx.Response:
        return self._token_request(
            grant_type="authorization_code", code=grant.code, code_verifier=grant.verifier, redirect_uri=REDIRECT_URI
        )

    def refresh(self, refresh_token: str) -> httpx.Response:
        return self._token_request(grant_type="refresh_token", refresh_token=refresh_token)

    def _token_request(self, **grant: str) -> httpx.Response:
        """``POST /oauth/token`` as the registered app (secret in the form) for a Location token."""
        form = {"client_id": "app-1", "client_secret": "app-1-secret", **grant, "user_type": "Location"}
        return self.browser.post("/oauth/token", data=form)
