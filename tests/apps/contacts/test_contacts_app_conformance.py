"""The marketplace's standard checks, run on every Contacts operation against the sandbox."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest

from connector.apps.contacts.app import APP
from connector.conformance import ConformanceSetup, conformance_suite
from connector.context import Connection
from connector.runtime import invoke
from sandboxes.contacts import ContactsSandbox

DUE = "2026-03-01T17:00:00Z"
#: ~80 checks, each on a fresh sandbox (whose RSA signing key takes ~50 ms to make): a few seconds.


def link_to_business(sandbox: ContactsSandbox, contact_ids: list[str], business_id: str) -> None:
    """Link contacts to a business the way HighLevel does (``POST /contacts/bulk/business``)."""
    with httpx.Client(transport=sandbox.transport(), base_url=sandbox.base_url,
                      headers={"Authorization": "Bearer contacts-sandbox-key", "Version": "2021-07-28"}) as api:
        answer = api.post("/contacts/bulk/business",
                          json={"locationId": "loc_sandbox", "ids": contact_ids, "businessId": business_id})
        assert answer.status_code == 200, answer.text


@pytest.fixture
def conformance_setup(sandbox: ContactsSandbox, connection: Connection) -> ConformanceSetup:
    def run(key: str, values: dict[str, Any]) -> Any:
        return invoke(APP, key, connection, values).output

    ada = run("create_contact", {"name": "Ada Lovelace", "email": "ada@example.com", "external_id": "00uADA",
                                 "company_name": "Engines", "tags": ["okta"]})
    link_to_business(sandbox, [ada["id"]], "biz_acme")
    run("update_contact", {"contact_id": ada["id"], "source": "okta"})
    task = run("upsert_task", {"contact_id": ada["id"], "title": "Badge", "due_date": DUE, "external_key": "k1"})
    note = run("add_note", {"contact_id": ada["id"], "body": "Welcome"})
    sandbox.add_appointment(ada["id"], title="Intro call", start=1_900_000_000.0)
    booked = run("book_appointment", {"contact_id": ada["id"], "calendar_id": "cal_sales",
                                      "start_time": "2026-04-01T09:00:00Z"})
    appointment = {"appointment_id": booked["id"]}
    appointment_note = run("add_appointment_note", {**appointment, "body": "Agenda sent"})
    note_on_appointment = {**appointment, "note_id": appointment_note["id"]}
    contact, task_key = {"contact_id": ada["id"]}, {"contact_id": ada["id"], "task_id": task["id"]}
    counter = iter(range(1000))

    def make_new_item(key: str) -> None:
        n = next(counter)
        if key == "new_contact":
            run("create_contact", {"name": f"New {n}", "email": f"new{n}@example.com"})
        elif key == "updated_contact":
            run("update_contact", {"contact_id": ada["id"], "source": f"Engines {n}"})
        elif key == "updated_task":
            run("upsert_task", {**task_key, "title": f"Badge {n}"})
        elif key == "new_note":
            run("add_note", {**contact, "body": f"note {n}"})

    inputs: dict[str, dict[str, Any]] = {
        "new_contact": {},
        "updated_contact": {},
        "updated_task": {},
        "new_note": {},
        "create_contact": {"name": "Grace Hopper", "email": "grace@example.com", "external_id": "00uGRACE"},
        "update_contact": {**contact, "source": "Analytical Engines"},
        "delete_contact": contact,
        "upsert_task": {**contact, "external_key": "okta-42", "title": "Review", "due_date": DUE},
        "complete_task": task_key,
        "delete_task": task_key,
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
        "link_contacts_to_business": {"contact_ids": [ada["id"]], "business_id": "biz_other"},
        "book_appointment": {**contact, "calendar_id": "cal_sales", "start_time": "2026-05-01T10:00:00Z"},
        "update_appointment": {**appointment, "title": "Moved"},
        "delete_appointment": appointment,
        "get_appointment": appointment,
        "update_note": {**contact, "note_id": note["id"], "body": "Edited"},
        "delete_note": {**contact, "note_id": note["id"]},
        "add_tags_to_contacts": {"contact_ids": [ada["id"]], "tags": ["bulk"]},
        "remove_tags_from_contacts": {"contact_ids": [ada["id"]], "tags": ["okta"]},
        "add_followers": {**contact, "followers": ["usr_sales"]},
        "remove_followers": {**contact, "followers": ["usr_sales"]},
        "add_contact_to_campaign": {**contact, "campaign_id": "cmp_welcome"},
        "remove_contact_from_campaign": {**contact, "campaign_id": "cmp_welcome"},
        "remove_contact_from_all_campaigns": contact,
        "add_contact_to_workflow": {**contact, "workflow_id": "wf_onboarding"},
        "remove_contact_from_workflow": {**contact, "workflow_id": "wf_onboarding"},
        "add_appointment_note": {**appointment, "body": "Follow-up booked"},
        "update_appointment_note": {**note_on_appointment, "body": "Agenda and slides sent"},
        "delete_appointment_note": note_on_appointment,
        "appointment_notes": appointment,
        "api_request": {"path": f"/contacts/{ada['id']}"},
        "find_or_create_contact": {"email": "nadia@example.com", "first_name": "Nadia", "last_name": "Boulanger"},
    }
    bad = replace(connection, fields={**connection.fields, "api_key": "wrong-key"})
    return ConformanceSetup(
        connection=connection,
        bad_connection=bad,
        inputs=inputs,
        hooks=lambda: len(sandbox.state.webhooks),
        make_new_item=make_new_item,
    )


def test_every_operation_has_a_conformance_input(conformance_setup: ConformanceSetup) -> None:
    instant = {t.key for t in APP.triggers if t.kind == "hook"}
    assert {op.key for op in APP.operations} - instant == set(conformance_setup.inputs)


TestContactsConformance = conformance_suite(APP)
