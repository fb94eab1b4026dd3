"""What a contact belongs to besides its own fields: its followers, campaigns and workflows.

* ``POST|DELETE /contacts/{id}/followers`` with ``{followers:[userId...]}`` add or remove users who
  follow the contact; the answers give every follower now, and ``followersAdded`` / ``followersRemoved``
  only the ones this call changed (repeats change nothing). Followers are not a field of the contact.
* ``POST|DELETE /contacts/{id}/campaigns/{campaignId}`` add the contact to a campaign or take it out;
  ``DELETE /contacts/{id}/campaigns/removeAll`` takes it out of every campaign. Answers ``{succeded:true}``
  (sic): 201 on add, 200 on removal.
* ``POST|DELETE /contacts/{id}/workflow/{workflowId}`` enrol the contact in a workflow (optionally from
  ``eventStartTime``) or take it out; answers 200 ``{succeded:true}``.

HighLevel does not document what happens with an unknown campaign or workflow id. The sandbox knows the
location's campaigns and workflows (:class:`ContactsSettings` ``campaigns`` / ``workflows``) and answers
an unknown id 400 "Campaign not found" / "Workflow not found", HighLevel's wording for unknown records.
Taking a contact out of something it is not in succeeds and changes nothing, so removals can be replayed.
A contact that is unknown is 400 "Contact not found"; of another location, 403.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Blueprint, Response, jsonify

from sandboxes.contacts.contacts import load_contact
from sandboxes.contacts.errors import bad_request, unprocessable
from sandboxes.contacts.state import ContactsState
from sandboxes.contacts.validation import check_body, json_object

#: The literal segment ``removeAll`` is not a campaign id; Flask tries the literal route first.
REMOVE_ALL = "removeAll"


def memberships_blueprint(
    state: ContactsState,
    campaigns: Callable[[], Mapping[str, str]],
    workflows: Callable[[], Mapping[str, str]],
) -> Blueprint:
    """The follower, campaign and workflow routes; ``campaigns``/``workflows`` give the known ids."""
    blueprint = Blueprint("contacts_memberships", __name__)

    def followers_body() -> list[str]:
        body = json_object()
        check_body(body, {"followers": "string_list"}, required=("followers",))
        if not body["followers"]:
            raise unprocessable(["followers should not be empty"])
        return list(dict.fromkeys(user.strip() for user in body["followers"] if user.strip()))

    @blueprint.post("/contacts/<contact_id>/followers")
    def add_followers(contact_id: str) -> tuple[Response, int]:
        given = followers_body()
        with state.lock:
            load_contact(state, contact_id)
            now = state.followers.setdefault(contact_id, [])
            added = [user for user in given if user not in now]
            now.extend(added)
            return jsonify(followers=list(now), followersAdded=added), 201

    @blueprint.delete("/contacts/<contact_id>/followers")
    def remove_followers(contact_id: str) -> Response:
        given = followers_body()
        with state.lock:
            load_contact(state, contact_id)
            now = state.followers.get(contact_id, [])
            removed = [user for user in now if user in given]
            state.followers[contact_id] = [user for user in now if user not in given]
            return jsonify(followers=list(state.followers[contact_id]), followersRemoved=removed)

    def known(kind: str, ids: Mapping[str, str], record_id: str) -> None:
        if record_id not in ids:
            raise bad_request(f"{kind} not found")

    @blueprint.delete(f"/contacts/<contact_id>/campaigns/{REMOVE_ALL}")
    def leave_every_campaign(contact_id: str) -> Response:
        with state.lock:
            load_contact(state, contact_id)
            state.campaign_members.pop(contact_id, None)
        return jsonify(succeded=True)

    @blueprint.post("/contacts/<contact_id>/campaigns/<campaign_id>")
    def join_campaign(contact_id: str, campaign_id: str) -> tuple[Response, int]:
        check_body(json_object(), {})  # AddContactToCampaignDto has no fields
        with state.lock:
            load_contact(state, contact_id)
            known("Campaign", campaigns(), campaign_id)
            state.campaign_members.setdefault(contact_id, {}).setdefault(campaign_id, state.now_iso())
        return jsonify(succeded=True), 201

    @blueprint.delete("/contacts/<contact_id>/campaigns/<campaign_id>")
    def leave_campaign(contact_id: str, campaign_id: str) -> Response:
        with state.lock:
            load_contact(state, contact_id)
            known("Campaign", campaigns(), campaign_id)
            state.campaign_members.get(contact_id, {}).pop(campaign_id, None)
        return jsonify(succeded=True)

    def workflow_body() -> str | None:
        body = json_object()
        check_body(body, {"eventStartTime": "date"})
        start = body.get("eventStartTime")
        return str(start) if start is not None else None

    @blueprint.post("/contacts/<contact_id>/workflow/<workflow_id>")
    def enrol(contact_id: str, workflow_id: str) -> Response:
        start = workflow_body()
        with state.lock:
            load_contact(state, contact_id)
            known("Workflow", workflows(), workflow_id)
            enrolment = {"enrolledAt": state.now_iso(), "eventStartTime": start}
            state.workflow_members.setdefault(contact_id, {})[workflow_id] = enrolment
        return jsonify(succeded=True)

    @blueprint.delete("/contacts/<contact_id>/workflow/<workflow_id>")
    def unenrol(contact_id: str, workflow_id: str) -> Response:
        workflow_body()
        with state.lock:
            load_contact(state, contact_id)
            known("Workflow", workflows(), workflow_id)
            state.workflow_members.get(contact_id, {}).pop(workflow_id, None)
        return jsonify(succeded=True)

    return blueprint
