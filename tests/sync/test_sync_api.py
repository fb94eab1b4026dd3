"""The sync through the emulator's JSON API, as the web UI and scripts use it."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sync_world import DEMO_SPEC, SyncWorld

from connector.context import Connection
from emulator.app import create_app
from emulator.sync.spec import Side


@pytest.fixture
def app(world: SyncWorld) -> Flask:
    def resolve(connection_id: str) -> Connection:
        if connection_id not in ("personio", "contacts"):
            raise KeyError(connection_id)
        return world.connection(Side(connection_id, connection_id, ""))

    return create_app({
        "TESTING": True,
        "CSRF_ENABLED": False,  # the JSON API's own tests; the CSRF check has its own
        "DATABASE_URL": f"sqlite:///{world.tmp / 'emulator.db'}",
        "APPS": world.apps,
        "CONNECTION_RESOLVER": resolve,
        "CLOCK": world.clock,
        "RUNNER_THREAD": False,
    })


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _created(client: FlaskClient) -> dict[str, Any]:
    response = client.post("/api/syncs", json=DEMO_SPEC)
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def test_a_sync_is_created_previewed_run_and_audited_through_the_api(world: SyncWorld, client: FlaskClient) -> None:
    world.hire("ada@example.com", "Ada", "Lovelace")
    world.add_contact("grace@example.com", "Grace", "Hopper")
    sync = _created(client)
    assert sync["state"] == "off" and sync["links"] == 0

    preview = client.post(f"/api/syncs/{sync['id']}/preview").get_json()
    assert preview["counts"] == {"link": 0, "create": 2, "update": 0, "conflicts": 0, "waiting": 0, "deleted": 0}

    ran = client.post(f"/api/syncs/{sync['id']}/run").get_json()
    assert ran["cycle"]["created"] == {"left": 1, "right": 1}
    assert ran["sync"]["links"] == 2
    assert sorted(e["email"] for e in world.personio.employees.records.values()) == [
        "ada@example.com", "grace@example.com"]

    links = client.get(f"/api/syncs/{sync['id']}/links").get_json()["links"]
    assert {link["status"] for link in links} == {"ok"}
    created = client.get(f"/api/syncs/{sync['id']}/audit?reason=created").get_json()["entries"]
    assert sorted(e["direction"] for e in created) == ["left_to_right", "right_to_left"]

    exported = client.get(f"/api/syncs/{sync['id']}/audit/export?format=csv")
    assert exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [row["reason"] for row in rows] == ["created", "created"]
    as_json = client.get(f"/api/syncs/{sync['id']}/audit/export?format=json").get_json()
    assert [entry["reason"] for entry in as_json] == ["created", "created"]


def test_a_sync_turned_on_runs_on_the_scheduler_and_stops_when_turned_off(
        world: SyncWorld, app: Flask, client: FlaskClient) -> None:
    employee = world.hire("ada@example.com", "Ada", "Lovelace")
    sync = _created(client)
    assert client.post(f"/api/syncs/{sync['id']}/on").get_json()["state"] == "on"
    scheduler = app.extensions["emulator"].scheduler
    scheduler.tick(world.clock())
    (contact,) = world.contacts_list()
    world.clock.advance(61)
    world.edit_employee(employee, first_name="Augusta")
    world.clock.advance(5)
    scheduler.tick(world.clock())
    assert world.contact(contact["id"])["firstName"] == "Augusta"

    client.post(f"/api/syncs/{sync['id']}/off")
    world.edit_employee(employee, first_name="Ada")
    world.clock.advance(120)
    scheduler.tick(world.clock())
    assert world.contact(contact["id"])["firstName"] == "Augusta"


@pytest.mark.parametrize(("body", "field"), [
    ({**DEMO_SPEC, "fields": []}, "fields"),
    ({**DEMO_SPEC, "left": {**DEMO_SPEC["left"], "record_type": "personio.payslip"}}, "left.record_type"),
    ({**DEMO_SPEC, "fields": [{"left": "email", "right": "email", "direction": "both"}]}, "fields.0.direction"),
    ({**DEMO_SPEC, "fields": [{"left": "nickname", "right": "email"}]}, "fields.0.left"),
    ({**DEMO_SPEC, "deletion": "shred"}, "deletion"),
    ({**DEMO_SPEC, "deletion": "mirror"}, "deletion"),
])
def test_a_bad_sync_is_refused_naming_the_member_and_nothing_is_saved(
        client: FlaskClient, body: dict[str, Any], field: str) -> None:
    response = client.post("/api/syncs", json=body)
    assert response.status_code in (400, 422)
    assert response.get_json()["error"]["field"] == field
    assert client.get("/api/syncs").get_json()["syncs"] == []


def test_unknown_syncs_and_bad_filters_get_clear_errors(client: FlaskClient) -> None:
    assert client.get("/api/syncs/sync_nope").status_code == 404
    sync = _created(client)
    bad = client.get(f"/api/syncs/{sync['id']}/audit?reason=vanished")
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "reason"
    assert client.get(f"/api/syncs/{sync['id']}/audit/export?format=xml").status_code == 422


def test_the_audit_log_is_kept_through_a_restart(world: SyncWorld, app: Flask) -> None:
    world.hire("ada@example.com", "Ada", "Lovelace")
    client = app.test_client()
    sync = _created(client)
    client.post(f"/api/syncs/{sync['id']}/run")
    app.extensions["emulator"].store.engine.dispose()

    restarted = create_app({**app.config, "TESTING": True}).test_client()
    entries = restarted.get(f"/api/syncs/{sync['id']}/audit").get_json()["entries"]
    assert [e["reason"] for e in entries] == ["created"]
    assert restarted.get(f"/api/syncs/{sync['id']}/audit?reason=conflict+won").get_json()["entries"] == []
    as_csv = restarted.get(f"/api/syncs/{sync['id']}/audit/export?format=csv&reason=created")
    assert [row["direction"] for row in csv.DictReader(io.StringIO(as_csv.get_data(as_text=True)))] == [
        "left_to_right"]
    as_json = restarted.get(f"/api/syncs/{sync['id']}/audit/export?format=json&direction=left_to_right").get_json()
    assert [(e["reason"], e["link_id"]) for e in as_json] == [("created", entries[0]["link_id"])]


def test_the_api_offers_only_the_deletion_policies_both_sides_support_and_changes_one(client: FlaskClient) -> None:
    sync = _created(client)
    supports = sync["supports"]
    assert supports["sides"]["left"]["can_delete"] is False
    assert "no way to delete an employee" in supports["sides"]["left"]["delete_note"]
    assert supports["sides"]["right"]["can_delete"] is True
    assert supports["deletion"]["mirror_left_to_right"] is None and supports["deletion"]["flag"] is None
    assert "cannot be deleted" in supports["deletion"]["mirror"]
    assert "cannot be deleted" in supports["deletion"]["mirror_right_to_left"]

    refused = client.patch(f"/api/syncs/{sync['id']}", json={"deletion": "mirror"})
    assert refused.status_code in (400, 422) and refused.get_json()["error"]["field"] == "deletion"
    assert client.get(f"/api/syncs/{sync['id']}").get_json()["deletion"] == "flag"  # nothing saved

    changed = client.patch(f"/api/syncs/{sync['id']}", json={"deletion": "mirror_left_to_right",
                                                              "reconcile_seconds": 600})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["deletion"], changed.get_json()["reconcile_seconds"]) == ("mirror_left_to_right", 600)
    sides = client.patch(f"/api/syncs/{sync['id']}", json={"right": {**DEMO_SPEC["left"]}})
    assert sides.status_code in (400, 422) and sides.get_json()["error"]["field"] == "right"
