"""The user's story: Personio employees and HighLevel contacts kept equal both ways, latest change wins."""

from __future__ import annotations

import pytest
from sync_world import DEMO_SPEC, SyncWorld

from auth.personio import handler as personio_auth
from connector.context import Context
from connector.errors import BadInput
from connector.http import make_client
from connector.records import RecordUpdate
from emulator.sync.engine import SyncEngine, SyncStopped
from emulator.sync.spec import Side


def test_a_first_sync_links_by_email_and_creates_the_rest(world: SyncWorld) -> None:
    ada = world.hire("ada@example.com", "Ada", "Lovelace")
    world.hire("grace@example.com", "Grace", "Hopper")
    contact = world.add_contact("ADA@example.com", "Ada", "Byron")
    engine = world.engine()
    sync = engine.create(DEMO_SPEC)

    preview = engine.preview(sync["id"])
    assert preview["counts"]["link"] == 1 and preview["counts"]["create"] == 1
    assert world.transports["contacts"].writes == [] and world.transports["personio"].writes == []

    report = engine.run_cycle(sync["id"])
    assert report.linked == 1 and report.created == {"left": 0, "right": 1}
    emails = sorted(c["email"] for c in world.contacts_list())
    assert emails == ["ada@example.com", "grace@example.com"]
    assert world.employee(ada)["last_name"] in ("Lovelace", "Byron")
    assert world.contact(contact)["lastName"] == world.employee(ada)["last_name"]

    again = engine.run_cycle(sync["id"])
    assert again.updated == {"left": 0, "right": 0} and again.created == {"left": 0, "right": 0}


def _linked(world: SyncWorld) -> tuple[SyncEngine, str, str, str]:
    employee = world.hire("ada@example.com", "Ada", "Lovelace")
    engine = world.engine()
    sync = engine.create(DEMO_SPEC)
    engine.run_cycle(sync["id"])
    (contact,) = [c["id"] for c in world.contacts_list()]
    world.clock.advance(30)
    engine.run_cycle(sync["id"])  # settles the clock estimates and the cursors
    return engine, sync["id"], employee, contact


def test_two_opposite_edits_one_and_a_half_seconds_apart_settle_in_one_cycle_the_latest_winning(
        world: SyncWorld) -> None:
    engine, sync_id, employee, contact = _linked(world)
    world.clock.advance(10)
    world.edit_employee(employee, last_name="Personio-Edit")
    world.clock.advance(1.5)
    world.edit_contact(contact, lastName="Contacts-Edit")
    world.clock.advance(5)

    report = engine.run_cycle(sync_id)

    assert report.conflicts == 1
    assert world.employee(employee)["last_name"] == "Contacts-Edit"
    assert world.contact(contact)["lastName"] == "Contacts-Edit"
    (won,) = world.sync_store.audit_entries(sync_id, reason="conflict won")
    (lost,) = world.sync_store.audit_entries(sync_id, reason="conflict lost")
    assert (won["direction"], won["field"], won["old"], won["new"]) == (
        "right_to_left", "last_name", "Personio-Edit", "Contacts-Edit")
    assert lost["new"] == "Personio-Edit"
    assert won["left_modified"] is not None and won["right_modified"] is not None

    writes = (len(world.transports["personio"].writes), len(world.transports["contacts"].writes))
    quiet = engine.run_cycle(sync_id)
    assert quiet.updated == {"left": 0, "right": 0}
    assert (len(world.transports["personio"].writes), len(world.transports["contacts"].writes)) == writes


def test_the_other_order_lets_personio_win(world: SyncWorld) -> None:
    engine, sync_id, employee, contact = _linked(world)
    world.clock.advance(10)
    world.edit_contact(contact, lastName="Contacts-Edit")
    world.clock.advance(1.5)
    world.edit_employee(employee, last_name="Personio-Edit")
    world.clock.advance(5)

    engine.run_cycle(sync_id)

    assert world.contact(contact)["lastName"] == world.employee(employee)["last_name"] == "Personio-Edit"
    (won,) = world.sync_store.audit_entries(sync_id, reason="conflict won")
    assert won["direction"] == "left_to_right"


def test_a_change_the_sync_wrote_comes_back_as_an_echo_and_writes_nothing(world: SyncWorld) -> None:
    engine, sync_id, employee, contact = _linked(world)
    world.edit_employee(employee, first_name="Augusta")
    world.clock.advance(3)
    engine.run_cycle(sync_id)
    assert world.contact(contact)["firstName"] == "Augusta"
    before = list(world.transports["personio"].writes)
    world.clock.advance(3)
    report = engine.run_cycle(sync_id)
    assert world.transports["personio"].writes == before
    assert report.echoes == 1
    assert [e["reason"] for e in world.sync_store.audit_entries(sync_id, reason="echo ignored")] == ["echo ignored"]


