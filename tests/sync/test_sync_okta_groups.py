"""Okta users <-> contacts: names both ways, and Okta groups with a prefix <-> contact tags, merged as sets."""

from __future__ import annotations

from typing import Any

from sync_world import SyncWorld

SPEC: dict[str, Any] = {
    "name": "Okta users <-> contacts",
    "left": {"app": "okta", "connection_id": "okta", "record_type": "okta.user"},
    "right": {"app": "contacts", "connection_id": "contacts", "record_type": "contacts.contact"},
    "fields": [
        {"left": "email", "right": "email", "direction": "both"},
        {"left": "first_name", "right": "first_name", "direction": "both"},
        {"left": "last_name", "right": "last_name", "direction": "both"},
        {"left": "groups", "right": "tags", "direction": "both", "left_prefix": "crm:"},
    ],
}


def _okta_user(world: SyncWorld, email: str, groups: list[str]) -> str:
    with world.okta_client() as client:
        user = client.post("/api/v1/users", params={"activate": "true"}, json={
            "profile": {"email": email, "login": email, "firstName": "Ada", "lastName": "Lovelace"}}).json()
        for name in groups:
            group = client.post("/api/v1/groups", json={"profile": {"name": name}}).json()
            client.put(f"/api/v1/groups/{group['id']}/users/{user['id']}").raise_for_status()
    return str(user["id"])


def _groups(world: SyncWorld, user_id: str) -> set[str]:
    """The user's groups by name; Okta's built-in Everyone group is left out (no prefix, never synced)."""
    with world.okta_client() as client:
        names = {g["profile"]["name"] for g in client.get(f"/api/v1/users/{user_id}/groups").json()}
    return names - {"Everyone"}


def test_group_memberships_and_tags_merge_as_sets_with_the_prefix(world: SyncWorld) -> None:
    user = _okta_user(world, "ada@example.com", ["crm:vip", "Engineering"])
    contact = world.add_contact("ada@example.com", "Ada", "Lovelace", tags=["sales"])
    engine = world.engine()
    sync = engine.create(SPEC)
    world.clock.advance(3)
    engine.run_cycle(sync["id"])

    assert set(world.contact(contact)["tags"]) == {"sales", "vip"}
    assert _groups(world, user) == {"Engineering", "crm:vip", "crm:sales"}

    world.clock.advance(10)
    world.tag_contact(contact, "vip", add=False)  # removed on one side ...
    with world.okta_client() as client:  # ... while another is added on the other, as a group
        group = client.post("/api/v1/groups", json={"profile": {"name": "crm:beta"}}).json()
        client.put(f"/api/v1/groups/{group['id']}/users/{user}").raise_for_status()
    world.clock.advance(10)
    engine.run_cycle(sync["id"])

    assert set(world.contact(contact)["tags"]) == {"sales", "beta"}
    assert _groups(world, user) == {"Engineering", "crm:sales", "crm:beta"}
    changed = world.sync_store.audit_entries(sync["id"], reason="changed")
    assert {(e["direction"], e["field"]) for e in changed[:2]} == {
        ("left_to_right", "tags"), ("right_to_left", "groups")}

    writes = len(world.field_writes)
    world.clock.advance(10)
    engine.run_cycle(sync["id"])
    assert len(world.field_writes) == writes, "the sync's own writes come back as echoes and write nothing"


def test_a_contact_deleted_in_highlevel_deactivates_then_deletes_its_okta_user_with_one_audit_entry(
        world: SyncWorld) -> None:
    user = _okta_user(world, "ada@example.com", [])
    contact = world.add_contact("ada@example.com", "Ada", "Lovelace")
    engine = world.engine()
    sync = engine.create({**SPEC, "deletion": "mirror", "reconcile_seconds": 60})
    world.clock.advance(3)
    engine.run_cycle(sync["id"])

    world.delete_contact(contact)
    world.clock.advance(61)  # the next cycle lists both sides in full and misses the contact
    report = engine.run_cycle(sync["id"])

    assert report.gone == {"left": 0, "right": 1} and report.deleted == {"left": 1, "right": 0}
    with world.okta_client() as client:
        assert client.get(f"/api/v1/users/{user}").status_code == 404  # deactivated, then deleted
    (entry,) = world.sync_store.audit_entries(sync["id"], reason="deleted")
    assert (entry["direction"], entry["old"]) == ("right_to_left", {"right": contact, "left": user})
    assert entry["intent_id"] is not None
    (link,) = world.sync_store.all_links(sync["id"])
    assert link["status"] == "deleted"
