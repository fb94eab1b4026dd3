"""The Contacts sandbox's answers and the contacts connector's requests follow docs/contracts/contacts.openapi.json.

A recording transport sits between the connector and the sandbox while a whole story runs (contacts,
the External ID custom field, search, tasks, notes, tags, appointments, business links, bad input).
Every answer must have a documented status and a body that validates against the contract (objects are
closed, so an unknown or null field fails); every request body the connector sent must validate against
the documented request schema. Differences listed in contacts.deviations.json are allowed.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from connector.apps.contacts.app import APP
from connector.context import Connection
from connector.errors import ConnectorError
from connector.runtime import invoke
from sandboxes.contacts import ContactsSandbox, ContactsSettings

CONTRACTS = Path(__file__).resolve().parents[3] / "docs" / "contracts"
URI = "urn:contract:contacts"
DUE = "2030-01-01T10:00:00Z"


@dataclass
class Exchange:
    method: str
    path: str
    request_body: bytes
    status: int
    body: bytes


class RecordingTransport(httpx.BaseTransport):
    """Passes every request to the sandbox and keeps the request and its answer."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.exchanges: list[Exchange] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        self.exchanges.append(Exchange(request.method, request.url.path, request.read(), response.status_code, body))
        return response  # already read: the client gets the same bytes


class Contract:
    def __init__(self) -> None:
        self.document = json.loads((CONTRACTS / "contacts.openapi.json").read_text())
        self.deviations = json.loads((CONTRACTS / "contacts.deviations.json").read_text())
        registry: Registry[Any] = Registry().with_resource(
            URI, Resource.from_contents(self.document, default_specification=DRAFT202012)
        )
        self.registry = registry
        self.validators: dict[str, Draft202012Validator] = {}
        templates = []
        for template in self.document["paths"]:
            parts = re.split(r"(\{[^}]+\})", template)
            pattern = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
            templates.append((re.compile(f"^{pattern}/?$"), template))
        self.templates = sorted(templates, key=lambda item: -len(re.sub(r"\{[^}]+\}", "", item[1])))

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        for pattern, template in self.templates:
            if pattern.match(path) and method.lower() in self.document["paths"][template]:
                return template, self.document["paths"][template][method.lower()]
        return None

    def deviated(self, method: str, template: str, what: str, value: Any) -> bool:
        for entry in self.deviations:
            if entry["method"] not in ("*", method) or not fnmatch.fnmatchcase(template, entry["path"]):
                continue
            if entry["what"] == what and entry.get(what) == value:
                return True
        return False

    def problems(self, pointer: str, instance: Any, method: str, template: str) -> list[str]:
        validator = self.validators.get(pointer)
        if validator is None:
            validator = self.validators[pointer] = Draft202012Validator({"$ref": f"{URI}#{pointer}"},
                                                                        registry=self.registry)
        found = []
        for error in validator.iter_errors(instance):
            if error.validator == "additionalProperties" and isinstance(error.instance, dict):
                known = set(error.schema.get("properties", {}))
                unknown = [name for name in error.instance if name not in known]
                if unknown and all(self.deviated(method, template, "field", name) for name in unknown):
                    continue
            found.append(f"at /{'/'.join(map(str, error.absolute_path))}: {error.message}")
        return found


def escape(text: str) -> str:
    return text.replace("~", "~0").replace("/", "~1")


def violations(contract: Contract, exchanges: list[Exchange], *, requests: bool = True) -> list[str]:
    """Every way the exchanges break the contract; ``requests=False`` checks only the answers."""
    found: list[str] = []
    for exchange in exchanges:
        matched = contract.operation(exchange.method, exchange.path)
        where = f"{exchange.method} {exchange.path} -> {exchange.status}"
        if matched is None:
            found.append(f"{where}: the vendor documents no such operation")
            continue
        template, operation = matched
        pointer = f"/paths/{escape(template)}/{exchange.method.lower()}"
        if requests and exchange.request_body.strip() and "requestBody" in operation:
            body = json.loads(exchange.request_body)
            schema = f"{pointer}/requestBody/content/application~1json/schema"
            found += [f"{where}: request {p}" for p in contract.problems(schema, body, exchange.method, template)]
        status = str(exchange.status)
        if status not in operation["responses"]:
            if not contract.deviated(exchange.method, template, "status", exchange.status):
                found.append(f"{where}: status not documented ({', '.join(operation['responses'])})")
            continue
        if "content" in operation["responses"][status]:
            schema = f"{pointer}/responses/{status}/content/application~1json/schema"
            answer = json.loads(exchange.body)
            found += [f"{where}: answer {p}" for p in contract.problems(schema, answer, exchange.method, template)]
        elif exchange.body.strip():
            found.append(f"{where}: the document gives this answer no body")
    return found


