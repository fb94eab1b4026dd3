"""The user's second flow: Personio employees become Contacts, kept in step, latest change wins."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from personio_app_support import ManualClock

from connector.apps.contacts.app import APP as CONTACTS
from connector.apps.personio.app import APP as PERSONIO
from connector.context import Connection, Meta
from connector.mapping import FieldMapping
from connector.runtime import invoke
from sandboxes.contacts import ContactsSandbox
from sandboxes.personio import PersonioSandbox

#: The hand-made mapping of the flow's step: Personio employee -> contact.
EMPLOYEE_TO_CONTACT = {
    "first_name": "{{trigger.first_name}}",
    "last_name": "{{trigger.last_name}}",
    "email": "{{trigger.email}}",
    "phone": "{{trigger.phone}}",
    "tags": "{{trigger.department}}",  # HighLevel's update has no company name; tags it can change
    "source": "Personio",
    "external_id": "personio-{{trigger.employee_id}}",
}


@pytest.fixture
def contacts() -> Iterator[ContactsSandbox]:
    sandbox = ContactsSandbox()
    yield sandbox
    sandbox.outbox.close()


@pytest.fixture
def contacts_connection(contacts: ContactsSandbox) -> Connection:
    api_key, location = next(iter(contacts.settings.api_keys.items()))
    return Connection(app="contacts", fields={"api_key": api_key, "location_id": location},
                      base_url=contacts.base_url, transport=contacts.transport())


class Flow:
    """The platform's side of a polling flow: the cursor and the dedupe record of ids already seen."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        turned_on = invoke(PERSONIO, "updated_employee", connection, {}, Meta(first_poll=True))
        self.cursor = turned_on.cursor
        self.seen = {item["id"] for item in turned_on.output}

    def poll(self) -> list[dict[str, Any]]:
        """New items, newest first, each fired once."""
        result = invoke(PERSONIO, "updated_employee", self.connection, {}, Meta(cursor=self.cursor))
        self.cursor = result.cursor
        fresh = [item for item in result.output if item["id"] not in self.seen]
        self.seen.update(item["id"] for item in fresh)
        return fresh


def sync(items: list[dict[str, Any]], contacts_connection: Connection) -> list[dict[str, Any]]:
    """What the flow does with one poll's items: oldest first, create the contact or update it."""
    create = CONTACTS.operation("create_contact")
    update = CONTACTS.operation("update_contact")
    results = []
    for item in reversed(items):  # the platform fires oldest first
        values = FieldMapping(create.input_fields, EMPLOYEE_TO_CONTACT).render({"trigger": item})
        found = invoke(CONTACTS, "find_contact", contacts_connection, {"external_id": values["external_id"]}).output
        if found:
            values = {**values, "contact_id": found[0]["id"]}
            results.append(invoke(CONTACTS, update, contacts_connection, values).output)
        else:
            results.append(invoke(CONTACTS, create, contacts_connection, values).output)
    return results


def test_an_employee_in_personio_becomes_one_contact_and_later_changes_update_it(
    personio_sandbox: PersonioSandbox, connection: Connection, contacts: ContactsSandbox,
    contacts_connection: Connection, clock: ManualClock,
) -> None:
    personio_sandbox.seed_employees(3)
    flow = Flow(connection)
    assert flow.poll() == []  # turning on fires nothing, and nothing changed since

    clock.advance(60)
    grace = personio_sandbox.create_employee(email="grace@example.com", first_name="Grace", last_name="Hopper",
                                             department="Engineering",
                                             custom_attributes={"dynamic_1146702": "+15550100042"})
    polled = flow.poll()
    assert [item["employee_id"] for item in polled] == [grace["id"]]
    [made] = sync(polled, contacts_connection)
    assert (made["email"], made["phone"], made["tags"]) == ("grace@example.com", "+15550100042", ["engineering"])

    clock.advance(60)
    personio_sandbox.update_employee(grace["id"], last_name="Hopper-Murray", department="Research")
    clock.advance(60)
    personio_sandbox.update_employee(grace["id"], department="Navy")
    again = flow.poll()
    assert len(again) == 1 and again[0]["id"] != polled[0]["id"]
    sync(again, contacts_connection)

    stored = [c for c in contacts.state.contacts.values() if c.get("email") == "grace@example.com"]
    assert len(stored) == 1
    assert (stored[0]["lastName"], stored[0]["tags"]) == ("Hopper-Murray", ["navy"])


def test_two_changed_employees_are_synced_oldest_first_so_the_latest_change_wins(
    personio_sandbox: PersonioSandbox, connection: Connection, contacts: ContactsSandbox,
    contacts_connection: Connection, clock: ManualClock,
) -> None:
    flow = Flow(connection)
    ada = personio_sandbox.create_employee(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    sync(flow.poll(), contacts_connection)
    clock.advance(10)
    personio_sandbox.update_employee(ada["id"], department="Engines")
    clock.advance(10)
    bob = personio_sandbox.create_employee(email="bob@example.com", first_name="Bob", last_name="Babbage")

    polled = flow.poll()
    assert [item["employee_id"] for item in polled] == [bob["id"], ada["id"]]  # newest first
    sync(polled, contacts_connection)
    by_email = {c["email"]: c for c in contacts.state.contacts.values()}
    assert set(by_email) == {"ada@example.com", "bob@example.com"}
    assert by_email["ada@example.com"]["tags"] == ["engines"]
