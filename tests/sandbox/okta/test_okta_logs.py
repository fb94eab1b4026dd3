"""The System Log: event shape, polling with a next link that never disappears, bounded queries."""

from __future__ import annotations

import httpx
from okta_test_support import assert_okta_error, link_urls, new_profile

from sandboxes.okta import OktaSandbox, OktaSettings
from sandboxes.okta.timestamps import iso_timestamp

LOG_EVENT_FIELDS = {
    "uuid", "published", "eventType", "version", "displayMessage", "severity", "legacyEventType", "actor",
    "client", "outcome", "target", "transaction", "debugContext", "authenticationContext", "securityContext",
    "request",
}


def test_a_profile_update_writes_a_log_event_in_okta_shape(sandbox: OktaSandbox, client: httpx.Client) -> None:
    user_id = sandbox.seed_users(1)[0]
    client.post(f"/api/v1/users/{user_id}", json={"profile": {"title": "CTO"}})
    [event] = client.get("/api/v1/logs").json()
    assert set(event) >= LOG_EVENT_FIELDS
    assert event["eventType"] == "user.account.update_profile"
    assert event["target"][0]["id"] == user_id and event["target"][0]["type"] == "User"
    assert event["outcome"]["result"] == "SUCCESS"
    assert set(event["actor"]) >= {"id", "type", "alternateId", "displayName"}


def test_polling_always_returns_a_next_link_and_it_picks_up_later_events(
    sandbox: OktaSandbox, client: httpx.Client, clock
) -> None:
    since = iso_timestamp(clock.now - 1)
    empty = client.get("/api/v1/logs", params={"since": since})
    assert empty.json() == []
    cursor = link_urls(empty)["next"]
    assert "since=" not in cursor and "after=" in cursor
    clock.advance(1)
    sandbox.create_user(new_profile("Ann", "Lee"), password="pw-123456")
    page = client.get(cursor)
    assert [e["eventType"] for e in page.json()] == ["user.lifecycle.create", "user.lifecycle.activate"]
    cursor = link_urls(page)["next"]
    again = client.get(cursor)
    assert again.json() == [] and "next" in link_urls(again)


def test_polling_pages_with_limit_without_losing_or_repeating_events(
    sandbox: OktaSandbox, client: httpx.Client
) -> None:
    sandbox.seed_users(25, log=True)
    seen: list[str] = []
    url = "/api/v1/logs?limit=10"
    for _ in range(4):
        response = client.get(url)
        seen.extend(event["uuid"] for event in response.json())
        url = link_urls(response)["next"]
    assert len(seen) == 25 == len(set(seen))


def test_a_bounded_query_ends_without_a_next_link(sandbox: OktaSandbox, client: httpx.Client, clock) -> None:
    start = iso_timestamp(clock.now)
    sandbox.seed_users(15, log=True)
    clock.advance(10)
    until = iso_timestamp(clock.now)
    sandbox.seed_users(5, seed=2, log=True)  # after `until`
    first = client.get("/api/v1/logs", params={"since": start, "until": until, "limit": 10})
    second = client.get(link_urls(first)["next"])
    assert len(first.json()) == 10 and len(second.json()) == 5
    assert "next" not in link_urls(second)
    descending = client.get("/api/v1/logs", params={"since": start, "until": until, "sortOrder": "DESCENDING"})
    published = [e["published"] for e in descending.json()]
    assert len(published) == 15 and published == sorted(published, reverse=True)


def test_filter_and_q_narrow_the_log(sandbox: OktaSandbox, client: httpx.Client) -> None:
    ids = sandbox.seed_users(3)
    client.post(f"/api/v1/users/{ids[0]}/lifecycle/suspend")
    client.post(f"/api/v1/users/{ids[1]}", json={"profile": {"title": "Boss"}})
    suspended = client.get("/api/v1/logs", params={"filter": 'eventType eq "user.lifecycle.suspend"'}).json()
    assert [e["target"][0]["id"] for e in suspended] == [ids[0]]
    by_target = client.get("/api/v1/logs", params={"filter": f'target.id eq "{ids[1]}"'}).json()
    assert [e["eventType"] for e in by_target] == ["user.account.update_profile"]
    assert len(client.get("/api/v1/logs", params={"q": "suspend"}).json()) == 1
    assert_okta_error(client.get("/api/v1/logs", params={"filter": "eventType eq"}), 400, "E0000053")
    assert_okta_error(client.get("/api/v1/logs", params={"after": "garbage!", "limit": 5}), 400, "E0000001")


def test_limit_is_capped_at_1000_and_defaults_to_100(sandbox: OktaSandbox, client: httpx.Client) -> None:
    sandbox.seed_users(1100, log=True)
    assert len(client.get("/api/v1/logs").json()) == 100
    assert len(client.get("/api/v1/logs", params={"limit": 5000}).json()) == 1000


def test_a_polling_cursor_survives_a_restarted_sandbox_without_skipping_or_repeating(
    sandbox: OktaSandbox, client: httpx.Client, clock
) -> None:
    sandbox.create_user(new_profile("Old", "Event"), password="pw-123456")
    clock.advance(1)
    cursor = link_urls(client.get("/api/v1/logs", params={"since": iso_timestamp(clock.now - 5)}))["next"]

    restarted = OktaSandbox(OktaSettings(synchronous_delivery=True), clock=clock)  # a fresh, empty log
    clock.advance(1)
    restarted.create_user(new_profile("New", "Event"), password="pw-123456")
    with httpx.Client(transport=restarted.transport(), base_url=restarted.base_url,
                      headers={"Authorization": f"SSWS {restarted.settings.token}"}) as fresh:
        page = fresh.get(cursor)
    assert page.status_code == 200
    assert {e["target"][0]["alternateId"] for e in page.json()} == {new_profile("New", "Event")["login"]}
    restarted.close()
