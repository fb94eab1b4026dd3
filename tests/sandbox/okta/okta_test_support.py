"""Helpers shared by the Okta sandbox tests (a module, so tests can import it by name)."""

from __future__ import annotations

from typing import Any

import httpx

TOKEN = "okta-sandbox-token"


def new_profile(name: str = "Jane", last: str = "Doe", login: str | None = None) -> dict[str, str]:
    login = login or f"{name.lower()}.{last.lower()}@example.com"
    return {"firstName": name, "lastName": last, "email": login, "login": login}


def assert_okta_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Check Okta's error body shape and code; returns the body for further checks."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}
    assert body["errorCode"] == code
    assert isinstance(body["errorCauses"], list)
    return body


def link_urls(response: httpx.Response) -> dict[str, str]:
    """rel -> URL from every Link header line, whether sent as separate lines or comma-joined."""
    links: dict[str, str] = {}
    for line in response.headers.get_list("link"):
        for part in line.split(", <"):
            url, rel = part.split(">; rel=")
            links[rel.strip('"')] = url.lstrip("<")
    return links
