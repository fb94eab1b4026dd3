"""Helpers shared by the Okta app's tests (a uniquely named module: every test folder has a conftest)."""

from __future__ import annotations

from typing import Any

from connector.conformance import CountingTransport
from connector.testing import OperationRunner

#: The plugin's ``run`` fixture: ``run("create_user", {...})`` -> the Invocation.
Run = OperationRunner

__all__ = ["CountingTransport", "Run", "person"]


def person(n: int = 1, **extra: Any) -> dict[str, Any]:
    """A create-user input for a made-up person."""
    return {"email": f"person{n}@example.com", "firstName": f"First{n}", "lastName": f"Last{n}", **extra}
