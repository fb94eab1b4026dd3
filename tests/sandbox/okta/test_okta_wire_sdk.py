"""Wire compatibility: the official okta-sdk-python (3.x) talks to the sandbox on a real port."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from okta_test_support import TOKEN

from emulator.sandbox.okta import OktaSandbox, OktaSettings
from emulator.sandbox.serve import serve

okta_client = pytest.importorskip("okta.client")
PaginationHelper = pytest.importorskip("okta.pagination").PaginationHelper


@pytest.fixture
def served_org(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[OktaSandbox]:
    # The SDK refuses http:// org URLs unless this testing switch (read only from env/yaml) is on.
    monkeypatch.setenv("OKTA_TESTING_TESTINGDISABLEHTTPSCHECK", "true")
    sandbox = OktaSandbox(OktaSettings(link_style=getattr(request, "param", "lines")))
    with serve(sandbox.app) as served:
        sandbox.base_url = served.base_url
        yield sandbox
    sandbox.close()


def sdk_client(base_url: str):
    return okta_client.Client({
        "orgUrl": base_url,
        "token": TOKEN,
        "rateLimit": {"maxRetries": 1},
    })


async def list_every_user(base_url: str) -> list[str]:
    client = sdk_client(base_url)
    ids: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        users, response, error = await client.list_users(limit=200, after=cursor)
        assert error is None, error
        ids.extend(user.id for user in users)
        cursor = PaginationHelper.extract_next_cursor(response.headers)
        if cursor is None:
            break
    return ids


async def read_missing_user(base_url: str) -> object:
    client = sdk_client(base_url)
    _user, _response, error = await client.get_user("00uDoesNotExist00000")
    return error


@pytest.mark.slow
@pytest.mark.parametrize("served_org", ["lines", "comma"], indirect=True)
def test_the_okta_sdk_lists_every_user_of_a_450_user_org(served_org: OktaSandbox) -> None:
    ids = served_org.seed_users(450)
    assert asyncio.run(list_every_user(served_org.base_url)) == ids


@pytest.mark.slow
def test_the_okta_sdk_reads_an_okta_error_from_the_sandbox(served_org: OktaSandbox) -> None:
    error = asyncio.run(read_missing_user(served_org.base_url))
    assert error is not None
    assert "E0000007" in str(error) or getattr(error, "error_code", None) == "E0000007"


async def read_user(base_url: str, user_id: str) -> object:
    client = sdk_client(base_url)
    user, _response, error = await client.get_user(user_id)
    assert error is None, error
    return user


@pytest.mark.slow
def test_the_okta_sdk_waits_out_a_429_using_date_and_rate_limit_reset(served_org: OktaSandbox) -> None:
    user_id = served_org.seed_users(1)[0]
    served_org.faults.update(burst_429=1)
    user = asyncio.run(read_user(served_org.base_url, user_id))
    assert user.id == user_id
    assert served_org.faults.settings.burst_429 == 0
