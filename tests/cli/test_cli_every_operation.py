"""Every operation of both apps runs through ``connector invoke`` against sandboxes on real ports.

Each operation gets its own target objects (a user to suspend, another to delete, ...), so the tests
share one pair of sandboxes per module and still pass in any order. Of the Okta catalogue's generated
operations, those without an id in their path run here with the catalogue's sample input; those with
ids need records made first and run in ``tests/apps/okta/test_okta_catalogue_conformance.py``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from cli_world import OKTA_TOKEN, CliWorld

from connector.apps.contacts.app import APP as CONTACTS
from connector.apps.okta.app import APP as OKTA
from connector.apps.okta.app import CATALOGUE
from connector.catalogue import CatalogueRequest, load_catalogue
from connector.definitions import Trigger

DUE = "2026-03-01T17:00:00Z"
CATALOGUE_INPUTS = {entry["key"]: entry["sample_input"] for entry in load_catalogue(CATALOGUE)["operations"]
                    if "{" not in entry["path"]}
OPERATIONS = [
    f"{app.key}.{op.key}" for app in (OKTA, CONTACTS) for op in app.operations
    if not isinstance(op.perform, CatalogueRequest) or op.key in CATALOGUE_INPUTS
]


def _okta_user(world: CliWorld, name: str, **kwargs: Any) -> dict[str, Any]:
    email = f"{name.lower()}@example.com"
    profile = {"login": email, "email": email, "firstName": name, "lastName": "Cli"}
    return world.okta.create_user(profile, **kwargs)


def _okta_inputs(world: CliWorld) -> dict[str, dict[str, Any]]:
    """Valid inputs for the Okta operations, each acting on objects no other test touches."""
    password = "Corr3ct-Horse-Battery!"
    ann = _okta_user(world, "Ann", password=password)
    staged = _okta_user(world, "Bo", activate=False)
    to_deactivate = _okta_user(world, "Cal", password=password)
    to_suspend = _okta_user(world, "Dee", password=password)
    suspended = _okta_user(world, "Eli", password=password)
    gone = _okta_user(world, "Fay")
    member = _okta_user(world, "Gus", password=password)
    provisioned = _okta_user(world, "Ivy")
    locked = _okta_user(world, "Jo", password=password)
    world.okta.lock_out_user(locked["id"])
    to_expire = _okta_user(world, "Kim", password=password)
    with_factors = _okta_user(world, "Lee", password=password)
    with httpx.Client(base_url=world.okta_url, headers={"Authorization": f"SSWS {OKTA_TOKEN}"}) as http:
        http.post(f"/api/v1/users/{suspended['id']}/lifecycle/suspend").raise_for_status()
        http.post(f"/api/v1/users/{gone['id']}/lifecycle/deactivate").raise_for_status()
        eng = http.post("/api/v1/groups", json={"profile": {"name": "Eng"}}).json()
        spare = http.post("/api/v1/groups", json={"profile": {"name": "Spare"}}).json()
        for user in (ann, member):
            http.put(f"/api/v1/groups/{eng['id']}/users/{user['id']}").raise_for_status()
    return {
        "create_user": {"email": "hal@example.com", "firstName": "Hal", "lastName": "Cli"},
        "update_user": {"user": ann["id"], "department": "R&D"},
        "activate_user": {"user": staged["id"], "send_email": False},
        "deactivate_user": {"user": to_deactivate["id"]},
        "suspend_user": {"user": to_suspend["id"]},
        "unsuspend_user": {"user": suspended["id"]},
        "reset_password": {"user": ann["id"], "send_email": False},
        "delete_user": {"user": gone["id"]},
        "create_group": {"name": "Support"},
        "update_group": {"group": eng["id"], "description": "Engineering"},
        "delete_group": {"group": spare["id"]},
        "add_user_to_group": {"group": eng["id"], "user": to_suspend["id"]},
        "remove_user_from_group": {"group": eng["id"], "user": member["profile"]["login"]},
        "find_user": {"user": "ann@example.com"},
        "list_users": {"limit": 10},
        "find_group": {"name": "Eng"},
        "list_groups": {},
        "list_group_members": {"group": eng["id"]},
        "reactivate_user": {"user": provisioned["id"], "send_email": False},
        "unlock_user": {"user": locked["id"]},
        "expire_password": {"user": to_expire["id"]},
        "reset_factors": {"user": with_factors["id"]},
        **CATALOGUE_INPUTS,
        "api_request": {"path": f"/api/v1/groups/{eng['id']}"},
        "find_or_create_user": {"email": "ivy@example.com", "firstName": "Ivy", "lastName": "Cli"},
        "find_or_create_group": {"name": "Eng"},
    }


def _contacts_inputs(world: CliWorld) -> dict[str, dict[str, Any]]:
    """Valid inputs for the Contacts operations, made through the CLI itself."""

    def run(key: str, values: dict[str, Any]) -> Any:
        result = world.ok("invoke", f"contacts.{key}", "--connection", "contacts-sandbox",
                          "--input", json.dumps(values))
        return json.loads(result.stdout)

    ada = run("create_contact", {"name": "Ada Lovelace", "email": "ada@example.com", "external_id": "00uADA",
                                 "tags": ["okta"]})
    world.contacts.link_business([ada["id"]], "biz_acme")
    doomed = run("create_contact", {"name": "Doomed Contact", "email": "doomed@example.com"})
    contact = {"contact_id": ada["id"]}
    to_complete = run("upsert_task", {**contact, "title": "Badge", "due_date": DUE, "external_key": "k1"})
    to_delete = run("upsert_task", {**contact, "title": "Laptop", "due_date": DUE, "external_key": "k2"})
    note = run("add_note", {**contact, "body": "Welcome"})
    world.contacts.add_appointment(ada["id"], title="Intro call", start=1_900_000_000.0)
    to_link = run("create_contact", {"name": "Linked Contact", "email": "linked@example.com"})
    note_to_edit = run("add_note", {**contact, "body": "Draft"})
    note_to_delete = run("add_note", {**contact, "body": "Scratch"})
    booking = {**contact, "calendar_id": "cal_cli"}
    kept = run("book_appointment", {**booking, "start_time": "2026-06-01T10:00:00Z"})
    cancelled = run("book_appointment", {**booking, "start_time": "2026-06-02T10:00:00Z"})
    appointment = {"appointment_id": kept["id"]}
    meeting_note = run("add_appointment_note", {**appointment, "body": "Agenda"})
    scratch_note = run("add_appointment_note", {**appointment, "body": "Scratch"})
    return {
        "create_contact": {"name": "Grace Hopper", "email": "grace@example.com", "external_id": "00uGRACE"},
        "update_contact": {**contact, "source": "okta"},
        "delete_contact": {"contact_id": doomed["id"]},
        "upsert_task": {**contact, "external_key": "okta-42", "title": "Review", "due_date": DUE},
        "complete_task": {**contact, "task_id": to_complete["id"]},
        "delete_task": {**contact, "task_id": to_delete["id"]},
        "add_note": {**contact, "body": "Hello"},
        "add_tags": {**contact, "tags": ["vip"]},
        "remove_tags": {**contact, "tags": ["okta"]},
        "find_contact": {"email": "ada@example.com"},
        "get_contact": contact,
        "list_contacts": {},
        "contacts_by_business": {"business_id": "biz_acme"},
        "contact_tasks": contact,
        "contact_notes": {**contact, "note_id": note["id"]},
        "contact_appointments": contact,
        "upsert_contact": {"email": "ada@example.com", "source": "upsert"},
        "link_contacts_to_business": {"contact_ids": [to_link["id"]], "business_id": "biz_cli"},
        "book_appointment": {**booking, "start_time": "2026-06-03T10:00:00Z"},
        "update_appointment": {**appointment, "title": "Kick-off"},
        "get_appointment": appointment,
        "delete_appointment": {"appointment_id": cancelled["id"]},
        "update_note": {**contact, "note_id": note_to_edit["id"], "body": "Final"},
        "delete_note": {**contact, "note_id": note_to_delete["id"]},
        "add_tags_to_contacts": {"contact_ids": [ada["id"]], "tags": ["bulk"]},
        "remove_tags_from_contacts": {"contact_ids": [ada["id"]], "tags": ["never-had"]},
        "add_followers": {**contact, "followers": ["usr_cli"]},
        "remove_followers": {**contact, "followers": ["usr_gone"]},
        "add_contact_to_campaign": {**contact, "campaign_id": "cmp_welcome"},
        "remove_contact_from_campaign": {**contact, "campaign_id": "cmp_renewal"},
        "remove_contact_from_all_campaigns": {"contact_id": to_link["id"]},
        "add_contact_to_workflow": {**contact, "workflow_id": "wf_onboarding"},
        "remove_contact_from_workflow": {**contact, "workflow_id": "wf_offboarding"},
        "add_appointment_note": {**appointment, "body": "Follow-up"},
        "update_appointment_note": {**appointment, "note_id": meeting_note["id"], "body": "Agenda, slides"},
        "delete_appointment_note": {**appointment, "note_id": scratch_note["id"]},
        "appointment_notes": appointment,
        "api_request": {"path": f"/contacts/{ada['id']}/notes"},
        "find_or_create_contact": {"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace"},
    }


@pytest.fixture(scope="module")
def inputs(world: CliWorld) -> dict[str, dict[str, Any]]:
    okta = {f"okta.{key}": values for key, values in _okta_inputs(world).items()}
    contacts = {f"contacts.{key}": values for key, values in _contacts_inputs(world).items()}
    return {**okta, **contacts}


def _operation(target: str) -> Any:
    app_key, _, op_key = target.partition(".")
    return (OKTA if app_key == "okta" else CONTACTS).operation(op_key)


def test_every_action_and_search_has_an_input_here(inputs: dict[str, dict[str, Any]]) -> None:
    needing_input = {t for t in OPERATIONS if not isinstance(_operation(t), Trigger)}
    assert needing_input == set(inputs)


@pytest.mark.parametrize("target", OPERATIONS)
def test_the_operation_runs_through_connector_invoke(
    target: str, world: CliWorld, inputs: dict[str, dict[str, Any]]
) -> None:
    op = _operation(target)
    connection = "okta-sandbox" if target.startswith("okta.") else "contacts-sandbox"
    args = ["invoke", target, "--connection", connection, "--input", json.dumps(inputs.get(target, {}))]
    if isinstance(op, Trigger):
        # A poll trigger's "Test trigger" is a trial; a hook trigger shows samples until it is subscribed.
        args += ["--trial"] if op.kind == "poll" else ["--step", "list_samples"]
    result = world.ok(*args)
    output = json.loads(result.stdout)
    if isinstance(op, Trigger):
        assert isinstance(output, list) and len(output) <= (3 if op.kind == "poll" else len(output))
        assert all(isinstance(item, dict) and "id" in item for item in output)
    else:
        assert isinstance(output, dict | list)
    assert result.stderr == ""


def _live_hooks(world: CliWorld, app_key: str) -> int:
    return len(list(world.okta.state.hooks.records))


@pytest.mark.parametrize("app_key", ["okta"])
def test_a_hook_trigger_subscribes_and_unsubscribes_from_the_cli(app_key: str, world: CliWorld) -> None:
    hook_trigger = next(t for t in (OKTA if app_key == "okta" else CONTACTS).triggers if t.kind == "hook")
    target, connection = f"{app_key}.{hook_trigger.key}", f"{app_key}-sandbox"
    before = _live_hooks(world, app_key)
    subscribed = world.ok("invoke", target, "--connection", connection, "--step", "subscribe",
                          "--target-url", world.hook_url)
    assert _live_hooks(world, app_key) == before + 1
    world.ok("invoke", target, "--connection", connection, "--step", "unsubscribe",
             "--subscription", subscribed.stdout)
    assert _live_hooks(world, app_key) == before
