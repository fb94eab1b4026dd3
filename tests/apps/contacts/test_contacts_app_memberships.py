"""Stories about what a contact belongs to: followers, campaigns and workflows."""

from __future__ import annotations

from typing import Any

import pytest

from connector.errors import ResponseError
from connector.testing import OperationRunner
from sandboxes.contacts import ContactsSandbox


def test_followers_are_added_once_and_removed(run: OperationRunner, ada: dict[str, Any],
                                               sandbox: ContactsSandbox) -> None:
    added = run.output("add_followers", {"contact_id": ada["id"], "followers": ["usr_sales", "usr_it"]})
    assert (added["followers"], added["followersAdded"]) == (["usr_sales", "usr_it"], ["usr_sales", "usr_it"])
    again = run.output("add_followers", {"contact_id": ada["id"], "followers": ["usr_sales"]})
    assert (again["followers"], again["followersAdded"]) == (["usr_sales", "usr_it"], [])
    removed = run.output("remove_followers", {"contact_id": ada["id"], "followers": ["usr_sales", "usr_never"]})
    assert (removed["followers"], removed["followersRemoved"]) == (["usr_it"], ["usr_sales"])
    assert sandbox.state.followers[ada["id"]] == ["usr_it"]


def test_a_contact_joins_and_leaves_campaigns(run: OperationRunner, ada: dict[str, Any],
                                              sandbox: ContactsSandbox) -> None:
    for campaign in ("cmp_welcome", "cmp_renewal", "cmp_welcome"):
        joined = run.output("add_contact_to_campaign", {"contact_id": ada["id"], "campaign_id": campaign})
        assert joined == {"id": ada["id"], "succeeded": True, "campaign_id": campaign}
    assert set(sandbox.state.campaign_members[ada["id"]]) == {"cmp_welcome", "cmp_renewal"}
    run.output("remove_contact_from_campaign", {"contact_id": ada["id"], "campaign_id": "cmp_welcome"})
    assert set(sandbox.state.campaign_members[ada["id"]]) == {"cmp_renewal"}
    assert run.output("remove_contact_from_all_campaigns", {"contact_id": ada["id"]})["succeeded"] is True
    assert sandbox.state.campaign_members.get(ada["id"], {}) == {}
    assert run.output("remove_contact_from_all_campaigns", {"contact_id": ada["id"]})["succeeded"] is True


def test_a_contact_is_enrolled_in_a_workflow_from_a_moment_and_taken_out(
    run: OperationRunner, ada: dict[str, Any], sandbox: ContactsSandbox
) -> None:
    run.output("add_contact_to_workflow", {"contact_id": ada["id"], "workflow_id": "wf_onboarding",
                                           "event_start_time": "2026-06-01T09:00:00Z"})
    enrolment = sandbox.state.workflow_members[ada["id"]]["wf_onboarding"]
    assert enrolment["eventStartTime"] == "2026-06-01T09:00:00Z"
    out = run.output("remove_contact_from_workflow", {"contact_id": ada["id"], "workflow_id": "wf_onboarding"})
    assert out == {"id": ada["id"], "succeeded": True, "workflow_id": "wf_onboarding"}
    assert sandbox.state.workflow_members[ada["id"]] == {}


def test_an_unknown_campaign_workflow_or_contact_is_named_in_the_error(run: OperationRunner,
                                                                       ada: dict[str, Any]) -> None:
    with pytest.raises(ResponseError) as campaign:
        run.output("add_contact_to_campaign", {"contact_id": ada["id"], "campaign_id": "cmp_nope"})
    assert "campaign 'cmp_nope' was not found" in campaign.value.message
    with pytest.raises(ResponseError) as workflow:
        run.output("add_contact_to_workflow", {"contact_id": ada["id"], "workflow_id": "wf_nope"})
    assert "workflow 'wf_nope' was not found" in workflow.value.message
    with pytest.raises(ResponseError) as contact:
        run.output("add_followers", {"contact_id": "gone", "followers": ["usr_sales"]})
    assert "contact 'gone' was not found" in contact.value.message


def test_a_deleted_contact_takes_its_memberships_with_it(run: OperationRunner, ada: dict[str, Any],
                                                         sandbox: ContactsSandbox) -> None:
    run.output("add_followers", {"contact_id": ada["id"], "followers": ["usr_sales"]})
    run.output("add_contact_to_campaign", {"contact_id": ada["id"], "campaign_id": "cmp_welcome"})
    run.output("delete_contact", {"contact_id": ada["id"]})
    assert ada["id"] not in sandbox.state.followers and ada["id"] not in sandbox.state.campaign_members
