"""Test doubles for the auth tests: a counting transport and a browser that clicks Allow."""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qs, urlsplit

import httpx

REDIRECT_URI = "http://127.0.0.1:8765/callback"
CONTACTS_CLIENT = ("auth-test-app", "auth-test-app-secret-0123456789")
LOCATION = "loc_sandbox"


class CountingTransport(httpx.BaseTransport):
    """Passes requests to a sandbox and remembers each one's method and path (thread-safe)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.seen: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.seen.append((request.method, request.url.path))
        return self.inner.handle_request(request)

    def count(self, path: str, method: str = "POST") -> int:
        with self._lock:
            return sum(1 for m, p in self.seen if p == path and m == method)


def consent(browser: httpx.Client, authorize_url: str, *, allow: bool = True) -> dict[str, str]:
    """Open the consent page at ``authorize_url``, click Allow (or Deny), return the callback's params."""
    page = browser.get(authorize_url)
    assert page.status_code == 200, page.text
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text)
    assert nonce is not None, page.text
    decision = browser.post(
        "/oauth/chooselocation",
        data={"nonce": nonce.group(1), "decision": "allow" if allow else "deny", "locationId": LOCATION},
    )
    assert decision.status_code == 302, decision.text
    target = urlsplit(decision.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == REDIRECT_URI
    return {key: values[0] for key, values in parse_qs(target.query).items()}
