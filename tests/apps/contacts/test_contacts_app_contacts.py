"""Stories about contacts: provisioning from Okta without duplicates, updating, finding, deleting."""

from __future__ import annotations

from typing import Any

import pytest
from test_contacts_app_conformance import link_to_business

from connector.apps.contacts.app import APP
from connector.context import Connection, Meta
from connector.errors import BadInput, ResponseError
from connector.manifest import validate_app
from connector.runtime import invoke
from connector.testing import OperationRunner
from sandboxes.contacts import ContactsSandbox


def test_the_contacts_app_manifest_has_no_problems() -> None:
    assert validate_app(APP) == []


def test_a_new_okta_user_becomes_one_contact_with_the_okta_id_kept(
    run: OperationRunner, sandbox: ContactsSandbox
) -> None:
    created = run.output("create_contact", {"name": "Grace Hopper", "email": "grace@example.com",
                                            "external_id": "00uGRACE"})
    assert created["outcome"] == "created"
    assert created["external_id"] == "00uGRACE"
    stored = sandbox.state.contacts[created["id"]]
    assert stored["email"] == "grace@example.com"
    assert [f["value"] for f in stored["customFields"]] == ["00uGRACE"]


def test_creating_a_contact_twice_with_the_same_email_leaves_one_contact(
    run: OperationRunner, sandbox: ContactsSandbox
) -> None:
    first = run.output("create_contact", {"first_name": "Ada", "email": "ada@example.com"})
    second = run.output("create_contact", {"first_name": "Ada", "email": "ADA@example.com", "external_id": "00uADA"})
    assert second["id"] == first["id"]
    assert (first["outcome"], second["outcome"]) == ("created", "found")
    assert second["external_id"] == "00uADA"  # the found contact got the Okta id it lacked
    assert len(sandbox.state.contacts) == 1


def test_a_replayed_create_finds_the_contact_by_its_okta_id_even_after_the_email_changed(
    run: OperationRunner, ada: dict[str, Any], sandbox: ContactsSandbox
) -> None:
    run.output("update_contact", {"contact_id": ada["id"], "email": "ada.l@example.com"})
    again = run.output("create_contact", {"first_name": "Ada", "email": "ada@example.com", "external_id": "00uADA"})
    assert again["id"] == ada["id"] and again["outcome"] == "found"
    assert len(sandbox.state.contacts) == 1


def test_a_contact_with_the_same_phone_is_found_rather_than_duplicated(
    run: OperationRunner, ada: dict[str, Any]
) -> None:
    again = run.output("create_contact", {"name": "A. Lovelace", "phone": "+1 (555) 010-0001"})
    assert again["id"] == ada["id"] and again["outcome"] == "found"


def test_a_contact_needs_an_email_a_phone_or_a_name(run: OperationRunner) -> None:
    with pytest.raises(BadInput) as caught:
        run.output("create_contact", {"company_name": "Nobody Inc"})
    assert caught.value.field == "email"


def test_updating_a_contact_changes_only_the_given_fields(run: OperationRunner, ada: dict[str, Any]) -> None:
    updated = run.output("update_contact", {"contact_id": ada["id"], "source": "Okta"})
    assert updated["source"] == "Okta"
    assert updated["email"] == "ada@example.com"
    assert updated["external_id"] == "00uADA"


def test_a_company_name_on_update_is_refused_before_any_call_because_highlevel_has_no_such_field(
    run: OperationRunner, ada: dict[str, Any], sandbox: ContactsSandbox
) -> None:
    assert "company_name" not in [field.key for field in APP.operation("update_contact").input_fields]
    with pytest.raises(BadInput) as caught:
        run.output("update_contact", {"contact_id": ada["id"], "company_name": "Analytical Engines"})
    assert caught.value.problems[0].field == "company_name"
    assert "is not an input of this operation" in caught.value.message
    assert sandbox.state.contacts[ada["id"]].get("companyName") is None


def test_updating_a_missing_contact_says_which_contact_and_what_to_do(run: OperationRunner) -> None:
    with pytest.raises(ResponseError) as caught:
        run.output("update_contact", {"contact_id": "nope", "name": "X"})
    assert "contact 'nope' was not found" in caught.value.message
    assert "pick one from the list" in caught.value.message


def test_deleting_a_contact_twice_is_done_once(
    run: OperationRunner, ada: dict[str, Any], sandbox: ContactsSandbox
) -> None:
    assert run.output("delete_contact", {"contact_id": ada["id"]}) == {"id": ada["id"], "outcome": "deleted"}
    assert ada["id"] not in sandbox.state.contacts
    assert run.output("delete_contact", {"contact_id": ada["id"]})["outcome"] == "already_deleted"


