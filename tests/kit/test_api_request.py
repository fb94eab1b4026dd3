"""The "API request" action: any call with the connection's credential, never anywhere but its service.

Every app offers it (built once in ``connector/api_request.py``). The table below is the attacker's
side: paths that try to take the credential to another host, another path or another request. Each is
run through the one runtime path against the Okta sandbox with a transport that records what left;
refused paths must name the ``path`` field and say why, and nothing may leave for anywhere but the
sandbox's own origin.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from connector.api_request import USER_AGENT, api_request_action
from connector.apps.contacts.app import APP as CONTACTS
from connector.apps.okta.app import APP as OKTA
from connector.apps.personio.app import APP as PERSONIO
from connector.context import Connection
from connector.definitions import App, AuthSpec, Field
from connector.errors import BadInput, ExpiredAuth
from connector.runtime import invoke

#: (what it tries, path) pairs that must be refused before any request is sent.
REFUSED: list[tuple[str, str]] = [
    ("absolute URL", "https://evil.example/api/v1/users"),
    ("absolute URL, upper-case scheme", "HTTPS://evil.example/api/v1/users"),
    ("absolute URL to the sandbox's own host name as a prefix", "http://okta.sandbox.evil.example/api"),
    ("host and port with no scheme", "evil.example:443/api/v1/users"),
    ("javascript: URL", "javascript:alert(1)"),
    ("scheme-relative URL", "//evil.example/api/v1/users"),
    ("scheme-relative URL, three slashes", "///evil.example/api"),
    ("another URL after the path", "/api/v1/http://evil.example/x"),
    ("another URL with encoded slashes", "/api/v1/https:%2F%2Fevil.example"),
    ("dot-dot segment", "/api/v1/../../admin"),
    ("trailing dot-dot", "/api/v1/users/.."),
    ("dot segment", "/./api/v1/users"),
    ("percent-encoded dot-dot", "/api/v1/%2e%2e/%2e%2e/admin"),
    ("percent-encoded dot-dot, upper case", "/api/v1/%2E%2E/admin"),
    ("half-encoded dot-dot", "/api/v1/.%2e/admin"),
    ("double-encoded dot-dot", "/api/v1/%252e%252e/admin"),
    ("encoded slash", "/api/v1/users%2F..%2F..%2Fadmin"),
    ("encoded slash, lower case", "/api%2fv1"),
    ("double-encoded slash", "/api/v1/users/%252F%252Fevil.example"),
    ("backslash", "/api/v1\\..\\admin"),
    ("leading backslashes", "\\\\evil.example\\api"),
    ("encoded backslash", "/api/v1/%5C..%5Cadmin"),
    ("unicode fullwidth dots", "/api/v1/\uff0e\uff0e/admin"),
    ("unicode two-dot leader", "/api/v1/\u2025/admin"),
    ("unicode one-dot leaders", "/api/v1/\u2024\u2024/admin"),
    ("percent-encoded fullwidth dots", "/api/v1/%EF%BC%8E%EF%BC%8E/admin"),
    ("unicode fullwidth solidus", "/api/v1/users\uff0f..\uff0fadmin"),
    ("CRLF header injection", "/api/v1/users\r\nHost: evil.example"),
    ("encoded CRLF", "/api/v1/users%0d%0aHost:%20evil.example"),
    ("NUL byte", "/api/v1/users/%00"),
    ("tab", "/api/v1/\tusers"),
    ("right-to-left override", "/api/v1/users/\u202eexe.txt"),
    ("query smuggled into the path", "/api/v1/users?redirect=https://evil.example"),
    ("fragment", "/api/v1/users#@evil.example"),
    ("empty segment", "/api/v1//users"),
    ("empty path", "   "),
]

#: Paths that look suspicious but are plain data once escaped: they are sent, and stay on the sandbox.
STAY_ON_ORIGIN: list[tuple[str, str]] = [
    ("user info style '@'", "@evil.example/api/v1/users"),
    ("'@' after the host-looking segment", "okta.sandbox@evil.example/x"),
    ("another host name as the first segment", "/evil.example/api/v1/users"),
    ("login with '@' as a user id", "/api/v1/users/ann@example.com"),
    ("percent sign that decodes to nothing special", "/api/v1/users/100%25"),
    ("unicode ideographic full stops", "/api/v1/\u3002\u3002/admin"),
]


class Recording(httpx.BaseTransport):
    """Records the URL of every request that leaves, then hands it to the sandbox."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.urls: list[httpx.URL] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(request.url)
        return self.inner.handle_request(request)


@pytest.fixture
def recording(okta_sandbox: Any) -> Recording:
    return Recording(okta_sandbox.transport())


@pytest.fixture
def okta(okta_sandbox: Any, recording: Recording) -> Connection:
    return Connection(app="okta", fields={"org_url": okta_sandbox.base_url, "api_token": okta_sandbox.settings.token},
                      base_url=okta_sandbox.base_url, transport=recording)


