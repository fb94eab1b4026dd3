"""Attendances and time-offs: a team lead records a week's work and a vacation, then tidies up.

Every call goes through the one runtime path to the Personio sandbox, whose answers and the connector's
requests the session checks against Personio's document (``docs/contracts/personio.openapi.json``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from connector.errors import BadInput, ResponseError
from sandboxes.personio import PersonioSandbox

Run = Callable[..., Any]


@pytest.fixture
def run(run: Any) -> Run:
    """The plugin's runner answering with the output alone: these stories read outputs."""
    return lambda *args, **kwargs: run(*args, **kwargs).output


@pytest.fixture
def ada(personio_sandbox: PersonioSandbox) -> int:
    personio_sandbox.seed_employees(3)
    return int(personio_sandbox.create_employee(email="ada@example.com", first_name="Ada", last_name="Lovelace")["id"])


def test_a_week_of_attendance_is_recorded_listed_and_a_mistake_deleted(run: Run, ada: int) -> None:
    made = [run("create_attendance", {"employee_id": ada, "date": f"2026-03-0{n}", "start_time": "09:00",
                                      "end_time": "17:30", "break_minutes": 30, "comment": f"day {n}"})
            for n in range(2, 7)]
    assert [a["status"] for a in made] == ["confirmed"] * 5
    assert made[0]["break_minutes"] == 30 and made[0]["employee_id"] == ada and made[0]["comment"] == "day 2"

    week = run("list_attendances", {"start_date": "2026-03-02", "end_date": "2026-03-06", "employee_ids": [ada]})
    assert [a["date"] for a in week] == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"]
    assert run("list_attendances", {"start_date": "2026-03-03", "end_date": "2026-03-03"}) == [made[1]]
    two = run("list_attendances", {"start_date": "2026-03-01", "end_date": "2026-03-31", "limit": 2})
    assert [a["id"] for a in two] == [made[0]["id"], made[1]["id"]]

    assert run("delete_attendance", {"attendance_id": made[4]["id"]}) == {"id": made[4]["id"], "deleted": True}
    after = run("list_attendances", {"start_date": "2026-03-01", "end_date": "2026-03-31"})
    assert [a["id"] for a in after] == [a["id"] for a in made[:4]]
    with pytest.raises(ResponseError, match="attendance period was not found"):
        run("delete_attendance", {"attendance_id": made[4]["id"]})


def test_recording_the_same_attendance_twice_returns_the_first(run: Run, ada: int,
                                                              personio_sandbox: PersonioSandbox) -> None:
    period = {"employee_id": ada, "date": "2026-03-09", "start_time": "08:00", "end_time": "12:00"}
    first, replay = run("create_attendance", period), run("create_attendance", period)
    assert first == replay
    assert len(personio_sandbox.attendances.periods) == 1


def test_pending_attendances_are_listed_only_when_asked(run: Run, ada: int) -> None:
    pending = run("create_attendance", {"employee_id": ada, "date": "2026-03-10", "start_time": "10:00",
                                        "end_time": "11:00", "skip_approval": False})
    assert pending["status"] == "pending"
    window = {"start_date": "2026-03-10", "end_date": "2026-03-10"}
    assert run("list_attendances", window) == []
    assert run("list_attendances", {**window, "include_pending": True}) == [pending]


def test_an_overlapping_attendance_is_refused_with_personios_reason(run: Run, ada: int) -> None:
    run("create_attendance", {"employee_id": ada, "date": "2026-03-11", "start_time": "09:00", "end_time": "17:00"})
    with pytest.raises(ResponseError, match="Error when trying to insert Attendances periods rows"):
        run("create_attendance", {"employee_id": ada, "date": "2026-03-11", "start_time": "12:00",
                                  "end_time": "13:00"})


def test_bad_attendance_input_names_the_field_before_any_call(run: Run, ada: int) -> None:
    for values, field in (
        ({"employee_id": ada, "date": "11/03/2026", "start_time": "09:00"}, "date"),
        ({"employee_id": ada, "date": "2026-03-11", "start_time": "9am"}, "start_time"),
        ({"employee_id": ada, "date": "2026-03-11", "start_time": "09:00", "end_time": "25:00"}, "end_time"),
    ):
        with pytest.raises(BadInput) as refused:
            run("create_attendance", values)
        assert refused.value.field == field
    with pytest.raises(BadInput) as refused:
        run("list_attendances", {"start_date": "2026-03-01"})
    assert refused.value.field == "end_date"


