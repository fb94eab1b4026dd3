"""Contact routes: CRUD, list with cursor pages, duplicate search, upsert, list by business.

Choices where HighLevel's docs are silent (see README.md):

* The list is ordered by ``dateAdded`` then ``id``, oldest first, so a poller that keeps the cursor
  (``startAfter`` = the last contact's ``dateAdded`` in epoch ms, ``startAfterId`` = its id) sees new
  contacts on later pages and never misses or repeats one.
* ``query`` matches, case-insensitively, a substring of the name, first or last name, email, company
  name, or of the phone's digits, and also any custom field value exactly (so an external id kept in a
  custom field, such as an Okta user id, can be found).
* Emails are unique per location (case-insensitive) and stored lower-case; phones compare by digits.
  Creating a second contact with a taken email or phone answers HighLevel's 400 "This location does
  not allow duplicated contacts." unless ``allow_duplicate_contacts`` is set.
* An unknown contact id answers 400 "Contact not found" (HighLevel lists 400, not 404, for these
  routes); a contact of another location answers 403.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Response, jsonify, request

from sandboxes.contacts.auth import require_location
from sandboxes.contacts.errors import bad_request, forbidden, unprocessable
from sandboxes.contacts.state import ContactsState, Record, phone_digits
from sandboxes.contacts.validation import (
    check_body,
    json_object,
    query_int,
    required_query,
)
from sandboxes.contacts.webhooks import WebhookHub

CONTACT_RULES: dict[str, str] = {
    "firstName": "string",
    "lastName": "string",
    "name": "string",
    "email": "email",
    "phone": "string",
    "locationId": "string",
    "gender": "string",
    "address1": "string",
    "city": "string",
    "state": "string",
    "postalCode": "string",
    "website": "string",
    "timezone": "string",
    "dnd": "boolean",
    "tags": "string_list",
    "customFields": "custom_fields",
    "source": "string",
    "dateOfBirth": "string",
    "country": "string",
    "companyName": "string",
    "assignedTo": "string",
}
#: HighLevel's upsert body: the create body plus ``createNewIfDuplicateAllowed``.
UPSERT_RULES = {**CONTACT_RULES, "createNewIfDuplicateAllowed": "boolean"}
#: HighLevel's update body has no ``locationId`` (a contact never moves), ``gender`` or ``companyName``.
UPDATE_RULES = {
    name: kind for name, kind in CONTACT_RULES.items() if name not in ("locationId", "gender", "companyName")
}
#: The fields HighLevel's contact answer lists (GET, PUT, upsert, search); others stay out of answers.
CONTACT_ANSWER_FIELDS = frozenset({
    "id", "name", "locationId", "firstName", "lastName", "email", "emailLowerCase", "timezone", "companyName",
    "phone", "dnd", "dndSettings", "type", "source", "assignedTo", "address1", "city", "state", "country",
    "postalCode", "website", "tags", "dateOfBirth", "dateAdded", "dateUpdated", "attachments", "ssn", "keyword",
    "firstNameLowerCase", "fullNameLowerCase", "lastNameLowerCase", "lastActivity", "customFields", "businessId",
    "attributionSource", "lastAttributionSource", "visitorId",
})
#: The fields of the create answer (it has no ``name`` or ``timezone``).
CREATED_ANSWER_FIELDS = frozenset({
    "id", "dateAdded", "dateUpdated", "deleted", "tags", "type", "customFields", "locationId", "firstName",
    "firstNameLowerCase", "fullNameLowerCase", "lastName", "lastNameLowerCase", "email", "emailLowerCase",
    "bounceEmail", "unsubscribeEmail", "dnd", "dndSettings", "phone", "address1", "city", "state", "country",
    "postalCode", "website", "source", "companyName", "dateOfBirth", "birthMonth", "birthDay",
    "lastSessionActivityAt", "offers", "products", "businessId", "assignedTo",
})
#: The fields of a contact in the deprecated list and the business list.
LISTED_ANSWER_FIELDS = frozenset({
    "id", "locationId", "email", "timezone", "country", "source", "dateAdded", "customFields", "tags", "businessId",
    "attributions", "followers",
})
BUSINESS_RULES = {"locationId": "string", "ids": "string_list", "businessId": "string"}
LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX = 20, 100
BUSINESS_LIMIT_DEFAULT = 25


def answer_with(fields: frozenset[str], state: ContactsState, contact: Record) -> Record:
    """The contact as an answer that lists ``fields``: a copy with only those, and no empty ones."""
    return {name: value for name, value in state.snapshot(contact).items() if name in fields}


def load_contact(state: ContactsState, contact_id: str) -> Record:
    """The stored contact ``contact_id`` of the caller's location (400 unknown, 403 other location)."""
    contact = state.contacts.get(contact_id)
    if contact is None:
        raise bad_request("Contact not found")
    if contact["locationId"] != require_location(None):
        raise forbidden()
    return contact


