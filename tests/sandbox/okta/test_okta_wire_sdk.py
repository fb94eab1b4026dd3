"""Wire compatibility: the official okta-sdk-python (3.x) talks to the sandbox on a real port."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from okta_test_support import TOKEN

from emulator.serving import serve
from sandboxes.okta import OktaSandbox, OktaSettings

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


HOOK_RECEIVER = "https://hooks.example.com/okta"


def verifying_receiver(request):  # type: ignore[no-untyped-def]
    """Okta's verification handshake, answered as a real hook receiver would (deliveries get 200)."""
    import httpx

    challenge = request.headers.get("x-okta-verification-challenge")
    return httpx.Response(200, json={"verification": challenge} if challenge else {})


def _no_error(result: tuple) -> None:
    """Calls the document gives no body return (response, error) or (None, response, error)."""
    assert result[-1] is None, result[-1]


def _ok(result: tuple) -> object:
    value, _response, error = result
    assert error is None, error
    return value


async def sdk_story(base_url: str) -> dict[str, object]:
    """Users, their lifecycle, groups (Everyone included), the System Log and event hooks, with the SDK."""
    from okta.models import AddGroupRequest, CreateUserRequest, EventHook, UpdateUserRequest

    client = sdk_client(base_url)
    seen: dict[str, object] = {}
    created = _ok(await client.create_user(CreateUserRequest.from_dict({
        "profile": {"login": "ada@example.com", "email": "ada@example.com", "firstName": "Ada",
                    "lastName": "Lovelace"},
        "credentials": {"password": {"value": "Corr3ct-Horse-Battery!"}},
    }), activate=True))
    seen["created"] = created.status
    updated = _ok(await client.update_user(created.id, UpdateUserRequest.from_dict(
        {"profile": {"title": "Analyst"}})))
    seen["title"] = updated.profile.title
    found = _ok(await client.list_users(search='profile.email eq "ada@example.com"'))
    seen["found"] = [user.id for user in found] == [created.id]
    _no_error(await client.suspend_user(created.id))
    seen["suspended"] = _ok(await client.get_user(created.id)).status
    _no_error(await client.unsuspend_user(created.id))
    _ok(await client.reset_password(created.id, send_email=False))
    seen["reset"] = _ok(await client.get_user(created.id)).status
    group = _ok(await client.add_group(AddGroupRequest.from_dict({"profile": {"name": "Analysts"}})))
    _no_error(await client.assign_user_to_group(group.id, created.id))
    members = _ok(await client.list_group_users(group.id))
    seen["members"] = [user.id for user in members] == [created.id]
    groups = _ok(await client.list_groups(filter='type eq "BUILT_IN"'))
    seen["built_in"] = [(g.profile.actual_instance.name, str(g.type.value)) for g in groups]
    seen["user_groups"] = sorted(g.profile.actual_instance.name for g in _ok(await client.list_user_groups(created.id)))
    _no_error(await client.unassign_user_from_group(group.id, created.id))
    _no_error(await client.delete_group(group.id))
    hook = _ok(await client.create_event_hook(EventHook.from_dict({
        "name": "new users",
        "events": {"type": "EVENT_TYPE", "items": ["user.lifecycle.create"]},
        "channel": {"type": "HTTP", "version": "1.0.0", "config": {
            "uri": HOOK_RECEIVER, "authScheme": {"type": "HEADER", "key": "Authorization", "value": "secret"}}},
    })))
    seen["hook"] = _ok(await client.verify_event_hook(hook.id)).verification_status
    _no_error(await client.deactivate_event_hook(hook.id))
    _no_error(await client.delete_event_hook(hook.id))
    seen["hooks_left"] = len(_ok(await client.list_event_hooks()))
    _no_error(await client.deactivate_user(created.id))
    _no_error(await client.delete_user(created.id))
    events = _ok(await client.list_log_events(since="2000-01-01T00:00:00Z", limit=100))
    seen["events"] = [event.event_type for event in events]
    return seen


@pytest.mark.slow
def test_the_okta_sdk_runs_users_lifecycle_groups_logs_and_hooks_against_the_sandbox(
    served_org: OktaSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    from sandboxes.contract_check import CHECKS

    # Okta's own client is held to the request schemas too: a contract stricter than Okta would show here.
    monkeypatch.setattr(CHECKS, "request_agents", (*CHECKS.request_agents, "okta-sdk-python"))
    served_org.outbox.transport = httpx.MockTransport(verifying_receiver)
    seen = asyncio.run(sdk_story(served_org.base_url))
    assert seen["created"] == "ACTIVE" or str(getattr(seen["created"], "value", "")) == "ACTIVE"
    assert seen["title"] == "Analyst" and seen["found"] is True and seen["members"] is True
    assert str(getattr(seen["suspended"], "value", seen["suspended"])) == "SUSPENDED"
    assert str(getattr(seen["reset"], "value", seen["reset"])) == "RECOVERY"
    assert seen["built_in"] == [("Everyone", "BUILT_IN")]
    assert seen["user_groups"] == ["Analysts", "Everyone"]
    assert str(getattr(seen["hook"], "value", seen["hook"])) == "VERIFIED" and seen["hooks_left"] == 0
    for event_type in ("user.lifecycle.create", "user.account.update_profile", "user.lifecycle.suspend",
                       "group.user_membership.add", "user.lifecycle.deactivate"):
        assert event_type in seen["events"], event_type
