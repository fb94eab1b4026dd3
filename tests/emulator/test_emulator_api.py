"""The JSON API: flows CRUD, trials, the catalogue, the OpenAPI document, and 4xx JSON for bad requests."""

from __future__ import annotations

import json
import re

import pytest
from emulator_kitchen import add_recipes, poll_flow_body


def _error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["message"]
    return body["error"]


def test_a_flow_can_be_created_read_changed_listed_and_deleted(client):
    created = client.post("/api/flows", json=poll_flow_body()).get_json()
    assert created["state"] == "off" and created["steps"][0]["key"] == "note"
    assert client.get(f"/api/flows/{created['id']}").get_json()["name"] == "Recipes to notes"
    changed = client.patch(f"/api/flows/{created['id']}", json={"name": "Renamed", "interval_seconds": 0.5})
    assert changed.get_json()["name"] == "Renamed" and changed.get_json()["interval_seconds"] == 0.5
    assert [f["id"] for f in client.get("/api/flows").get_json()["flows"]] == [created["id"]]
    assert client.delete(f"/api/flows/{created['id']}").get_json() == {"deleted": created["id"]}
    _error(client.get(f"/api/flows/{created['id']}"), 404)


def test_the_trigger_of_a_running_flow_cannot_be_changed(client, make_flow):
    flow = make_flow()
    client.post(f"/api/flows/{flow['id']}/on")
    response = client.patch(f"/api/flows/{flow['id']}", json={
        "trigger": {"app": "kitchen", "operation": "any_recipe", "connection_id": "kitchen-1"},
    })
    assert _error(response, 409)["field"] == "trigger"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"trigger": "kitchen"}, "trigger"),
        ({"trigger": {"app": "nope", "operation": "x"}}, "trigger.app"),
        ({"trigger": {"app": "kitchen", "operation": "nope"}}, "trigger.operation"),
        ({"trigger": {"app": "kitchen", "operation": "create_note"}}, "trigger.operation"),
        ({"steps": {"a": 1}}, "steps"),
        ({"steps": [{"app": "kitchen", "operation": "new_recipe"}]}, "steps[0].operation"),
        ({"steps": [{"app": "kitchen", "operation": "create_note", "mapping": {"titel": "x"}}]},
         "steps[0].mapping.titel"),
        ({"steps": [{"app": "kitchen", "operation": "create_note", "mapping": {"title": "{{trigger."}}]},
         "steps[0].mapping.title"),
        ({"steps": [{"key": "a b", "app": "kitchen", "operation": "create_note"}]}, "steps[0].key"),
        ({"steps": [{"key": "a", "app": "kitchen", "operation": "create_note"},
                    {"key": "a", "app": "kitchen", "operation": "create_note"}]}, "steps[1].key"),
        ({"interval_seconds": "often"}, "interval_seconds"),
        ({"interval_seconds": True}, "interval_seconds"),
        ({"interval_seconds": -1}, "interval_seconds"),
        ({"interval_seconds": 1e400}, "interval_seconds"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_flows_are_refused_naming_the_field(client, body, field):
    assert _error(client.post("/api/flows", json=poll_flow_body(**body)), 422)["field"] == field


@pytest.mark.parametrize(
    ("method", "path", "data", "status"),
    [
        ("post", "/api/flows", b"{not json", 400),
        ("post", "/api/flows", b"", 400),
        ("post", "/api/flows", b"[1, 2]", 422),
        ("post", "/api/flows", b"\xff\xfe", 400),
        ("get", "/api/flows/flow_missing", None, 404),
        ("patch", "/api/flows/flow_missing", b"{}", 404),
        ("delete", "/api/flows/flow_missing", None, 404),
        ("post", "/api/flows/flow_missing/on", None, 404),
        ("post", "/api/flows/flow_missing/off", None, 404),
        ("post", "/api/flows/flow_missing/test-trigger", None, 404),
        ("post", "/api/flows/flow_missing/steps/0/test", None, 404),
        ("post", "/api/flows/flow_missing/preview", None, 404),
        ("post", "/api/flows/flow_missing/held/release", None, 404),
        ("post", "/api/flows/flow_missing/poll", None, 404),
        ("get", "/api/runs/run_missing", None, 404),
        ("post", "/api/runs/run_missing/replay", None, 404),
        ("get", "/api/runs?status=exploded", None, 422),
        ("get", "/api/runs?limit=lots", None, 422),
        ("get", "/api/runs?limit=0", None, 422),
        ("get", "/api/runs?flow=flow_missing", None, 404),
        ("get", "/api/apps/nope", None, 404),
        ("get", "/api/nothing-here", None, 404),
        ("put", "/api/flows", b"{}", 405),
    ],
)
def test_every_bad_request_gets_a_json_error(client, method, path, data, status):
    response = getattr(client, method)(path, data=data, content_type="application/json")
    assert _error(response, status)["message"]


def test_bad_bodies_on_an_existing_flow_are_4xx(client, make_flow):
    flow = make_flow()
    fid = flow["id"]
    assert _error(client.patch(f"/api/flows/{fid}", data=b"nope", content_type="application/json"), 400)["field"]
    assert _error(client.patch(f"/api/flows/{fid}", json={"steps": "x"}), 422)["field"].startswith("steps")
    _error(client.post(f"/api/flows/{fid}/preview", json={"sample": [1]}), 422)
    _error(client.post(f"/api/flows/{fid}/steps/5/test", json={}), 404)
    _error(client.post(f"/api/flows/{fid}/steps/0/test", data=b"[", content_type="application/json"), 400)
    _error(client.post(f"/api/flows/{fid}/poll"), 409)


def test_turning_on_with_a_missing_connection_names_the_field(client, make_flow):
    flow = make_flow(trigger={"app": "kitchen", "operation": "new_recipe", "connection_id": "gone"})
    error = _error(client.post(f"/api/flows/{flow['id']}/on"), 422)
    assert error["field"] == "trigger.connection_id"
    assert client.get(f"/api/flows/{flow['id']}").get_json()["state"] == "off"


def test_a_vendor_failure_while_turning_on_is_a_bad_gateway_and_the_flow_stays_off(client, service, make_flow):
    flow = make_flow()
    service.config["faults"]["GET /recipes"] = [(500, {})]
    error = _error(client.post(f"/api/flows/{flow['id']}/on"), 502)
    assert "500" in error["message"] or "injected" in error["message"]
    assert client.get(f"/api/flows/{flow['id']}").get_json()["state"] == "off"


def test_preview_shows_each_steps_values_and_problems(client, make_flow):
    flow = make_flow(steps=[
        {"key": "ok", "app": "kitchen", "operation": "create_note", "mapping": {"title": "{{trigger.name}}"}},
        {"key": "bad", "app": "kitchen", "operation": "create_note",
         "mapping": {"title": "{{steps.ok.title}}", "servings": "{{trigger.name}}"}},
    ])
    preview = client.post(f"/api/flows/{flow['id']}/preview", json={"sample": {"id": 3, "name": "Pie"}}).get_json()
    first, second = preview["steps"]
    assert first == {"key": "ok", "values": {"title": "Pie"}, "ok": True, "problems": []}
    assert second["ok"] is False and second["values"]["title"] == "Soup"
    assert [p["field"] for p in second["problems"]] == ["servings"]


def test_testing_a_step_runs_it_once_with_the_mapped_input(client, service, make_flow):
    flow = make_flow()
    result = client.post(f"/api/flows/{flow['id']}/steps/0/test", json={"sample": {"id": 9, "name": "Tart"}})
    body = result.get_json()
    assert body["input"] == {"title": "Cook Tart"} and body["output"]["title"] == "Cook Tart"
    assert body["error"] is None and body["trace"][0]["status"] == 201
    assert "kitchen-token-123" not in json.dumps(body)
    assert len(service.config["notes"]) == 1


def test_testing_a_step_with_a_bad_mapping_reports_the_field_and_calls_nothing(client, service, make_flow):
    flow = make_flow(steps=[{"key": "note", "app": "kitchen", "operation": "create_note",
                             "mapping": {"title": "{{trigger.name}}"}}])
    body = client.post(f"/api/flows/{flow['id']}/steps/0/test", json={"sample": {"id": 9}}).get_json()
    assert body["error"]["type"] == "BadInput" and body["error"]["problems"][0]["field"] == "title"
    assert service.config["notes"] == []


def test_runs_can_be_filtered_and_paged(client, emulator, service, make_flow):
    flow = make_flow(trigger={"app": "kitchen", "operation": "any_recipe", "connection_id": "kitchen-1"})
    emulator.runner.turn_on(flow["id"])
    add_recipes(service, "a", "b", "c")
    emulator.runner.poll_flow(flow["id"])
    page = client.get(f"/api/runs?flow={flow['id']}&status=pending&limit=2").get_json()
    assert page["total"] == 3 and len(page["runs"]) == 2
    rest = client.get(f"/api/runs?flow={flow['id']}&limit=2&offset=2").get_json()
    assert len(rest["runs"]) == 1
    assert rest["runs"][0]["item_id"] == "1"  # newest run first: the oldest item is last


def test_the_app_catalogue_lists_operations_fields_samples_and_tokens(client):
    [app] = client.get("/api/apps").get_json()["apps"]
    assert app["key"] == "kitchen"
    trigger = next(t for t in app["triggers"] if t["key"] == "new_recipe")
    assert {"token": "trigger.name", "value": "Soup"} in trigger["sample_tokens"]
    action = app["actions"][0]
    assert [f["key"] for f in action["input_fields"]] == ["title", "servings", "pass_phrase"]
    assert action["input_fields"][0]["required"] is True
    assert app["auth"]["fields"][0]["secret"] is True


def test_the_openapi_document_describes_every_api_route(app, client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api") or rule.rule.startswith("/hooks")):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert path in doc["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in doc["paths"][path], (method, path)


def test_no_api_answer_contains_a_connection_secret(client, emulator, service, make_flow):
    flow = make_flow()
    client.post(f"/api/flows/{flow['id']}/on")
    add_recipes(service, "Soup")
    client.post(f"/api/flows/{flow['id']}/poll")
    emulator.scheduler.tick()
    [run] = client.get("/api/runs").get_json()["runs"]
    answers = [
        client.get("/api/flows").get_data(as_text=True),
        client.get(f"/api/runs/{run['id']}").get_data(as_text=True),
        client.post(f"/api/flows/{flow['id']}/test-trigger").get_data(as_text=True),
    ]
    assert all("kitchen-token-123" not in a for a in answers)


def test_an_unsaved_flow_can_be_tried_before_it_is_saved(client, service):
    add_recipes(service, "a", "b")
    draft = poll_flow_body()
    samples = client.post("/api/trials/trigger", json={"trigger": draft["trigger"]}).get_json()["samples"]
    assert [s["name"] for s in samples] == ["b", "a"]
    preview = client.post("/api/trials/preview", json={**draft, "sample": samples[0]}).get_json()
    assert preview["steps"][0]["values"] == {"title": "Cook b"}
    tested = client.post("/api/trials/steps/0/test", json={**draft, "sample": samples[0]}).get_json()
    assert tested["output"]["title"] == "Cook b"
    assert client.get("/api/flows").get_json()["flows"] == []
    _error(client.post("/api/trials/trigger", json={"steps": []}), 422)
    _error(client.post("/api/trials/steps/3/test", json=draft), 404)


def test_a_secret_typed_into_a_mapping_is_used_but_never_shown(client, emulator, service, make_flow):
    flow = make_flow(steps=[{"key": "note", "app": "kitchen", "operation": "create_note",
                             "connection_id": "kitchen-1",
                             "mapping": {"title": "{{trigger.name}}", "pass_phrase": "open-sesame-42"}}])
    shown = client.get(f"/api/flows/{flow['id']}").get_json()
    assert shown["steps"][0]["mapping"]["pass_phrase"] == "[redacted]"
    assert "open-sesame-42" not in json.dumps(flow)
    tested = client.post(f"/api/flows/{flow['id']}/steps/0/test", json={"sample": {"id": 1, "name": "Pie"}})
    assert tested.get_json()["trace"][0]["status"] == 201
    assert "open-sesame-42" not in tested.get_data(as_text=True)
    preview = client.post(f"/api/flows/{flow['id']}/preview", json={"sample": {"id": 1, "name": "Pie"}})
    assert preview.get_json()["steps"][0]["values"]["pass_phrase"] == "[redacted]"
    client.post(f"/api/flows/{flow['id']}/on")
    add_recipes(service, "Soup")
    client.post(f"/api/flows/{flow['id']}/poll")
    emulator.scheduler.tick()
    [run] = client.get("/api/runs").get_json()["runs"]
    detail = client.get(f"/api/runs/{run['id']}").get_data(as_text=True)
    assert run["status"] == "succeeded" and "open-sesame-42" not in detail
    assert service.config["pass_phrases"] == ["open-sesame-42", "open-sesame-42"]


def test_deleting_a_running_hook_flow_unsubscribes_it_first(client, service, make_flow):
    flow = make_flow(trigger={"app": "kitchen", "operation": "new_order", "connection_id": "kitchen-1"})
    client.post(f"/api/flows/{flow['id']}/on")
    assert len(service.config["subscriptions"]) == 1
    assert client.delete(f"/api/flows/{flow['id']}").status_code == 200
    assert service.config["subscriptions"] == {}
    assert client.post(f"/hooks/{flow['id']}", json={}).status_code == 410


def test_a_hook_flow_whose_subscription_fails_stays_off(client, service, make_flow):
    flow = make_flow(trigger={"app": "kitchen", "operation": "new_order", "connection_id": "kitchen-1"})
    service.config["faults"]["POST /subscriptions"] = [(403, {})]
    error = _error(client.post(f"/api/flows/{flow['id']}/on"), 502)
    assert error["details"]["status_code"] == 403
    shown = client.get(f"/api/flows/{flow['id']}").get_json()
    assert shown["state"] == "off" and shown["subscribed"] is False


def test_a_null_in_a_non_nullable_output_field_fails_a_step_test_as_it_fails_the_fixtures(
    make_app, service, clock
):
    from dataclasses import replace

    from emulator_kitchen import APP, poll_flow_body

    def untitled(ctx, values):
        note = ctx.http.post("/notes", json=values).json()
        return {**note, "title": None}

    app = make_app(APPS={"kitchen": replace(APP, actions=(replace(APP.actions[0], perform=untitled),))})
    client = app.test_client()
    flow = client.post("/api/flows", json=poll_flow_body()).get_json()
    body = client.post(f"/api/flows/{flow['id']}/steps/0/test", json={"sample": {"id": 9, "name": "Tart"}}).get_json()
    assert body["error"]["type"] == "ResultError"
    assert body["error"]["message"].endswith(
        "fix the connector): item 0 does not match its output schema at title: None is not of type 'string'"
    )