def test_a_write_interrupted_by_a_crash_is_finished_once_and_never_over_a_newer_edit(world: SyncWorld) -> None:
    _engine, sync_id, employee, contact = _linked(world)
    world.clock.advance(5)
    world.edit_employee(employee, first_name="Augusta", last_name="King")
    world.clock.advance(5)

    def stop_before_writing(name: str) -> None:
        if name == "before-write":
            raise SyncStopped(name)

    with pytest.raises(SyncStopped):
        world.engine(stop_before_writing).run_cycle(sync_id)
    assert world.contact(contact)["firstName"] == "Ada"  # the intent is recorded, nothing sent yet
    world.clock.advance(5)
    world.edit_contact(contact, lastName="Countess")  # someone edits the contact before the restart
    world.clock.advance(5)

    world.engine().run_cycle(sync_id)

    assert world.contact(contact)["firstName"] == "Augusta"  # finished after the restart
    assert world.contact(contact)["lastName"] == world.employee(employee)["last_name"] == "Countess"
    first_name_writes = [w for w in world.field_writes if w[2] == "first_name" and w[0] == world.contacts.base_url]
    assert len(first_name_writes) == 1
    assert len(world.sync_store.audit_entries(sync_id, field="first_name", reason="changed")) == 1


def test_a_contact_deleted_in_highlevel_flags_its_link_and_is_never_recreated(world: SyncWorld) -> None:
    engine, sync_id, employee, contact = _linked(world)
    with world._contacts_client(world.contacts) as client:
        client.delete(f"/contacts/{contact}").raise_for_status()
    world.clock.advance(5)
    world.edit_employee(employee, first_name="Augusta")
    world.clock.advance(5)

    report = engine.run_cycle(sync_id)

    assert any("deleted" in notice for notice in report.notices) and not report.errors
    (link,) = world.sync_store.all_links(sync_id)
    assert link["status"] == "flagged"
    (deleted,) = world.sync_store.audit_entries(sync_id, reason="deleted")
    assert deleted["old"] == {"right": contact}
    world.clock.advance(5)
    world.edit_employee(employee, first_name="Ada")
    world.clock.advance(5)
    engine.run_cycle(sync_id)
    assert world.contacts_list() == []


def test_a_one_way_field_can_be_shaped_by_a_template_and_is_not_rewritten_when_it_comes_back(
        world: SyncWorld) -> None:
    employee = world.hire("ada@example.com", "Ada", "Lovelace")
    spec = {**DEMO_SPEC, "fields": [
        *DEMO_SPEC["fields"][:2],
        {"left": "last_name", "right": "last_name", "direction": "left_to_right",
         "to_right": "{{left.last_name}} (Personio)"},
    ]}
    engine = world.engine()
    sync = engine.create(spec)
    world.clock.advance(3)
    engine.run_cycle(sync["id"])
    (contact,) = world.contacts_list()
    assert contact["lastName"] == "Lovelace (Personio)"

    world.clock.advance(5)
    world.edit_employee(employee, last_name="King")
    world.clock.advance(5)
    engine.run_cycle(sync["id"])
    assert world.contact(contact["id"])["lastName"] == "King (Personio)"
    writes = len(world.field_writes)
    world.clock.advance(5)
    engine.run_cycle(sync["id"])
    world.clock.advance(5)
    engine.run_cycle(sync["id"])
    assert len(world.field_writes) == writes


def test_an_employee_deleted_in_personio_deletes_its_contact_when_mirrored_and_nothing_comes_back(
        world: SyncWorld) -> None:
    ada = world.hire("ada@example.com", "Ada", "Lovelace")
    grace = world.hire("grace@example.com", "Grace", "Hopper")
    engine = world.engine()
    sync = engine.create({**DEMO_SPEC, "deletion": "mirror_left_to_right", "reconcile_seconds": 60})
    engine.run_cycle(sync["id"])
    contacts = {c["email"]: c["id"] for c in world.contacts_list()}

    world.fire(ada)  # in Personio's own app: its API cannot delete
    world.clock.advance(61)
    preview = engine.preview(sync["id"])
    assert preview["deleted"] == [{"side": "left", "id": ada, "partner": contacts["ada@example.com"],
                                   "policy": "mirror"}]
    assert "ada@example.com" in {c["email"] for c in world.contacts_list()}  # a preview writes nothing

    engine.run_cycle(sync["id"])
    assert {c["email"] for c in world.contacts_list()} == {"grace@example.com"}
    (entry,) = world.sync_store.audit_entries(sync["id"], reason="deleted")
    assert entry["direction"] == "left_to_right" and entry["old"] == {"left": ada,
                                                                       "right": contacts["ada@example.com"]}

    world.delete_contact(contacts["grace@example.com"])  # the other way is only flagged: Personio cannot delete
    world.clock.advance(61)
    report = engine.run_cycle(sync["id"])
    assert world.employee(grace)["first_name"] == "Grace"
    assert report.gone == {"left": 0, "right": 1} and report.deleted == {"left": 0, "right": 0}
    assert {link["status"] for link in world.sync_store.all_links(sync["id"])} == {"deleted", "flagged"}
    world.edit_employee(grace, first_name="Amazing Grace")
    world.clock.advance(61)
    engine.run_cycle(sync["id"])
    assert world.contacts_list() == []  # never recreated
    assert len(world.sync_store.audit_entries(sync["id"], reason="deleted")) == 2