def test_find_contact_by_email_phone_or_okta_id(run: OperationRunner, ada: dict[str, Any]) -> None:
    assert [c["id"] for c in run.output("find_contact", {"email": "ADA@example.com"})] == [ada["id"]]
    assert [c["id"] for c in run.output("find_contact", {"phone": "15550100001"})] == [ada["id"]]
    assert [c["id"] for c in run.output("find_contact", {"external_id": "00uADA"})] == [ada["id"]]
    assert run.output("find_contact", {"email": "nobody@example.com"}) == []


def test_find_contact_without_any_criterion_names_the_field(run: OperationRunner) -> None:
    with pytest.raises(BadInput) as caught:
        run.output("find_contact", {})
    assert caught.value.field == "email"


def test_get_contact_returns_it_or_nothing(run: OperationRunner, ada: dict[str, Any]) -> None:
    assert run.output("get_contact", {"contact_id": ada["id"]})[0]["email"] == "ada@example.com"
    assert run.output("get_contact", {"contact_id": "missing"}) == []


def test_list_contacts_feeds_the_contact_picker_and_pages(run: OperationRunner, sandbox: ContactsSandbox) -> None:
    sandbox.seed_contacts(150, seed=3)
    everyone = run.output("list_contacts", {"limit": 1000})
    assert len(everyone) == 150 and len({c["id"] for c in everyone}) == 150
    assert len(run.output("list_contacts", {})) == 100
    one = everyone[7]
    assert [c["id"] for c in run.output("list_contacts", {"query": one["email"]})] == [one["id"]]
    picker = next(f for f in APP.operation("add_note").input_fields if f.key == "contact_id")
    assert picker.dynamic is not None and picker.dynamic.operation == "list_contacts"


def test_contacts_by_business_lists_only_that_business(run: OperationRunner, sandbox: ContactsSandbox) -> None:
    workers = [run.output("create_contact", {"name": f"Worker {n}",
                                             "email": f"w{n}@acme.test"})["id"] for n in range(3)]
    link_to_business(sandbox, workers, "biz_acme")
    run.output("create_contact", {"name": "Loner", "email": "loner@example.com"})
    found = run.output("contacts_by_business", {"business_id": "biz_acme", "limit": 2})
    assert len(found) == 2 and {c["businessId"] for c in found} == {"biz_acme"}
    assert len(run.output("contacts_by_business", {"business_id": "biz_acme"})) == 3
    assert run.output("contacts_by_business", {"business_id": "biz_none"}) == []


def test_a_trial_of_create_contact_is_the_same_replay_safe_call(run: OperationRunner) -> None:
    first = run.output("create_contact", {"email": "trial@example.com"}, Meta(trial=True))
    assert run.output("create_contact", {"email": "trial@example.com"})["id"] == first["id"]


def test_testing_the_connection_counts_the_locations_contacts_through_search(
    run: OperationRunner, sandbox: ContactsSandbox
) -> None:
    sandbox.seed_contacts(7)
    assert run.output("list_contacts", {}, step="test") == {"locationId": "loc_sandbox", "contacts": 7}


def test_without_the_custom_field_scopes_a_create_with_an_external_id_names_the_missing_field(
    sandbox: ContactsSandbox
) -> None:
    sandbox.register_oauth_client("narrow", "narrow-secret", ["http://127.0.0.1/cb"],
                                  ["contacts.readonly", "contacts.write"])
    token = sandbox.oauth.grant("narrow", "loc_sandbox")["access_token"]
    narrow = Connection(app="contacts", base_url=sandbox.base_url, transport=sandbox.transport(),
                        fields={"access_token": token, "expires_at": 4_000_000_000, "location_id": "loc_sandbox"})
    with pytest.raises(ResponseError) as caught:
        invoke(APP, "create_contact", narrow, {"email": "ada@example.com", "external_id": "00uADA"})
    assert "External ID (key contact.external_id)" in caught.value.message
    assert "locations/customFields.readonly" in caught.value.message
    assert not any(c.get("email") == "ada@example.com" for c in sandbox.state.contacts.values())
    made = invoke(APP, "create_contact", narrow, {"email": "ada@example.com"}).output  # no external id: fine
    assert made["outcome"] == "created" and made["external_id"] is None


def test_the_external_id_field_is_created_once_for_the_location(run: OperationRunner, sandbox: ContactsSandbox) -> None:
    run.output("create_contact", {"email": "a@example.com", "external_id": "1"})
    run.output("create_contact", {"email": "b@example.com", "external_id": "2"})
    [field] = sandbox.state.custom_fields["loc_sandbox"].values()
    assert (field["name"], field["fieldKey"], field["dataType"]) == ("External ID", "contact.external_id", "TEXT")
    assert [c["customFields"] for c in sandbox.state.contacts.values()] == [
        [{"id": field["id"], "value": "1"}], [{"id": field["id"], "value": "2"}]
    ]