def _escaped(urls: list[httpx.URL], base_url: str) -> list[str]:
    base = httpx.URL(base_url)
    return [str(url) for url in urls if (url.scheme, url.host, url.port) != (base.scheme, base.host, base.port)
            or ".." in url.path or "//" in url.path]


@pytest.mark.parametrize(("attempt", "path"), REFUSED, ids=[attempt for attempt, _ in REFUSED])
def test_a_path_that_would_leave_the_service_is_refused_naming_the_field(
    okta: Connection, recording: Recording, attempt: str, path: str
) -> None:
    with pytest.raises(BadInput) as refused:
        invoke(OKTA, "api_request", okta, {"method": "GET", "path": path})
    assert refused.value.field == "path", attempt
    message = refused.value.message
    assert any(word in message for word in ("URL", "host", "segment", "backslash", "query", "empty")), message
    assert "e.g." in message or "use" in message or "remove" in message or "put" in message, message
    assert recording.urls == [], f"{attempt}: a request left before the refusal"


@pytest.mark.parametrize(("attempt", "path"), STAY_ON_ORIGIN, ids=[attempt for attempt, _ in STAY_ON_ORIGIN])
def test_a_strange_but_harmless_path_is_escaped_and_stays_on_the_service(
    okta: Connection, okta_sandbox: Any, recording: Recording, attempt: str, path: str
) -> None:
    result = invoke(OKTA, "api_request", okta, {"method": "GET", "path": path})
    assert result.output["status"] in (200, 404)
    assert len(recording.urls) == 1
    assert _escaped(recording.urls, okta_sandbox.base_url) == [], attempt
    assert "@" not in recording.urls[0].raw_path.decode()  # escaped as %40: never read as user info


def test_the_whole_table_makes_zero_escapes(okta: Connection, okta_sandbox: Any, recording: Recording) -> None:
    refused = sent = 0
    for _attempt, path in [*REFUSED, *STAY_ON_ORIGIN]:
        try:
            invoke(OKTA, "api_request", okta, {"method": "GET", "path": path})
            sent += 1
        except BadInput:
            refused += 1
    escapes = _escaped(recording.urls, okta_sandbox.base_url)
    print(f"\napi request escape table: {refused + sent} attempts, {refused} refused, {sent} sent on the "
          f"sandbox's origin, {len(escapes)} escapes")
    assert (refused, sent, escapes) == (len(REFUSED), len(STAY_ON_ORIGIN), [])


def test_credential_headers_cannot_be_set_by_hand(okta: Connection, recording: Recording) -> None:
    for name in ("Authorization", "cookie", "Host", "Content-Length"):
        with pytest.raises(BadInput) as refused:
            invoke(OKTA, "api_request", okta, {"path": "/api/v1/users", "headers": {name: "x"}})
        assert refused.value.field == "headers"
        assert "connection supplies it" in refused.value.message
    with pytest.raises(BadInput, match="line break"):
        invoke(OKTA, "api_request", okta, {"path": "/api/v1/users", "headers": {"X-Note": "a\r\nHost: evil"}})
    assert recording.urls == []


def test_an_okta_request_lists_users_with_the_connections_token(okta: Connection, okta_sandbox: Any) -> None:
    okta_sandbox.create_user({"login": "ann@example.com", "email": "ann@example.com", "firstName": "Ann",
                              "lastName": "Lee"}, password="Corr3ct-Horse!")
    result = invoke(OKTA, "api_request", okta, {"path": "/api/v1/users", "query": {"limit": 5}})
    assert result.output["status"] == 200
    assert result.output["json"] is True
    assert [user["profile"]["login"] for user in result.output["body"]] == ["ann@example.com"]
    assert "rel=\"self\"" in result.output["headers"]["link"]
    by_login = invoke(OKTA, "api_request", okta, {"path": "/api/v1/users/ann@example.com"})
    assert by_login.output["body"]["profile"]["email"] == "ann@example.com"


def test_an_okta_request_with_a_json_body_creates_a_group(okta: Connection, okta_sandbox: Any) -> None:
    body = json.dumps({"profile": {"name": "Made by hand", "description": "through the API request action"}})
    result = invoke(OKTA, "api_request", okta, {"method": "POST", "path": "/api/v1/groups", "body": body})
    assert result.output["status"] == 200
    group_id = result.output["body"]["id"]
    listed = invoke(OKTA, "api_request", okta, {"path": f"/api/v1/groups/{group_id}"})
    assert listed.output["body"]["profile"]["name"] == "Made by hand"


def test_a_path_the_vendor_does_not_document_gets_the_sandboxs_404_as_output(okta: Connection) -> None:
    """The user's own request: the 404 is the answer, and the session's contract check does not object."""
    result = invoke(OKTA, "api_request", okta, {"path": "/api/v1/no-such-thing", "query": {"whatever": 1}})
    assert result.output["status"] == 404
    assert result.output["body"]["errorCode"] == "E0000008"
    with pytest.raises(Exception) as failed:
        invoke(OKTA, "api_request", okta, {"path": "/api/v1/no-such-thing", "fail_on_error_status": True})
    assert "E0000008" in str(failed.value)


