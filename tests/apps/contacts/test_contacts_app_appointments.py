"""Stories about a contact's appointments: booked, found again on a replay, moved, read and deleted."""

from __future__ import annotations

from typing import Any

import pytest

from connector.errors import BadInput, ResponseError
from connector.testing import HookReceiver, OperationRunner
from sandboxes.contacts import ContactsSandbox

MONDAY_10 = "2026-05-04T10:00:00Z"


def test_an_appointment_is_booked_once_even_when_the_step_is_replayed(
    run: OperationRunner, ada: dict[str, Any], sandbox: ContactsSandbox, hook_receiver: HookReceiver
) -> None:
    booking = {"contact_id": ada["id"], "calendar_id": "cal_sales", "start_time": MONDAY_10, "title": "Kick-off"}
    first = run.output("book_appointment", booking)
    again = run.output("book_appointment", booking)
    assert (first["outcome"], again["outcome"], again["id"]) == ("created", "found", first["id"])
    assert (first["contactId"], first["title"], first["endTime"][:16]) == (ada["id"], "Kick-off", "2026-05-04T10:30")
    listed = run.output("contact_appointments", {"contact_id": ada["id"]})
    assert [event["id"] for event in listed] == [first["id"]]
    (delivery,) = hook_receiver.where(type="AppointmentCreate")
    assert delivery.json()["appointment"]["id"] == first["id"]


def test_a_taken_slot_is_refused_unless_the_booking_overrides_it(run: OperationRunner, ada: dict[str, Any]) -> None:
    grace = run.output("create_contact", {"name": "Grace Hopper", "email": "grace@example.com"})
    run.output("book_appointment", {"contact_id": ada["id"], "calendar_id": "cal_sales", "start_time": MONDAY_10})
    overlapping = {"contact_id": grace["id"], "calendar_id": "cal_sales", "start_time": "2026-05-04T10:15:00Z"}
    with pytest.raises(ResponseError) as caught:
        run.output("book_appointment", overlapping)
    assert "no longer available" in caught.value.message
    assert run.output("book_appointment", {**overlapping, "ignore_free_slots": True})["outcome"] == "created"
    other_calendar = run.output("book_appointment", {**overlapping, "calendar_id": "cal_support"})
    assert other_calendar["calendarId"] == "cal_support"


def test_an_appointment_is_moved_confirmed_and_read_back(
    run: OperationRunner, ada: dict[str, Any], hook_receiver: HookReceiver
) -> None:
    booked = run.output("book_appointment", {"contact_id": ada["id"], "calendar_id": "cal_sales",
                                             "start_time": MONDAY_10})
    moved = run.output("update_appointment", {"appointment_id": booked["id"], "start_time": "2026-05-05T14:00:00Z",
                                              "end_time": "2026-05-05T15:00:00Z", "appointment_status": "confirmed"})
    assert (moved["id"], moved["startTime"], moved["appointmentStatus"]) == (
        booked["id"], "2026-05-05T14:00:00Z", "confirmed")
    (read,) = run.output("get_appointment", {"appointment_id": booked["id"]})
    assert (read["endTime"], read["appointmentStatus"], read["contactId"]) == ("2026-05-05T15:00:00Z", "confirmed",
                                                                              ada["id"])
    assert [d.json()["appointment"]["startTime"] for d in hook_receiver.where(type="AppointmentUpdate")] == [
        "2026-05-05T14:00:00Z"]


def test_an_end_before_the_start_is_refused_and_changes_nothing(run: OperationRunner, ada: dict[str, Any]) -> None:
    booked = run.output("book_appointment", {"contact_id": ada["id"], "calendar_id": "cal_sales",
                                             "start_time": MONDAY_10})
    with pytest.raises(ResponseError) as caught:
        run.output("update_appointment", {"appointment_id": booked["id"], "end_time": "2026-05-04T09:00:00Z"})
    assert "endTime must be after startTime" in caught.value.message
    assert run.output("get_appointment", {"appointment_id": booked["id"]})[0]["startTime"] == MONDAY_10


def test_a_deleted_appointment_is_gone_and_deleting_it_again_is_fine(run: OperationRunner, ada: dict[str, Any]) -> None:
    booked = run.output("book_appointment", {"contact_id": ada["id"], "calendar_id": "cal_sales",
                                             "start_time": MONDAY_10})
    assert run.output("delete_appointment", {"appointment_id": booked["id"]})["outcome"] == "deleted"
    assert run.output("delete_appointment", {"appointment_id": booked["id"]})["outcome"] == "already_deleted"
    assert run.output("get_appointment", {"appointment_id": booked["id"]}) == []
    assert run.output("contact_appointments", {"contact_id": ada["id"]}) == []


def test_bad_bookings_say_what_is_wrong(run: OperationRunner, ada: dict[str, Any], sandbox: ContactsSandbox) -> None:
    with pytest.raises(BadInput) as no_zone:
        run.output("book_appointment", {"contact_id": ada["id"], "calendar_id": "cal_sales",
                                        "start_time": "next tuesday"})
    assert no_zone.value.field == "start_time"
    with pytest.raises(ResponseError) as no_contact:
        run.output("book_appointment", {"contact_id": "gone", "calendar_id": "cal_sales", "start_time": MONDAY_10})
    assert "contact 'gone' was not found" in no_contact.value.message
    with pytest.raises(ResponseError) as no_appointment:
        run.output("update_appointment", {"appointment_id": "gone", "title": "x"})
    assert "appointment 'gone' was not found" in no_appointment.value.message
    assert sandbox.state.appointments.get(ada["id"], []) == []


def test_notes_on_an_appointment_are_added_listed_newest_first_rewritten_and_deleted(
    run: OperationRunner, ada: dict[str, Any], sandbox: ContactsSandbox
) -> None:
    booked = run.output("book_appointment", {"contact_id": ada["id"], "calendar_id": "cal_sales",
                                             "start_time": MONDAY_10})
    on_it = {"appointment_id": booked["id"]}
    first = run.output("add_appointment_note", {**on_it, "body": "Agenda sent"})
    assert (first["contactId"], first["userId"], first["createdBy"]["name"]) == (ada["id"], "usr_sandbox",
                                                                               "Sandbox User")
    for n in range(24):
        run.output("add_appointment_note", {**on_it, "body": f"note {n}", "user_id": "usr_sales"})
    listed = run.output("appointment_notes", {**on_it, "limit": 500})
    assert len(listed) == 25 and listed[0]["body"] == "note 23" and listed[-1]["id"] == first["id"]
    assert len(run.output("appointment_notes", {**on_it, "limit": 5})) == 5
    edited = run.output("update_appointment_note", {**on_it, "note_id": first["id"], "body": "Agenda and slides"})
    assert (edited["id"], edited["body"]) == (first["id"], "Agenda and slides")
    gone = {**on_it, "note_id": first["id"]}
    assert run.output("delete_appointment_note", gone)["outcome"] == "deleted"
    assert run.output("delete_appointment_note", gone)["outcome"] == "already_deleted"
    run.output("delete_appointment", on_it)
    assert run.output("appointment_notes", on_it) == [] and booked["id"] not in sandbox.state.appointment_notes


def test_a_note_on_a_missing_appointment_is_refused_naming_it(run: OperationRunner) -> None:
    with pytest.raises(ResponseError) as caught:
        run.output("add_appointment_note", {"appointment_id": "gone", "body": "hello"})
    assert "appointment 'gone' was not found" in caught.value.message
