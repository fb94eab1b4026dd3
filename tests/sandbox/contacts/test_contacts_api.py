"""Every Contacts API route the Okta-to-Contacts and Personio-to-Contacts flows use, in HighLevel's v2 shapes."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from contacts_doubles import FakeClock

from sandboxes.contacts import ContactsSandbox
from sandboxes.contacts.state import iso_timestamp

LOCATION = "loc_sandbox"


def create(api: httpx.Client, **fields: object) -> dict:
    response = api.post("/contacts/", json={"locationId": LOCATION, **fields})
    assert response.status_code == 201, response.text
    return response.json()["contact"]


def test_a_created_contact_can_be_read_updated_and_deleted(api: httpx.Client) -> None:
    contact = create(api, firstName="Ada", lastName="Lovelace", email="Ada@Example.com", phone="+1 555 010 0001")
    assert len(contact["id"]) == 20 and contact["id"].isalnum()
    assert "name" not in contact  # the create answer's schema has no name (it has firstName, lastName)
    assert contact["email"] == "ada@example.com"
    assert {"dateAdded", "dateUpdated", "type", "tags", "customFields"} <= contact.keys()
    assert None not in contact.values(), "HighLevel's contact fields are non-nullable: empty ones are left out"

    read = api.get(f"/contacts/{contact['id']}")
    assert read.status_code == 200 and read.json()["contact"]["email"] == "ada@example.com"
    assert read.json()["contact"]["name"] == "Ada Lovelace"

    updated = api.put(f"/contacts/{contact['id']}", json={"city": "London"})
    assert updated.status_code == 200
    assert updated.json()["succeded"] is True
    assert updated.json()["contact"]["city"] == "London"

    deleted = api.delete(f"/contacts/{contact['id']}")
    assert deleted.json() == {"succeded": True}
    gone = api.get(f"/contacts/{contact['id']}")
    assert gone.status_code == 400 and gone.json() == {"statusCode": 400, "message": "Contact not found"}


def test_the_deprecated_list_answers_contacts_and_count_as_documented(
    sandbox: ContactsSandbox, api: httpx.Client
) -> None:
    ids = sandbox.seed_contacts(45)
    body = api.get("/contacts/", params={"locationId": LOCATION, "limit": 20}).json()
    assert set(body) == {"contacts", "count"} and body["count"] == 45
    last = body["contacts"][-1]
    more = api.get("/contacts/", params={"locationId": LOCATION, "limit": 20, "startAfterId": last["id"]}).json()
    assert [c["id"] for c in body["contacts"] + more["contacts"]] == ids[:40]


def test_the_list_limit_defaults_to_20_and_refuses_more_than_100(sandbox: ContactsSandbox, api: httpx.Client) -> None:
    sandbox.seed_contacts(25)
    assert len(api.get("/contacts/", params={"locationId": LOCATION}).json()["contacts"]) == 20
    too_many = api.get("/contacts/", params={"locationId": LOCATION, "limit": 101})
    assert too_many.status_code == 422
    assert too_many.json()["message"] == ["limit must not be greater than 100"]


def test_query_finds_contacts_by_name_email_phone_company_and_custom_field(
    sandbox: ContactsSandbox, api: httpx.Client
) -> None:
    okta_id = sandbox.state.add_custom_field(LOCATION, "Okta User ID", "TEXT")["id"]
    ada = create(
        api,
        firstName="Ada",
        email="ada@example.com",
        phone="+15550100001",
        companyName="Engines Ltd",
        customFields=[{"id": okta_id, "field_value": "00u1abcd"}],
    )
    create(api, firstName="Grace", email="grace@example.com", phone="+15550100002")
    for needle in ("ada", "ADA@EXAMPLE", "5550100001", "engines", "00u1abcd"):
        found = api.get("/contacts/", params={"locationId": LOCATION, "query": needle}).json()
        assert [contact["id"] for contact in found["contacts"]] == [ada["id"]], needle
    assert ada["customFields"] == [{"id": okta_id, "value": "00u1abcd"}]


def test_duplicate_search_matches_email_case_insensitively_and_phone_by_digits(api: httpx.Client) -> None:
    ada = create(api, firstName="Ada", email="ada@example.com", phone="+1 (555) 010-0001")
    by_email = api.get("/contacts/search/duplicate", params={"locationId": LOCATION, "email": "ADA@example.COM"})
    assert by_email.json()["contact"]["id"] == ada["id"]
    by_phone = api.get("/contacts/search/duplicate", params={"locationId": LOCATION, "number": "+15550100001"})
    assert by_phone.json()["contact"]["id"] == ada["id"]
    nobody = api.get("/contacts/search/duplicate", params={"locationId": LOCATION, "email": "nobody@example.com"})
    assert nobody.json() == {"contact": None}


def test_a_second_contact_with_the_same_email_is_refused(api: httpx.Client) -> None:
    ada = create(api, email="ada@example.com")
    again = api.post("/contacts/", json={"locationId": LOCATION, "email": "ADA@example.com"})
    assert again.status_code == 400
    assert again.json()["message"] == "This location does not allow duplicated contacts."
    assert again.json()["meta"]["contactId"] == ada["id"]


@pytest.mark.parametrize("match", [{"email": "ada@example.com"}, {"phone": "+15550100001"}])
def test_upsert_updates_the_contact_matching_email_or_phone(api: httpx.Client, match: dict[str, str]) -> None:
    first = api.post(
        "/contacts/upsert",
        json={"locationId": LOCATION, "email": "ada@example.com", "phone": "+15550100001", "firstName": "Ada"},
    )
    assert first.status_code == 200 and first.json()["new"] is True  # HighLevel documents only 200
    second = api.post("/contacts/upsert", json={"locationId": LOCATION, **match, "lastName": "King"})
    body = second.json()
    assert second.status_code == 200 and body["new"] is False and body["traceId"]
    assert body["contact"]["id"] == first.json()["contact"]["id"]
    assert body["contact"]["name"] == "Ada King"


def test_contacts_can_be_listed_by_business(api: httpx.Client) -> None:
    a, b, c = (create(api, email=f"{name}@example.com")["id"] for name in "abc")
    for ids, business in (([a, b], "biz1"), ([c], "biz2")):
        linked = api.post("/contacts/bulk/business", json={"locationId": LOCATION, "ids": ids, "businessId": business})
        assert linked.json() == {"success": True, "ids": ids}
    refused = api.post("/contacts/", json={"locationId": LOCATION, "email": "d@example.com", "businessId": "biz1"})
    assert refused.status_code == 422 and refused.json()["message"] == ["property businessId should not exist"]
    body = api.get("/contacts/business/biz1", params={"locationId": LOCATION, "limit": 1, "skip": 1}).json()
    assert body["count"] == 2
    assert [contact["email"] for contact in body["contacts"]] == ["b@example.com"]


def test_tasks_are_created_read_updated_completed_and_deleted(api: httpx.Client) -> None:
    contact = create(api, email="ada@example.com")
    base = f"/contacts/{contact['id']}/tasks"
    made = api.post(base, json={"title": "Call", "dueDate": "2030-01-01T10:00:00Z", "completed": False})
    assert made.status_code == 201
    task = made.json()["task"]
    assert task["contactId"] == contact["id"]
    assert api.get(base).json()["tasks"] == [task]
    assert api.get(f"{base}/{task['id']}").json()["task"] == task

    no_due_date = api.put(f"{base}/{task['id']}", json={"title": "Call again"})
    assert no_due_date.status_code == 422
    assert no_due_date.json()["message"] == ["dueDate should not be empty"]
    updated = api.put(f"{base}/{task['id']}", json={"title": "Call again", "dueDate": "2030-01-02T10:00:00Z"})
    assert updated.json()["task"]["title"] == "Call again"

    done = api.put(f"{base}/{task['id']}/completed", json={"completed": True})
    assert done.json()["task"]["completed"] is True
    assert api.delete(f"{base}/{task['id']}").json() == {"succeded": True}
    assert api.get(f"{base}/{task['id']}").status_code == 400


def test_a_tasks_date_updated_moves_on_every_update_and_completion_even_under_a_frozen_clock(
    clock: FakeClock, api: httpx.Client
) -> None:
    contact = create(api, email="ada@example.com")
    base = f"/contacts/{contact['id']}/tasks"
    task = api.post(base, json={"title": "Call", "dueDate": "2030-01-01T10:00:00Z", "completed": False}).json()["task"]
    assert task["dateUpdated"] == iso_timestamp(clock.now)
    again = {"title": "Call", "dueDate": "2030-01-01T10:00:00Z"}
    first = api.put(f"{base}/{task['id']}", json=again).json()["task"]["dateUpdated"]
    second = api.put(f"{base}/{task['id']}", json=again).json()["task"]["dateUpdated"]
    done = api.put(f"{base}/{task['id']}/completed", json={"completed": True}).json()["task"]["dateUpdated"]
    stamps = [task["dateUpdated"], first, second, done]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4  # the clock never moved, the stamps did
    clock.advance(60)
    later = api.put(f"{base}/{task['id']}/completed", json={"completed": False}).json()["task"]["dateUpdated"]
    assert later == iso_timestamp(clock.now)
    assert api.get(f"{base}/{task['id']}").json()["task"]["dateUpdated"] == later


def test_a_client_cannot_set_a_tasks_date_updated(api: httpx.Client) -> None:
    contact = create(api, email="ada@example.com")
    body = {"title": "Call", "dueDate": "2030-01-01T10:00:00Z", "completed": False, "dateUpdated": "2020-01-01"}
    refused = api.post(f"/contacts/{contact['id']}/tasks", json=body)
    assert refused.status_code == 422
    assert refused.json()["message"] == ["property dateUpdated should not exist"]


def test_seeded_tasks_carry_the_time_their_contact_was_added(clock: Callable[[], float]) -> None:
    box = ContactsSandbox(clock=clock)
    box.seed_contacts(30, seed=3)
    tasks = [(contact_id, task) for contact_id, by_id in box.state.tasks.items() for task in by_id.values()]
    assert tasks
    assert all(task["dateUpdated"] == box.state.contacts[contact_id]["dateAdded"] for contact_id, task in tasks)


def test_notes_are_created_read_updated_and_deleted(api: httpx.Client) -> None:
    contact = create(api, email="ada@example.com")
    base = f"/contacts/{contact['id']}/notes"
    made = api.post(base, json={"body": "Met at the conference"})
    assert made.status_code == 201
    note = made.json()["note"]
    assert note["contactId"] == contact["id"] and note["dateAdded"]
    assert api.get(base).json()["notes"] == [note]
    assert api.put(f"{base}/{note['id']}", json={"body": "Met twice"}).json()["note"]["body"] == "Met twice"
    assert api.get(f"{base}/{note['id']}").json()["note"]["body"] == "Met twice"
    assert api.delete(f"{base}/{note['id']}").json() == {"succeded": True}
    assert api.get(base).json() == {"notes": []}


def test_tags_are_added_and_removed_lower_case_without_repeats(api: httpx.Client) -> None:
    contact = create(api, email="ada@example.com", tags=["VIP"])
    added = api.post(f"/contacts/{contact['id']}/tags", json={"tags": ["Customer", "vip"]})
    assert added.status_code == 201 and added.json() == {"tags": ["vip", "customer"]}
    removed = api.request("DELETE", f"/contacts/{contact['id']}/tags", json={"tags": ["VIP"]})
    assert removed.json() == {"tags": ["customer"]}
    assert api.get(f"/contacts/{contact['id']}").json()["contact"]["tags"] == ["customer"]


def test_a_contacts_appointments_are_listed_as_events(sandbox: ContactsSandbox, api: httpx.Client) -> None:
    contact = create(api, email="ada@example.com")
    sandbox.add_appointment(contact["id"], title="Intro call", start=1_900_000_000)
    events = api.get(f"/contacts/{contact['id']}/appointments").json()["events"]
    assert [event["title"] for event in events] == ["Intro call"]
    assert events[0]["contactId"] == contact["id"]


def test_seeding_is_deterministic_and_adds_tasks_and_notes(clock: Callable[[], float]) -> None:
    first, second = ContactsSandbox(clock=clock), ContactsSandbox(clock=clock)
    assert first.seed_contacts(50, seed=7) == second.seed_contacts(50, seed=7)
    assert first.state.tasks and first.state.notes


@pytest.mark.parametrize(
    ("body", "messages"),
    [
        ({"email": "not-an-email"}, ["locationId should not be empty", "email must be an email"]),
        ({"locationId": LOCATION, "favouriteColour": "blue"}, ["property favouriteColour should not exist"]),
        ({"locationId": LOCATION, "tags": "vip"}, ["tags must be an array"]),
        ({"locationId": LOCATION, "dnd": "yes"}, ["dnd must be a boolean value"]),
    ],
)
def test_invalid_contact_bodies_get_a_422_listing_every_problem(
    api: httpx.Client, body: dict, messages: list[str]
) -> None:
    response = api.post("/contacts/", json=body)
    assert response.status_code == 422
    assert response.json() == {"statusCode": 422, "message": messages, "error": "Unprocessable Entity"}


def test_a_body_that_is_not_json_gets_a_400(api: httpx.Client) -> None:
    response = api.post("/contacts/", content=b"{nope", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert set(response.json()) == {"statusCode", "message"}


def test_every_call_needs_the_version_header(sandbox: ContactsSandbox) -> None:
    with httpx.Client(transport=sandbox.transport(), base_url=sandbox.base_url) as bare:
        response = bare.get(
            "/contacts/", params={"locationId": LOCATION}, headers={"Authorization": "Bearer contacts-sandbox-key"}
        )
    assert response.status_code == 400
    assert response.json() == {"statusCode": 400, "message": "Version header was not found"}


def test_an_unknown_token_gets_the_vendors_401(
    sandbox: ContactsSandbox, client_for: Callable[[str], httpx.Client]
) -> None:
    response = client_for("not-a-token").get("/contacts/", params={"locationId": LOCATION})
    assert response.status_code == 401
    assert response.json() == {
        "statusCode": 401,
        "message": "Invalid token: access token is invalid",
        "error": "Unauthorized",
    }


def test_an_api_key_cannot_reach_another_location(api: httpx.Client) -> None:
    response = api.get("/contacts/", params={"locationId": "loc_other"})
    assert response.status_code == 403
    assert response.json()["message"] == "The token does not have access to this location."
