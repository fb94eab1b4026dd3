"""Stories about error responses: each status says what happens next, in the vendor's own words."""

from __future__ import annotations

from collections.abc import Generator

import flask
import httpx
import pytest

import connector
from connector.errors import (
    ConnectorError,
    ExpiredAuth,
    Halted,
    RefreshAuth,
    ResponseError,
    ServerError,
    Throttled,
)
from connector.http import error_from_response, make_client, raise_for_status


def answering(response: httpx.Response, **kwargs: object) -> httpx.Client:
    return make_client(
        "https://acme.okta.test",
        transport=httpx.MockTransport(lambda request: response),
        retry=None,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("status", "branch"),
    [
        (400, ResponseError),
        (401, ExpiredAuth),  # no refreshable credential on this client: reconnect
        (403, ResponseError),
        (404, ResponseError),
        (408, ServerError),
        (409, ResponseError),
        (410, Halted),
        (418, ResponseError),
        (422, ResponseError),
        (429, Throttled),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
        (599, ServerError),
    ],
)
def test_each_status_maps_to_the_branch_that_says_what_happens_next(
    status: int, branch: type[ConnectorError]
) -> None:
    with pytest.raises(ConnectorError) as caught:
        answering(httpx.Response(status, text="nope")).get("/api/v1/users")
    assert type(caught.value) is branch
    assert caught.value.response.status_code == status  # type: ignore[attr-defined]


def test_success_and_redirect_statuses_pass_through() -> None:
    for status in (200, 201, 204, 304):
        assert answering(httpx.Response(status)).get("/x").status_code == status


def test_an_okta_error_body_becomes_the_message() -> None:
    body = {
        "errorCode": "E0000001",
        "errorSummary": "Api validation failed: login",
        "errorLink": "E0000001",
        "errorId": "oaeXyz",
        "errorCauses": [
            {"errorSummary": "login: An object with this field already exists in the current organization"}
        ],
    }
    with pytest.raises(ResponseError) as caught:
        answering(httpx.Response(400, json=body)).post("/api/v1/users", json={})
    assert caught.value.message == (
        "E0000001: Api validation failed: login "
        "(login: An object with this field already exists in the current organization)"
    )
    assert caught.value.status_code == 400


def test_an_okta_error_without_causes_is_code_and_summary() -> None:
    body = {"errorCode": "E0000007", "errorSummary": "Not found: Resource not found: 00ux (User)", "errorCauses": []}
    error = error_from_response(httpx.Response(404, json=body))
    assert error.message == "E0000007: Not found: Resource not found: 00ux (User)"


def test_a_highlevel_validation_list_becomes_one_line() -> None:
    body = {
        "statusCode": 422,
        "message": ["email must be an email", "phone must be valid"],
        "error": "Unprocessable Entity",
    }
    error = error_from_response(httpx.Response(422, json=body))
    assert error.message == "422 Unprocessable Entity: email must be an email; phone must be valid"


def test_a_refused_key_that_cannot_be_refreshed_asks_the_user_to_reconnect() -> None:
    body = {"statusCode": 401, "message": "Invalid token: access token is invalid", "error": "Unauthorized"}
    with pytest.raises(ExpiredAuth) as caught:
        answering(httpx.Response(401, json=body)).get("/contacts/c1")
    assert caught.value.message.startswith("401 Unauthorized: Invalid token: access token is invalid")
    assert "cannot be refreshed" in caught.value.message
    assert caught.value.response.status_code == 401  # type: ignore[attr-defined]


def test_a_highlevel_bad_request_without_an_error_label_uses_the_status_line() -> None:
    error = error_from_response(httpx.Response(400, json={"statusCode": 400, "message": "locationId is required"}))
    assert error.message == "400 Bad Request: locationId is required"


def test_personio_and_oauth_error_bodies_are_read_too() -> None:
    personio = error_from_response(
        httpx.Response(400, json={"success": False, "error": {"code": 0, "message": "Invalid limit"}})
    )
    assert personio.message == "400 Bad Request: Invalid limit (code 0)"
    oauth = error_from_response(
        httpx.Response(400, json={"error": "invalid_grant", "error_description": "The refresh token is invalid"})
    )
    assert oauth.message == "400 Bad Request: invalid_grant: The refresh token is invalid"