def normalise_tags(tags: Iterable[str]) -> list[str]:
    """HighLevel keeps tags lower-case and trimmed, without repeats, in the order first given."""
    return list(dict.fromkeys(tag.strip().lower() for tag in tags if tag.strip()))


def _custom_fields(
    state: ContactsState, location_id: str, given: list[dict[str, Any]], current: list[Record]
) -> list[Record]:
    """Merge ``[{id, key?, field_value}]`` into the stored ``[{id, value}]`` list by field id.

    HighLevel's bodies require the field's ``id`` (from the location's custom field definitions); an
    id the location does not define is a 422, and ``key`` alone never creates a field.
    """
    merged = {item["id"]: dict(item) for item in current}
    problems: list[str] = []
    for position, item in enumerate(given):
        field_id = item["id"]
        if state.custom_field(location_id, field_id) is None:
            problems.append(
                f"customFields.{position}.id {field_id!r} is not a custom field of this location: "
                "look the ids up with GET /locations/{locationId}/customFields"
            )
            continue
        value = item.get("field_value")
        if value is None or value == "":
            merged.pop(field_id, None)
        else:
            merged[field_id] = {"id": field_id, "value": value}
    if problems:
        raise unprocessable(problems)
    return list(merged.values())


def _apply_fields(state: ContactsState, contact: Record, body: dict[str, Any]) -> None:
    for name, value in body.items():
        if name == "tags":
            contact["tags"] = normalise_tags(value or [])
        elif name == "customFields":
            contact["customFields"] = _custom_fields(
                state, contact["locationId"], value or [], contact.get("customFields") or []
            )
        elif name == "email":
            contact["email"] = value.strip().lower() if value else None
        elif name != "locationId":
            contact[name] = value
    if {"firstName", "lastName"} & body.keys() or "name" not in body:
        full = " ".join(part for part in (contact.get("firstName"), contact.get("lastName")) if part)
        contact["name"] = full or contact.get("name")
    for name in ("firstName", "lastName", "email"):
        contact[f"{name}LowerCase"] = contact[name].lower() if contact.get(name) else None
    contact["fullNameLowerCase"] = contact["name"].lower() if contact.get("name") else None


def new_contact(state: ContactsState, location_id: str, body: dict[str, Any], *, now: str | None = None) -> Record:
    """A complete contact record built from a (checked) create body; not yet stored."""
    stamp = now or state.now_iso()
    contact: Record = {
        "id": state.ids.new_id(),
        "locationId": location_id,
        "firstName": None,
        "lastName": None,
        "name": None,
        "email": None,
        "phone": None,
        "companyName": None,
        "businessId": None,
        "source": None,
        "tags": [],
        "customFields": [],
        "dnd": False,
        "type": "lead",
        "dateAdded": stamp,
        "dateUpdated": stamp,
    }
    _apply_fields(state, contact, body)
    return contact


def _duplicate_of(
    state: ContactsState, location_id: str, email: str | None, phone: str | None, *, ignore: str | None = None
) -> tuple[Record, str] | None:
    for field, found in (
        ("email", state.find_by_email(location_id, email)),
        ("phone", state.find_by_phone(location_id, phone)),
    ):
        if found is not None and found["id"] != ignore:
            return found, field
    return None