@pytest.fixture
def recorded() -> tuple[ContactsSandbox, RecordingTransport, Connection]:
    sandbox = ContactsSandbox(ContactsSettings(rate_limit=10_000))  # the story makes ~150 calls in a moment
    sandbox.seed_contacts(30, seed=2)
    transport = RecordingTransport(sandbox.transport())
    connection = Connection(app="contacts", fields={"api_key": "contacts-sandbox-key", "location_id": "loc_sandbox"},
                            base_url=sandbox.base_url, transport=transport)
    return sandbox, transport, connection


def test_a_whole_contacts_story_keeps_to_the_vendor_contract(
    recorded: tuple[ContactsSandbox, RecordingTransport, Connection],
) -> None:
    sandbox, transport, connection = recorded

    def run(key: str, values: dict[str, Any]) -> Any:
        return invoke(APP, key, connection, values).output

    ada = run("create_contact", {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                                 "phone": "+15550100001", "company_name": "Engines", "external_id": "00uADA",
                                 "tags": ["okta"]})
    assert run("create_contact", {"email": "ada@example.com", "external_id": "00uADA"})["outcome"] == "found"
    run("find_contact", {"external_id": "00uADA"})
    run("find_contact", {"phone": "+15550100001"})
    run("update_contact", {"contact_id": ada["id"], "source": "Okta", "tags": ["okta", "engineering"]})
    run("get_contact", {"contact_id": ada["id"]})
    run("list_contacts", {"query": "Ada"})
    run("list_contacts", {"limit": 250})
    sandbox.link_business([ada["id"]], "biz_1")
    run("contacts_by_business", {"business_id": "biz_1"})
    task = run("upsert_task", {"contact_id": ada["id"], "title": "Badge", "due_date": DUE, "external_key": "k"})
    run("upsert_task", {"contact_id": ada["id"], "title": "Badge", "due_date": DUE, "external_key": "k"})
    run("complete_task", {"contact_id": ada["id"], "task_id": task["id"]})
    run("contact_tasks", {"contact_id": ada["id"]})
    note = run("add_note", {"contact_id": ada["id"], "body": "Welcome"})
    run("contact_notes", {"contact_id": ada["id"], "note_id": note["id"]})
    run("add_tags", {"contact_id": ada["id"], "tags": ["vip"]})
    run("remove_tags", {"contact_id": ada["id"], "tags": ["vip"]})
    sandbox.add_appointment(ada["id"], title="Intro", start=1_900_000_000.0)
    run("contact_appointments", {"contact_id": ada["id"]})
    for key in ("new_contact", "updated_contact", "new_note", "updated_task"):
        invoke(APP, key, connection, {})
    run("delete_task", {"contact_id": ada["id"], "task_id": task["id"]})
    run("delete_contact", {"contact_id": ada["id"]})
    run("delete_contact", {"contact_id": ada["id"]})  # already gone: 400 "Contact not found"
    with pytest.raises(ConnectorError):
        run("update_contact", {"contact_id": "nope", "name": "X"})

    statuses = {exchange.status for exchange in transport.exchanges}
    assert {200, 201, 400} <= statuses and len(transport.exchanges) > 30
    assert violations(Contract(), transport.exchanges) == []


def test_the_sandboxs_refusals_keep_to_the_documented_error_shapes(
    recorded: tuple[ContactsSandbox, RecordingTransport, Connection],
) -> None:
    _, transport, _ = recorded
    with httpx.Client(transport=transport, base_url="http://contacts.sandbox",
                      headers={"Authorization": "Bearer contacts-sandbox-key", "Version": "v3"}) as api:
        api.post("/contacts/", json={"locationId": "loc_sandbox", "email": "not-an-email", "shoeSize": 9})
        api.put("/contacts/nope", json={"companyName": "X"})
        api.post("/contacts/search", json={"locationId": "loc_sandbox", "pageLimit": 9999})
        api.post("/contacts/upsert", json={"locationId": "loc_sandbox", "email": "u@example.com"})
        api.post("/locations/loc_sandbox/customFields", json={"name": "Size"})
        api.get("/contacts/", params={"locationId": "loc_sandbox", "limit": 3})
        api.get("/contacts/search/duplicate", params={"locationId": "loc_sandbox", "email": "u@example.com"})
        api.get("/contacts/x", headers={"Authorization": "Bearer wrong"})
    assert [e.status for e in transport.exchanges] == [422, 422, 400, 200, 422, 200, 200, 401]
    assert violations(Contract(), transport.exchanges, requests=False) == []  # the requests are wrong on purpose


def test_the_check_itself_catches_an_undocumented_field_and_status() -> None:
    contract = Contract()
    fake = [
        Exchange("GET", "/contacts/abc", b"", 200, json.dumps({"contact": {"id": "abc", "nickName": "A"}}).encode()),
        Exchange("GET", "/contacts/abc", b"", 204, b""),
        Exchange("GET", "/contacts/abc", b"", 200, json.dumps({"contact": {"id": "abc", "email": None}}).encode()),
        Exchange("POST", "/webhooks", b"{}", 201, b"{}"),
    ]
    found = violations(contract, fake)
    assert len(found) == 4
    assert "nickName" in found[0] and "not documented" in found[1] and "None" in found[2]
    assert "no such operation" in found[3]
