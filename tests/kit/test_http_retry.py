"""Stories about retries: the seam waits as the service asks and never creates twice."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator

import flask
import httpx
import pytest

from connector.errors import ServerError, Throttled, TimeLimit
from connector.http import RetryingTransport, RetryPolicy, make_client, retry_delay

Handler = Callable[[httpx.Request], httpx.Response]

NO_JITTER = RetryPolicy(jitter=0.0)


class Script:
    """A MockTransport handler that answers from a list, recording what it received."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.bodies: list[bytes] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.bodies.append(request.read())
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def sleeps() -> list[float]:
    return []


def client_for(script: Script, sleeps: list[float], **kwargs: object) -> httpx.Client:
    kwargs.setdefault("retry", NO_JITTER)
    return make_client(
        "https://acme.okta.test", transport=httpx.MockTransport(script), sleep=sleeps.append, **kwargs
    )


def test_a_429_with_retry_after_is_retried_after_that_delay(sleeps: list[float]) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={"ok": 1}))
    response = client_for(script, sleeps).post("/api/v1/users", json={"profile": {}})
    assert response.json() == {"ok": 1}
    assert sleeps == [7.0]
    assert len(script.requests) == 2


def test_a_retry_after_http_date_is_measured_against_the_server_clock(sleeps: list[float]) -> None:
    server_now = 1_000_000_000.0
    headers = {
        "Date": email.utils.formatdate(server_now, usegmt=True),
        "Retry-After": email.utils.formatdate(server_now + 12, usegmt=True),
    }
    script = Script(httpx.Response(503, headers=headers), httpx.Response(200))
    client_for(script, sleeps).get("/api/v1/users")
    assert sleeps == [12.0]


def test_okta_rate_limit_reset_is_honoured_against_the_date_header(sleeps: list[float]) -> None:
    # The server's clock is far from ours: only reset - Date counts, plus Okta's extra second.
    server_now = 1_000_000_000
    headers = {
        "Date": email.utils.formatdate(server_now, usegmt=True),
        "X-Rate-Limit-Limit": "600",
        "X-Rate-Limit-Remaining": "0",
        "X-Rate-Limit-Reset": str(server_now + 20),
    }
    script = Script(
        httpx.Response(429, headers=headers, json={"errorCode": "E0000047"}), httpx.Response(200, json=[])
    )
    assert client_for(script, sleeps).get("/api/v1/users").json() == []
    assert sleeps == [21.0]


def test_rate_limit_reset_without_a_date_uses_the_local_clock() -> None:
    response = httpx.Response(429, headers={"X-Rate-Limit-Reset": "1000"})
    assert retry_delay(response, 0, NO_JITTER, now=990.0) == 11.0


def test_a_server_error_is_not_delayed_until_the_rate_limit_window_resets(sleeps: list[float]) -> None:
    # Okta sends X-Rate-Limit-Reset on every response; a transient 500 has nothing to do with it.
    headers = {"X-Rate-Limit-Reset": str(int(time.time()) + 55), "X-Rate-Limit-Remaining": "580"}
    script = Script(httpx.Response(500, headers=headers), httpx.Response(200))
    client_for(script, sleeps).get("/api/v1/users")
    assert sleeps == [0.5]


def test_any_wait_is_capped_at_max_delay(sleeps: list[float]) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "3600"}), httpx.Response(200))
    client_for(script, sleeps, retry=RetryPolicy(max_delay=60.0)).get("/api/v1/users")
    assert sleeps == [60.0]


def test_backoff_grows_exponentially_and_jitter_stays_within_its_fraction(sleeps: list[float]) -> None:
    script = Script(httpx.Response(502), httpx.Response(502), httpx.Response(502), httpx.Response(200))
    client_for(script, sleeps).get("/x")
    assert sleeps == [0.5, 1.0, 2.0]
    jittered = RetryPolicy(base_delay=1.0, jitter=0.1)
    delays = [retry_delay(httpx.Response(503), 2, jittered) for _ in range(50)]
    assert all(3.6 <= d <= 4.4 for d in delays)
    assert len(set(delays)) > 1


def test_a_post_is_not_retried_on_500(sleeps: list[float]) -> None:
    script = Script(httpx.Response(500, json={"errorCode": "E0000009", "errorSummary": "Internal Server Error"}))
    with pytest.raises(ServerError) as caught:
        client_for(script, sleeps).post("/api/v1/users", json={"profile": {"login": "a@b.c"}})
    assert len(script.requests) == 1
    assert sleeps == []
    assert caught.value.status_code == 500


def test_a_post_with_an_idempotency_key_is_retried_on_500(sleeps: list[float]) -> None:
    script = Script(httpx.Response(500), httpx.Response(201, json={"id": "c1"}))
    response = client_for(script, sleeps).post(
        "/contacts/", json={"email": "a@b.c"}, headers={"Idempotency-Key": "run-1-step-2"}
    )
    assert response.status_code == 201
    assert len(script.requests) == 2
    assert script.bodies[0] == script.bodies[1] == b'{"email":"a@b.c"}'


def test_a_post_is_retried_on_429_because_the_service_did_not_process_it(sleeps: list[float]) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "1"}), httpx.Response(201))
    assert client_for(script, sleeps).post("/contacts/", json={}).status_code == 201
    assert len(script.requests) == 2