def test_mirror_into_personio_is_refused_naming_why_and_what_works(world: SyncWorld) -> None:
    with pytest.raises(BadInput) as refused:
        world.engine().create({**DEMO_SPEC, "deletion": "mirror"})
    (problem,) = refused.value.problems
    assert problem.field == "deletion"
    assert "Personio's API documents no way to delete an employee" in problem.message
    assert "mirror_left_to_right" in problem.message and "mirror_right_to_left" not in problem.message


def test_weekly_hours_and_custom_attributes_sync_with_personio(world: SyncWorld) -> None:
    ada = world.hire("ada@example.com", "Ada", "Lovelace")
    world.edit_employee(ada, weekly_working_hours=32, custom_attributes={"dynamic_1146702": "+49 30 1111"})
    spec = {**DEMO_SPEC, "fields": [*DEMO_SPEC["fields"][:3],
                                    {"left": "dynamic_1146702", "right": "phone", "direction": "both"}]}
    engine = world.engine()
    sync = engine.create(spec)
    world.clock.advance(3)
    engine.run_cycle(sync["id"])
    (contact,) = world.contacts_list()
    assert contact["phone"] == "+49 30 1111" or contact["phone"].replace(" ", "") == "+49301111"

    world.clock.advance(10)
    world.edit_contact(contact["id"], phone="+49 30 2222")
    world.clock.advance(10)
    engine.run_cycle(sync["id"])
    assert world.employee(ada)["custom"]["dynamic_1146702"].replace(" ", "") == "+49302222"

    employees = world.apps["personio"].record_type("employee")
    connection = world.connection(Side("personio", "personio", "personio.employee"))
    auth = personio_auth(connection.fields)
    with make_client(connection.base_url, auth=auth, transport=connection.transport) as client:
        ctx = Context(http=client, connection=connection)
        assert employees.update is not None
        stored = employees.update(ctx, ada, RecordUpdate({"weekly_working_hours": 38.5}))
    assert stored.values["weekly_working_hours"] == 38.5 and world.employee(ada)["weekly_working_hours"] == 38.5


def test_a_field_with_a_declared_inverse_syncs_both_ways_without_echoes(world: SyncWorld) -> None:
    ada = world.hire("ada@example.com", "Ada", "Lovelace")
    spec = {**DEMO_SPEC, "fields": [
        *DEMO_SPEC["fields"][:2],
        {"left": "last_name", "right": "last_name", "direction": "both",
         "transform": {"name": "suffix", "value": " (Personio)"}},
    ]}
    engine = world.engine()
    sync = engine.create(spec)
    world.clock.advance(3)
    engine.run_cycle(sync["id"])
    (contact,) = world.contacts_list()
    assert contact["lastName"] == "Lovelace (Personio)"

    world.clock.advance(10)
    world.edit_contact(contact["id"], lastName="King (Personio)")
    world.clock.advance(10)
    engine.run_cycle(sync["id"])
    assert world.employee(ada)["last_name"] == "King"  # the suffix comes off on the way back

    writes = len(world.field_writes)
    for _ in range(2):
        world.clock.advance(10)
        engine.run_cycle(sync["id"])
    assert len(world.field_writes) == writes
    assert world.contact(contact["id"])["lastName"] == "King (Personio)"


def test_a_template_without_its_way_back_is_refused_for_both_ways_saying_what_to_do(world: SyncWorld) -> None:
    spec = {**DEMO_SPEC, "fields": [
        *DEMO_SPEC["fields"][:2],
        {"left": "last_name", "right": "last_name", "direction": "both", "to_right": "{{left.last_name}} (P)"},
    ]}
    with pytest.raises(BadInput) as refused:
        world.engine().create(spec)
    (problem,) = refused.value.problems
    assert problem.field == "fields.2.to_left"
    assert "no way back" in problem.message and "transform" in problem.message and "left_to_right" in problem.message
