"""Stories about the trace: users see every exchange, never a secret."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
import pytest

from connector.errors import ResponseError
from connector.http import RetryPolicy, make_client
from connector.trace import MAX_BODY, REDACTED, TraceRecorder, redact_headers, redact_text

API_TOKEN = "00aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abc"


def traced(handler: httpx.MockTransport | None = None, **kwargs: object) -> tuple[httpx.Client, TraceRecorder]:
    recorder = TraceRecorder(secrets=[API_TOKEN])
    transport = handler or httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
    client = make_client(
        "https://acme.okta.test",
        transport=transport,
        recorder=recorder,
        headers={"Authorization": f"SSWS {API_TOKEN}"},
        **kwargs,  # type: ignore[arg-type]
    )
    return client, recorder


def test_the_authorization_header_is_redacted_but_its_scheme_kept() -> None:
    client, recorder = traced()
    client.get("/api/v1/users", params={"limit": 2})
    (exchange,) = recorder.exchanges
    assert exchange.request_headers["authorization"] == f"SSWS {REDACTED}"
    assert exchange.method == "GET"
    assert exchange.url == "https://acme.okta.test/api/v1/users?limit=2"
    assert exchange.status == 200
    assert json.loads(exchange.response_body) == {"ok": True}
    assert exchange.elapsed_ms is not None and exchange.elapsed_ms >= 0
    assert API_TOKEN not in json.dumps(recorder.to_list())


def test_an_access_token_in_a_form_body_and_in_the_token_response_is_redacted() -> None:
    def token_endpoint(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"access_token": "at-123456", "refresh_token": "rt-654321", "token_type": "Bearer"}
        )

    client, recorder = traced(httpx.MockTransport(token_endpoint))
    client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "rt-old-999", "client_id": "app1",
              "client_secret": "cs-shh-777", "access_token": "at-old-111"},
    )
    (exchange,) = recorder.exchanges
    form = parse_qs(exchange.request_body)
    assert form["grant_type"] == ["refresh_token"] and form["client_id"] == ["app1"]
    assert form["refresh_token"] == form["client_secret"] == form["access_token"] == [REDACTED]
    response = json.loads(exchange.response_body)
    assert response == {"access_token": REDACTED, "refresh_token": REDACTED, "token_type": "Bearer"}
    for secret in ("rt-old-999", "cs-shh-777", "at-old-111", "at-123456", "rt-654321"):
        assert secret not in json.dumps(recorder.to_list())


def test_a_password_in_json_is_redacted_including_okta_credentials() -> None:
    client, recorder = traced()
    client.post(
        "/api/v1/users",
        json={
            "profile": {"login": "ada@acme.test", "password": "plain-pw-1"},
            "credentials": {
                "password": {"value": "tlpWENT2m"},
                "recovery_question": {"question": "q?", "answer": "a!"},
            },
        },
    )
    body = json.loads(recorder.exchanges[0].request_body)
    assert body["profile"] == {"login": "ada@acme.test", "password": REDACTED}
    assert body["credentials"]["password"] == REDACTED
    assert body["credentials"]["recovery_question"] == {"question": "q?", "answer": REDACTED}


def test_a_literal_secret_in_a_url_query_is_redacted() -> None:
    client, recorder = traced()
    client.get("/api/v1/users", params={"q": API_TOKEN, "limit": 1})
    client.get("/hooks/catch", params={"api_key": "k-123456", "token": "tok-7890", "x": "y"})
    first, second = recorder.exchanges
    assert API_TOKEN not in first.url
    assert f"q={REDACTED}" in first.url
    assert "k-123456" not in second.url and "tok-7890" not in second.url
    assert second.url.endswith("&x=y")


def test_set_cookie_and_custom_token_headers_are_redacted() -> None:
    headers = httpx.Headers(
        [("Set-Cookie", "sid=abc"), ("X-Okta-Session-Token", "s1"), ("x-wh-secret", "w"), ("Content-Type", "a/b")]
    )
    assert redact_headers(headers) == {
        "set-cookie": REDACTED,
        "x-okta-session-token": REDACTED,
        "x-wh-secret": REDACTED,
        "content-type": "a/b",
    }


def test_an_event_hook_registration_keeps_its_shared_secret_out_of_the_trace() -> None:
    text = json.dumps(
        {"channel": {"config": {"uri": "https://x.test/h", "authScheme": {"type": "HEADER", "key": "Authorization",
                                                                          "value": "hook-secret"}}}}
    )
    redacted = json.loads(redact_text(text, ()))
    assert redacted["channel"]["config"]["authScheme"] == {"type": "HEADER", "key": "Authorization", "value": REDACTED}


def test_a_truncated_json_body_is_still_redacted_by_pattern() -> None:
    big = json.dumps({"password": "pw-cut-1", "items": ["x" * 100] * (MAX_BODY // 50), "token": "late-tok"})
    client, recorder = traced()
    client.post("/api/v1/bulk", content=big, headers={"Content-Type": "application/json"})
    body = recorder.exchanges[0].request_body
    assert "pw-cut-1" not in body
    assert body.startswith(f'{{"password": "{REDACTED}"')
    assert "more characters]" in body
    assert len(body) < MAX_BODY + 100


def test_a_secret_split_by_the_truncation_does_not_leak_its_first_half() -> None:
    text = "a" * (MAX_BODY - 10) + API_TOKEN + "tail"
    recorder = TraceRecorder(secrets=[API_TOKEN])
    client = make_client(transport=httpx.MockTransport(lambda r: httpx.Response(200, text=text)), recorder=recorder)
    client.get("http://x.test/")
    assert API_TOKEN[:10] not in recorder.exchanges[0].response_body


def test_a_failed_exchange_records_the_error_and_the_attempts() -> None:
    answers = iter([httpx.Response(503), httpx.Response(404, json={"errorCode": "E0000007", "errorSummary": "Nope"})])
    client, recorder = traced(
        httpx.MockTransport(lambda request: next(answers)), retry=RetryPolicy(jitter=0), sleep=lambda s: None
    )
    with pytest.raises(ResponseError):
        client.get("/api/v1/users/00u1")
    (exchange,) = recorder.exchanges
    assert exchange.status == 404
    assert exchange.attempts == 2
    assert exchange.error == "ResponseError: E0000007: Nope"


def test_a_request_that_never_got_a_response_is_recorded_with_its_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    client, recorder = traced(httpx.MockTransport(refuse), retry=None)
    with pytest.raises(Exception, match="could not reach the service"):
        client.post("/api/v1/users", json={"profile": {"password": "pw-zzz-1"}})
    (exchange,) = recorder.exchanges
    assert exchange.status is None
    assert exchange.error is not None and exchange.error.startswith("ServerError:")
    assert "pw-zzz-1" not in exchange.request_body


def test_binary_bodies_are_summarised_not_dumped() -> None:
    client = make_client(
        transport=httpx.MockTransport(
            lambda r: httpx.Response(200, content=b"\xff\xfe\x00\x01", headers={"Content-Type": "image/png"})
        ),
        recorder=(recorder := TraceRecorder()),
    )
    client.get("http://x.test/logo.png")
    assert recorder.exchanges[0].response_body == "<4 bytes of binary data (image/png)>"


def test_a_multipart_upload_is_traced_one_line_per_part_its_secrets_redacted_its_file_by_size() -> None:
    client, recorder = traced()
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    client.post("/api/v1/brands/b/themes/t/logo", files={"file": ("logo.png", image, "image/png")},
                data={"client_secret": "s3cret-value", "note": f"token {API_TOKEN}", "label": "Brand"})
    (exchange,) = recorder.exchanges
    assert exchange.request_body.splitlines() == [
        f"client_secret: {REDACTED}", f"note: token {REDACTED}", "label: Brand",
        f"file: file 'logo.png' (image/png, {len(image)} bytes)",
    ]