def test_a_get_is_retried_on_503_then_succeeds(sleeps: list[float]) -> None:
    app = flask.Flask("flaky")
    calls: list[int] = []

    @app.get("/api/v1/users/<user_id>")
    def user(user_id: str) -> tuple[dict[str, str], int]:
        calls.append(1)
        if len(calls) < 3:
            return {"errorCode": "E0000009", "errorSummary": "Service unavailable"}, 503
        return {"id": user_id}, 200

    client = make_client(
        "http://okta.test", transport=httpx.WSGITransport(app=app), retry=NO_JITTER, sleep=sleeps.append
    )
    assert client.get("/api/v1/users/00u1").json() == {"id": "00u1"}
    assert len(calls) == 3
    assert sleeps == [0.5, 1.0]


def test_a_dropped_connection_is_retried_for_a_read(sleeps: list[float]) -> None:
    script = Script(httpx.ReadError("connection reset by peer"), httpx.Response(200, json={"id": 1}))
    assert client_for(script, sleeps).get("/api/v1/users/1").json() == {"id": 1}
    assert sleeps == [0.5]


def test_a_dropped_connection_is_not_retried_for_a_create_but_a_refused_connect_is(
    sleeps: list[float],
) -> None:
    dropped = Script(httpx.RemoteProtocolError("server disconnected"), httpx.Response(201))
    with pytest.raises(ServerError, match="could not reach the service"):
        client_for(dropped, sleeps).post("/contacts/", json={})
    assert len(dropped.requests) == 1

    refused = Script(httpx.ConnectError("connection refused"), httpx.Response(201))
    assert client_for(refused, sleeps).post("/contacts/", json={}).status_code == 201
    assert len(refused.requests) == 2


def test_a_timeout_that_keeps_happening_becomes_a_time_limit_error(sleeps: list[float]) -> None:
    script = Script(httpx.ReadTimeout("timed out"))
    with pytest.raises(TimeLimit, match="timed out"):
        client_for(script, sleeps).get("/api/v1/users")
    assert len(script.requests) == 4


def test_exhausted_attempts_raise_the_mapped_error_with_the_response_kept(sleeps: list[float]) -> None:
    script = Script(httpx.Response(503, text="upstream down"))
    with pytest.raises(ServerError) as caught:
        client_for(script, sleeps, retry=RetryPolicy(max_attempts=3, jitter=0)).get("/api/v1/users")
    assert len(script.requests) == 3
    assert caught.value.response is not None
    assert caught.value.response.text == "upstream down"
    assert caught.value.retriable


def test_exhausted_attempts_on_429_raise_throttled_with_the_delay(sleeps: list[float]) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "9"}))
    with pytest.raises(Throttled) as caught:
        client_for(script, sleeps, retry=RetryPolicy(max_attempts=2)).get("/api/v1/users")
    assert caught.value.delay == 9.0
    assert caught.value.response is not None and caught.value.response.status_code == 429
    assert sleeps == [9.0]


def test_the_deadline_turns_a_long_retry_after_into_an_error_instead_of_a_sleep(sleeps: list[float]) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "30"}), httpx.Response(200))
    client = client_for(script, sleeps, deadline=time.monotonic() + 5)
    with pytest.raises(Throttled) as caught:
        client.get("/api/v1/users")
    assert caught.value.delay == 30.0
    assert sleeps == []
    assert len(script.requests) == 1


def test_the_deadline_turns_a_server_error_backoff_into_a_time_limit(sleeps: list[float]) -> None:
    script = Script(httpx.Response(503), httpx.Response(200))
    client = client_for(script, sleeps, retry=RetryPolicy(base_delay=10, jitter=0), deadline=time.monotonic() + 2)
    with pytest.raises(TimeLimit, match="HTTP 503"):
        client.get("/api/v1/users")
    assert sleeps == []


def test_no_request_starts_after_the_deadline(sleeps: list[float]) -> None:
    script = Script(httpx.Response(200))
    with pytest.raises(TimeLimit, match="time limit ran out"):
        client_for(script, sleeps, deadline=time.monotonic() - 1).get("/api/v1/users")
    assert script.requests == []


def test_each_attempt_s_timeouts_are_shortened_to_the_time_left() -> None:
    script = Script(httpx.Response(200))
    client = make_client(transport=httpx.MockTransport(script), timeout=30, deadline=time.monotonic() + 3)
    client.get("http://okta.test/")
    timeouts = script.requests[0].extensions["timeout"]
    assert 0 < timeouts["read"] <= 3 and 0 < timeouts["connect"] <= 3


def test_a_streamed_request_body_is_sent_whole_on_every_attempt(sleeps: list[float]) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"profile":'
        yield b'{"firstName":"Ada"}}'

    script = Script(httpx.Response(503), httpx.Response(200))
    client_for(script, sleeps).put("/api/v1/users/00u1", content=chunks())
    assert script.bodies == [b'{"profile":{"firstName":"Ada"}}'] * 2


def test_retry_none_sends_each_request_once(sleeps: list[float]) -> None:
    script = Script(httpx.Response(503), httpx.Response(200))
    with pytest.raises(ServerError):
        client_for(script, sleeps, retry=None).get("/api/v1/users")
    assert len(script.requests) == 1


def test_the_retrying_transport_reports_how_many_attempts_a_response_took(sleeps: list[float]) -> None:
    script = Script(httpx.Response(502), httpx.Response(200))
    transport = RetryingTransport(httpx.MockTransport(script), NO_JITTER, sleep=sleeps.append)
    response = transport.handle_request(httpx.Request("GET", "http://okta.test/"))
    assert response.extensions["connector_attempts"] == 2


def test_a_429_without_any_hint_waits_at_least_a_second(sleeps: list[float]) -> None:
    script = Script(httpx.Response(429), httpx.Response(429), httpx.Response(429), httpx.Response(200))
    client_for(script, sleeps).post("/contacts/", json={})
    assert sleeps == [1.0, 1.0, 2.0]
