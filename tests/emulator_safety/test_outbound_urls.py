"""User-supplied URLs cannot make the emulator call this machine or its private network."""

from __future__ import annotations

import pytest

from connector.errors import BadInput
from emulator.outbound import check_outbound_url


def public(_host: str) -> list[str]:
    return ["93.184.216.34"]


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:5000/x", "http://[::1]/", "http://10.1.2.3/", "http://192.168.0.10/", "http://169.254.169.254/latest",
     "http://0.0.0.0/"],
)
def test_loopback_private_and_metadata_addresses_are_refused(url):
    with pytest.raises(BadInput, match="loopback or private") as caught:
        check_outbound_url(url, field="org_url", resolve=public)
    assert caught.value.field == "org_url"


def test_a_name_that_resolves_to_loopback_is_refused():
    with pytest.raises(BadInput, match=r"127\.0\.0\.1"):
        check_outbound_url("https://sneaky.example.com", resolve=lambda _h: ["127.0.0.1"])


def test_a_public_host_is_allowed():
    assert check_outbound_url("https://acme.okta.com", resolve=public) == "https://acme.okta.com"


def test_the_emulators_own_sandbox_is_allowed_explicitly():
    url = "http://127.0.0.1:5000/sandbox/okta"
    assert check_outbound_url(url, allowed_prefixes=["http://127.0.0.1:5000/sandbox/"]) == url


@pytest.mark.parametrize("url", ["ftp://acme.okta.com", "acme.okta.com", "https://user:pw@acme.okta.com"])
def test_malformed_urls_get_a_clear_message(url):
    with pytest.raises(BadInput, match="URL"):
        check_outbound_url(url, resolve=public)
