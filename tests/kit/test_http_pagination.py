"""Stories about paging: every item once, in both Link forms, and never round in circles."""

from __future__ import annotations

from typing import Any

import flask
import httpx
import pytest

from connector.errors import ResultError
from connector.http import make_client
from connector.pagination import follow_cursor, follow_links, follow_offset, parse_link_header

TOTAL = 1000


def users_app(link_form: str) -> flask.Flask:
    """1,000 users paged by ``after``; next links carry a comma inside the URL (``fields=id,login``)."""
    app = flask.Flask("users")
    users = [{"id": f"00u{n:05d}", "login": f"user{n}@acme.test"} for n in range(TOTAL)]

    @app.get("/api/v1/users")
    def list_users() -> flask.Response:
        limit = int(flask.request.args.get("limit", 200))
        after = flask.request.args.get("after")
        start = 0 if after is None else int(after[3:]) + 1
        page = users[start : start + limit]
        response = flask.jsonify(page)
        base = flask.request.base_url
        links = [f'<{base}?limit={limit}&fields=id,login>; rel="self"']
        if start + limit < TOTAL:
            links.append(f'<{base}?after={page[-1]["id"]}&limit={limit}&fields=id,login>; rel="next"')
        if link_form == "lines":
            for link in links:
                response.headers.add("Link", link)
        else:
            response.headers["Link"] = ", ".join(links)
        return response

    return app


def client_for(app: flask.Flask) -> httpx.Client:
    return make_client("http://okta.test", transport=httpx.WSGITransport(app=app), retry=None)


def test_link_headers_are_read_as_separate_lines() -> None:
    headers = httpx.Headers(
        [
            ("Link", '<https://acme.okta.com/api/v1/users?limit=200>; rel="self"'),
            ("Link", '<https://acme.okta.com/api/v1/users?after=00ud4t&limit=200>; rel="next"'),
        ]
    )
    assert parse_link_header(headers) == {
        "self": "https://acme.okta.com/api/v1/users?limit=200",
        "next": "https://acme.okta.com/api/v1/users?after=00ud4t&limit=200",
    }


def test_link_headers_are_read_as_one_comma_joined_line_with_commas_inside_urls() -> None:
    headers = httpx.Headers(
        {"Link": '<https://x.test/a?f=id,name>; rel="self", <https://x.test/a?f=id,name&after=9>; rel="next"'}
    )
    assert parse_link_header(headers) == {
        "self": "https://x.test/a?f=id,name",
        "next": "https://x.test/a?f=id,name&after=9",
    }


def test_link_rels_may_be_unquoted_listed_together_or_among_other_parameters() -> None:
    headers = httpx.Headers({"Link": '</p2>; title="page, two"; REL=next, </p9>; rel="last prev"'})
    assert parse_link_header(headers) == {"next": "/p2", "last": "/p9", "prev": "/p9"}
    assert parse_link_header(httpx.Headers()) == {}


@pytest.mark.parametrize("link_form", ["lines", "joined"])
def test_follow_links_reaches_every_user_exactly_once(link_form: str) -> None:
    client = client_for(users_app(link_form))
    ids = [user["id"] for page in follow_links(client, "/api/v1/users", {"limit": 37}) for user in page.json()]
    assert len(ids) == TOTAL
    assert len(set(ids)) == TOTAL
    assert ids[0] == "00u00000" and ids[-1] == f"00u{TOTAL - 1:05d}"


def test_follow_links_stops_at_max_pages() -> None:
    pages = list(follow_links(client_for(users_app("lines")), "/api/v1/users", {"limit": 200}, max_pages=2))
    assert [len(page.json()) for page in pages] == [200, 200]


def test_a_next_link_back_to_a_fetched_page_is_a_loop() -> None:
    app = flask.Flask("loop")

    @app.get("/items")
    def items() -> flask.Response:
        page = int(flask.request.args.get("page", 1))
        response = flask.jsonify([page])
        response.headers["Link"] = f'</items?page={1 if page == 3 else page + 1}>; rel="next"'
        return response

    seen: list[Any] = []
    with pytest.raises(ResultError, match=r"pagination loop: the next link http://okta.test/items\?page=1"):
        for page in follow_links(client_for(app), "/items", {"page": 1}):
            seen.extend(page.json())
    assert seen == [1, 2, 3]


def test_an_absolute_next_link_repeated_as_sent_is_a_loop_even_when_it_is_not_in_normal_form() -> None:
    app = flask.Flask("stuck")

    @app.get("/items")
    def items() -> flask.Response:
        response = flask.jsonify([flask.request.args.get("q")])
        response.headers["Link"] = '<http://okta.test/items?q=a b&after=9>; rel="next"'  # a raw space
        return response

    pages: list[Any] = []
    with pytest.raises(ResultError, match="pagination loop"):
        for page in follow_links(client_for(app), "/items", {"q": "start"}):
            pages.append(page.json())
    assert pages == [["start"], ["a b"]]  # the same link a second time is refused before it is fetched


