"""Two steps of the catalogue in a running flow, through the emulator's JSON API as a script drives it.

- Find or Create Contact is one step: two Okta accounts of one person (the same email) make two runs
  and exactly one contact; the second run's output says it found the contact.
- The API request step calls the vendor with the connection's credential, and run history never holds
  the credential: not in the trace, not in the output.
"""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient
from ui_harness import OKTA_TOKEN

from emulator.demo import Environment, seed_demo


def _flow(api: FlaskClient, connections: dict[str, str], name: str, steps: list[dict[str, Any]]) -> str:
    created = api.post("/api/flows", json={
        "name": name, "interval_seconds": 3600,
        "trigger": {"app": "okta", "operation": "new_user", "connection_id": connections["okta"]},
        "steps": steps,
    })
    assert created.status_code == 201, created.get_json()
    flow_id = created.get_json()["id"]
    assert api.post(f"/api/flows/{flow_id}/on").status_code == 200
    return flow_id


def _run_new_users(env: Environment, api: FlaskClient, flow_id: str) -> list[dict[str, Any]]:
    polled = api.post(f"/api/flows/{flow_id}/poll").get_json()
    env.emulator.extensions["emulator"].scheduler.tick()
    return [api.get(f"/api/runs/{run_id}").get_json() for run_id in polled["runs"]]


def _contacts_with_email(api: FlaskClient, connection_id: str, email: str) -> list[dict[str, Any]]:
    found = api.post("/api/trials/steps/0/test", json={
        "trigger": {"app": "okta", "operation": "new_user"},
        "steps": [{"app": "contacts", "operation": "find_contact", "connection_id": connection_id,
                   "mapping": {"email": email}}],
        "sample": {},
    }).get_json()
    assert not found.get("error"), found
    return list(found["output"])


def test_two_okta_accounts_of_one_person_make_one_contact_with_a_find_or_create_step(
    env: Environment, api_client: FlaskClient,
) -> None:
    connections = seed_demo(env)
    flow_id = _flow(api_client, connections, "Okta people become one contact each", [{
        "key": "contact", "app": "contacts", "operation": "find_or_create_contact",
        "connection_id": connections["contacts"],
        "mapping": {"email": "{{trigger.profile.email}}", "first_name": "{{trigger.profile.firstName}}",
                    "last_name": "{{trigger.profile.lastName}}", "source": "okta"},
    }])
    profile = {"email": "grace.hopper@example.com", "firstName": "Grace", "lastName": "Hopper"}
    env.okta.create_user({**profile, "login": "grace.hopper@example.com"})
    [first] = _run_new_users(env, api_client, flow_id)
    env.okta.create_user({**profile, "login": "grace.admin@example.com"})  # her second account
    [second] = _run_new_users(env, api_client, flow_id)

    outputs = [run["steps"][0]["output"] for run in (first, second)]
    assert [run["status"] for run in (first, second)] == ["succeeded", "succeeded"]
    assert [output["found_or_created"] for output in outputs] == ["created", "found"]
    assert outputs[0]["id"] == outputs[1]["id"]
    contacts = _contacts_with_email(api_client, connections["contacts"], "grace.hopper@example.com")
    assert [contact["id"] for contact in contacts] == [outputs[0]["id"]]


def test_an_api_request_step_runs_with_the_connection_and_run_history_keeps_no_secret(
    env: Environment, api_client: FlaskClient,
) -> None:
    connections = seed_demo(env)
    flow_id = _flow(api_client, connections, "Read each new user back by hand", [{
        "key": "raw", "app": "okta", "operation": "api_request", "connection_id": connections["okta"],
        "mapping": {"method": "GET", "path": "/api/v1/users/{{trigger.id}}",
                    "headers": {"Accept": "application/json", "X-Api-Key": "another-service-key-42"}},
    }])
    user = env.okta.create_user({"email": "lin@example.com", "login": "lin@example.com", "firstName": "Lin",
                                 "lastName": "Yu"})
    [run] = _run_new_users(env, api_client, flow_id)
    step = run["steps"][0]
    assert run["status"] == "succeeded", run
    assert step["output"]["status"] == 200 and step["output"]["body"]["id"] == user["id"]
    stored = json.dumps(api_client.get(f"/api/runs/{run['id']}").get_json())
    assert OKTA_TOKEN not in stored and "another-service-key-42" not in stored
    assert step["input"]["headers"] == {"Accept": "application/json", "X-Api-Key": "[redacted]"}
    requests = [exchange["request_headers"] for exchange in step["trace"]]
    assert requests and all(headers["authorization"] == "SSWS [redacted]" for headers in requests)
