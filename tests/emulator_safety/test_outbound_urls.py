"""User-supplied URLs cannot make the emulator call this machine, its private network or special ranges."""

from __future__ import annotations

import httpx
import pytest

from connector.errors import BadInput, ResultError
from connector.http import make_client
from connector.outbound import OutboundPolicy, blocked_reason, check_url, is_under, parse_allowed_origin
from connector.pagination import follow_links


def public(_host: str) -> list[str]:
    return ["93.184.216.34"]


@pytest.mark.parametrize(("address", "reason"), [
    ("127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.0.10", "private"),
    ("169.254.169.254", "link-local"), ("0.0.0.0", "this network"), ("100.64.0.1", "shared"),
    ("192.0.0.8", "IETF"), ("198.18.0.1", "benchmarking"), ("192.0.2.1", "documentation"),
    ("203.0.113.9", "documentation"), ("224.0.0.1", "multicast"), ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"), ("192.88.99.1", "6to4 relay"),
    ("::1", "loopback"), ("::", "unspecified"), ("fe80::1", "link-local"), ("fc00::1", "unique local"),
    ("fd12:3456::1", "unique local"), ("fec0::1", "site-local"), ("ff02::1", "multicast"),
    ("2001:db8::1", "documentation"), ("3fff::1", "documentation"), ("100::1", "discard"),
    ("2001::1", "Teredo"), ("2001:2::1", "IETF"), ("64:ff9b:1::1", "local-use"), ("::7f00:1", "IPv4-compatible"),
    ("::ffff:127.0.0.1", "IPv4-mapped form of a loopback"), ("::ffff:10.0.0.1", "IPv4-mapped form of a private"),
    ("2002:7f00:1::1", "6to4 form of a loopback"), ("2002:a00:1::", "6to4 form of a private"),
    ("2002:a9fe:a9fe::", "6to4 form of a link-local"), ("64:ff9b::7f00:1", "NAT64 form of a loopback"),
    ("64:ff9b::a9fe:a9fe", "NAT64 form of a link-local"),
])
def test_special_purpose_addresses_are_blocked_with_their_name(address, reason):
    assert reason in (blocked_reason(address) or "")


@pytest.mark.parametrize("address", [
    "93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::1", "64:ff9b::808:808",
])
def test_public_addresses_in_every_form_pass(address):
    assert blocked_reason(address) is None


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:5000/x", "http://[::1]/", "http://10.1.2.3/", "http://192.168.0.10/",
    "http://169.254.169.254/latest", "http://0.0.0.0/", "http://100.64.1.1/", "http://[2002:7f00:1::1]/",
    "http://[::ffff:7f00:1]/", "http://[64:ff9b::a9fe:a9fe]/",
])
def test_loopback_private_and_special_addresses_are_refused_naming_the_field(url):
    with pytest.raises(BadInput, match="address") as caught:
        check_url(url, field="org_url", resolve=public)
    assert caught.value.field == "org_url"
    assert "--allow-url" in caught.value.message


@pytest.mark.parametrize("url", ["http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.1/",
                                 "http://0x7f.0.0.1/", "http://127.0.0.1./"])
def test_ip_addresses_in_unusual_notations_are_refused(url):
    with pytest.raises(BadInput, match=r"unusual notation|loopback|not a URL"):
        check_url(url, resolve=public)


def test_a_name_that_resolves_to_loopback_is_refused():
    with pytest.raises(BadInput, match=r"127\.0\.0\.1"):
        check_url("https://sneaky.example.com", resolve=lambda _h: ["93.184.216.34", "127.0.0.1"])


def test_a_public_host_is_allowed():
    assert check_url("https://acme.okta.com", resolve=public) == "https://acme.okta.com"


@pytest.mark.parametrize("url", ["ftp://acme.okta.com", "acme.okta.com", "https://user:pw@acme.okta.com",
                                 "https://acme.okta.com@127.0.0.1/", "file:///etc/passwd", "http://"])
def test_malformed_urls_and_userinfo_tricks_get_a_clear_message(url):
    with pytest.raises(BadInput, match="URL"):
        check_url(url, resolve=public)


def test_an_allowed_origin_passes_and_only_that_origin():
    policy = OutboundPolicy.allowing(["http://127.0.0.1:8080"])
    assert check_url("http://127.0.0.1:8080/recipes", policy=policy)
    for other in ("http://127.0.0.1:8081/", "https://127.0.0.1:8080/", "http://127.0.0.2:8080/"):
        with pytest.raises(BadInput, match="--allow-url"):
            check_url(other, policy=policy, resolve=public)


@pytest.mark.parametrize("value", ["127.0.0.1:8080", "http://127.0.0.1:8080/api", "http://u@127.0.0.1:8080",
                                   "ftp://127.0.0.1"])
def test_an_allow_url_must_be_an_origin(value):
    with pytest.raises(BadInput) as caught:
        parse_allowed_origin(value)
    assert caught.value.field == "allow_url"


def test_an_allowed_origin_is_compared_in_canonical_form():
    assert parse_allowed_origin("HTTP://LocalHost:80/") == "http://localhost:80"
    assert OutboundPolicy.allowing(["http://[::1]:8080"]).allows("http://[0:0::1]:8080/x")


@pytest.mark.parametrize(("url", "inside"), [
    ("http://h.test/sandbox/contacts/contacts/1", True),
    ("http://h.test/sandbox/contacts", True),
    ("http://h.test/sandbox/contactsx/1", False),
    ("http://h.test/api/connections/1", False),
    ("https://h.test/sandbox/contacts/1", False),
    ("http://h.test:81/sandbox/contacts/1", False),
    ("http://h.test/sandbox/contacts/%2e%2e/%2E%2E/api", False),
])
def test_a_url_is_under_a_base_url_only_on_its_origin_and_path(url, inside):
    assert is_under(url, "http://h.test/sandbox/contacts") is inside


def test_a_client_refuses_a_request_that_leaves_its_base_url_before_sending():
    sent: list[httpx.URL] = []
    transport = httpx.MockTransport(lambda request: sent.append(request.url) or httpx.Response(200, json={}))
    with make_client("https://vendor.test/base", transport=transport, retry=None) as client:
        client.get("/contacts/1")
        for escape in ("/contacts/../../api/connections/1", "https://other.test/base/x", "/x/%2e%2e/%2e%2e/y"):
            with pytest.raises(BadInput, match="leaves the connection's base URL"):
                client.get(escape)
    assert [str(u) for u in sent] == ["https://vendor.test/base/contacts/1"]


def test_paging_stays_on_the_origin_it_started_on():
    sent: list[str] = []

    def vendor(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(200, json=[{"id": 1}], headers={"Link": '<https://evil.test/users?after=1>; rel="next"'})

    with make_client(transport=httpx.MockTransport(vendor), retry=None) as client:  # no base URL to lean on
        pages = follow_links(client, "https://vendor.test/users")
        next(pages)
        with pytest.raises(ResultError, match=r"leaves https://vendor\.test:443"):
            next(pages)
    assert sent == ["https://vendor.test/users"]
