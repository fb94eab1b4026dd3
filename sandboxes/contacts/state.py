"""In-memory records of the Contacts sandbox, with the indexes its endpoints need.

Contacts are kept per location in ``(dateAdded ms, id)`` order so cursor pages (``startAfter`` +
``startAfterId``) cost a binary search, not a scan, even with tens of thousands of contacts. Emails
(case-insensitive) and phones (digits only) are indexed per location because duplicate search, upsert
and the "no duplicate contacts" rule look them up on every write.

Records are plain JSON-ready dicts in the vendor's field names; views copy them before answering.
"""

from __future__ import annotations

import bisect
import copy
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandboxes.contacts.ids import IdFactory

Record = dict[str, Any]


def iso_timestamp(epoch_seconds: float) -> str:
    """ISO 8601 UTC with milliseconds and ``Z``, as HighLevel writes ``dateAdded``."""
    moment = datetime.fromtimestamp(epoch_seconds, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iso_from_ms(ms: int) -> str:
    """:func:`iso_timestamp` for whole milliseconds, exact (no float rounding)."""
    return datetime.fromtimestamp(ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def epoch_ms(iso: str) -> int:
    """Milliseconds since the epoch for an ISO timestamp (the ``startAfter`` cursor unit)."""
    return round(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def phone_digits(phone: str | None) -> str:
    """Digits only, so "+1 (555) 010-0000" and "+15550100000" are the same phone."""
    return re.sub(r"\D", "", phone or "")


def field_key_of(name: str) -> str:
    """HighLevel's key for a custom field name: lower case, words joined by ``_`` ("External ID" -> external_id)."""
    return "_".join(re.findall(r"[a-z0-9]+", name.lower()))


def without_nulls(value: Any) -> Any:
    """``value`` with every ``None`` member of a mapping dropped, at any depth."""
    if isinstance(value, dict):
        return {key: without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


@dataclass
class ContactsState:
    """Every record the sandbox holds. Guard compound read-modify-write sequences with ``lock``."""

    clock: Callable[[], float] = time.time
    ids: IdFactory = field(default_factory=IdFactory)
    lock: threading.RLock = field(default_factory=threading.RLock)
    contacts: dict[str, Record] = field(default_factory=dict)
    tasks: dict[str, dict[str, Record]] = field(default_factory=dict)
    notes: dict[str, dict[str, Record]] = field(default_factory=dict)
    appointments: dict[str, list[Record]] = field(default_factory=dict)
    #: appointment (event) id -> note id -> note (the calendars document's appointment notes).
    appointment_notes: dict[str, dict[str, Record]] = field(default_factory=dict)
    #: contact id -> the user ids following the contact, in the order they were added.
    followers: dict[str, list[str]] = field(default_factory=dict)
    #: contact id -> campaign id -> when the contact was added.
    campaign_members: dict[str, dict[str, str]] = field(default_factory=dict)
    #: contact id -> workflow id -> ``{enrolledAt, eventStartTime}``.
    workflow_members: dict[str, dict[str, Record]] = field(default_factory=dict)
    #: locationId -> custom field id -> definition (``GET /locations/{id}/customFields``).
    custom_fields: dict[str, dict[str, Record]] = field(default_factory=dict)
    _order: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    _emails: dict[tuple[str, str], str] = field(default_factory=dict)
    _phones: dict[tuple[str, str], str] = field(default_factory=dict)

    # -- time ---------------------------------------------------------------------------------------
    def now_iso(self) -> str:
        return iso_timestamp(self.clock())

    def update_time(self, previous: str | None) -> str:
        """Now, or one millisecond after ``previous`` when the clock has not passed it.

        Pollers tell versions of a record apart by ``dateUpdated``, so two changes within one
        millisecond (or under a frozen test clock) must still get different times.
        """
        now = self.now_iso()
        if previous and epoch_ms(now) <= epoch_ms(previous):
            return iso_from_ms(epoch_ms(previous) + 1)
        return now

    # -- contacts -----------------------------------------------------------------------------------
    def add_contact(self, contact: Record) -> Record:
        """Store a complete contact record (id and dates already set) and index it."""
        with self.lock:
            self.contacts[contact["id"]] = contact
            bisect.insort(self._order.setdefault(contact["locationId"], []), self._order_key(contact))
            self._index(contact)
            return contact

    def replace_contact(self, contact: Record) -> Record:
        """Swap in an updated record; the order key (dateAdded) never changes."""
        with self.lock:
            self._unindex(self.contacts[contact["id"]])
            self.contacts[contact["id"]] = contact
            self._index(contact)
            return contact

    def remove_contact(self, contact_id: str) -> Record | None:
        with self.lock:
            contact = self.contacts.pop(contact_id, None)
            if contact is None:
                return None
            order = self._order.get(contact["locationId"], [])
            position = bisect.bisect_left(order, self._order_key(contact))
            if position < len(order) and order[position][1] == contact_id:
                del order[position]
            self._unindex(contact)
            self.tasks.pop(contact_id, None)
            self.notes.pop(contact_id, None)
            for event in self.appointments.pop(contact_id, []):
                self.appointment_notes.pop(event["id"], None)
            self.followers.pop(contact_id, None)
            self.campaign_members.pop(contact_id, None)
            self.workflow_members.pop(contact_id, None)
            return contact

    def find_by_email(self, location_id: str, email: str | None) -> Record | None:
        if not email:
            return None
        contact_id = self._emails.get((location_id, email.strip().lower()))
        return self.contacts.get(contact_id) if contact_id else None

    def find_by_phone(self, location_id: str, phone: str | None) -> Record | None:
        digits = phone_digits(phone)
        if not digits:
            return None
        contact_id = self._phones.get((location_id, digits))
        return self.contacts.get(contact_id) if contact_id else None

    def count_in_location(self, location_id: str) -> int:
        return len(self._order.get(location_id, []))

    def contacts_after(
        self, location_id: str, start_after_ms: int | None, start_after_id: str | None
    ) -> Iterator[Record]:
        """Contacts of a location in list order, strictly after the cursor when one is given."""
        order = self._order.get(location_id, [])
        with self.lock:
            if start_after_ms is not None:
                position = bisect.bisect_right(order, (start_after_ms, start_after_id or "\uffff"))
            elif start_after_id and start_after_id in self.contacts:
                position = bisect.bisect_right(order, self._order_key(self.contacts[start_after_id]))
            else:
                position = 0
            snapshot = order[position:]
        for _, contact_id in snapshot:
            contact = self.contacts.get(contact_id)
            if contact is not None:
                yield contact

    def position_of(self, location_id: str, contact: Record) -> int:
        """How many contacts of the location come before ``contact`` in list order."""
        return bisect.bisect_left(self._order.get(location_id, []), self._order_key(contact))

    def add_custom_field(self, location_id: str, name: str, data_type: str, **extra: Any) -> Record:
        """Define a contact custom field; its ``fieldKey`` is ``contact.`` + the name in snake case."""
        with self.lock:
            fields = self.custom_fields.setdefault(location_id, {})
            definition: Record = {
                "id": self.ids.new_id(),
                "name": name,
                "fieldKey": "contact." + field_key_of(name),
                "dataType": data_type,
                "position": len(fields) * 50,
                "locationId": location_id,
                "model": "contact",
                **extra,
            }
            fields[definition["id"]] = definition
            return definition

    def custom_field(self, location_id: str, field_id: str) -> Record | None:
        return self.custom_fields.get(location_id, {}).get(field_id)

    # -- children -----------------------------------------------------------------------------------
    def add_appointment(self, contact_id: str, event: Record) -> Record:
        with self.lock:
            self.appointments.setdefault(contact_id, []).append(event)
            return event

    def snapshot(self, record: Record) -> Record:
        """A deep copy without empty (``None``) fields, so answers never alias stored records.

        HighLevel's response schemas type these fields as plain, non-nullable strings: a field with no
        value is left out of the answer, never sent as ``null``.
        """
        return without_nulls(copy.deepcopy(record))

    # -- private ------------------------------------------------------------------------------------
    @staticmethod
    def _order_key(contact: Record) -> tuple[int, str]:
        return (epoch_ms(contact["dateAdded"]), contact["id"])

    def _index(self, contact: Record) -> None:
        location = contact["locationId"]
        if contact.get("email"):
            self._emails.setdefault((location, contact["email"].lower()), contact["id"])
        digits = phone_digits(contact.get("phone"))
        if digits:
            self._phones.setdefault((location, digits), contact["id"])

    def _unindex(self, contact: Record) -> None:
        location = contact["locationId"]
        if contact.get("email") and self._emails.get((location, contact["email"].lower())) == contact["id"]:
            del self._emails[(location, contact["email"].lower())]
        digits = phone_digits(contact.get("phone"))
        if digits and self._phones.get((location, digits)) == contact["id"]:
            del self._phones[(location, digits)]
