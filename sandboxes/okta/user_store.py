"""Users of the org: create, read by id or login, replace, partial update, delete.

Logins are unique ignoring case and diacritics, as in Okta. Every change writes a System Log event.
Lifecycle transitions live in ``lifecycle.py``.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable
from typing import Any

from sandboxes.okta.cursor_list import CursorList
from sandboxes.okta.errors import OktaError, validation_error
from sandboxes.okta.ids import USER_PREFIX, IdFactory
from sandboxes.okta.system_log import SystemLog
from sandboxes.okta.user_records import UserRecord

DUPLICATE_LOGIN = "login: An object with this field already exists in the current organization"
REQUIRED_PROFILE_FIELDS = ("login", "email", "firstName", "lastName")
MAX_LENGTHS = {"email": 100, "firstName": 50, "lastName": 50, "mobilePhone": 100, "login": 100}


def login_key(login: str) -> str:
    """Fold case and strip diacritics, so ``Zoë@x`` and ``zoe@X`` collide like they do in Okta."""
    decomposed = unicodedata.normalize("NFKD", login.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def validate_profile(profile: Any) -> dict[str, Any]:
    """Check a profile against Okta's base user schema; 400 E0000001 names every bad field."""
    if not isinstance(profile, dict):
        raise validation_error("profile", "must be an object with at least login, email, firstName, lastName")
    causes: list[str] = []
    for name in REQUIRED_PROFILE_FIELDS:
        value = profile.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            causes.append(f"{name}: The field cannot be left blank")
        elif not isinstance(value, str):
            causes.append(f"{name}: must be a string")
    for name, limit in MAX_LENGTHS.items():
        value = profile.get(name)
        if isinstance(value, str) and len(value) > limit:
            causes.append(f"{name}: size must be at most {limit} characters")
    email = profile.get("email")
    if isinstance(email, str) and email.strip() and (len(email) < 5 or "@" not in email):
        causes.append("email: Does not match required pattern (an address like jane@example.com)")
    country = profile.get("countryCode")
    if isinstance(country, str) and len(country) != 2:
        causes.append("countryCode: must be a 2-letter ISO 3166-1 code like US")
    if causes:
        field = causes[0].split(":", 1)[0]
        raise OktaError("E0000001", field, causes=causes)
    return profile


class UserStore:
    """The org's users in creation order, with login and id indexes."""

    def __init__(self, log: SystemLog, clock: Callable[[], float], ids: IdFactory, lock: threading.RLock):
        self.records: CursorList[UserRecord] = CursorList()
        self.by_login: dict[str, str] = {}
        self._log = log
        self._clock = clock
        self._ids = ids
        self._lock = lock

    def find(self, id_or_login: str) -> UserRecord:
        """A user by id, or by login when no id matches; 404 E0000007 otherwise."""
        user = self.records.get(id_or_login)
        if user is None:
            user_id = self.by_login.get(login_key(id_or_login))
            user = self.records.get(user_id) if user_id else None
        if user is None:
            raise OktaError("E0000007", f"{id_or_login} (User)")
        return user

    def new_id(self) -> str:
        user_id = self._ids.new(USER_PREFIX)
        while user_id in self.records:
            user_id = self._ids.new(USER_PREFIX)
        return user_id

    def insert(self, user: UserRecord) -> None:
        """Store a fully built user (no checks, no log): the fast path for seeding."""
        self.records.add(user.id, user)
        self.by_login[login_key(user.profile["login"])] = user.id

    def create(
        self,
        profile: Any,
        *,
        activate: bool,
        password: str | None,
        provider: bool = False,
        recovery_question: str | None = None,
        type_id: str | None = None,
        realm_id: str | None = None,
        next_login: str | None = None,
    ) -> UserRecord:
        """Create a user: STAGED without activation, ACTIVE with a password, else PROVISIONED."""
        profile = dict(validate_profile(profile))
        with self._lock:
            key = login_key(profile["login"])
            if key in self.by_login:
                raise OktaError("E0000001", "login", causes=[DUPLICATE_LOGIN])
            now = self._clock()
            has_password = password is not None or provider
            if not activate:
                status = "STAGED"
            elif next_login == "changePassword" and has_password:
                status = "PASSWORD_EXPIRED"
            else:
                status = "ACTIVE" if has_password else "PROVISIONED"
            user = UserRecord(
                id=self.new_id(),
                status=status,
                profile=profile,
                created=now,
                last_updated=now,
                has_password=password is not None,
                recovery_question=recovery_question,
                realm_id=realm_id,
            )
            if type_id:
                user.type_id = type_id
            if provider:
                user.provider = {"type": "FEDERATION", "name": "FEDERATION"}
            if activate:
                user.activated = now
                user.status_changed = now
            if password is not None:
                user.password_changed = now
            self.insert(user)
            target = user_target(user)
            self._log.record("user.lifecycle.create", "Create Okta user", [target])
            if activate:
                self._log.record("user.lifecycle.activate", "Activate Okta user", [target])
            return user

    def update_profile(self, user: UserRecord, changes: Any, *, replace: bool) -> UserRecord:
        """Replace (PUT) or merge (POST) the profile; login stays unique."""
        if not isinstance(changes, dict):
            raise validation_error("profile", "must be an object")
        with self._lock:
            profile = dict(changes) if replace else {**user.profile, **changes}
            profile = {k: v for k, v in profile.items() if not (v is None and not replace)}
            validate_profile(profile)
            old_key = login_key(user.profile["login"])
            new_key = login_key(profile["login"])
            if new_key != old_key and new_key in self.by_login:
                raise OktaError("E0000001", "login", causes=[DUPLICATE_LOGIN])
            self.by_login.pop(old_key, None)
            self.by_login[new_key] = user.id
            user.profile = profile
            user.touch(self._clock())
            self._log.record(
                "user.account.update_profile", "Update user profile for Okta", [user_target(user)],
                debug_data={"changedAttributes": ",".join(sorted(changes))},
            )
            return user

    def set_password(self, user: UserRecord, password: str) -> None:
        """Set a password (never stored, only remembered as present)."""
        if not isinstance(password, str) or not password:
            raise validation_error("credentials.password.value", "must be a non-empty string")
        now = self._clock()
        user.has_password = True
        user.password_changed = now
        user.touch(now)

    def delete(self, user: UserRecord) -> None:
        """Remove a DEPROVISIONED user for good (callers check the status)."""
        with self._lock:
            self.records.remove(user.id)
            self.by_login.pop(login_key(user.profile["login"]), None)
            self._log.record("user.lifecycle.delete.initiated", "Delete Okta user", [user_target(user)])


def user_target(user: UserRecord) -> dict[str, str]:
    """The System Log target entry for a user."""
    profile = user.profile
    name = f"{profile.get('firstName', '')} {profile.get('lastName', '')}".strip()
    return {"id": user.id, "type": "User", "alternateId": profile.get("login", ""), "displayName": name}
