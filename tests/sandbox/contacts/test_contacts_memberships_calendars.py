"""The Contacts sandbox's newer routes refuse what HighLevel refuses: the calendars' own API version and
scopes, bulk tag calls that break their rules, and follower and campaign calls without what they need."""

from __future__ import annotations

import httpx
from contacts_doubles import LOCATION, ClientFactory, OAuthDance

from sandboxes.contacts import ContactsSandbox

CALENDARS = {"Version": "2021-04-15"}


def _contact(api: httpx.Client, email: str = "ada@example.com") -> str:
    return str(api.post("/contacts/", json={"locationId": LOCATION, "email": email}).json()["contact"]["id"])


def test_the_calendar_routes_want_the_calendars_version(api: httpx.Client) -> None:
    contact_id = _contact(api)
    booking = {"calendarId": "cal_sales", "locationId": LOCATION, "contactId": contact_id,
               "startTime": "2026-05-04T10:00:00Z"}
    wrong = api.post("/calendars/events/appointments", json=booking)
    assert wrong.status_code == 400 and "2021-04-15" in wrong.json()["message"]
    booked = api.post("/calendars/events/appointments", json=booking, headers=CALENDARS)
    assert booked.status_code == 200 and booked.json()["endTime"] == "2026-05-04T10:30:00Z"
    assert api.get(f"/calendars/events/appointments/{booked.json()['id']}", headers=CALENDARS).json()["event"][
        "assignedUserId"] == "usr_sandbox"


def test_a_booking_with_missing_fields_is_a_400_naming_them(api: httpx.Client) -> None:
    refused = api.post("/calendars/events/appointments", json={"locationId": LOCATION}, headers=CALENDARS)
    assert refused.status_code == 400
    assert "calendarId should not be empty" in refused.json()["message"]
    assert "contactId should not be empty" in refused.json()["message"]


def test_a_contacts_token_cannot_book_without_the_calendar_scope(
    oauth: OAuthDance, client_for: ClientFactory, api: httpx.Client
) -> None:
    contact_id = _contact(api)
    tokens = oauth.exchange_code(oauth.authorize(scope="contacts.readonly contacts.write")).json()
    booking = {"calendarId": "cal_sales", "locationId": LOCATION, "contactId": contact_id,
               "startTime": "2026-05-04T10:00:00Z"}
    refused = client_for(tokens["access_token"]).post("/calendars/events/appointments", json=booking,
                                                      headers=CALENDARS)
    assert refused.status_code == 401 and refused.json()["message"] == "The token is not authorized for this scope."


def test_bulk_tags_report_each_contact_and_refuse_broken_calls(api: httpx.Client, sandbox: ContactsSandbox) -> None:
    mine = _contact(api)
    other = sandbox.seed_contacts(1, location_id="loc_other")[0]
    answer = api.post("/contacts/bulk/tags/update/add",
                      json={"locationId": LOCATION, "contacts": [mine, other, "nope"], "tags": ["VIP"]})
    assert answer.status_code == 201
    assert answer.json()["errorCount"] == 2 and answer.json()["succeded"] is False
    assert [r["message"] for r in answer.json()["responses"]] == [
        "Tags updated", "contact does not belong to location", "contact not found"]
    assert sandbox.state.contacts[other]["tags"] == []
    wrong_kind = api.post("/contacts/bulk/tags/update/swap", json={"locationId": LOCATION, "contacts": [mine],
                                                                  "tags": ["vip"]})
    assert wrong_kind.status_code == 422
    remove_all_on_add = api.post("/contacts/bulk/tags/update/add", json={
        "locationId": LOCATION, "contacts": [mine], "tags": [], "removeAllTags": True})
    assert remove_all_on_add.status_code == 422
    assert remove_all_on_add.json()["message"] == ["removeAllTags can only be used with remove"]


def test_followers_need_a_list_and_campaigns_a_body(api: httpx.Client, sandbox: ContactsSandbox) -> None:
    contact_id = _contact(api)
    assert api.post(f"/contacts/{contact_id}/followers", json={"followers": []}).status_code == 422
    assert api.post(f"/contacts/{contact_id}/followers", json={"followers": "usr_a"}).status_code == 422
    assert api.post(f"/contacts/{contact_id}/campaigns/cmp_welcome").status_code == 400
    assert api.post(f"/contacts/{contact_id}/campaigns/cmp_welcome", json={}).status_code == 201
    assert api.delete(f"/contacts/{contact_id}/campaigns/removeAll").json() == {"succeded": True}
    assert sandbox.state.campaign_members.get(contact_id, {}) == {}


def test_appointment_notes_need_limit_and_offset_and_a_short_body(api: httpx.Client) -> None:
    contact_id = _contact(api)
    booked = api.post("/calendars/events/appointments", headers=CALENDARS, json={
        "calendarId": "cal_sales", "locationId": LOCATION, "contactId": contact_id,
        "startTime": "2026-05-04T10:00:00Z"}).json()
    notes = f"/calendars/appointments/{booked['id']}/notes"
    assert api.get(notes, headers=CALENDARS).status_code == 400
    assert api.get(notes, params={"limit": 21, "offset": 0}, headers=CALENDARS).status_code == 400
    assert api.post(notes, json={"body": "x" * 5001}, headers=CALENDARS).status_code == 400
    added = api.post(notes, json={"body": "Agenda sent"}, headers=CALENDARS)
    assert added.status_code == 201 and added.json()["note"]["contactId"] == contact_id
    page = api.get(notes, params={"limit": 20, "offset": 0}, headers=CALENDARS).json()
    assert page["hasMore"] is False and [n["body"] for n in page["notes"]] == ["Agenda sent"]
    missing = api.put(f"{notes}/nope", json={"body": "x"}, headers=CALENDARS)
    assert missing.status_code == 400 and missing.json()["message"] == "Note not found"


def test_a_time_without_a_zone_is_taken_as_utc_and_still_checked_for_clashes(api: httpx.Client) -> None:
    contact_id = _contact(api)
    booking = {"calendarId": "cal_sales", "locationId": LOCATION, "contactId": contact_id}
    first = api.post("/calendars/events/appointments", headers=CALENDARS,
                     json={**booking, "startTime": "2026-05-04T10:00:00Z"})
    assert first.status_code == 200
    clash = api.post("/calendars/events/appointments", headers=CALENDARS,
                     json={**booking, "startTime": "2026-05-04T10:15:00"})
    assert clash.status_code == 400 and clash.json()["message"] == "The slot you have selected is no longer available"
