"""The Contacts sandbox follows HighLevel's published documents: search, custom fields, versions, bodies."""

from __future__ import annotations

import httpx
import pytest
from contacts_doubles import ClientFactory, OAuthDance

from sandboxes.contacts import ContactsSandbox

LOCATION = "loc_sandbox"


def search(api: httpx.Client, **body: object) -> httpx.Response:
    return api.post("/contacts/search", json={"locationId": LOCATION, **body})


def test_search_pages_newest_first_by_page_and_by_search_after_without_repeats(
    sandbox: ContactsSandbox, api: httpx.Client
) -> None:
    ids = sandbox.seed_contacts(45)
    first = search(api, pageLimit=20, page=1).json()
    assert set(first) == {"contacts", "total"} and first["total"] == 45
    assert [c["id"] for c in first["contacts"]] == ids[::-1][:20]
    walked: list[str] = []
    body: dict[str, object] = {"pageLimit": 20, "sort": [{"field": "dateAdded", "direction": "asc"}]}
    while True:
        page = search(api, **body).json()["contacts"]
        walked += [c["id"] for c in page]
        if len(page) < 20:
            break
        body["searchAfter"] = page[-1]["searchAfter"]
    assert walked == ids


def test_search_filters_on_a_custom_field_by_its_id_and_on_a_date_range(
    sandbox: ContactsSandbox, api: httpx.Client
) -> None:
    sandbox.seed_contacts(10)
    field_id = api.post(f"/locations/{LOCATION}/customFields",
                        json={"name": "External ID", "dataType": "TEXT"}).json()["customField"]["id"]
    ada = api.post("/contacts/", json={"locationId": LOCATION, "email": "ada@example.com",
                                       "customFields": [{"id": field_id, "field_value": "00uADA"}]}).json()["contact"]
    found = search(api, pageLimit=10, filters=[{"field": f"customFields.{field_id}", "operator": "eq",
                                                "value": "00uADA"}]).json()
    assert [c["id"] for c in found["contacts"]] == [ada["id"]] and found["total"] == 1
    recent = search(api, pageLimit=50, filters=[
        {"field": "dateAdded", "operator": "range", "value": {"gte": ada["dateAdded"]}}
    ]).json()
    assert [c["id"] for c in recent["contacts"]] == [ada["id"]]
    either = search(api, pageLimit=50, filters=[{"group": "OR", "filters": [
        {"field": "email", "operator": "eq", "value": "ADA@example.com"},
        {"field": "email", "operator": "eq", "value": "nobody@example.com"},
    ]}]).json()
    assert either["total"] == 1


@pytest.mark.parametrize(("body", "problem"), [
    ({"pageLimit": 501}, "pageLimit must be an integer from 1 to 500"),
    ({}, "pageLimit must be an integer from 1 to 500"),
    ({"pageLimit": 10, "page": 1, "searchAfter": [1, "x"]}, "page and searchAfter cannot be used together"),
    ({"pageLimit": 100, "page": 101}, "page * pageLimit must not exceed 10000: use searchAfter"),
    ({"pageLimit": 10, "filters": [{"field": "shoeSize", "operator": "eq", "value": 9}]},
     "filters.0.field 'shoeSize' is not a supported filter field"),
    ({"pageLimit": 10, "filters": [{"field": "email", "operator": "like", "value": "a"}]},
     "filters.0.operator must be one of the following values"),
    ({"pageLimit": 10, "sort": [{"field": "email", "direction": "up"}]},
     "sort.0.direction must be one of the following values: asc, desc"),
    ({"pageLimit": 10, "limit": 10}, "property limit should not exist"),
])
def test_a_bad_search_body_is_a_400_naming_what_is_wrong(api: httpx.Client, body: dict, problem: str) -> None:
    answer = search(api, **body)
    assert answer.status_code == 400  # the status HighLevel's document gives this operation
    assert any(message.startswith(problem) for message in answer.json()["message"].split("; ")), answer.json()


def test_search_is_a_read_so_a_read_only_token_may_search_but_not_write(
    client_for: ClientFactory, oauth: OAuthDance
) -> None:
    tokens = oauth.exchange_code(oauth.authorize(scope="contacts.readonly")).json()
    reader = client_for(tokens["access_token"])
    assert search(reader, pageLimit=5).status_code == 200
    assert reader.post("/contacts/", json={"locationId": LOCATION, "email": "x@example.com"}).status_code == 401


