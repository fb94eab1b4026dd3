"""How much of HighLevel's published contacts API the Contacts app reaches, checked and printed.

``docs/contracts/contacts.coverage.json`` lists every operation of the vendor's contacts document (and
the contact appointment operations of its calendars document) with the app operations that call it, or
the reason it is left out. These tests keep that list honest: against the app, and against our contract,
which holds the same operations the sandbox serves and every request is checked against.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connector.apps.contacts.app import APP

ROOT = Path(__file__).resolve().parents[3]
COVERAGE = json.loads((ROOT / "docs" / "contracts" / "contacts.coverage.json").read_text())
CONTRACT = json.loads((ROOT / "docs" / "contracts" / "contacts.openapi.json").read_text())
VENDOR: list[dict[str, Any]] = COVERAGE["operations"]


def _missing() -> list[str]:
    """Vendor operations that name app operations the app does not have."""
    keys = {operation.key for operation in APP.operations}
    return [
        f"{entry['method']} {entry['path']} ({entry['operationId']}): "
        f"no {', '.join(sorted(set(entry['operations']) - keys))}"
        for entry in VENDOR
        if "operations" in entry and not set(entry["operations"]) <= keys
    ]


def test_every_vendor_operation_is_reached_by_the_app_or_left_out_with_a_reason(
    capsys: pytest.CaptureFixture[str]
) -> None:
    contacts_doc = [entry for entry in VENDOR if entry["document"] == "apps/contacts.json"]
    covered = [entry for entry in VENDOR if "operations" in entry]
    omitted = [entry for entry in VENDOR if "omitted" in entry]
    missing = _missing()
    with capsys.disabled():
        print(f"\nContacts coverage: {len(contacts_doc)} operations in the contacts document, "
              f"{len(VENDOR) - len(contacts_doc)} appointment operations from the calendars document; "
              f"{len(covered) - len(missing)} reached by {len(APP.operations)} app operations, "
              f"{len(omitted)} left out on purpose, {len(missing)} missing")
        for entry in omitted:
            print(f"  left out: {entry['method']} {entry['path']}: {entry['omitted']}")
        for line in missing:
            print(f"  MISSING: {line}")
    assert all(entry.get("omitted", "x").strip() for entry in VENDOR), "every omission needs its reason"
    assert all(("operations" in entry) != ("omitted" in entry) for entry in VENDOR)
    assert missing == []


def test_the_list_holds_exactly_the_vendor_operations_our_contract_holds() -> None:
    """The contract is built from the same documents, so the two lists cannot drift apart unnoticed."""
    documents = {entry["document"] for entry in VENDOR}
    in_contract = {
        (method.upper(), path)
        for path, methods in CONTRACT["paths"].items()
        for method, spec in methods.items()
        if any(f" {document} " in spec["x-source"] for document in documents)
    }
    assert {(entry["method"], entry["path"]) for entry in VENDOR} == in_contract


def test_every_app_operation_named_in_the_list_exists_and_says_what_it_is() -> None:
    named = {key for entry in VENDOR for key in entry.get("operations", ())}
    by_key = {operation.key: operation for operation in APP.operations}
    for key in named & set(by_key):
        operation = by_key[key]
        assert operation.label and operation.description and operation.sample, key


def test_every_operation_names_the_part_of_the_api_it_belongs_to_for_the_picker() -> None:
    areas = {operation.key: operation.area for operation in APP.operations}
    assert "" not in areas.values(), [key for key, area in areas.items() if not area]
    assert set(areas.values()) == {"Contacts", "Tasks", "Notes", "Tags", "Followers", "Campaigns", "Workflows",
                                   "Appointments", "Advanced"}  # Advanced: the kit's API request action
