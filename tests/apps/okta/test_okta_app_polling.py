"""Stories of flows polling Okta: turned on (seed), nothing new (one call), something new (fires once)."""

from __future__ import annotations

from okta_app_support import CountingTransport, Run, person

from connector.context import Meta
from sandboxes.okta import OktaSandbox


def test_turning_on_new_user_seeds_every_existing_user_newest_first(run: Run, sandbox: OktaSandbox) -> None:
    ids = sandbox.seed_users(450)
    first = run("new_user", meta=Meta(first_poll=True))
    assert [u["id"] for u in first.output] == list(reversed(ids))
    assert first.output[0]["user_id"] == ids[-1]
    assert first.cursor and first.cursor.startswith("/api/v1/logs?")


def test_polling_again_with_nothing_new_is_one_call(
    run: Run, sandbox: OktaSandbox, request_counter: CountingTransport
) -> None:
    sandbox.seed_users(250)
    run("create_user", person(1))
    first = run("new_user", meta=Meta(first_poll=True))
    request_counter.requests.clear()
    second = run("new_user", meta=Meta(cursor=first.cursor))
    assert second.output == []
    assert request_counter.requests == ["GET /api/v1/logs"]
    request_counter.requests.clear()
    third = run("new_user", meta=Meta(cursor=second.cursor))
    assert third.output == [] and request_counter.requests == ["GET /api/v1/logs"]


def test_a_user_created_after_turn_on_fires_once_with_their_profile(run: Run) -> None:
    run("create_user", person(1))
    cursor = run("new_user", meta=Meta(first_poll=True)).cursor
    made = [run("create_user", person(n)).output for n in (2, 3)]
    poll = run("new_user", meta=Meta(cursor=cursor))
    assert [u["id"] for u in poll.output] == [made[1]["id"], made[0]["id"]]
    assert poll.output[0]["profile"]["email"] == "person3@example.com"
    assert run("new_user", meta=Meta(cursor=poll.cursor)).output == []


def test_a_new_user_deleted_before_the_poll_still_fires_with_the_login_okta_logged(run: Run) -> None:
    cursor = run("new_user", meta=Meta(first_poll=True)).cursor
    user = run("create_user", person(1)).output
    run("delete_user", {"user": user["id"], "deactivate_first": True})
    poll = run("new_user", meta=Meta(cursor=cursor)).output
    assert poll == [{"id": user["id"], "user_id": user["id"], "profile": {"login": "person1@example.com"}}]


def test_testing_the_new_user_trigger_shows_the_newest_three_in_one_call(
    run: Run, sandbox: OktaSandbox, request_counter: CountingTransport
) -> None:
    sandbox.seed_users(20)
    newest = run("create_user", person(1)).output
    request_counter.requests.clear()
    trial = run("new_user", meta=Meta(trial=True))
    assert len(trial.output) == 3 and trial.output[0]["id"] == newest["id"]
    assert len(request_counter.requests) == 1 and trial.cursor is None


def test_a_profile_change_fires_user_updated_with_an_id_made_of_user_and_time(run: Run) -> None:
    user = run("create_user", person(1)).output
    cursor = run("user_updated", meta=Meta(first_poll=True)).cursor
    run("update_user", {"user": user["id"], "title": "Lead"})
    items = run("user_updated", meta=Meta(cursor=cursor)).output
    assert len(items) == 1
    item = items[0]
    assert item["id"] == f"{user['id']}:{item['published']}"
    assert item["user_id"] == user["id"] and item["profile"]["title"] == "Lead"
    assert item["event_type"] == "user.account.update_profile"


def test_deactivation_fires_user_deactivated_once_per_event(run: Run, request_counter: CountingTransport) -> None:
    user = run("create_user", person(1)).output
    cursor = run("user_deactivated", meta=Meta(first_poll=True)).cursor
    run("deactivate_user", {"user": user["id"]})
    first = run("user_deactivated", meta=Meta(cursor=cursor))
    assert [(i["user_id"], i["status"]) for i in first.output] == [(user["id"], "DEPROVISIONED")]
    assert first.output[0]["id"] == first.output[0]["event_id"]
    request_counter.requests.clear()
    assert run("user_deactivated", meta=Meta(cursor=first.cursor)).output == []
    assert request_counter.requests == ["GET /api/v1/logs"]


def test_user_added_to_group_fires_with_the_group_and_can_watch_one_group(run: Run) -> None:
    user = run("create_user", person(1)).output
    eng = run("create_group", {"name": "Eng"}).output
    ops = run("create_group", {"name": "Ops"}).output
    cursor = run("user_added_to_group", meta=Meta(first_poll=True)).cursor
    for group in (eng, ops):
        run("add_user_to_group", {"group": group["id"], "user": user["id"]})
    every = run("user_added_to_group", meta=Meta(cursor=cursor)).output
    assert [i["group_name"] for i in every] == ["Ops", "Eng"]
    assert {i["user_id"] for i in every} == {user["id"]}
    only_eng = run("user_added_to_group", {"group": eng["id"]}, meta=Meta(cursor=cursor)).output
    assert [i["group_id"] for i in only_eng] == [eng["id"]]


def test_turning_on_an_event_trigger_seeds_recent_events(run: Run) -> None:
    user = run("create_user", person(1)).output
    run("update_user", {"user": user["id"], "title": "A"})
    seeded = run("user_updated", meta=Meta(first_poll=True))
    assert [i["user_id"] for i in seeded.output] == [user["id"]]
    assert run("user_updated", meta=Meta(cursor=seeded.cursor)).output == []


def test_turning_on_streams_existing_users_page_by_page_to_the_platform(run: Run, sandbox: OktaSandbox) -> None:
    ids = sandbox.seed_users(450)
    pages: list[list[str]] = []
    first = run("new_user", meta=Meta(first_poll=True), seen_sink=pages.append)
    assert first.output == []  # nothing held: every id went to the platform's dedupe record as it came
    assert [len(page) for page in pages] == [200, 200, 50]
    assert [i for page in pages for i in page] == ids
    assert first.cursor and first.cursor.startswith("/api/v1/logs?")
