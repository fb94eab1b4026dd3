"""Who gets in: Host-header probes (DNS rebinding) and the per-install access token, on a real port.

A page on another site that rebinds its DNS name to 127.0.0.1 reaches the emulator's port as a
same-origin site: its requests carry *its* host name. Every probe here goes over a socket to the
platform exactly as ``connector emulate`` serves it.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from emulator.access import ACCESS_TOKEN_HEADER, allowed_hosts
from emulator.demo import Environment, build_environment
from emulator.serving import ServedApp, serve


class LateApp:
    """The platform is built after the port is known (the port is part of its public URL)."""

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Environment, ServedApp]]:
    late = LateApp()
    server = serve(late)  # type: ignore[arg-type]
    env = build_environment(server.base_url, tmp_path_factory.mktemp("access") / "data", okta_users=2,
                            contacts=2, employees=2, runner_thread=False)
    late.app = env.wsgi
    yield env, server
    server.stop()
    env.close()


@pytest.fixture
def http(served: tuple[Environment, ServedApp]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served[1].base_url, follow_redirects=False) as client:
        yield client


REBOUND_HOSTS = ["attacker.example", "attacker.example:{port}", "127.0.0.1.nip.io:{port}", "localhost.:{port}",
                 "169.254.169.254", "[::ffff:7f00:1]:{port}", "evil.example:{port}@127.0.0.1"]


@pytest.mark.parametrize("host", REBOUND_HOSTS)
@pytest.mark.parametrize("path", ["/api/flows", "/api/connections", "/flows", "/login",
                                  "/sandbox/okta/api/v1/users", "/sandbox/contacts/oauth/chooselocation"])
def test_a_request_with_a_foreign_host_header_is_refused_before_anything_runs(
    served: tuple[Environment, ServedApp], http: httpx.Client, host: str, path: str
) -> None:
    env, server = served
    headers = {"Host": host.format(port=server.port), ACCESS_TOKEN_HEADER: env.access_token}
    answer = http.get(path, headers=headers)
    assert answer.status_code == 403, answer.text
    error = answer.json()["error"]
    assert error["field"] == "Host"
    assert "--allow-host" in error["message"]


def test_a_rebound_page_cannot_change_anything_even_with_the_token(
    served: tuple[Environment, ServedApp], http: httpx.Client
) -> None:
    env, server = served
    rebound = {"Host": f"attacker.example:{server.port}", ACCESS_TOKEN_HEADER: env.access_token}
    flow = http.post("/api/flows", json={"name": "rebound"}, headers=rebound)
    connection = http.post("/api/connections", headers=rebound, json={
        "app": "okta", "name": "rebound", "fields": {"org_url": env.okta.base_url, "api_token": "okta-sandbox-token"}})
    assert (flow.status_code, connection.status_code) == (403, 403)
    assert env.emulator.extensions["emulator"].store.list_flows() == []
    assert env.gateway.store.list() == []


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}", "LOCALHOST:{port}"])
def test_the_hosts_the_emulator_serves_are_answered(
    served: tuple[Environment, ServedApp], http: httpx.Client, host: str
) -> None:
    env, server = served
    answer = http.get("/api/flows", headers={"Host": host.format(port=server.port), **env.api_headers})
    assert answer.status_code == 200, answer.text


def test_more_hosts_can_be_allowed_and_a_wildcard_bind_adds_none() -> None:
    hosts = allowed_hosts("http://127.0.0.1:5000", bound_host="0.0.0.0", extra=["tunnel.example", "box.lan:8443"])
    assert {"127.0.0.1:5000", "localhost:5000", "[::1]:5000", "tunnel.example:5000", "box.lan:8443"} <= hosts
    assert "0.0.0.0:5000" not in hosts
    assert "attacker.example:5000" not in hosts
    bound = allowed_hosts("http://127.0.0.1:5000", bound_host="192.168.1.20")
    assert "192.168.1.20:5000" in bound


# -- the access token ---------------------------------------------------------------------------------
@pytest.mark.parametrize("headers", [
    {},
    {ACCESS_TOKEN_HEADER: "not-the-token"},
    {"Authorization": "Bearer okta-sandbox-token"},  # a connection's credential is never emulator auth
    {"Authorization": "SSWS okta-sandbox-token"},
], ids=["none", "wrong-token", "bearer", "ssws"])
@pytest.mark.parametrize("method,path", [("GET", "/api/flows"), ("GET", "/api/connections"),
                                         ("POST", "/api/flows"), ("GET", "/api/openapi.json"),
                                         ("POST", "/api/sandboxes/okta/users")])
def test_an_api_client_without_the_access_token_is_refused(
    served: tuple[Environment, ServedApp], http: httpx.Client, headers: dict[str, str], method: str, path: str
) -> None:
    answer = http.request(method, path, headers=headers, json={"name": "x"} if method == "POST" else None)
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"]["field"] == ACCESS_TOKEN_HEADER
    assert "connector emulate" in answer.json()["error"]["message"]


def test_an_api_client_with_the_access_token_gets_in(served: tuple[Environment, ServedApp], http: httpx.Client) -> None:
    env, _server = served
    assert http.get("/api/connections", headers=env.api_headers).status_code == 200


def test_a_page_without_a_session_leads_to_the_login_form(http: httpx.Client) -> None:
    answer = http.get("/connections?x=1")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login?next=%2Fconnections%3Fx%3D1"
    assert 'name="token"' in http.get("/login").text


def test_the_printed_start_url_signs_the_browser_in_and_drops_the_token_from_the_address(
    served: tuple[Environment, ServedApp],
) -> None:
    env, server = served
    with httpx.Client(base_url=server.base_url) as browser:
        landing = browser.get(urlsplit(env.start_url).path + "?" + urlsplit(env.start_url).query)
        assert landing.status_code == 302
        assert "token" not in landing.headers["Location"]
        assert browser.get("/connections").status_code == 200
        assert browser.get("/api/connections").status_code == 200  # the page's own fetches


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_wrong_or_right_token_in_the_start_url_never_lands_in_another_url(
    served: tuple[Environment, ServedApp], method: str
) -> None:
    env, server = served
    with httpx.Client(base_url=server.base_url) as browser, httpx.Client(base_url=server.base_url) as stranger:
        right = browser.request(method, f"/runs?token={env.access_token}&x=1")
        wrong = stranger.request(method, "/runs?token=guess&x=1")
    assert (right.status_code, right.headers["Location"]) == (302, "/runs?x=1")
    assert wrong.status_code == 302 and "guess" not in wrong.headers["Location"]
    assert wrong.headers["Location"].startswith("/login?error=wrong&next=")


def test_the_login_form_takes_the_token_and_refuses_a_wrong_one(
    served: tuple[Environment, ServedApp],
) -> None:
    env, server = served
    with httpx.Client(base_url=server.base_url) as browser:
        form = browser.get("/login?next=/runs").text
        csrf = form.split('name="csrf_token" value="')[1].split('"')[0]
        wrong = browser.post("/login", data={"token": "guess", "next": "/runs", "csrf_token": csrf})
        assert wrong.status_code == 401 and "not this emulator" in wrong.text
        assert browser.get("/runs").status_code == 302
        right = browser.post("/login", data={"token": env.access_token, "next": "/runs", "csrf_token": csrf})
        assert right.status_code == 302 and right.headers["Location"] == "/runs"
        assert browser.get("/runs").status_code == 200


@pytest.mark.parametrize("target", ["//attacker.example/", "https://attacker.example/", "/\\attacker.example"])
def test_the_login_never_redirects_off_the_emulator(served: tuple[Environment, ServedApp], target: str) -> None:
    env, server = served
    with httpx.Client(base_url=server.base_url) as browser:
        form = browser.get("/login").text
        csrf = form.split('name="csrf_token" value="')[1].split('"')[0]
        answer = browser.post("/login", data={"token": env.access_token, "next": target, "csrf_token": csrf})
        assert answer.headers["Location"] == "/"


def test_the_access_token_is_kept_owner_only_and_survives_a_restart(tmp_path: Path) -> None:
    first = build_environment("http://127.0.0.1:5998", tmp_path / "data", okta_users=1, contacts=1, employees=1,
                              runner_thread=False)
    first.close()
    second = build_environment("http://127.0.0.1:5998", tmp_path / "data", okta_users=1, contacts=1, employees=1,
                               runner_thread=False)
    second.close()
    token_file = tmp_path / "data" / "access.token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert first.access_token == second.access_token == token_file.read_text().strip()
    assert len(first.access_token) >= 32
    # A browser signed in before the restart is still signed in after it.
    assert stat.S_IMODE((tmp_path / "data" / "session.key").stat().st_mode) == 0o600
    assert first.emulator.config["SECRET_KEY"] == second.emulator.config["SECRET_KEY"]
