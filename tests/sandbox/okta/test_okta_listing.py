"""Listing users: cursor paging with Link headers, q, filter, search and sorting."""

from __future__ import annotations

import httpx
import pytest
from okta_test_support import TOKEN, assert_okta_error, link_urls

from sandboxes.okta import OktaSandbox, OktaSettings


def page_through(client: httpx.Client, url: str) -> tuple[list[dict], int]:
    seen: list[dict] = []
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen.extend(response.json())
        pages += 1
        url = link_urls(response).get("next", "")
    return seen, pages


@pytest.mark.parametrize("link_style", ["lines", "comma"])
def test_paging_a_thousand_users_reaches_every_user_exactly_once(link_style: str, clock) -> None:
    sandbox = OktaSandbox(OktaSettings(link_style=link_style), clock=clock)
    ids = sandbox.seed_users(1000)
    with httpx.Client(transport=sandbox.transport(), headers={"Authorization": f"SSWS {TOKEN}"}) as client:
        first = client.get(f"{sandbox.base_url}/api/v1/users")
        lines = first.headers.get_list("link")
        if link_style == "lines":
            assert len(lines) == 2 and 'rel="self"' in lines[0] and 'rel="next"' in lines[1]
        else:
            assert len(lines) == 1 and lines[0].index('rel="self"') < lines[0].index('rel="next"')
        users, pages = page_through(client, f"{sandbox.base_url}/api/v1/users?limit=200")
    assert [user["id"] for user in users] == ids
    assert pages == 5


def test_limit_defaults_to_and_is_capped_at_200(sandbox: OktaSandbox, client: httpx.Client) -> None:
    sandbox.seed_users(450)
    assert len(client.get("/api/v1/users").json()) == 200
    assert len(client.get("/api/v1/users", params={"limit": 1000}).json()) == 200
    assert len(client.get("/api/v1/users", params={"limit": 7}).json()) == 7
    assert_okta_error(client.get("/api/v1/users", params={"limit": "lots"}), 400, "E0000001")
    assert_okta_error(client.get("/api/v1/users", params={"after": "00uNotACursor"}), 400, "E0000001")


def test_deprovisioned_users_are_hidden_from_the_default_listing_and_q_but_not_filter_or_search(
    sandbox: OktaSandbox, client: httpx.Client
) -> None:
    ids = sandbox.seed_users(5)
    client.post(f"/api/v1/users/{ids[2]}/lifecycle/deactivate")
    login = client.get(f"/api/v1/users/{ids[2]}").json()["profile"]["login"]
    assert ids[2] not in [u["id"] for u in client.get("/api/v1/users").json()]
    assert client.get("/api/v1/users", params={"q": login}).json() == []
    filtered = client.get("/api/v1/users", params={"filter": 'status eq "DEPROVISIONED"'}).json()
    assert [u["id"] for u in filtered] == [ids[2]]
    searched = client.get("/api/v1/users", params={"search": f'profile.login eq "{login}"'}).json()
    assert [u["id"] for u in searched] == [ids[2]]


def test_q_matches_name_email_or_login_prefixes_with_a_default_of_ten_and_no_next_link(
    sandbox: OktaSandbox, client: httpx.Client
) -> None:
    sandbox.seed_users(2000)
    first_name = client.get("/api/v1/users", params={"limit": 1}).json()[0]["profile"]["firstName"]
    response = client.get("/api/v1/users", params={"q": first_name[:2].lower()})
    found = response.json()
    assert 0 < len(found) <= 10
    assert all(
        any(u["profile"][f].lower().startswith(first_name[:2].lower()) for f in ("firstName", "lastName", "email"))
        for u in found
    )
    assert "next" not in link_urls(response)


def test_filter_supports_eq_and_time_ranges_and_pages_with_after(sandbox: OktaSandbox, client: httpx.Client,
                                                                  clock) -> None:
    ids = sandbox.seed_users(30)
    clock.advance(60)
    for user_id in ids[:25]:
        client.post(f"/api/v1/users/{user_id}", json={"profile": {"title": "Changed"}})
    since = client.get(f"/api/v1/users/{ids[0]}").json()["lastUpdated"]
    response = client.get("/api/v1/users", params={"filter": f'lastUpdated ge "{since}"', "limit": 10})
    first_page = response.json()
    assert [u["id"] for u in first_page] == ids[:10]
    rest, _ = page_through(client, link_urls(response)["next"])
    assert [u["id"] for u in first_page + rest] == ids[:25]
    both = client.get("/api/v1/users", params={"filter": f'id eq "{ids[0]}" or id eq "{ids[1]}"'}).json()
    assert {u["id"] for u in both} == set(ids[:2])


