"""Seed 000 by hand, with the CLI only: a new Okta user becomes one tagged contact, and an onboarding task
upserted twice is updated in place."""

from __future__ import annotations

from typing import Any

from cli_world import CliWorld


def test_a_new_okta_user_mapped_into_create_contact_appears_once_with_its_tags(output_of: Any) -> None:
    created = output_of("okta.create_user", {"email": "grace@example.com", "firstName": "Grace",
                                             "lastName": "Hopper", "mobilePhone": "+15550100002"})
    samples = output_of("okta.new_user", {}, "--trial")
    user = next(item for item in samples if item["id"] == created["id"])
    assert samples[0]["id"] == created["id"], "the newest user is the first sample"

    # The mapping a user would draw in the flow editor, done by hand from the trigger sample.
    profile = user["profile"]
    mapped = {"external_id": user["id"], "email": profile["email"], "first_name": profile["firstName"],
              "last_name": profile["lastName"], "phone": profile["mobilePhone"], "tags": ["okta"]}
    contact = output_of("contacts.create_contact", mapped)
    assert contact["outcome"] == "created" and contact["external_id"] == user["id"]
    tagged = output_of("contacts.add_tags", {"contact_id": contact["id"], "tags": ["new-hire"]})
    assert set(tagged["tags"]) == {"okta", "new-hire"}

    again = output_of("contacts.create_contact", mapped)
    assert (again["id"], again["outcome"]) == (contact["id"], "found")

    by_email = output_of("contacts.find_contact", {"email": "grace@example.com"})
    listed = [c for c in output_of("contacts.list_contacts", {"query": "grace@example.com"})
              if c["email"] == "grace@example.com"]
    assert [c["id"] for c in by_email] == [c["id"] for c in listed] == [contact["id"]]
    assert {"okta", "new-hire"} <= set(listed[0]["tags"])
    assert listed[0]["phone"] == "+15550100002" and listed[0]["firstName"] == "Grace"


def test_a_task_created_through_upsert_task_updates_in_place_when_upserted_again(
    output_of: Any, world: CliWorld
) -> None:
    contact = output_of("contacts.create_contact", {"external_id": "00uLINUS", "email": "linus@example.com",
                                                    "first_name": "Linus", "last_name": "Pauling"})
    task = {"contact_id": contact["id"], "external_key": "okta-onboarding-00uLINUS",
            "title": "Issue a laptop", "due_date": "2026-03-01T17:00:00Z"}
    first = output_of("contacts.upsert_task", task)
    second = output_of("contacts.upsert_task", {**task, "title": "Issue a laptop and a badge"})
    assert first["outcome"] == "created" and second["outcome"] == "updated"
    assert second["id"] == first["id"]

    tasks = output_of("contacts.contact_tasks", {"contact_id": contact["id"]})
    assert [(t["id"], t["title"]) for t in tasks] == [(first["id"], "Issue a laptop and a badge")]


def test_saved_connections_are_listed_tested_and_deleted_without_showing_secrets(world: CliWorld) -> None:
    listed = world.ok("connections", "list")
    assert "okta-sandbox" in listed.stdout and "contacts-sandbox" in listed.stdout
    assert world.ok("connections", "test", "okta-sandbox").stdout.startswith("okta-sandbox: ok")
    world.ok("connect", "okta", "--org-url", world.okta_url, "--api-token", world.okta.settings.token,
             "--name", "okta-spare")
    world.ok("connections", "delete", "okta-spare", "--yes")
    names = [line.split("\t")[0] for line in world.ok("connections", "list").stdout.splitlines()]
    assert sorted(names) == ["contacts-sandbox", "okta-sandbox"]
    assert world.okta.settings.token not in listed.output
