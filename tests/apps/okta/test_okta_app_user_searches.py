"""Stories of flows that look Okta users up: by id, login, email, expression, and paged listings."""

from __future__ import annotations

import pytest
from okta_app_support import CountingTransport, Run, person

from connector.errors import BadInput, ResponseError
from sandboxes.okta import OktaSandbox


def test_find_user_by_id_login_email_or_expression(run: Run) -> None:
    user = run("create_user", person(1, department="Sales")).output
    run("create_user", person(2, department="Support"))
    assert [u["id"] for u in run("find_user", {"user": user["id"]}).output] == [user["id"]]
    assert [u["id"] for u in run("find_user", {"user": "person1@example.com"}).output] == [user["id"]]
    assert [u["id"] for u in run("find_user", {"email": "Person1@Example.com"}).output] == [user["id"]]
    found = run("find_user", {"search": 'profile.department eq "Sales"'}).output
    assert [u["id"] for u in found] == [user["id"]]


def test_find_user_returns_nothing_rather_than_failing_when_no_one_matches(run: Run) -> None:
    assert run("find_user", {"user": "ghost@example.com"}).output == []
    assert run("find_user", {"email": "ghost@example.com"}).output == []


def test_find_user_needs_something_to_search_by(run: Run, request_counter: CountingTransport) -> None:
    with pytest.raises(BadInput, match="give an ID or login, an email, or a search expression"):
        run("find_user", {})
    assert request_counter.requests == []


def test_a_bad_search_expression_comes_back_as_oktas_invalid_search_error(run: Run) -> None:
    with pytest.raises(ResponseError, match="E0000053"):
        run("find_user", {"search": "profile.department === Sales"})


def test_list_users_pages_until_the_limit(run: Run, sandbox: OktaSandbox, request_counter: CountingTransport) -> None:
    sandbox.seed_users(450)
    request_counter.requests.clear()
    users = run("list_users", {"limit": 450}).output
    assert len({u["id"] for u in users}) == 450
    assert len(request_counter.requests) == 3
    assert len(run("list_users", {"limit": 5}).output) == 5


def test_list_users_filter_includes_deactivated_users_the_plain_listing_hides(run: Run) -> None:
    gone = run("create_user", person(1)).output
    run("create_user", person(2))
    run("deactivate_user", {"user": gone["id"]})
    assert gone["id"] not in {u["id"] for u in run("list_users", {}).output}
    found = run("list_users", {"filter": 'status eq "DEPROVISIONED"'}).output
    assert [u["id"] for u in found] == [gone["id"]]


def test_list_users_takes_one_of_filter_search_or_q(run: Run) -> None:
    with pytest.raises(BadInput, match="use one of filter, search or q"):
        run("list_users", {"filter": 'status eq "ACTIVE"', "q": "ann"})