def test_a_filter_of_ids_answers_like_any_filter_in_org_order_with_paging(
    sandbox: OktaSandbox, client: httpx.Client
) -> None:
    ids = sandbox.seed_users(40)
    client.post(f"/api/v1/users/{ids[7]}/lifecycle/deactivate")  # filter includes deactivated users
    asked = [ids[30], ids[7], "00unknownuser0000000", ids[2], ids[30], ids[11]]
    by_ids = " or ".join(f'id eq "{i}"' for i in asked)
    # The same question with a clause that is not an id: answered by the general scan.
    scanned = by_ids + ' or profile.login eq "nobody@example.com"'
    for expression in (by_ids, scanned):
        response = client.get("/api/v1/users", params={"filter": expression, "limit": 2})
        first_page = response.json()
        assert [u["id"] for u in first_page] == [ids[2], ids[7]]
        rest, pages = page_through(client, link_urls(response)["next"])
        assert [u["id"] for u in rest] == [ids[11], ids[30]] and pages == 1
        assert first_page[1]["status"] == "DEPROVISIONED"


@pytest.mark.parametrize(
    ("parameter", "expression"),
    [
        ("filter", 'profile.firstName sw "A"'),  # sw is not allowed in filter
        ("filter", 'not (status eq "ACTIVE")'),  # no `not` in filter
        ("filter", 'status eq "ACTIVE" and'),
        ("search", 'profile.firstName eq "unterminated'),
        ("search", 'status zz "ACTIVE"'),
        ("search", 'status eq "ACTIVE" garbage'),
    ],
)
def test_bad_expressions_get_400_e0000053_naming_the_parameter(
    client: httpx.Client, parameter: str, expression: str
) -> None:
    body = assert_okta_error(client.get("/api/v1/users", params={parameter: expression}), 400, "E0000053")
    assert body["errorCauses"][0]["errorSummary"].startswith(f"{parameter}: ")


def test_search_sorts_with_sort_by_and_sort_order_and_pages_in_that_order(
    sandbox: OktaSandbox, client: httpx.Client
) -> None:
    sandbox.seed_users(60)
    params = {"search": 'status eq "ACTIVE"', "sortBy": "profile.lastName", "sortOrder": "desc", "limit": 25}
    response = client.get("/api/v1/users", params=params)
    rest, _ = page_through(client, link_urls(response)["next"])
    names = [u["profile"]["lastName"].casefold() for u in response.json() + rest]
    assert len(names) == 60 and names == sorted(names, reverse=True)
    assert_okta_error(client.get("/api/v1/users", params={"sortBy": "profile.lastName"}), 400, "E0000001")


def test_search_co_on_email_finds_users_containing_the_text(sandbox: OktaSandbox, client: httpx.Client) -> None:
    ids = sandbox.seed_users(20)
    email = client.get(f"/api/v1/users/{ids[3]}").json()["profile"]["email"]
    local_part = email.split("@")[0]
    found = client.get("/api/v1/users", params={"search": f'profile.email co "{local_part[1:]}"'}).json()
    assert ids[3] in [u["id"] for u in found]


def test_links_use_the_base_url_set_after_serving(sandbox: OktaSandbox, client: httpx.Client) -> None:
    sandbox.seed_users(3)
    sandbox.base_url = "http://127.0.0.1:9999/"
    response = client.get("/api/v1/users", params={"limit": 1})
    assert link_urls(response)["next"].startswith("http://127.0.0.1:9999/api/v1/users?")
    assert response.json()[0]["_links"]["self"]["href"].startswith("http://127.0.0.1:9999/api/v1/users/")


@pytest.mark.slow
def test_a_hundred_thousand_user_org_pages_from_any_cursor(clock) -> None:
    sandbox = OktaSandbox(OktaSettings(rate_limits={"users": 10**6}), clock=clock)
    ids = sandbox.seed_users(100_000)
    assert len(set(ids)) == 100_000
    with httpx.Client(transport=sandbox.transport(), headers={"Authorization": f"SSWS {TOKEN}"}) as client:
        page = client.get(f"{sandbox.base_url}/api/v1/users", params={"after": ids[74_999], "limit": 200})
        assert [u["id"] for u in page.json()] == ids[75_000:75_200]
        last = client.get(f"{sandbox.base_url}/api/v1/users", params={"after": ids[99_899]})
        assert [u["id"] for u in last.json()] == ids[99_900:]
        assert "next" not in link_urls(last)
