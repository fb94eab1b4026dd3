"""Groups and their memberships, both kept in cursor-pageable order."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandboxes.okta.cursor_list import CursorList
from sandboxes.okta.errors import OktaError, validation_error
from sandboxes.okta.ids import GROUP_PREFIX, IdFactory
from sandboxes.okta.system_log import SystemLog
from sandboxes.okta.timestamps import iso_timestamp
from sandboxes.okta.user_records import UserRecord
from sandboxes.okta.user_store import user_target

GROUP_TYPES = ("OKTA_GROUP", "APP_GROUP", "BUILT_IN")
EVERYONE = "Everyone"
EVERYONE_DESCRIPTION = "All users in your organization"


@dataclass(eq=False)
class GroupRecord:
    """One group; ``members`` holds user ids in the order they were added."""

    id: str
    type: str
    name: str
    description: str | None
    created: float
    last_updated: float
    last_membership_updated: float
    members: CursorList[str] = field(default_factory=CursorList)
    #: The built-in ``Everyone`` group reads its members from the org's users instead of ``members``.
    all_users: CursorList[UserRecord] | None = None

    def view(self, base_url: str) -> dict[str, Any]:
        """The group as Okta returns it."""
        url = f"{base_url}/api/v1/groups/{self.id}"
        return {
            "id": self.id,
            "created": iso_timestamp(self.created),
            "lastUpdated": iso_timestamp(self.last_updated),
            "lastMembershipUpdated": iso_timestamp(self.last_membership_updated),
            "objectClass": ["okta:user_group"],
            "type": self.type,
            # Okta's profile has no null description: an unset one is left out.
            "profile": {"name": self.name} | ({"description": self.description} if self.description else {}),
            # Only what the sandbox serves: Okta also links the group's apps and logo, which it does not model.
            "_links": {"users": {"href": f"{url}/users"}, "self": {"href": url}},
        }


def group_target(group: GroupRecord) -> dict[str, str]:
    return {"id": group.id, "type": "UserGroup", "alternateId": "unknown", "displayName": group.name}


def _group_profile(body: Any) -> tuple[str, str | None]:
    profile = body.get("profile") if isinstance(body, dict) else None
    if not isinstance(profile, dict):
        raise validation_error("profile", "must be an object with a name, e.g. {\"name\": \"Sales\"}")
    name = profile.get("name")
    if not isinstance(name, str) or not name.strip():
        raise validation_error("profile.name", "The field cannot be left blank")
    if len(name) > 255:
        raise validation_error("profile.name", "size must be at most 255 characters")
    description = profile.get("description")
    if description is not None and not isinstance(description, str):
        raise validation_error("profile.description", "must be a string")
    return name, description


class GroupStore:
    """The org's groups, plus a user -> groups index for ``/users/{id}/groups`` and user deletion."""

    def __init__(self, log: SystemLog, clock: Callable[[], float], ids: IdFactory, lock: threading.RLock):
        self.records: CursorList[GroupRecord] = CursorList()
        self.groups_of_user: dict[str, dict[str, None]] = {}
        self._log = log
        self._clock = clock
        self._ids = ids
        self._lock = lock
        self.everyone: GroupRecord | None = None

    def add_everyone(self, users: CursorList[UserRecord]) -> GroupRecord:
        """The built-in ``Everyone`` group every org has: type BUILT_IN, every user a member, read-only."""
        now = self._clock()
        group = GroupRecord(self._ids.new(GROUP_PREFIX), "BUILT_IN", EVERYONE, EVERYONE_DESCRIPTION, now, now, now,
                            all_users=users)
        self.records.add(group.id, group)
        self.everyone = group
        return group

    def find(self, group_id: str) -> GroupRecord:
        group = self.records.get(group_id)
        if group is None:
            raise OktaError("E0000007", f"{group_id} (UserGroup)")
        return group

    def create(self, body: Any, group_type: str = "OKTA_GROUP") -> GroupRecord:
        name, description = _group_profile(body)
        with self._lock:
            if any(g.name == name and g.type == "OKTA_GROUP" for g in self.records):
                raise OktaError("E0000001", "name",
                                causes=["name: An object with this field already exists in the current "
                                        "organization"])
            now = self._clock()
            group = GroupRecord(self._ids.new(GROUP_PREFIX), group_type, name, description, now, now, now)
            self.records.add(group.id, group)
            self._log.record("group.lifecycle.create", "Create okta group", [group_target(group)])
            return group

    def replace(self, group: GroupRecord, body: Any) -> GroupRecord:
        if group.type != "OKTA_GROUP":
            raise OktaError("E0000001", "type",
                            causes=[f"type: only OKTA_GROUP groups can be updated; this one is {group.type}"])
        name, description = _group_profile(body)
        with self._lock:
            group.name, group.description = name, description
            group.last_updated = self._clock()
            self._log.record("group.profile.update", "Update group profile", [group_target(group)])
            return group

    def delete(self, group: GroupRecord) -> None:
        if group.type == "BUILT_IN":
            raise OktaError("E0000006", causes=[f"{group.name} is a built-in group: it cannot be deleted"])
        with self._lock:
            for user_id in group.members:
                self.groups_of_user.get(user_id, {}).pop(group.id, None)
            self.records.remove(group.id)
            self._log.record("group.lifecycle.delete", "Delete Okta group", [group_target(group)])

    def add_member(self, group: GroupRecord, user: UserRecord) -> None:
        _refuse_built_in(group)
        with self._lock:
            if user.id in group.members:
                return
            group.members.add(user.id, user.id)
            self.groups_of_user.setdefault(user.id, {})[group.id] = None
            group.last_membership_updated = self._clock()
            self._log.record("group.user_membership.add", "Add user to group membership",
                             [user_target(user), group_target(group)])

    def remove_member(self, group: GroupRecord, user: UserRecord) -> None:
        _refuse_built_in(group)
        with self._lock:
            if group.members.remove(user.id) is None:
                return
            self.groups_of_user.get(user.id, {}).pop(group.id, None)
            group.last_membership_updated = self._clock()
            self._log.record("group.user_membership.remove", "Remove user from group membership",
                             [user_target(user), group_target(group)])

    def forget_user(self, user: UserRecord) -> None:
        """Drop a deleted user from every group (Okta does not log these as membership removals)."""
        with self._lock:
            for group_id in self.groups_of_user.pop(user.id, {}):
                group = self.records.get(group_id)
                if group is not None:
                    group.members.remove(user.id)

    def groups_for(self, user_id: str) -> list[GroupRecord]:
        ids = self.groups_of_user.get(user_id, {})
        groups = [g for g in (self.records.get(i) for i in ids) if g is not None]
        return [self.everyone, *groups] if self.everyone is not None else groups


def _refuse_built_in(group: GroupRecord) -> None:
    if group.type == "BUILT_IN":
        raise OktaError("E0000006", causes=[f"{group.name} is a built-in group: Okta keeps its members itself"])