def test_bad_json_in_the_body_names_the_field_and_sends_nothing(okta: Connection, recording: Recording) -> None:
    with pytest.raises(BadInput) as refused:
        invoke(OKTA, "api_request", okta, {"method": "POST", "path": "/api/v1/groups", "body": "{name: 'x'}"})
    assert refused.value.field == "body" and "not JSON" in refused.value.message
    with pytest.raises(BadInput, match="GET request takes no body"):
        invoke(OKTA, "api_request", okta, {"method": "GET", "path": "/api/v1/groups", "body": "{}"})
    assert recording.urls == []


def test_a_wrong_token_is_expired_auth_not_an_output(okta_sandbox: Any) -> None:
    bad = Connection(app="okta", fields={"org_url": okta_sandbox.base_url, "api_token": "wrong-token-123"},
                     base_url=okta_sandbox.base_url, transport=okta_sandbox.transport())
    with pytest.raises(ExpiredAuth):
        invoke(OKTA, "api_request", bad, {"path": "/api/v1/users"})


def test_a_contacts_request_reads_a_contact_with_the_api_key_and_version(contacts_connection: Connection) -> None:
    made = invoke(CONTACTS, "create_contact", contacts_connection,
                  {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}).output
    result = invoke(CONTACTS, "api_request", contacts_connection, {"path": f"/contacts/{made['id']}"}, trace=True)
    assert result.output["status"] == 200
    assert result.output["body"]["contact"]["email"] == "ada@example.com"
    sent = result.trace[0]["request_headers"]
    assert sent["version"] == "2021-07-28" and sent["authorization"] == "Bearer [redacted]"
    assert sent["user-agent"] == USER_AGENT


def test_a_personio_request_lists_employees_after_the_token_exchange(personio_connection: Connection) -> None:
    result = invoke(PERSONIO, "api_request", personio_connection,
                    {"path": "/v1/company/employees", "query": {"limit": 2}}, trace=True)
    assert result.output["status"] == 200
    assert result.output["body"]["success"] is True
    assert len(result.output["body"]["data"]) <= 2
    text = json.dumps(result.trace)
    assert personio_connection.fields["client_secret"] not in text


# --- redaction ----------------------------------------------------------------------------------------

VENDOR_KEY = "vendor-key-0123456789"
SESSION = "session-cookie-abcdef"


def _vendor() -> httpx.MockTransport:
    """A vendor that authenticates with its own header and answers with cookies and a token in the body."""

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["X-Vendor-Key"] == VENDOR_KEY
        return httpx.Response(200, json={"id": 7, "access_token": "issued-token-xyz", "echo": VENDOR_KEY},
                              headers={"Set-Cookie": f"sid={SESSION}", "X-Vendor-Key": VENDOR_KEY})

    return httpx.MockTransport(answer)


class VendorKeyAuth(httpx.Auth):
    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["X-Vendor-Key"] = VENDOR_KEY
        yield request


def test_secret_headers_and_credentials_are_redacted_in_the_trace_and_the_output() -> None:
    auth = AuthSpec(type="api_key", fields=(Field("api_key", type="password"),), secret_headers=("X-Vendor-Key",),
                    handler=lambda _fields: VendorKeyAuth(), base_url=lambda _fields: "https://vendor.example")
    app = App(key="vendor", name="Vendor", version="1.0.0", description="A vendor with its own key header.",
              auth=auth, actions=(api_request_action(app_name="Vendor", example_path="/things", auth=auth),))
    connection = Connection(app="vendor", fields={"api_key": VENDOR_KEY}, transport=_vendor())
    result = invoke(app, "api_request", connection, {"path": "/things/7"}, trace=True)
    trace, output = json.dumps(result.trace), json.dumps(result.output)
    for secret in (VENDOR_KEY, SESSION, "issued-token-xyz"):
        assert secret not in trace, secret
        assert secret not in output, secret
    assert result.output["headers"]["x-vendor-key"] == "[redacted]"
    assert result.output["headers"]["set-cookie"] == "[redacted]"
    assert result.output["body"]["id"] == 7
    with pytest.raises(BadInput, match="connection supplies it"):
        invoke(app, "api_request", connection, {"path": "/things", "headers": {"x-vendor-key": "mine"}})


def test_an_error_code_in_the_answer_stays_readable_while_credentials_go(personio_connection: Connection) -> None:
    """Only credential-named fields are cut from the output: Personio's error ``code`` is the user's to read."""
    missing = invoke(PERSONIO, "api_request", personio_connection, {"path": "/v1/company/time-offs/999"}).output
    assert missing["status"] == 404 and missing["body"]["error"]["code"] == 404
    token = invoke(PERSONIO, "api_request", personio_connection, {
        "method": "POST", "path": "/v1/auth", "body": json.dumps({
            "client_id": personio_connection.fields["client_id"],
            "client_secret": personio_connection.fields["client_secret"]})}).output
    assert token["body"]["data"]["token"] == "[redacted]" and "[redacted]" in token["text"]
