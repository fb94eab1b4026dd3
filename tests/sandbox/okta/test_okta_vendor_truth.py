"""What Okta's published document says and the sandbox once got wrong: the built-in Everyone group,
https-only hook URIs, links to operations that exist, and empty 200 answers to lifecycle calls."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
from okta_test_support import assert_okta_error
from werkzeug.exceptions import NotFound

from sandboxes.okta import OktaSandbox, OktaSettings
from sandboxes.okta.lifecycle import TRANSITIONS


def hook_body(uri: str) -> dict:
    return {"name": "hook", "events": {"type": "EVENT_TYPE", "items": ["user.lifecycle.create"]},
            "channel": {"type": "HTTP", "version": "1.0.0", "config": {"uri": uri}}}


def test_every_org_has_the_built_in_everyone_group_holding_every_user(
    sandbox: OktaSandbox, client: httpx.Client
) -> None:
    ids = sandbox.seed_users(12)
    [everyone] = client.get("/api/v1/groups", params={"filter": 'type eq "BUILT_IN"'}).json()
    assert everyone["type"] == "BUILT_IN" and everyone["profile"]["name"] == "Everyone"
    first = client.get(f"/api/v1/groups/{everyone['id']}/users", params={"limit": 5})
    pages = [first.json()]
    while "next" in first.links:
        first = client.get(first.links["next"]["url"])
        pages.append(first.json())
    assert [user["id"] for page in pages for user in page] == ids
    created = client.post("/api/v1/users", json={"profile": {
        "login": "new@example.com", "email": "new@example.com", "firstName": "New", "lastName": "Hire"}}).json()
    members = client.get(f"/api/v1/groups/{everyone['id']}/users", params={"limit": 100}).json()
    assert members[-1]["id"] == created["id"]
    assert everyone["id"] in [g["id"] for g in client.get(f"/api/v1/users/{created['id']}/groups").json()]


def test_the_everyone_group_cannot_be_renamed_deleted_or_have_members_changed(
    sandbox: OktaSandbox, client: httpx.Client
) -> None:
    user_id = sandbox.seed_users(1)[0]
    everyone = sandbox.state.groups.everyone
    assert everyone is not None
    url = f"/api/v1/groups/{everyone.id}"
    assert_okta_error(client.put(url, json={"profile": {"name": "All"}}), 400, "E0000001")
    assert_okta_error(client.delete(url), 403, "E0000006")
    assert_okta_error(client.delete(f"{url}/users/{user_id}"), 403, "E0000006")
    assert_okta_error(client.put(f"{url}/users/{user_id}"), 403, "E0000006")
    assert client.get(url).json()["profile"]["name"] == "Everyone"


def test_event_hook_uris_must_be_https_unless_the_sandbox_allows_http(clock) -> None:
    strict = OktaSandbox(OktaSettings(), clock=clock)
    local = OktaSandbox(OktaSettings(allow_http_hook_uris=True), clock=clock)
    headers = {"Authorization": f"SSWS {strict.settings.token}"}
    with httpx.Client(transport=strict.transport(), base_url=strict.base_url, headers=headers) as client:
        refused = client.post("/api/v1/eventHooks", json=hook_body("http://127.0.0.1:5000/hooks/1"))
        body = assert_okta_error(refused, 400, "E0000001")
        assert "https" in body["errorCauses"][0]["errorSummary"]
        assert client.post("/api/v1/eventHooks", json=hook_body("https://hooks.example.com/1")).status_code == 200
    with httpx.Client(transport=local.transport(), base_url=local.base_url, headers=headers) as client:
        assert client.post("/api/v1/eventHooks", json=hook_body("http://127.0.0.1:5000/hooks/1")).status_code == 200


def _served(sandbox: OktaSandbox, href: str, method: str) -> bool:
    path = urlsplit(href).path
    try:
        _, arguments = sandbox.app.url_map.bind("okta.sandbox").match(path, method=method)
    except NotFound:
        return False
    operation = arguments.get("operation")
    return operation is None or operation in TRANSITIONS or operation in ("activate", "deactivate", "verify")


@pytest.mark.parametrize("status", ["STAGED", "ACTIVE", "SUSPENDED", "DEPROVISIONED"])
def test_every_link_the_sandbox_advertises_leads_to_an_operation_it_serves(
    sandbox: OktaSandbox, client: httpx.Client, status: str
) -> None:
    user = sandbox.create_user({"login": "l@example.com", "email": "l@example.com", "firstName": "L",
                                "lastName": "M"}, activate=status != "STAGED", password="Corr3ct-Horse!")
    if status == "SUSPENDED":
        client.post(f"/api/v1/users/{user['id']}/lifecycle/suspend")
    if status == "DEPROVISIONED":
        client.post(f"/api/v1/users/{user['id']}/lifecycle/deactivate")
    group = client.post("/api/v1/groups", json={"profile": {"name": "Links"}}).json()
    hook = client.post("/api/v1/eventHooks", json=hook_body("https://hooks.example.com/links")).json()
    for resource in (client.get(f"/api/v1/users/{user['id']}").json(), group, hook):
        for name, link in resource["_links"].items():
            method = link.get("method") or (link.get("hints", {}).get("allow") or ["GET"])[0]
            assert _served(sandbox, link["href"], method), f"{name}: {method} {link['href']} is not served"


@pytest.mark.parametrize("operation", ["deactivate", "suspend", "reset_factors"])
def test_lifecycle_calls_documented_without_a_body_answer_an_empty_200(
    sandbox: OktaSandbox, client: httpx.Client, operation: str
) -> None:
    user = sandbox.create_user({"login": "e@example.com", "email": "e@example.com", "firstName": "E",
                                "lastName": "F"}, password="Corr3ct-Horse!")
    response = client.post(f"/api/v1/users/{user['id']}/lifecycle/{operation}")
    assert response.status_code == 200 and response.content == b""
    unsuspended = client.post(f"/api/v1/users/{user['id']}/lifecycle/unsuspend")
    assert unsuspended.content == b"" if operation == "suspend" else unsuspended.status_code == 400


def test_the_token_owner_is_found_at_me_and_at_the_id_its_self_link_names(client: httpx.Client) -> None:
    me = client.get("/api/v1/users/me").json()
    again = client.get(me["_links"]["self"]["href"].removeprefix("http://okta.sandbox"))
    assert again.status_code == 200 and again.json()["id"] == me["id"]