def test_a_vacation_is_booked_with_a_type_from_the_list_counted_and_cancelled(run: Run, ada: int) -> None:
    types = {t["name"]: t for t in run("list_time_off_types", {})}
    assert types["Paid vacation"]["unit"] == "day" and types["Home office"]["unit"] == "hour"
    vacation = run("create_time_off", {"employee_id": ada, "time_off_type_id": types["Paid vacation"]["id"],
                                       "start_date": "2026-03-05", "end_date": "2026-03-09",
                                       "half_day_end": True, "comment": "Ski trip"})
    assert (vacation["start_date"], vacation["end_date"], vacation["days_count"]) == ("2026-03-05", "2026-03-09", 2.5)
    assert vacation["time_off_type_name"] == "Paid vacation" and vacation["employee_email"] == "ada@example.com"
    assert vacation["status"] == "approved"

    assert run("create_time_off", {"employee_id": ada, "time_off_type_id": types["Paid vacation"]["id"],
                                   "start_date": "2026-03-05", "end_date": "2026-03-09",
                                   "half_day_end": True}) == vacation  # a replay finds it
    by_hand = run("api_request", {"path": f"/v1/company/time-offs/{vacation['id']}"})  # no operation reads one
    assert by_hand["status"] == 200 and by_hand["body"]["data"]["attributes"]["days_count"] == 2.5
    march = run("list_time_offs", {"start_date": "2026-03-01", "end_date": "2026-03-31", "employee_ids": [ada]})
    assert [t["id"] for t in march] == [vacation["id"]]
    assert run("list_time_offs", {"start_date": "2026-04-01"}) == []

    assert run("delete_time_off", {"time_off_id": vacation["id"]}) == {"id": vacation["id"], "deleted": True}
    assert run("list_time_offs", {"employee_ids": [ada]}) == []


def test_time_offs_personio_refuses_say_why(run: Run, ada: int, personio_sandbox: PersonioSandbox) -> None:
    home_office = next(t["id"] for t in run("list_time_off_types", {}) if t["unit"] == "hour")
    with pytest.raises(ResponseError, match="counted in hours"):
        run("create_time_off", {"employee_id": ada, "time_off_type_id": home_office,
                                "start_date": "2026-03-05", "end_date": "2026-03-05"})
    with pytest.raises(ResponseError, match="Time-off type not found"):
        run("create_time_off", {"employee_id": ada, "time_off_type_id": 999,
                                "start_date": "2026-03-05", "end_date": "2026-03-05"})
    with pytest.raises(BadInput) as refused:
        run("create_time_off", {"employee_id": ada, "time_off_type_id": 1,
                                "start_date": "2026-03-05", "end_date": "2026-03-04"})
    assert refused.value.field == "end_date"
    sick = personio_sandbox.time_offs.define_type("Long leave", category="other")
    run("create_time_off", {"employee_id": ada, "time_off_type_id": sick, "start_date": "2026-05-04",
                            "end_date": "2026-05-08"})
    with pytest.raises(ResponseError, match="overlaps time-off"):
        run("create_time_off", {"employee_id": ada, "time_off_type_id": 1, "start_date": "2026-05-06",
                                "end_date": "2026-05-06"})


def test_the_sandbox_validates_a_time_off_form_field_by_field(personio_sandbox: PersonioSandbox,
                                                              connection: Any) -> None:
    """What a client that skips the connector's checks meets: 422 with ``error_data`` per field."""
    import httpx

    from sandboxes.personio import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

    http = httpx.Client(transport=personio_sandbox.transport(), base_url=personio_sandbox.base_url)
    token = http.post("/v1/auth", json={"client_id": DEFAULT_CLIENT_ID,
                                        "client_secret": DEFAULT_CLIENT_SECRET}).json()["data"]["token"]
    answer = http.post("/v1/company/time-offs", data={"employee_id": "x", "start_date": "2026-13-01"},
                       headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 422
    assert set(answer.json()["error"]["error_data"]) == {
        "employee_id", "time_off_type_id", "start_date", "end_date", "half_day_start", "half_day_end"}
