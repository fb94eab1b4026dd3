"""Groups: CRUD, membership, paging of members and the System Log events they write."""

from __future__ import annotations

import httpx
from okta_test_support import assert_okta_error, link_urls

from sandboxes.okta import OktaSandbox


def make_group(client: httpx.Client, name: str = "Sales") -> dict:
    response = client.post("/api/v1/groups", json={"profile": {"name": name, "description": "team"}})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_group_can_be_created_read_renamed_and_deleted(client: httpx.Client) -> None:
    group = make_group(client)
    assert group["id"].startswith("00g") and group["type"] == "OKTA_GROUP"
    assert client.get(f"/api/v1/groups/{group['id']}").json()["profile"]["name"] == "Sales"
    renamed = client.put(f"/api/v1/groups/{group['id']}", json={"profile": {"name": "Sales EMEA"}}).json()
    assert renamed["profile"]["name"] == "Sales EMEA"
    assert client.delete(f"/api/v1/groups/{group['id']}").status_code == 204
    assert_okta_error(client.get(f"/api/v1/groups/{group['id']}"), 404, "E0000007")
    assert_okta_error(client.post("/api/v1/groups", json={"profile": {}}), 400, "E0000001")


def test_members_are_added_listed_paged_and_removed(sandbox: OktaSandbox, client: httpx.Client) -> None:
    ids = sandbox.seed_users(25)
    group = make_group(client)
    for user_id in ids:
        assert client.put(f"/api/v1/groups/{group['id']}/users/{user_id}").status_code == 204
    response = client.get(f"/api/v1/groups/{group['id']}/users", params={"limit": 10})
    assert [u["id"] for u in response.json()] == ids[:10]
    second = client.get(link_urls(response)["next"])
    assert [u["id"] for u in second.json()] == ids[10:20]
    everyone = sandbox.state.groups.everyone
    assert everyone is not None
    assert [g["id"] for g in client.get(f"/api/v1/users/{ids[0]}/groups").json()] == [everyone.id, group["id"]]
    assert client.delete(f"/api/v1/groups/{group['id']}/users/{ids[0]}").status_code == 204
    assert [g["id"] for g in client.get(f"/api/v1/users/{ids[0]}/groups").json()] == [everyone.id]
    events = [e["eventType"] for e in client.get("/api/v1/logs", params={"limit": 1000}).json()]
    assert events.count("group.user_membership.add") == 25
    assert events[-1] == "group.user_membership.remove"
    assert events[0] == "group.lifecycle.create"


def test_groups_are_listed_with_q_and_limit(client: httpx.Client) -> None:
    for name in ("Alpha", "Beta", "Alpine"):
        make_group(client, name)
    assert [g["profile"]["name"] for g in client.get("/api/v1/groups", params={"q": "alp"}).json()] == [
        "Alpha", "Alpine",
    ]
    response = client.get("/api/v1/groups", params={"limit": 2})
    assert len(response.json()) == 2 and "next" in link_urls(response)
    assert_okta_error(client.get("/api/v1/groups", params={"filter": "type eq"}), 400, "E0000053")


def test_deleting_a_user_removes_it_from_its_groups(sandbox: OktaSandbox, client: httpx.Client) -> None:
    user_id = sandbox.seed_users(1)[0]
    group = make_group(client)
    client.put(f"/api/v1/groups/{group['id']}/users/{user_id}")
    client.delete(f"/api/v1/users/{user_id}")
    client.delete(f"/api/v1/users/{user_id}")
    assert client.get(f"/api/v1/groups/{group['id']}/users").json() == []


def test_the_groups_of_a_user_are_paged_with_limit_and_after(sandbox: OktaSandbox, client: httpx.Client) -> None:
    user_id = sandbox.seed_users(1)[0]
    groups = [make_group(client, f"Team {n}") for n in range(5)]
    for group in groups:
        client.put(f"/api/v1/groups/{group['id']}/users/{user_id}")
    first = client.get(f"/api/v1/users/{user_id}/groups", params={"limit": 3})
    second = client.get(link_urls(first)["next"])
    everyone = sandbox.state.groups.everyone
    assert everyone is not None
    assert [g["id"] for g in first.json() + second.json()] == [everyone.id, *(g["id"] for g in groups)]
    assert "next" not in link_urls(second)
