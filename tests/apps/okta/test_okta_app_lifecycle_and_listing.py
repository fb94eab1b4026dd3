"""Stories from the user's documents that the first Okta app left out (seeds 002 and 003).

Reactivating, unlocking, expiring a password and resetting factors, with Okta's status rules; the
activation token handed back when the flow sends the link itself; a group read by id; groups listed by
search expression and filter; users listed from a paging cursor; the groups a user belongs to.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from okta_app_support import Run, person

from connector.errors import ResponseError
from connector.pagination import parse_link_header
from sandboxes.okta import OktaSandbox


def test_activation_without_the_email_hands_back_the_activation_token(run: Run) -> None:
    user = run("create_user", person(1, activate=False)).output
    activated = run("activate_user", {"user": user["id"], "send_email": False}).output
    assert activated["activationToken"]
    assert activated["activationUrl"].endswith(activated["activationToken"])


def test_a_provisioned_user_is_reactivated_and_gets_a_fresh_token_but_an_active_one_is_refused(run: Run) -> None:
    provisioned = run("create_user", person(1)).output
    again = run("reactivate_user", {"user": provisioned["id"], "send_email": False}).output
    assert again["status"] == "PROVISIONED" and again["activationToken"]
    active = run("create_user", person(2, password="Corr3ct-Horse!")).output
    with pytest.raises(ResponseError, match="it is ACTIVE; only PROVISIONED or RECOVERY users can be reactivated"):
        run("reactivate_user", {"user": active["id"]})


def test_only_a_locked_out_user_can_be_unlocked(run: Run, sandbox: OktaSandbox) -> None:
    user = run("create_user", person(1, password="Corr3ct-Horse!")).output
    with pytest.raises(ResponseError, match="it is ACTIVE; only LOCKED_OUT users can be unlocked"):
        run("unlock_user", {"user": user["id"]})
    sandbox.lock_out_user(user["id"])
    assert run("get_user", {"id": user["id"]}).output[0]["status"] == "LOCKED_OUT"
    assert run("unlock_user", {"user": "person1@example.com"}).output["status"] == "ACTIVE"


def test_an_expired_password_must_be_changed_and_a_user_without_one_cannot_expire(run: Run) -> None:
    user = run("create_user", person(1, password="Corr3ct-Horse!")).output
    assert run("expire_password", {"user": user["id"]}).output["status"] == "PASSWORD_EXPIRED"
    provisioned = run("create_user", person(2)).output
    with pytest.raises(ResponseError, match="it is PROVISIONED"):
        run("expire_password", {"user": provisioned["id"]})


def test_resetting_factors_keeps_the_status_but_a_staged_user_is_refused(run: Run) -> None:
    user = run("create_user", person(1, password="Corr3ct-Horse!")).output
    assert run("reset_factors", {"user": user["id"]}).output["status"] == "ACTIVE"
    staged = run("create_user", person(2, activate=False)).output
    with pytest.raises(ResponseError, match="it is STAGED"):
        run("reset_factors", {"user": staged["id"]})


def test_a_group_is_read_by_id_and_an_unknown_id_is_okta_not_found(run: Run) -> None:
    group = run("create_group", {"name": "Engineering", "description": "Builders"}).output
    [found] = run("get_group", {"groupId": group["id"]}).output
    assert found["profile"] == {"name": "Engineering", "description": "Builders"}
    with pytest.raises(ResponseError) as missing:
        run("get_group", {"groupId": "00gNOSUCHGROUP"})
    assert missing.value.status_code == 404


def test_groups_are_listed_by_search_expression_or_filter(run: Run) -> None:
    for name in ("Engineering", "Engineering Leads", "Sales"):
        run("create_group", {"name": name})
    found = run("list_groups", {"search": 'profile.name sw "Eng"'}).output
    assert sorted(g["profile"]["name"] for g in found) == ["Engineering", "Engineering Leads"]
    built_in = run("list_groups", {"filter": 'type eq "BUILT_IN"'}).output
    assert [g["profile"]["name"] for g in built_in] == ["Everyone"]


def test_users_are_listed_from_the_cursor_a_previous_page_gave(run: Run, sandbox: OktaSandbox) -> None:
    sandbox.seed_users(5)
    with httpx.Client(transport=sandbox.transport(), base_url=sandbox.base_url,
                      headers={"Authorization": f"SSWS {sandbox.settings.token}"}) as http:
        first = http.get("/api/v1/users", params={"limit": 2})
    cursor = parse_qs(urlsplit(parse_link_header(first.headers)["next"]).query)["after"][0]
    rest = run("list_users", {"after": cursor}).output
    everyone = run("list_users", {}).output
    assert [u["id"] for u in rest] == [u["id"] for u in everyone][2:]


def test_the_groups_of_a_user_include_everyone_and_those_they_were_added_to(run: Run) -> None:
    user = run("create_user", person(1, password="Corr3ct-Horse!")).output
    group = run("create_group", {"name": "Engineering"}).output
    run("add_user_to_group", {"group": group["id"], "user": user["id"]})
    names = sorted(g["profile"]["name"] for g in run("list_user_groups", {"id": user["id"]}).output)
    assert names == ["Engineering", "Everyone"]
