"""Stories of event hook filters: a hook with ``events.filter`` receives only the events its condition holds for.

The hook is registered through the catalogue's ``create_event_hook`` (Okta's own example body, a filter on
group membership for the group named ``Sales``), verified against a receiver that answers Okta's challenge
with the okta app's handshake, and activated; then users join groups.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from connector.apps.okta.app import APP
from connector.context import HookRequest
from connector.definitions import Trigger
from connector.errors import ResponseError
from sandboxes.okta import OktaSandbox

SALES = "event.target.?[type eq 'UserGroup'].size()>0 && event.target.?[displayName eq 'Sales'].size()>0"


def hook_body(expression: str) -> dict[str, Any]:
    return {
        "name": "Sales memberships",
        "events": {"type": "EVENT_TYPE", "items": ["group.user_membership.add"], "filter": {
            "type": "EXPRESSION_LANGUAGE",
            "eventFilterMap": [{"event": "group.user_membership.add", "condition": {"expression": expression}}]}},
        "channel": {"type": "HTTP", "version": "1.0.0", "config": {"uri": "https://hooks.example.test/sales"}},
    }


@pytest.fixture
def received(sandbox: OktaSandbox) -> list[dict[str, Any]]:
    """What the hook's URL receives (its events), answering Okta's verification with the app's handshake."""
    trigger = APP.operation("new_user_instant")
    assert isinstance(trigger, Trigger) and trigger.handshake is not None
    events: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        incoming = HookRequest(request.method, dict(request.headers), request.read(), dict(request.url.params))
        reply = trigger.handshake(incoming)
        if reply is not None:
            return httpx.Response(200, json=reply)
        events.extend(json.loads(incoming.body)["data"]["events"])
        return httpx.Response(200)

    sandbox.outbox.transport = httpx.MockTransport(answer)
    return events


def member(sandbox: OktaSandbox, run: Any, group: str, name: str) -> None:
    login = f"{name}@example.com"
    user = sandbox.create_user({"login": login, "email": login, "firstName": name, "lastName": "Example"},
                               password="Sandbox-Passw0rd!")
    run("add_user_to_group", {"group": group, "user": user["id"]})


def test_only_events_the_filter_holds_for_are_delivered(run: Any, sandbox: OktaSandbox,
                                                        received: list[dict[str, Any]]) -> None:
    hook = run("create_event_hook", hook_body(SALES)).output
    assert hook["events"]["filter"]["eventFilterMap"][0]["condition"]["expression"] == SALES
    assert run("verify_event_hook", {"eventHookId": hook["id"]}).output["verificationStatus"] == "VERIFIED"
    sales = run("create_group", {"name": "Sales"}).output["id"]
    other = run("create_group", {"name": "Support"}).output["id"]
    member(sandbox, run, other, "sam")
    member(sandbox, run, sales, "alex")
    groups = [[t["displayName"] for t in event["target"] if t["type"] == "UserGroup"] for event in received]
    assert groups == [["Sales"]]


def test_a_hook_without_its_filter_receives_every_subscribed_event(run: Any, sandbox: OktaSandbox,
                                                                   received: list[dict[str, Any]]) -> None:
    hook = run("create_event_hook", hook_body(SALES)).output
    body = hook_body(SALES)
    del body["events"]["filter"]
    replaced = run("replace_event_hook", {"eventHookId": hook["id"], **body}).output
    assert replaced["events"]["filter"] is None
    run("verify_event_hook", {"eventHookId": hook["id"]})
    member(sandbox, run, run("create_group", {"name": "Support"}).output["id"], "sam")
    assert len(received) == 1


def test_a_condition_the_sandbox_cannot_read_is_refused_naming_where(run: Any) -> None:
    with pytest.raises(ResponseError) as refused:
        run("create_event_hook", hook_body("String.stringContains(event.displayMessage, 'x')"))
    assert refused.value.status_code == 400
    assert "events.filter.eventFilterMap[0].condition.expression" in str(refused.value)
