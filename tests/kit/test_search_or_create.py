"""Search-or-create: one step that finds the record or creates it, and says which happened.

The pairs ship in the apps (find or create contact, user, group); ``connector validate`` holds every
pair to its rules: both keys name operations of the app, of the right kinds, and one form fits both.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from connector.apps.contacts.app import APP as CONTACTS
from connector.apps.okta.app import APP as OKTA
from connector.context import Connection
from connector.definitions import Field, SearchOrCreate
from connector.errors import BadInput
from connector.manifest import build_manifest, validate_app, validate_manifest
from connector.runtime import invoke


def test_finding_or_creating_a_contact_twice_makes_one_contact(contacts_connection: Connection,
                                                               contacts_sandbox: Any) -> None:
    ada = {"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace"}
    first = invoke(CONTACTS, "find_or_create_contact", contacts_connection, ada, trace=True)
    second = invoke(CONTACTS, "find_or_create_contact", contacts_connection, ada, trace=True)
    assert (first.output["found_or_created"], second.output["found_or_created"]) == ("created", "found")
    assert first.output["id"] == second.output["id"]
    found = invoke(CONTACTS, "find_contact", contacts_connection, {"email": "ada@example.com"}).output
    assert [contact["id"] for contact in found] == [first.output["id"]]
    # the trace shows the search, then the create; the second run only searched
    assert [exchange["method"] for exchange in first.trace][-1] == "POST"
    assert all("/contacts/search" in exchange["url"] or exchange["method"] == "GET" for exchange in second.trace)


def test_finding_or_creating_an_okta_user_and_group(okta_connection: Connection) -> None:
    eve = {"email": "eve@example.com", "firstName": "Eve", "lastName": "Park"}
    made = invoke(OKTA, "find_or_create_user", okta_connection, eve).output
    again = invoke(OKTA, "find_or_create_user", okta_connection, eve).output
    assert (made["found_or_created"], again["found_or_created"]) == ("created", "found")
    assert made["id"] == again["id"] and again["profile"]["email"] == "eve@example.com"
    group = invoke(OKTA, "find_or_create_group", okta_connection, {"name": "Engineering"}).output
    same = invoke(OKTA, "find_or_create_group", okta_connection, {"name": "Engineering"}).output
    other = invoke(OKTA, "find_or_create_group", okta_connection, {"name": "Eng"}).output
    assert (group["found_or_created"], same["found_or_created"], other["found_or_created"]) == (
        "created", "found", "created")
    assert group["id"] == same["id"] != other["id"]


def test_the_form_holds_both_halves_fields_and_missing_create_fields_are_bad_input(
    okta_connection: Connection,
) -> None:
    pair = OKTA.operation("find_or_create_user")
    keys = [f.key for f in pair.input_fields]
    assert keys[:2] == ["user", "email"] and {"firstName", "lastName", "login"} <= set(keys)
    with pytest.raises(BadInput) as missing:
        invoke(OKTA, "find_or_create_user", okta_connection, {"email": "x@example.com"})
    assert {problem.field for problem in missing.value.problems} == {"firstName", "lastName"}


def test_the_manifest_lists_each_pair_by_its_search_and_create_keys() -> None:
    document = build_manifest(OKTA)
    assert validate_manifest(document) == []
    pairs = {entry["key"]: (entry["search"], entry["create"]) for entry in document["searchOrCreates"]}
    assert pairs == {"find_or_create_user": ("find_user", "create_user"),
                     "find_or_create_group": ("find_group", "create_group")}
    entry = next(e for e in build_manifest(CONTACTS)["searchOrCreates"] if e["key"] == "find_or_create_contact")
    assert entry["display"]["important"] is True and entry["display"]["label"] == "Find or Create Contact"


def _with_pair(pair: SearchOrCreate) -> Any:
    return replace(CONTACTS, search_or_creates=(pair,))


def _problems(app: Any) -> list[str]:
    return [f"{p.location}: {p.message}" for p in validate_app(app) if p.rule == "search-or-create"]


def test_validate_names_a_pair_whose_keys_do_not_exist_or_are_the_wrong_kind() -> None:
    good = CONTACTS.operation("find_or_create_contact")
    assert isinstance(good, SearchOrCreate) and _problems(CONTACTS) == []
    [unknown] = _problems(_with_pair(replace(good, search="find_someone")))
    assert unknown.startswith("contacts.search_or_creates.find_or_create_contact.search:")
    assert "'find_someone' is not an operation of contacts; name one of:" in unknown and "find_contact" in unknown
    [wrong_kind] = _problems(_with_pair(replace(good, create="find_contact")))
    assert "'find_contact' is a search, not a create action" in wrong_kind


def test_validate_names_a_field_the_search_and_the_create_type_differently() -> None:
    search = CONTACTS.operation("find_contact")
    create = CONTACTS.operation("create_contact")
    listed = replace(search, input_fields=tuple(
        replace(f, type="list") if f.key == "email" else f for f in search.input_fields))
    pair = SearchOrCreate.of(listed, create, key="find_or_create_contact", label="Find or Create Contact",
                             description="Finds or creates a contact.")
    app = replace(CONTACTS, searches=tuple(listed if s.key == "find_contact" else s for s in CONTACTS.searches),
                  search_or_creates=(pair,))
    problems = _problems(app)
    assert any("input_fields.email" in p and "takes 'email' as list" in p for p in problems), problems


def test_validate_names_a_pair_built_by_hand_that_lacks_a_field() -> None:
    good = CONTACTS.operation("find_or_create_contact")
    short = replace(good, input_fields=tuple(f for f in good.input_fields if f.key != "phone"))
    problems = _problems(_with_pair(short))
    assert problems and all("'phone'" in p and "SearchOrCreate.of" in p for p in problems)
    loose = replace(good, input_fields=(*good.input_fields, Field("nickname")))
    assert _problems(_with_pair(loose)) == []
