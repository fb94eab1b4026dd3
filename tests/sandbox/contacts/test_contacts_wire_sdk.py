"""Wire compatibility: HighLevel's official Python SDK (gohighlevel-api-client), unchanged, on a real port.

The SDK sends ``Version: v3`` on every call and cannot be told otherwise; the only setting changed is
where its HTTP client points (its ``base_url``), as a user pointing it at a proxy would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from emulator.serving import serve
from sandboxes.contacts import ContactsSandbox

highlevel = pytest.importorskip("highlevel")
LOCATION = "loc_sandbox"


@pytest.fixture
def served() -> Iterator[ContactsSandbox]:
    sandbox = ContactsSandbox()
    with serve(sandbox.app) as running:
        sandbox.base_url = running.base_url
        yield sandbox
    sandbox.outbox.close()


async def contacts_tasks_notes_and_tags(base_url: str) -> dict[str, Any]:
    ghl = highlevel.HighLevel(private_integration_token="contacts-sandbox-key", log_level="error")
    ghl.http_client.base_url = base_url
    try:
        api = ghl.contacts
        made = await api.create_contact({"locationId": LOCATION, "firstName": "Ada", "lastName": "Lovelace",
                                         "email": "ada@example.com", "tags": ["okta"]})
        contact_id = made["contact"]["id"]
        read = await api.get_contact(contact_id)
        updated = await api.update_contact(contact_id, {"city": "London"})
        task = (await api.create_task(contact_id, {"title": "Badge", "dueDate": "2030-01-01T10:00:00Z",
                                                    "completed": False}))["task"]
        changed = await api.update_task(contact_id, task["id"], {"title": "Badge and laptop",
                                                                 "dueDate": "2030-01-02T10:00:00Z"})
        done = await api.update_task_completed(contact_id, task["id"], {"completed": True})
        tasks = await api.get_all_tasks(contact_id)
        note = (await api.create_note(contact_id, {"body": "Welcome"}))["note"]
        notes = await api.get_all_notes(contact_id)
        tagged = await api.add_tags(contact_id, {"tags": ["vip"]})
        untagged = await api.remove_tags(contact_id, {"tags": ["okta"]})
        deleted = await api.delete_contact(contact_id)
        return {"made": made, "read": read, "updated": updated, "changed": changed, "done": done, "tasks": tasks,
                "note": note, "notes": notes, "tagged": tagged, "untagged": untagged, "deleted": deleted}
    finally:
        await ghl.http_client.aclose()


def test_the_official_sdk_runs_contacts_tasks_notes_and_tags_unchanged(served: ContactsSandbox) -> None:
    seen = asyncio.run(contacts_tasks_notes_and_tags(served.base_url))
    contact_id = seen["made"]["contact"]["id"]
    assert seen["read"]["contact"]["email"] == "ada@example.com"
    assert seen["updated"]["succeded"] is True and seen["updated"]["contact"]["city"] == "London"
    assert seen["changed"]["task"]["title"] == "Badge and laptop"
    assert seen["done"]["task"]["completed"] is True
    assert [t["title"] for t in seen["tasks"]["tasks"]] == ["Badge and laptop"]
    assert [n["id"] for n in seen["notes"]["notes"]] == [seen["note"]["id"]]
    assert sorted(seen["tagged"]["tags"]) == ["okta", "vip"] and seen["untagged"]["tags"] == ["vip"]
    assert seen["deleted"] == {"succeded": True}
    assert contact_id not in served.state.contacts
