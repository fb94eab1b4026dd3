"""A failing or paused flow tells somebody: a JSON notice to the flow's notification URL, once per event;
and a flow can be deleted through the API as the editor does it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from emulator_kitchen import add_recipes, poll_flow_body

from connector.outbound import check_url

NOTIFY_URL = "https://alerts.example.com/flows"


class Receiver:
    """The notification endpoint: records notices and answers with a chosen status."""

    def __init__(self) -> None:
        self.notices: list[dict[str, Any]] = []
        self.status = 200

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.notices.append({"url": str(request.url), **json.loads(request.content)})
        return httpx.Response(self.status)


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def app(make_app, receiver):
    def public_check(url: str) -> str:
        return check_url(url, field="notify_url", resolve=lambda host: ["93.184.216.34"])

    return make_app(NOTICE_TRANSPORT=httpx.MockTransport(receiver), NOTICE_URL_CHECK=public_check)


def _failing_flow(client, service, emulator, clock):
    flow = client.post("/api/flows", json=poll_flow_body(notify_url=NOTIFY_URL)).get_json()
    emulator.runner.turn_on(flow["id"])
    clock.advance(5)
    service.config["faults"]["POST /notes"] = [(400, {})]
    add_recipes(service, "Soup")
    run_id = emulator.runner.poll_flow(flow["id"]).run_ids[0]
    assert emulator.runner.execute_run(run_id) == "failed"
    return flow, run_id


def test_a_failed_run_sends_one_notice_naming_the_flow_and_the_run(client, service, emulator, receiver, clock):
    flow, run_id = _failing_flow(client, service, emulator, clock)
    assert emulator.notices.sweep(clock.advance(1)) == 1
    assert emulator.notices.sweep(clock.advance(1)) == 0, "an event is told once"
    (notice,) = receiver.notices
    assert notice["url"] == NOTIFY_URL
    assert notice["flow"] == {"id": flow["id"], "name": "Recipes to notes", "state": "on", "paused_reason": None,
                              "url": f"http://emulator.test/flows/{flow['id']}"}
    (event,) = notice["events"]
    assert event["event"] == "runs_failed" and event["count"] == 1
    assert event["runs"][0]["id"] == run_id and event["runs"][0]["error"]["type"] == "ResponseError"
    shown = client.get(f"/api/flows/{flow['id']}").get_json()
    assert shown["notify_url"] == NOTIFY_URL and shown["failed_runs"] == 1
    assert shown["notice"]["last_status"] == 200 and shown["notice"]["last_error"] is None


def test_a_paused_flow_is_told_and_a_refused_notice_is_sent_again_later(client, emulator, receiver, clock):
    flow = client.post("/api/flows", json=poll_flow_body(notify_url=NOTIFY_URL)).get_json()
    emulator.runner.turn_on(flow["id"])
    emulator.runner.pause(flow["id"], "reconnect kitchen-1")
    receiver.status = 503
    assert emulator.notices.sweep(clock.advance(1)) == 0
    assert "answered 503" in client.get(f"/api/flows/{flow['id']}").get_json()["notice"]["last_error"]
    receiver.status = 200
    assert emulator.notices.sweep(clock.advance(10)) == 0, "not before the retry delay"
    assert emulator.notices.sweep(clock.advance(60)) == 1
    assert [n["events"] for n in receiver.notices][-1] == [{"event": "paused", "reason": "reconnect kitchen-1"}]
    assert emulator.notices.sweep(clock.advance(60)) == 0


def test_a_notify_url_into_the_private_network_is_refused_with_its_field(client):
    answer = client.post("/api/flows", json=poll_flow_body(notify_url="http://10.0.0.7/hook"))
    assert answer.status_code == 422
    assert answer.get_json()["error"]["field"] == "notify_url"
    assert client.get("/api/flows").get_json()["flows"] == [], "nothing half-written"


def test_patch_sets_and_removes_the_notify_url(client):
    flow = client.post("/api/flows", json=poll_flow_body()).get_json()
    assert flow["notify_url"] is None
    assert client.patch(f"/api/flows/{flow['id']}", json={"notify_url": NOTIFY_URL}).get_json()["notify_url"] == (
        NOTIFY_URL
    )
    assert client.patch(f"/api/flows/{flow['id']}", json={"notify_url": None}).get_json()["notify_url"] is None


def test_deleting_a_flow_turns_it_off_and_removes_it_with_its_notice(client, emulator):
    flow = client.post("/api/flows", json=poll_flow_body(notify_url=NOTIFY_URL)).get_json()
    emulator.runner.turn_on(flow["id"])
    assert client.delete(f"/api/flows/{flow['id']}").get_json() == {"deleted": flow["id"]}
    assert client.get(f"/api/flows/{flow['id']}").status_code == 404
    assert emulator.notices.status(flow["id"]) is None
    document = client.get("/api/openapi.json").get_json()
    assert "delete" in document["paths"]["/api/flows/{flow_id}"]
    assert "notify_url" in document["components"]["schemas"]["FlowInput"]["properties"]
