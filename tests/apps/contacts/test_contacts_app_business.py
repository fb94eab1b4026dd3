"""Stories about keeping contacts current: HighLevel's own upsert, and linking contacts to a business."""

from __future__ import annotations

from typing import Any

import pytest

from connector.errors import BadInput, ResponseError
from connector.testing import OperationRunner
from sandboxes.contacts import ContactsSandbox


def test_upsert_updates_the_person_with_the_same_email_and_creates_a_new_one_otherwise(
    run: OperationRunner, ada: dict[str, Any], sandbox: ContactsSandbox
) -> None:
    updated = run.output("upsert_contact", {"email": "ADA@example.com", "company_name": "Analytical Engines"})
    assert (updated["outcome"], updated["id"], updated["companyName"]) == ("updated", ada["id"], "Analytical Engines")
    created = run.output("upsert_contact", {"email": "grace@example.com", "first_name": "Grace",
                                            "external_id": "00uGRACE"})
    assert created["outcome"] == "created" and created["id"] != ada["id"]
    assert created["external_id"] == "00uGRACE"
    assert len(sandbox.state.contacts) == 2
    again = run.output("upsert_contact", {"email": "grace@example.com", "first_name": "Grace",
                                          "external_id": "00uGRACE"})
    assert (again["outcome"], again["id"]) == ("updated", created["id"])


def test_upsert_needs_an_email_or_a_phone_to_match_on(run: OperationRunner) -> None:
    with pytest.raises(BadInput) as caught:
        run.output("upsert_contact", {"first_name": "Nobody"})
    assert caught.value.field == "email"


def test_contacts_are_linked_to_a_business_found_by_it_and_unlinked(run: OperationRunner, ada: dict[str, Any]) -> None:
    grace = run.output("create_contact", {"name": "Grace Hopper", "email": "grace@example.com"})
    linked = run.output("link_contacts_to_business", {"contact_ids": [ada["id"], grace["id"]],
                                                      "business_id": "biz_acme"})
    assert linked == {"success": True, "ids": [ada["id"], grace["id"]], "businessId": "biz_acme"}
    members = run.output("contacts_by_business", {"business_id": "biz_acme"})
    assert {contact["id"] for contact in members} == {ada["id"], grace["id"]}
    run.output("link_contacts_to_business", {"contact_ids": [grace["id"]]})
    assert [contact["id"] for contact in run.output("contacts_by_business", {"business_id": "biz_acme"})] == [ada["id"]]
    assert run.output("get_contact", {"contact_id": grace["id"]})[0]["businessId"] is None


def test_linking_an_unknown_contact_links_none_of_them(run: OperationRunner, ada: dict[str, Any]) -> None:
    with pytest.raises(ResponseError) as caught:
        run.output("link_contacts_to_business", {"contact_ids": [ada["id"], "gone"], "business_id": "biz_acme"})
    assert "contact gone not found" in caught.value.message
    assert run.output("contacts_by_business", {"business_id": "biz_acme"}) == []
    with pytest.raises(BadInput):
        run.output("link_contacts_to_business", {"contact_ids": [f"c{n}" for n in range(101)],
                                                 "business_id": "biz_acme"})
