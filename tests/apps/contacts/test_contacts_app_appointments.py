"""Stories about a contact's appointments: booked, found again on a replay, moved, read and deleted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from contacts_app_doubles import HookReceiver

from connector.errors import BadInput, ResponseError
from sandboxes.contacts import ContactsSandbox

Run = Callable[..., Any]
MONDAY_10 = "2026-05-04T10:00:00Z"


def test_an_appointment_is_booked_once_even_when_the_step_is_replayed(
    run: Run, ada: dict[str, Any], sandbox: ContactsSandbox, receiver: HookReceiver
) -> None:
    booking = {"contact_id": ada["id"], "calendar_id": "cal_sales", "start_time": MONDAY_10, "title": "Kick-off"}
    first = run("book_appointment", booking)
    again = run("book_appointment", booking)
    assert (first["outcome"], again["outcome"], again["id"]) == ("created", "found", first["id"])
    assert (first["contactId"], first["title"], first["endTime"][:16]) == (ada["id"], "Kick-off", "2026-05-04T10:30")
    listed = run("contact_appointments", {"contact_id": ada["id"]})
    assert [event["id"] for event in listed] == [first["id"]]
    (delivery,) = receiver.of_type("AppointmentCreate")
    assert delivery.json()["appointment"]["id"] == first["id"]


def test_a_taken_slot_is_refused_unless_the_booking_overrides_it(run: Run, ada: dict[str, Any]) -> None:
    grace = run("create_contact", {"name": "Grace Hopper", "email": "grace@example.com"})
    run("book_appointment", {"contact_id": ada["id"], "calendar_id": "cal_sales", "start_time": MONDAY_10})
    overlapping = {"contact_id": grace["id"], "calendar_id": "cal_sales", "start_time": "2026-05-04T10:15:00Z"}
    with pytest.raises(ResponseError) as caught:
        run("book_appointment", overlapping)
    assert "no longer available" in caught.value.message
    assert run("book_appointment", {**overlapping, "ignore_free_slots": True})["outcome"] == "created"
    other_calendar = run("book_appointment", {**overlapping, "calendar_id": "cal_support"})
    assert other_calendar["calendarId"] == "cal_support"


def test_an_appointment_is_moved_confirmed_and_read_back(
    run: Run, ada: dict[str, Any], receiver: HookReceiver
) -> None:
    booked = run("book_appointment", {"contact_id": ada["id"], "calendar_id": "cal_sales", "start_time": MONDAY_10})
    moved = run("update_appointment", {"appointment_id": booked["id"], "start_time": "2026-05-05T14:00:00Z",
                                       "end_time": "2026-05-05T15:00:00Z", "appointment_status": "confirmed"})
    assert (moved["id"], moved["startTime"], moved["appointmentStatus"]) == (
        booked["id"], "2026-05-05T14:00:00Z", "confirmed")
    (read,) = run("get_appointment", {"appointment_id": booked["id"]})
    assert (read["endTime"], read["appointmentStatus"], read["contactId"]) == ("2026-05-05T15:00:00Z", "confirmed",
                                                                              ada["id"])
    assert [d.json()["appointment"]["startTime"] for d in receiver.of_type("AppointmentUpdate")] == [
        "2026-05-05T14:00:00Z"]


def test_an_end_before_the_start_is_refused_and_changes_nothing(run: Run, ada: dict[str, Any]) -> None:
    booked = run("book_appointment", {"contact_id": ada["id"], "calendar_id": "cal_sales", "start_time": MONDAY_10})
    with pytest.raises(ResponseError) as caught:
        run("update_appointment", {"appointment_id": booked["id"], "end_time": "2026-05-04T09:00:00Z"})
    assert "endTime must be after startTime" in caught.value.message
    assert run("get_appointment", {"appointment_id": booked["id"]})[0]["startTime"] == MONDAY_10


def test_a_deleted_appointment_is_gone_and_deleting_it_again_is_fine(run: Run, ada: dict[str, Any]) -> None:
    booked = run("book_appointment", {"contact_id": ada["id"], "calendar_id": "cal_sales", "start_time": MONDAY_10})
    assert run("delete_appointment", {"appointment_id": booked["id"]})["outcome"] == "deleted"
    assert run("delete_appointment", {"appointment_id": booked["id"]})["outcome"] == "already_deleted"
    assert run("get_appointment", {"appointment_id": booked["id"]}) == []
    assert run("contact_appointments", {"contact_id": ada["id"]}) == []


def test_bad_bookings_say_what_is_wrong(run: Run, ada: dict[str, Any], sandbox: ContactsSandbox) -> None:
    with pytest.raises(BadInput) as no_zone:
        run("book_appointment", {"contact_id": ada["id"], "calendar_id": "cal_sales", "start_time": "next tuesday"})
    assert no_zone.value.field == "start_time"
    with pytest.raises(ResponseError) as no_contact:
        run("book_appointment", {"contact_id": "gone", "calendar_id": "cal_sales", "start_time": MONDAY_10})
    assert "contact 'gone' was not found" in no_contact.value.message
    with pytest.raises(ResponseError) as no_appointment:
        run("update_appointment", {"appointment_id": "gone", "title": "x"})
    assert "appointment 'gone' was not found" in no_appointment.value.message
    assert sandbox.state.appointments.get(ada["id"], []) == []