def _refuse_duplicate(found: Record, field: str) -> None:
    raise bad_request(
        "This location does not allow duplicated contacts.",
        meta={"contactName": found.get("name"), "contactId": found["id"], "matchingField": field},
    )


def matches(contact: Record, needle: str) -> bool:
    lowered = needle.lower()
    for name in ("name", "firstName", "lastName", "email", "companyName"):
        if lowered in (contact.get(name) or "").lower():
            return True
    digits = phone_digits(needle)
    if digits and digits in phone_digits(contact.get("phone")):
        return True
    return any(str(item.get("value")) == needle for item in contact.get("customFields") or [])


def contacts_blueprint(
    state: ContactsState,
    hub: WebhookHub,
    *,
    allow_duplicates: Callable[[], bool],
) -> Blueprint:
    blueprint = Blueprint("contacts_contacts", __name__)

    def answer(contact: Record) -> Record:
        return answer_with(CONTACT_ANSWER_FIELDS, state, contact)

    def listed(contact: Record) -> Record:
        return answer_with(LISTED_ANSWER_FIELDS, state, contact)

    @blueprint.post("/contacts/")
    def create_contact() -> tuple[Response, int]:
        body = json_object()
        check_body(body, CONTACT_RULES, required=("locationId",))
        location_id = require_location(body["locationId"])
        with state.lock:
            duplicate = _duplicate_of(state, location_id, body.get("email"), body.get("phone"))
            if duplicate and not allow_duplicates():
                _refuse_duplicate(*duplicate)
            contact = state.add_contact(new_contact(state, location_id, body))
            event = state.snapshot(contact)
        hub.emit("ContactCreate", location_id, event)
        return jsonify(contact=answer_with(CREATED_ANSWER_FIELDS, state, contact)), 201

    @blueprint.get("/contacts/<contact_id>")
    def get_contact(contact_id: str) -> Response:
        return jsonify(contact=answer(load_contact(state, contact_id)))

    @blueprint.put("/contacts/<contact_id>")
    def update_contact(contact_id: str) -> Response:
        body = json_object()
        check_body(body, UPDATE_RULES)
        with state.lock:
            current = load_contact(state, contact_id)
            duplicate = _duplicate_of(
                state, current["locationId"], body.get("email"), body.get("phone"), ignore=contact_id
            )
            if duplicate and not allow_duplicates():
                _refuse_duplicate(*duplicate)
            updated = state.snapshot(current)
            _apply_fields(state, updated, body)
            updated["dateUpdated"] = state.now_iso()
            state.replace_contact(updated)
            snapshot = answer(updated)
        hub.emit("ContactUpdate", snapshot["locationId"], snapshot)
        if "tags" in body and snapshot["tags"] != current["tags"]:
            hub.emit("ContactTagUpdate", snapshot["locationId"], snapshot)
        return jsonify(succeded=True, contact=snapshot)

    @blueprint.delete("/contacts/<contact_id>")
    def delete_contact(contact_id: str) -> Response:
        with state.lock:
            contact = load_contact(state, contact_id)
            state.remove_contact(contact_id)
        hub.emit("ContactDelete", contact["locationId"], answer(contact))
        return jsonify(succeded=True)

    @blueprint.get("/contacts/")
    def list_contacts() -> Response:
        """The deprecated listing, answered as documented: ``{contacts, count}`` (no ``meta``)."""
        location_id = require_location(required_query("locationId"))
        limit = query_int("limit", LIST_LIMIT_DEFAULT, minimum=1, maximum=LIST_LIMIT_MAX)
        start_after = query_int("startAfter", -1, minimum=0) if request.args.get("startAfter") else None
        start_after_id = request.args.get("startAfterId") or None
        needle = request.args.get("query", "").strip()
        with state.lock:
            if needle:
                count = sum(1 for c in state.contacts_after(location_id, None, None) if matches(c, needle))
                after: Iterable[Record] = (
                    c for c in state.contacts_after(location_id, start_after, start_after_id) if matches(c, needle)
                )
            else:
                count = state.count_in_location(location_id)
                after = state.contacts_after(location_id, start_after, start_after_id)
            page = [listed(contact) for contact, _ in zip(after, range(limit), strict=False)]
        return jsonify(contacts=page, count=count)

    @blueprint.post("/contacts/bulk/business")
    def link_business() -> Response:
        """``{locationId, ids, businessId}``: link contacts to a business (``null`` unlinks)."""
        body = json_object()
        check_body(body, BUSINESS_RULES, required=("locationId", "ids"))
        if "businessId" not in body:
            raise unprocessable(["businessId must be a string or null"])
        location_id = require_location(body["locationId"])
        with state.lock:
            # The document lists only 200 and 422 here: unknown ids are a 422 naming them, and nothing changes.
            unknown = [f"ids: contact {contact_id} not found" for contact_id in body["ids"]
                       if contact_id not in state.contacts]
            if unknown:
                raise unprocessable(unknown)
            contacts = [load_contact(state, contact_id) for contact_id in body["ids"]]
            for contact in contacts:
                if contact["locationId"] != location_id:
                    raise forbidden()
                updated = state.snapshot(contact)
                updated["businessId"] = body["businessId"]
                updated["dateUpdated"] = state.now_iso()
                state.replace_contact(updated)
        return jsonify(success=True, ids=[contact["id"] for contact in contacts])

    @blueprint.get("/contacts/search/duplicate")
    def search_duplicate() -> Response:
        location_id = require_location(required_query("locationId"))
        email, number = request.args.get("email"), request.args.get("number")
        if not email and not number:
            raise unprocessable(["email or number should not be empty"])
        with state.lock:
            found = _duplicate_of(state, location_id, email, number)
            contact = answer(found[0]) if found else None
        return jsonify(contact=contact)

    @blueprint.post("/contacts/upsert")
    def upsert_contact() -> tuple[Response, int]:
        body = json_object()
        check_body(body, UPSERT_RULES, required=("locationId",))
        body.pop("createNewIfDuplicateAllowed", None)
        location_id = require_location(body["locationId"])
        if not body.get("email") and not body.get("phone"):
            raise unprocessable(["email or phone should not be empty: upsert matches on them"])
        with state.lock:
            found = _duplicate_of(state, location_id, body.get("email"), body.get("phone"))
            if found is None:
                contact = state.add_contact(new_contact(state, location_id, body))
                created = True
            else:
                contact = state.snapshot(found[0])
                clash = _duplicate_of(state, location_id, body.get("email"), body.get("phone"), ignore=contact["id"])
                if clash and not allow_duplicates():
                    _refuse_duplicate(*clash)
                _apply_fields(state, contact, body)
                contact["dateUpdated"] = state.now_iso()
                state.replace_contact(contact)
                created = False
            snapshot = answer(contact)
        hub.emit("ContactCreate" if created else "ContactUpdate", location_id, snapshot)
        # HighLevel documents only 200 for upsert, whether it created or updated; ``new`` tells them apart.
        return jsonify(new=created, contact=snapshot, traceId=str(uuid.uuid4())), 200

    @blueprint.get("/contacts/business/<business_id>")
    def list_by_business(business_id: str) -> Response:
        location_id = require_location(required_query("locationId"))
        limit = query_int("limit", BUSINESS_LIMIT_DEFAULT, minimum=1, maximum=LIST_LIMIT_MAX)
        skip = query_int("skip", 0, minimum=0)
        needle = request.args.get("query", "").strip()
        with state.lock:
            matching = [
                contact
                for contact in state.contacts_after(location_id, None, None)
                if contact.get("businessId") == business_id and (not needle or matches(contact, needle))
            ]
            page = [listed(contact) for contact in matching[skip : skip + limit]]
        return jsonify(contacts=page, count=len(matching))

    return blueprint
