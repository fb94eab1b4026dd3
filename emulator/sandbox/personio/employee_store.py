"""The company's employees in memory: ids, the email index, departments and offices, and validation.

Writes take the body Personio's v1 write endpoints take (``{"employee": {...}}``), check every field
and answer :class:`PersonioApiError` naming the field, so a test or the emulator can change employees
exactly as a Personio admin (or an integration) would. ``last_modified_at`` moves on every change that
alters a value (a PATCH that changes nothing leaves it), to the second, as Personio shows it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from emulator.sandbox.personio.attributes import GENDERS, STATUSES, AttributeSpec, parse_datetime
from emulator.sandbox.personio.errors import PersonioApiError, invalid

Record = dict[str, Any]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: Body keys -> record keys, for plain text fields.
_TEXT_FIELDS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "preferred_name": "preferred_name",
    "position": "position",
    "department": "department",
    "office": "office",
}
_WRITABLE = (*_TEXT_FIELDS, "email", "gender", "status", "hire_date", "weekly_hours", "custom_attributes")


class EmployeeStore:
    """Employees by id (creation order), with a case-insensitive email index."""

    def __init__(self, clock: Callable[[], float], custom_attributes: Iterable[AttributeSpec]) -> None:
        self.clock = clock
        self.custom = {spec.key: spec for spec in custom_attributes}
        self.lock = threading.RLock()
        self.records: dict[int, Record] = {}
        self.by_email: dict[str, int] = {}
        self.groups: dict[str, dict[str, int]] = {"department": {}, "office": {}}
        self._next_id = 1
        self._next_group_id = 1

    # -- reads ------------------------------------------------------------------------------------
    def get(self, employee_id: int) -> Record:
        record = self.records.get(employee_id)
        if record is None:
            raise PersonioApiError(
                404, f"Employee {employee_id} was not found. Check the id (GET /v1/company/employees)."
            )
        return record

    def matching(self, *, email: str | None = None, updated_since: float | None = None) -> list[Record]:
        """Employees in id order, narrowed by exact email (any case) and ``last_modified_at >= updated_since``."""
        with self.lock:
            if updated_since is not None:
                return [r for r in self.records.values() if r["last_modified_at"] >= updated_since]
            if email is not None:
                found = self.by_email.get(email.strip().lower())
                return [self.records[found]] if found is not None else []
            return list(self.records.values())

    # -- writes -----------------------------------------------------------------------------------
    def create(self, body: Any, *, now: float | None = None) -> Record:
        fields = self._employee_fields(body)
        for required in ("email", "first_name", "last_name"):
            if not fields.get(required):
                raise invalid(required, "is required to create an employee")
        stamp = int(self.clock() if now is None else now)
        with self.lock:
            email = self._checked_email(fields["email"], None)
            record: Record = {
                "id": self._next_id,
                "first_name": None, "last_name": None, "preferred_name": None, "email": email,
                "gender": None, "status": "active", "position": None, "employment_type": "internal",
                "weekly_working_hours": None, "hire_date": None, "termination_date": None,
                "department": None, "office": None,
                "created_at": stamp, "last_modified_at": stamp, "custom": {},
            }
            self._apply(record, {k: v for k, v in fields.items() if k != "email"})
            self._next_id += 1
            self.records[record["id"]] = record
            self.by_email[email.lower()] = record["id"]
            return record

    def update(self, employee_id: int, body: Any) -> Record:
        fields = self._employee_fields(body)
        if "email" in fields:
            raise invalid("email", "cannot be changed through the API; change it in Personio")
        with self.lock:
            record = self.get(employee_id)
            before = {k: (dict(v) if isinstance(v, dict) else v) for k, v in record.items()}
            self._apply(record, fields)
            if record != before:
                record["last_modified_at"] = int(self.clock())
            return record

    # -- private ----------------------------------------------------------------------------------
    def _employee_fields(self, body: Any) -> dict[str, Any]:
        employee = body.get("employee") if isinstance(body, Mapping) else None
        if not isinstance(employee, Mapping):
            raise invalid("employee", 'must be an object: send {"employee": {"first_name": ..., ...}}')
        unknown = sorted(set(employee) - set(_WRITABLE))
        if unknown:
            raise invalid(unknown[0], f"is not a writable employee field; use one of {', '.join(_WRITABLE)}")
        return dict(employee)

    def _checked_email(self, value: Any, own_id: int | None) -> str:
        if not isinstance(value, str) or not _EMAIL.match(value.strip()):
            raise invalid("email", f"must be a valid email address, got {value!r}")
        email = value.strip()
        holder = self.by_email.get(email.lower())
        if holder is not None and holder != own_id:
            raise invalid("email", f"has already been taken (employee {holder})")
        return email

    def _apply(self, record: Record, fields: Mapping[str, Any]) -> None:
        """Validate every field first, then write them all (a bad field changes nothing)."""
        changes: Record = {}
        for key, value in fields.items():
            if key in _TEXT_FIELDS:
                if value is not None and not isinstance(value, str):
                    raise invalid(key, f"must be text, got {value!r}")
                changes[_TEXT_FIELDS[key]] = value or None
            elif key == "gender":
                if value not in (*GENDERS, None):
                    raise invalid(key, f"must be one of {', '.join(GENDERS)}, got {value!r}")
                changes[key] = value
            elif key == "status":
                if value not in STATUSES:
                    raise invalid(key, f"must be one of {', '.join(STATUSES)}, got {value!r}")
                changes[key] = value
            elif key == "hire_date":
                changes[key] = self._date(key, value)
            elif key == "weekly_hours":
                if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 168:
                    raise invalid(key, f"must be a number of hours between 0 and 168, got {value!r}")
                changes["weekly_working_hours"] = value
            elif key == "custom_attributes":
                changes["custom"] = {**record["custom"], **self._custom(value)}
        for name in ("department", "office"):
            if changes.get(name):
                group = self.groups[name]
                if changes[name] not in group:
                    group[changes[name]] = self._next_group_id
                    self._next_group_id += 1
        record.update(changes)

    def _date(self, key: str, value: Any) -> float | None:
        if value in (None, ""):
            return None
        try:
            return parse_datetime(str(value))
        except ValueError:
            raise invalid(key, f"must be an ISO 8601 date such as 2026-01-31, got {value!r}") from None

    def _custom(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise invalid("custom_attributes", 'must be an object such as {"dynamic_1146702": "+49 30 1234"}')
        checked: dict[str, Any] = {}
        for key, raw in value.items():
            spec = self.custom.get(key)
            if spec is None:
                known = ", ".join(self.custom) or "none"
                raise invalid(key, f"is not a custom attribute of this company; known: {known}")
            if spec.type == "date":
                checked[key] = self._date(key, raw)
            elif spec.type == "tags":
                tags = raw.split(",") if isinstance(raw, str) else list(raw or [])
                checked[key] = [str(tag).strip() for tag in tags if str(tag).strip()]
            else:
                checked[key] = raw
        return checked