def test_an_unknown_body_becomes_the_status_line_the_request_and_a_short_excerpt() -> None:
    with pytest.raises(ResponseError) as caught:
        answering(httpx.Response(403, text="<html>" + "forbidden " * 100 + "</html>")).get("/api/v1/groups")
    message = caught.value.message
    assert message.startswith("403 Forbidden from GET /api/v1/groups: <html>forbidden")
    assert message.endswith("...")
    assert len(message) < 260


def test_throttled_carries_the_delay_the_service_asked_for() -> None:
    body = {"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests."}
    error = error_from_response(httpx.Response(429, headers={"Retry-After": "12"}, json=body))
    assert isinstance(error, Throttled)
    assert error.delay == 12.0
    assert error.message.startswith("E0000047: API call exceeded rate limit")


def test_allow_status_lets_a_404_through_to_the_operation() -> None:
    client = answering(httpx.Response(404, json={"errorCode": "E0000007", "errorSummary": "Not found"}))
    response = client.get("/api/v1/users/missing", extensions={"allow_status": (404,)})
    assert response.status_code == 404
    with pytest.raises(ResponseError):
        client.get("/api/v1/users/missing", extensions={"allow_status": (410,)})


def test_raise_for_status_honours_its_allow_list() -> None:
    raise_for_status(httpx.Response(404), allow=(404,))
    with pytest.raises(ResponseError):
        raise_for_status(httpx.Response(404))


def test_a_client_without_raise_errors_hands_back_every_response() -> None:
    response = answering(httpx.Response(500, text="boom"), raise_errors=False).get("/x")
    assert response.status_code == 500
    assert response.text == "boom"


def test_the_error_keeps_a_readable_response_even_when_streaming() -> None:
    client = answering(httpx.Response(409, json={"errorCode": "E0000001", "errorSummary": "Conflict"}))
    with pytest.raises(ResponseError) as caught, client.stream("GET", "/x"):
        pass  # pragma: no cover - the error comes first
    assert caught.value.response is not None
    assert caught.value.response.json()["errorCode"] == "E0000001"


def test_every_request_names_the_kit_in_its_user_agent() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["user-agent"])
        return httpx.Response(200)

    make_client(transport=httpx.MockTransport(handler)).get("http://okta.test/")
    make_client(transport=httpx.MockTransport(handler), headers={"User-Agent": "custom"}).get("http://okta.test/")
    assert seen == [f"connector-kit/{connector.__version__}", "custom"]


class RefreshingAuth(httpx.Auth):
    """A refresh-on-401 flow, as the OAuth handlers write it."""

    refreshable = True

    def __init__(self) -> None:
        self.token = "old"
        self.refreshes = 0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        response = yield request
        if response.status_code == 401:
            self.refreshes += 1
            self.token = "new"
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request


def test_a_refresh_on_401_auth_flow_sees_the_401_before_any_error_is_raised() -> None:
    app = flask.Flask("contacts")

    @app.get("/contacts/<contact_id>")
    def contact(contact_id: str) -> tuple[dict[str, object], int]:
        if flask.request.headers.get("Authorization") != "Bearer new":
            invalid = "Invalid token: access token is invalid"
            return {"statusCode": 401, "message": invalid, "error": "Unauthorized"}, 401
        return {"contact": {"id": contact_id}}, 200

    auth = RefreshingAuth()
    client = make_client("http://contacts.test", auth=auth, transport=httpx.WSGITransport(app=app))
    assert client.get("/contacts/c1").json() == {"contact": {"id": "c1"}}
    assert auth.refreshes == 1


def test_a_401_after_the_refresh_becomes_refresh_auth() -> None:
    auth = RefreshingAuth()
    client = make_client(
        auth=auth, transport=httpx.MockTransport(lambda request: httpx.Response(401)), retry=None
    )
    with pytest.raises(RefreshAuth):
        client.get("http://contacts.test/contacts/c1")
    assert auth.refreshes == 1
