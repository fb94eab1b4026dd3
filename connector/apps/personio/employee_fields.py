"""What an employee looks like to users: Personio's attribute objects flattened to plain keys.

Personio returns every attribute as ``{label, value, type, universal_id}`` and departments and offices
as nested ``{type, attributes:{id, name}}`` objects. Mappings should read ``{{trigger.email}}``, not
``{{trigger.attributes.email.value}}``, so items carry each attribute's value under its key, the
name of a department or office (and its id as ``department_id``/``office_id``), custom fields under
their ``dynamic_<id>`` keys, and ``phone`` from the first custom field labelled like a phone number
(Personio has no standard phone attribute). ``employee_id`` always holds Personio's numeric id.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connector.definitions import Field

#: Custom-field labels (lowercase) read as the employee's phone number.
#: Attributes whose value is a nested object; their ``<key>_id`` is present even when they are empty.
NESTED_KEYS = ("department", "office", "subcompany", "supervisor")
PHONE_LABELS = ("phone", "phone number", "mobile", "mobile phone", "work phone", "telefon", "telefonnummer", "handy")


def _plain(value: Any) -> tuple[Any, Any]:
    """(value, id) of an attribute value; nested objects become their name (or id) and their id."""
    if isinstance(value, Mapping) and isinstance(value.get("attributes"), Mapping):
        inner = value["attributes"]
        ident = inner.get("id")
        if isinstance(ident, Mapping):  # a nested Employee (supervisor): attribute objects again
            ident = ident.get("value")
        name = inner.get("name")
        if isinstance(name, Mapping):
            name = name.get("value")
        return (name if name is not None else ident), ident
    return value, None


def flatten_employee(employee: Mapping[str, Any]) -> dict[str, Any]:
    """One ``{type: "Employee", attributes}`` object as a flat item (see the module docstring)."""
    attributes = employee.get("attributes") or {}
    item: dict[str, Any] = {}
    phone = None
    for key, attribute in attributes.items():
        raw = attribute.get("value") if isinstance(attribute, Mapping) else attribute
        value, ident = _plain(raw)
        item[key] = value
        if ident is not None or key in NESTED_KEYS:
            item[f"{key}_id"] = ident
        label = str(attribute.get("label") or "").strip().lower() if isinstance(attribute, Mapping) else ""
        if phone is None and key.startswith("dynamic_") and label in PHONE_LABELS and value:
            phone = value
    item.setdefault("phone", phone)
    item["employee_id"] = item.get("id")
    return item


def utc_text(value: Any) -> str | None:
    """An ISO 8601 time as naive UTC text (``2026-01-05T09:30:00``), or None when it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.isoformat(timespec="seconds")


EMPLOYEE_OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Employee ID", type="integer", required=True),
    Field("employee_id", "Employee ID (number)", type="integer"),
    Field("first_name", "First name", nullable=True),
    Field("last_name", "Last name", nullable=True),
    Field("preferred_name", "Preferred name", nullable=True),
    Field("email", "Email", nullable=True),
    Field("phone", "Phone", nullable=True, help_text="From the first custom field labelled Phone (or similar)."),
    Field("gender", "Gender", nullable=True),
    Field("status", "Status", nullable=True, help_text="active, inactive, onboarding or leave"),
    Field("position", "Position", nullable=True),
    Field("employment_type", "Employment type", nullable=True),
    Field("department", "Department", nullable=True),
    Field("department_id", "Department ID", type="integer", nullable=True),
    Field("office", "Office", nullable=True),
    Field("office_id", "Office ID", type="integer", nullable=True),
    Field("subcompany", "Subcompany", nullable=True),
    Field("subcompany_id", "Subcompany ID", type="integer", nullable=True),
    Field("supervisor_id", "Supervisor ID", type="integer", nullable=True),
    Field("weekly_working_hours", "Weekly hours", type="number", nullable=True),
    Field("hire_date", "Hire date", type="datetime", nullable=True),
    Field("termination_date", "Termination date", type="datetime", nullable=True),
    Field("created_at", "Created at", type="datetime", nullable=True),
    Field("last_modified_at", "Last modified", type="datetime", nullable=True),
)

EMPLOYEE_SAMPLE: dict[str, Any] = {
    "id": 1234567,
    "employee_id": 1234567,
    "first_name": "Ada",
    "last_name": "Lovelace",
    "preferred_name": None,
    "email": "ada.lovelace@example.com",
    "phone": "+49 30 1234567",
    "gender": "female",
    "status": "active",
    "position": "Software Engineer",
    "employment_type": "internal",
    "department": "Engineering",
    "department_id": 42,
    "office": "Berlin",
    "office_id": 7,
    "subcompany": "ACME GmbH",
    "subcompany_id": 3,
    "supervisor_id": 1234500,
    "weekly_working_hours": 40,
    "hire_date": "2024-04-01T00:00:00+02:00",
    "termination_date": None,
    "created_at": "2024-03-12T10:44:21+01:00",
    "last_modified_at": "2026-01-05T09:30:00+01:00",
}
