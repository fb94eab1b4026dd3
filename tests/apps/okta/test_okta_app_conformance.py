"""The marketplace's standard checks on every Okta operation, plus the manifest check."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from flask import Flask, jsonify, request

from connector.apps.okta.app import APP, CATALOGUE, HAND_WRITTEN_ACTIONS, HAND_WRITTEN_SEARCHES
from connector.catalogue import load_catalogue
from connector.conformance import ConformanceSetup, conformance_suite
from connector.context import Connection
from connector.manifest import validate_app
from sandboxes.okta import OktaSandbox, OktaSettings

HAND_WRITTEN = {op.key for op in (*HAND_WRITTEN_ACTIONS, *HAND_WRITTEN_SEARCHES)}
#: Catalogue operations with an id in their path run in test_okta_catalogue_conformance.py, which makes
#: their records first; the checks that need no run still cover them here.
RUN_WITH_THEIR_RECORDS = {entry["key"] for entry in load_catalogue(CATALOGUE)["operations"]
                          if "{" in entry["path"] and entry["key"] not in HAND_WRITTEN}
TestOktaConformance = conformance_suite(APP, run_elsewhere=RUN_WITH_THEIR_RECORDS)


def handshake_receiver() -> Flask:
    """Answers Okta's verification challenge at any URL, as the platform's hook ingress would."""
    app = Flask("conformance_receiver")

    @app.route("/<path:anything>", methods=["GET", "POST"])
    def receive(anything: str):  # type: ignore[no-untyped-def]
        challenge = request.headers.get("x-okta-verification-challenge")
        return jsonify({"verification": challenge}) if challenge else ("", 204)

    return app


@pytest.fixture
def conformance_setup() -> Iterator[ConformanceSetup]:
    # The conformance target is a local http:// URL; Okta itself requires https.
    sandbox = OktaSandbox(OktaSettings(synchronous_delivery=True, allow_http_hook_uris=True))
    sandbox.outbox.transport = httpx.WSGITransport(app=handshake_receiver())
    base = {"org_url": sandbox.base_url}
    connection = Connection(app="okta", fields={**base, "api_token": sandbox.settings.token},
                            base_url=sandbox.base_url, transport=sandbox.transport())
    bad = Connection(app="okta", fields={**base, "api_token": "not-the-token"},
                     base_url=sandbox.base_url, transport=sandbox.transport())
    active = sandbox.create_user({"login": "ann@example.com", "email": "ann@example.com", "firstName": "Ann",
                                  "lastName": "Lee"}, password="Corr3ct-Horse!")
    staged = sandbox.create_user({"login": "bo@example.com", "email": "bo@example.com", "firstName": "Bo",
                                  "lastName": "Ek"}, activate=False)
    suspended = sandbox.create_user({"login": "cy@example.com", "email": "cy@example.com", "firstName": "Cy",
                                     "lastName": "Ng"}, password="Corr3ct-Horse!")
    gone = sandbox.create_user({"login": "di@example.com", "email": "di@example.com", "firstName": "Di",
                                "lastName": "Oz"})
    http = httpx.Client(transport=sandbox.transport(), base_url=sandbox.base_url,
                        headers={"Authorization": f"SSWS {sandbox.settings.token}"})
    http.post(f"/api/v1/users/{suspended['id']}/lifecycle/suspend")
    http.post(f"/api/v1/users/{gone['id']}/lifecycle/deactivate")
    group = http.post("/api/v1/groups", json={"profile": {"name": "Eng"}}).json()
    spare = http.post("/api/v1/groups", json={"profile": {"name": "Spare"}}).json()
    http.put(f"/api/v1/groups/{group['id']}/users/{active['id']}")
    http.post(f"/api/v1/users/{active['id']}", json={"profile": {"title": "Lead"}})
    provisioned = sandbox.create_user({"login": "ed@example.com", "email": "ed@example.com", "firstName": "Ed",
                                       "lastName": "Yu"})
    locked = sandbox.create_user({"login": "fa@example.com", "email": "fa@example.com", "firstName": "Fa",
                                  "lastName": "Xi"}, password="Corr3ct-Horse!")
    sandbox.lock_out_user(locked["id"])
    counter = iter(range(1000))

    def make_new_item(key: str) -> None:
        n = next(counter)
        sandbox.create_user({"login": f"new{n}@example.com", "email": f"new{n}@example.com",
                             "firstName": "New", "lastName": f"User{n}"})

    inputs = {
        "create_user": {"email": "eve@example.com", "firstName": "Eve", "lastName": "Park"},
        "update_user": {"user": active["id"], "department": "R&D"},
        "activate_user": {"user": staged["id"], "send_email": False},
        "deactivate_user": {"user": staged["id"]},
        "suspend_user": {"user": active["id"]},
        "unsuspend_user": {"user": suspended["id"]},
        "reset_password": {"user": active["id"], "send_email": False},
        "reactivate_user": {"user": provisioned["id"], "send_email": False},
        "unlock_user": {"user": locked["id"]},
        "expire_password": {"user": active["id"]},
        "reset_factors": {"user": active["id"]},
        "delete_user": {"user": gone["id"]},
        "create_group": {"name": "Support"},
        "update_group": {"group": group["id"], "description": "Engineering"},
        "delete_group": {"group": spare["id"]},
        "add_user_to_group": {"group": group["id"], "user": active["id"]},
        "remove_user_from_group": {"group": group["id"], "user": "ann@example.com"},
        "find_user": {"user": "ann@example.com"},
        "list_users": {"limit": 10},
        "find_group": {"name": "Eng"},
        "list_groups": {},
        "list_group_members": {"group": group["id"]},
        "user_added_to_group": {},
        # Catalogue operations with no id in their path run with the catalogue's documented sample input
        # (those with ids run in test_okta_catalogue_conformance.py, which creates the records first).
        **{entry["key"]: entry["sample_input"] for entry in load_catalogue(CATALOGUE)["operations"]
           if "{" not in entry["path"]},
        "api_request": {"path": "/api/v1/users", "query": {"limit": 2}},
        "find_or_create_user": {"email": "ivy@example.com", "firstName": "Ivy", "lastName": "Lo"},
        "find_or_create_group": {"name": "Eng"},
    }
    yield ConformanceSetup(
        connection=connection,
        bad_connection=bad,
        inputs=inputs,
        hooks=lambda: len(list(sandbox.state.hooks.records)),
        make_new_item=make_new_item,
    )
    http.close()
    sandbox.close()


def test_the_okta_manifest_has_no_problems() -> None:
    assert [str(problem) for problem in validate_app(APP)] == []


def test_every_operation_of_the_issue_is_in_the_app() -> None:
    keys = {op.key for op in APP.operations}
    for trigger in ("new_user", "user_updated", "user_deactivated", "user_added_to_group"):
        assert {trigger, f"{trigger}_instant"} <= keys
    assert {
        "create_user", "update_user", "activate_user", "deactivate_user", "suspend_user", "unsuspend_user",
        "reset_password", "delete_user", "create_group", "update_group", "delete_group", "add_user_to_group",
        "remove_user_from_group", "find_user", "list_users", "find_group", "list_group_members", "list_groups",
    } <= keys