def test_custom_fields_are_referred_to_by_id_and_a_key_alone_is_refused(api: httpx.Client) -> None:
    by_key = api.post("/contacts/", json={"locationId": LOCATION, "email": "a@example.com",
                                          "customFields": [{"key": "external_id", "field_value": "1"}]})
    assert by_key.status_code == 422
    assert by_key.json()["message"][0].startswith("customFields.0.id must be a string")
    unknown = api.post("/contacts/", json={"locationId": LOCATION, "email": "a@example.com",
                                           "customFields": [{"id": "nope", "field_value": "1"}]})
    assert unknown.status_code == 422 and "is not a custom field of this location" in unknown.json()["message"][0]
    assert api.get(f"/locations/{LOCATION}/customFields").json() == {"customFields": []}


def test_a_location_custom_field_is_created_once_and_listed(api: httpx.Client) -> None:
    made = api.post(f"/locations/{LOCATION}/customFields", json={"name": "External ID", "dataType": "TEXT"})
    assert made.status_code == 201
    field = made.json()["customField"]
    assert (field["fieldKey"], field["dataType"], field["model"]) == ("contact.external_id", "TEXT", "contact")
    again = api.post(f"/locations/{LOCATION}/customFields", json={"name": "External ID", "dataType": "TEXT"})
    assert again.status_code == 400
    assert api.get(f"/locations/{LOCATION}/customFields", params={"model": "contact"}).json() == {
        "customFields": [field]
    }
    bad = api.post(f"/locations/{LOCATION}/customFields", json={"name": "X", "dataType": "SHOE"})
    assert bad.status_code == 422
    other = api.get("/locations/loc_other/customFields")
    assert other.status_code == 403


def test_company_name_is_not_part_of_the_update_body(api: httpx.Client) -> None:
    contact = api.post("/contacts/", json={"locationId": LOCATION, "email": "a@example.com",
                                           "companyName": "Engines"}).json()["contact"]
    assert contact["companyName"] == "Engines"
    update = api.put(f"/contacts/{contact['id']}", json={"companyName": "Other"})
    assert update.status_code == 422
    assert update.json()["message"] == ["property companyName should not exist"]


@pytest.mark.parametrize("version", ["2021-07-28", "v3"])
def test_both_documented_versions_are_accepted(client_for: ClientFactory, version: str) -> None:
    api = client_for()
    api.headers["Version"] = version
    assert search(api, pageLimit=1).status_code == 200


def test_an_undocumented_version_is_refused_with_the_accepted_ones_named(api: httpx.Client) -> None:
    api.headers["Version"] = "2020-01-01"
    answer = search(api, pageLimit=1)
    assert answer.status_code == 400 and "2021-07-28, v3" in answer.json()["message"]


def test_the_indexed_oldest_first_walk_answers_exactly_like_the_general_search(
    sandbox: ContactsSandbox, api: httpx.Client
) -> None:
    sandbox.seed_contacts(25)
    oldest_first = [{"field": "dateAdded", "direction": "asc"}]
    everyone = [{"field": "id", "operator": "exists"}]  # a filter sends the search down the general path

    def walk(**extra: object) -> list[dict]:
        seen, body = [], {"pageLimit": 7, "sort": oldest_first, **extra}
        while True:
            answer = search(api, **body).json()
            assert answer["total"] == 25
            seen += answer["contacts"]
            if len(answer["contacts"]) < 7:
                return seen
            body["searchAfter"] = answer["contacts"][-1]["searchAfter"]

    assert walk() == walk(filters=everyone)
    assert search(api, pageLimit=7, page=2, sort=oldest_first).json() == search(
        api, pageLimit=7, page=2, sort=oldest_first, filters=everyone).json()


def test_a_note_takes_every_field_the_note_body_documents(api: httpx.Client) -> None:
    contact = api.post("/contacts/", json={"locationId": LOCATION, "email": "n@example.com"}).json()["contact"]
    made = api.post(f"/contacts/{contact['id']}/notes",
                    json={"body": "Met", "title": "Intro", "color": "#ffcc00", "pinned": True})
    assert made.status_code == 201, made.text
    note = made.json()["note"]
    assert (note["title"], note["color"], note["pinned"]) == ("Intro", "#ffcc00", True)
    wrong = api.put(f"/contacts/{contact['id']}/notes/{note['id']}", json={"body": "x", "pinned": "yes"})
    assert wrong.status_code == 422 and wrong.json()["message"] == ["pinned must be a boolean value"]
