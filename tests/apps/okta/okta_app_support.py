"""Helpers shared by the Okta app's tests (a uniquely named module: every test folder has a conftest)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from connector.runtime import Invocation

Run = Callable[..., Invocation]


class CountingTransport(httpx.BaseTransport):
    """Counts the requests an operation sends, on their way to the sandbox."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.requests: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        return self.inner.handle_request(request)


def person(n: int = 1, **extra: Any) -> dict[str, Any]:
    """A create-user input for a made-up person."""
    return {"email": f"person{n}@example.com", "firstName": f"First{n}", "lastName": f"Last{n}", **extra}
