"""The user's story: Personio employees and HighLevel contacts kept equal both ways, latest change wins."""

from __future__ import annotations

import pytest
from sync_world import DEMO_SPEC, SyncWorld

from emulator.sync.engine import SyncEngine, SyncStopped


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
