"""Syncable record types: what a two-way sync needs to know about one kind of record in one app.

A trigger says "something new happened"; a sync needs more. It must list what changed since it last
looked, read one record, create and update records, know when each was last modified (by the vendor's
own clock), which keys identify the same person on both sides (email, an external id), what the fields
are and of which type, and which parts are sets (tags, group memberships) that merge member by member.
A :class:`RecordType` declares exactly that, next to the app's triggers and actions, and is published
in the manifest (``recordTypes``) and checked by ``connector validate`` like the other operations.

Every record crosses the boundary as a :class:`SyncRecord`: the vendor's id, its modification time in
epoch seconds *on the vendor's clock* (the engine corrects for the clock's offset), and plain values
by field key, list parts as lists. The functions get the same :class:`~connector.context.Context` as
every operation, so requests go through the one HTTP seam (retries, pacing, the outbound guard) and
ids through :func:`connector.paths.api_path`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from connector.definitions import Field

if TYPE_CHECKING:
    from connector.context import Context


@dataclass(frozen=True)
class SyncRecord:
    """One record as a sync sees it.

    Attributes:
        id: the vendor's id, as text.
        modified_at: when the vendor last changed it, epoch seconds on the vendor's own clock.
        values: field key -> value; list parts hold lists of text.
    """

    id: str
    modified_at: float
    values: Mapping[str, Any]


@dataclass(frozen=True)
class RecordUpdate:
    """What a sync changes on one record: plain fields set, and members added to or removed from sets.

    Sets are changed member by member (never replaced) so a member someone added meanwhile survives.
    """

    values: Mapping[str, Any] = field(default_factory=dict)
    added: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    removed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.values) or any(self.added.values()) or any(self.removed.values())


#: Pages of records modified at or after ``since`` (vendor epoch seconds; None: every record).
ListChanges = Callable[["Context", "float | None"], Iterator[list[SyncRecord]]]
ReadRecord = Callable[["Context", str], "SyncRecord | None"]
CreateRecord = Callable[["Context", Mapping[str, Any]], SyncRecord]
UpdateRecord = Callable[["Context", str, RecordUpdate], SyncRecord]
#: Deletes a record; True when it did, False when it was already gone (deleting twice is harmless).
DeleteRecord = Callable[["Context", str], bool]
#: The record whose identity keys hold these values (a dict of identity key -> value), or None.
FindRecord = Callable[["Context", Mapping[str, Any]], "SyncRecord | None"]


@dataclass(frozen=True)
class RecordType:
    """A kind of record a two-way sync can keep equal with a record type of another app.

    Attributes:
        key: ``employee``; the qualified name is ``<app>.<key>`` (``personio.employee``).
        fields: the plain fields, with their types; the values a :class:`SyncRecord` carries.
        list_parts: list-valued parts that merge as sets (``tags``, ``groups``); type ``list``.
        identity_keys: fields that identify the same person in another app, best first; a first sync
            links records whose values of a pair of identity keys are equal (case-insensitive).
        create_only: fields the vendor lets a create set but never an update change (Personio's email).
        modified_resolution: the precision of the vendor's modification time in seconds (Personio
            shows whole seconds; a change at 10.7 s reads 10 s, so the engine compares mid-intervals).
        list_changes: pages of records modified at or after a time on the vendor's clock, inclusive,
            so a change made in the second a listing started is read again rather than lost.
        read: one record, or None when it no longer exists.
        create: makes a record from field values (and list parts) and returns it as stored.
        update: applies a :class:`RecordUpdate` and returns the record as stored afterwards.
        find: the record with the given identity values, or None; a sync looks before it creates, so a
            create repeated after a crash links the record made the first time instead of making two.
        delete: removes a record (a sync whose deletion policy is ``mirror`` deletes a partner with it);
            None when the vendor's API documents no way to delete one, and then ``delete_note`` says so.
        delete_note: why a record type has no ``delete``, shown wherever a user would choose mirror.
        custom_fields: a pattern (regular expression) of extra plain text field keys the vendor lets each
            customer define (Personio's custom attributes ``dynamic_<id>``); fields matching it are
            accepted in field maps and carried like the declared ones.
    """

    key: str
    noun: str
    label: str
    description: str
    fields: tuple[Field, ...]
    identity_keys: tuple[str, ...]
    list_changes: ListChanges | None = None
    read: ReadRecord | None = None
    create: CreateRecord | None = None
    update: UpdateRecord | None = None
    find: FindRecord | None = None
    delete: DeleteRecord | None = None
    delete_note: str = ""
    custom_fields: str = ""
    list_parts: tuple[Field, ...] = ()
    create_only: tuple[str, ...] = ()
    modified_resolution: float = 0.001
    scopes: tuple[str, ...] = ()
    sample: Mapping[str, Any] = field(default_factory=dict)

    kind_name = "record_type"

    @property
    def keys(self) -> tuple[str, ...]:
        """Every field and list part key, in declaration order."""
        return (*(f.key for f in self.fields), *(f.key for f in self.list_parts))

    def field_named(self, key: str) -> Field | None:
        found = next((f for f in (*self.fields, *self.list_parts) if f.key == key), None)
        if found is None and self.custom_fields and re.fullmatch(self.custom_fields, key):
            return Field(key, f"Custom attribute {key}")
        return found

    def is_list_part(self, key: str) -> bool:
        return any(f.key == key for f in self.list_parts)


__all__ = ["RecordType", "RecordUpdate", "SyncRecord"]