def test_an_empty_page_ends_a_log_walk_that_always_has_a_next_link() -> None:
    app = flask.Flask("logs")
    events = [{"uuid": str(n)} for n in range(5)]

    @app.get("/api/v1/logs")
    def logs() -> flask.Response:
        after = int(flask.request.args.get("after", 0))
        response = flask.jsonify(events[after : after + 2])
        nxt = min(after + 2, len(events))
        response.headers["Link"] = f'<{flask.request.base_url}?after={nxt}&n={after}>; rel="next"'
        return response

    pages = list(follow_links(client_for(app), "/api/v1/logs", items=lambda r: r.json()))
    assert [len(p.json()) for p in pages] == [2, 2, 1, 0]


def contacts_app() -> flask.Flask:
    """HighLevel-style listing: ``meta.startAfterId`` is the cursor; 45 contacts, 10 per page."""
    app = flask.Flask("contacts")
    contacts = [{"id": f"c{n:03d}"} for n in range(45)]

    @app.get("/contacts/")
    def list_contacts() -> dict[str, Any]:
        limit = int(flask.request.args["limit"])
        after = flask.request.args.get("startAfterId")
        start = 0 if after is None else next(i for i, c in enumerate(contacts) if c["id"] == after) + 1
        page = contacts[start : start + limit]
        last = page[-1]["id"] if page and start + limit < len(contacts) else None
        return {"contacts": page, "meta": {"total": len(contacts), "startAfterId": last, "startAfter": 1}}

    return app


def test_follow_cursor_sends_each_cursor_and_stops_when_there_is_none() -> None:
    pages = follow_cursor(
        client_for(contacts_app()),
        "/contacts/",
        {"locationId": "loc1", "limit": 10},
        cursor_param="startAfterId",
        next_cursor=lambda r: r.json()["meta"]["startAfterId"],
    )
    ids = [c["id"] for page in pages for c in page.json()["contacts"]]
    assert ids == [f"c{n:03d}" for n in range(45)]


def test_follow_cursor_accepts_several_cursor_parameters_at_once() -> None:
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url.params))
        after = request.url.params.get("startAfterId")
        return httpx.Response(200, json={"next": None if after else {"startAfterId": "c9", "startAfter": 17}})

    pages = list(
        follow_cursor(
            make_client(transport=httpx.MockTransport(handler)),
            "http://contacts.test/contacts/",
            {"limit": 10},
            cursor_param="unused",
            next_cursor=lambda r: r.json()["next"],
        )
    )
    assert len(pages) == 2
    assert requested == ["limit=10", "limit=10&startAfterId=c9&startAfter=17"]


def test_a_cursor_that_comes_back_is_a_loop() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"next": "abc"})

    pages = follow_cursor(
        make_client(transport=httpx.MockTransport(handler)),
        "http://x.test/items",
        cursor_param="cursor",
        next_cursor=lambda r: r.json()["next"],
    )
    with pytest.raises(ResultError, match="the cursor cursor=abc was already used"):
        list(pages)


def employees_app(ignore_offset: bool = False) -> flask.Flask:
    app = flask.Flask("employees")
    employees = [{"id": n} for n in range(23)]

    @app.get("/v1/company/employees")
    def list_employees() -> dict[str, Any]:
        limit = int(flask.request.args["limit"])
        offset = 0 if ignore_offset else int(flask.request.args["offset"])
        return {"success": True, "data": employees[offset : offset + limit]}

    return app


def test_follow_offset_reads_pages_until_a_short_one() -> None:
    pages = list(
        follow_offset(
            client_for(employees_app()), "/v1/company/employees", page_size=10, items=lambda r: r.json()["data"]
        )
    )
    assert [len(p.json()["data"]) for p in pages] == [10, 10, 3]
    assert [p.request.url.params["offset"] for p in pages] == ["0", "10", "20"]


def test_follow_offset_can_count_pages_and_stop_at_max_pages() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.params["page"])
        return httpx.Response(200, json=[int(request.url.params["page"])] * 5)

    pages = follow_offset(
        make_client(transport=httpx.MockTransport(handler)),
        "http://x.test/items",
        offset_param="page",
        limit_param="per_page",
        page_size=5,
        items=lambda r: r.json(),
        start=1,
        offset_counts="pages",
        max_pages=3,
    )
    assert len(list(pages)) == 3
    assert calls == ["1", "2", "3"]


def test_a_server_that_ignores_the_offset_is_detected_before_items_repeat() -> None:
    pages = follow_offset(
        client_for(employees_app(ignore_offset=True)),
        "/v1/company/employees",
        page_size=10,
        items=lambda r: r.json()["data"],
    )
    first = next(pages)
    assert len(first.json()["data"]) == 10
    with pytest.raises(ResultError, match="offset=10 returned the same items"):
        next(pages)
