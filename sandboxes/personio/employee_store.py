"""The company's employees in memory: ids, the email index, org units (departments, offices,
subcompanies), supervisors, and validation.

Writes take the body Personio's v1 write endpoints take (``{"employee": {...}}``). As Personio's
document says, only the attributes it lists are writable (``POST`` adds ``email``); any other attribute
in the body is **ignored**, not refused, which is why a misspelt attribute does nothing there. Values
of listed attributes are checked and a bad one is a 422 naming the field. ``last_modified_at`` moves on
every change that alters a value (a PATCH that changes nothing leaves it), to the second.

Departments, offices and subcompanies must already exist in the company (Personio: "should be
predefined"); through the API an unknown name is ignored and reported in the answer's ``meta``. The
sandbox's Python API (``PersonioSandbox.create_employee``/``update_employee``) acts as an admin in
Personio's own web app and creates the unit on first use.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sandboxes.personio.attributes import GENDERS, STATUSES, AttributeSpec, parse_datetime
from sandboxes.personio.errors import PersonioApiError, invalid

Record = dict[str, Any]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
#: Plain text attributes (body key = record key).
_TEXT_FIELDS = ("first_name", "last_name", "preferred_name", "position")
#: Attributes that name an org unit the company must already have.
ORG_UNITS = ("department", "office", "subcompany")
#: What ``PATCH /company/employees/{id}`` may change (Personio's document lists exactly these).
UPDATABLE = (*_TEXT_FIELDS, "gender", *ORG_UNITS, "hire_date", "weekly_working_hours", "status",
             "supervisor_id", "custom_attributes")
#: What ``POST /company/employees`` may set.
CREATABLE = ("email", *UPDATABLE)


class EmployeeStore:
    """Employees by id (creation order), with a case-insensitive email index and the company's org units."""

    def __init__(self, clock: Callable[[], float], custom_attributes: Iterable[AttributeSpec]) -> None:
        self.clock = clock
        self.custom = {spec.key: spec for spec in custom_attributes}
        self.lock = threading.RLock()
        self.records: dict[int, Record] = {}
        self.by_email: dict[str, int] = {}
        self.groups: dict[str, dict[str, int]] = {unit: {} for unit in ORG_UNITS}
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

    # -- org units --------------------------------------------------------------------------------
    def define_unit(self, kind: str, name: str) -> int:
        """Add a department, office or subcompany to the company (as an admin would); returns its id."""
        with self.lock:
            units = self.groups[kind]
            if name not in units:
                units[name] = self._next_group_id
                self._next_group_id += 1
            return units[name]

    # -- writes -----------------------------------------------------------------------------------
    def create(self, body: Any, *, now: float | None = None, admin: bool = False) -> Record:
        """``POST /company/employees``; ``admin`` creates org units that do not exist yet."""
        fields = self._employee_fields(body, CREATABLE)
        for required in ("email", "first_name", "last_name"):
            if not fields.get(required):
                raise invalid(required, "is required to create an employee")
        stamp = int(self.clock() if now is None else now)
        with self.lock:
            email = self._checked_email(fields["email"], None)
            record: Record = {
                "id": self._next_id,
                "first_name": None, "last_name": None, "preferred_name": None, "email": email,
                "gender": None, "status": None, "position": None, "employment_type": "internal",
                "weekly_working_hours": None, "hire_date": None, "termination_date": None,
                "department": None, "office": None, "subcompany": None, "supervisor_id": None,
                "created_at": stamp, "last_modified_at": stamp, "custom": {},
            }
            self._apply(record, {k: v for k, v in fields.items() if k != "email"}, admin=admin, creating=True)
            if record["status"] is None:  # Personio: from hire_date, active once it has passed
                hired = record["hire_date"]
                record["status"] = "onboarding" if hired is not None and hired > stamp else "active"
            self._next_id += 1
            self.records[record["id"]] = record
            self.by_email[email.lower()] = record["id"]
            return record

    def update(self, employee_id: int, body: Any, *, admin: bool = False) -> tuple[Record, list[str]]:
        """``PATCH /company/employees/{id}``: the record and the ``meta`` notes on what was ignored."""
        fields = self._employee_fields(body, UPDATABLE)
        with self.lock:
            record = self.get(employee_id)
            before = {k: (dict(v) if isinstance(v, dict) else v) for k, v in record.items()}
            notes = self._apply(record, fields, admin=admin, creating=False)
            if record != before:
                record["last_modified_at"] = int(self.clock())
            return record, notes

    def delete(self, employee_id: int) -> None:
        """Remove an employee (Personio's web app can; its API documents no delete). Supervisor links to
        them are cleared, as Personio leaves no dangling supervisor."""
        with self.lock:
            record = self.get(employee_id)
            del self.records[employee_id]
            self.by_email.pop(str(record["email"]).lower(), None)
            for other in self.records.values():
                if other.get("supervisor_id") == employee_id:
                    other["supervisor_id"] = None

    # -- private ----------------------------------------------------------------------------------
    def _employee_fields(self, body: Any, writable: tuple[str, ...]) -> dict[str, Any]:
        """The writable attributes of the body; others are ignored, as Personio ignores them."""
        employee = body.get("employee") if isinstance(body, Mapping) else None
        if not isinstance(employee, Mapping):
            raise invalid("employee", 'must be an object: send {"employee": {"first_name": ..., ...}}')
        return {key: value for key, value in employee.items() if key in writable}

    def _checked_email(self, value: Any, own_id: int | None) -> str:
        if not isinstance(value, str) or not _EMAIL.match(value.strip()):
            raise invalid("email", f"must be a valid email address, got {value!r}")
        email = value.strip()
        holder = self.by_email.get(email.lower())
        if holder is not None and holder != own_id:
            raise invalid("email", f"has already been taken (employee {holder})")
        return email

    def _apply(self, record: Record, fields: Mapping[str, Any], *, admin: bool, creating: bool) -> list[str]:
        """Validate every field first, then write them all (a bad field changes nothing); returns notes."""
        changes: Record = {}
        notes: list[str] = []
        for key, value in fields.items():
            if key in _TEXT_FIELDS:
                if value is not None and not isinstance(value, str):
                    raise invalid(key, f"must be text, got {value!r}")
                changes[key] = value or None
            elif key in ORG_UNITS:
                if value in (None, ""):
                    changes[key] = None
                elif not isinstance(value, str):
                    raise invalid(key, f"must be the name of a {key}, got {value!r}")
                elif admin or value in self.groups[key]:
                    changes[key] = value
                else:
                    notes.append(f"{key}: '{value}' does not exist in this company and was ignored; "
                                 f"add it in Personio first")
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
            elif key == "weekly_working_hours":
                if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 168:
                    raise invalid(key, f"must be a number of hours between 0 and 168, got {value!r}")
                changes[key] = value
            elif key == "supervisor_id":
                changes[key] = self._supervisor(value, None if creating else record["id"])
            elif key == "custom_attributes":
                changes["custom"] = {**record["custom"], **self._custom(value)}
        for unit in ORG_UNITS:
            if changes.get(unit):
                self.define_unit(unit, changes[unit])
        record.update(changes)
        return notes

    def _supervisor(self, value: Any, own_id: int | None) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
            raise invalid("supervisor_id", f"must be an employee id (a whole number), got {value!r}")
        supervisor_id = int(value)
        if supervisor_id not in self.records:
            raise invalid("supervisor_id", f"Supervisor with ID {supervisor_id} not found")
        if supervisor_id == own_id:
            raise invalid("supervisor_id", "an employee cannot be their own supervisor")
        return supervisor_id

    def _date(self, key: str, value: Any) -> float | None:
        if value in (None, ""):
            return None
        try:
            if not _DATE.match(str(value)):
                raise ValueError(value)
            return parse_datetime(str(value))
        except ValueError:
            raise invalid(key, f"must be a date as yyyy-mm-dd, such as 2026-01-31, got {value!r}") from None

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
