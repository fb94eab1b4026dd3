"""Employee attributes as Personio v1 presents them: ``{key: {label, value, type, universal_id}}``.

Every attribute of an employee is an object, not a bare value, because Personio companies configure
their own fields: the label is the company's wording, the type says how to read the value
(``standard | date | integer | decimal | list | link | tags | multiline``), and ``universal_id`` is a
stable name across companies (null for a company's custom ``dynamic_<id>`` fields). Dates are ISO 8601
with an offset; departments and offices are nested ``{type, attributes:{id, name}}`` objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

ATTRIBUTE_TYPES = ("standard", "date", "integer", "decimal", "list", "link", "tags", "multiline")


@dataclass(frozen=True)
class AttributeSpec:
    """One attribute a company's employees have."""

    key: str
    label: str
    type: str = "standard"
    universal_id: str | None = None


STANDARD_ATTRIBUTES: tuple[AttributeSpec, ...] = (
    AttributeSpec("id", "ID", "integer", "id"),
    AttributeSpec("first_name", "First name", "standard", "first_name"),
    AttributeSpec("last_name", "Last name", "standard", "last_name"),
    AttributeSpec("preferred_name", "Preferred name", "standard", "preferred_name"),
    AttributeSpec("email", "Email", "standard", "email"),
    AttributeSpec("gender", "Gender", "standard", "gender"),
    AttributeSpec("status", "Status", "standard", "status"),
    AttributeSpec("position", "Position", "standard", "position"),
    AttributeSpec("supervisor", "Supervisor", "standard", "supervisor"),
    AttributeSpec("employment_type", "Employment type", "standard", "employment_type"),
    AttributeSpec("weekly_working_hours", "Weekly hours", "decimal", "weekly_working_hours"),
    AttributeSpec("hire_date", "Hire date", "date", "hire_date"),
    AttributeSpec("termination_date", "Termination date", "date", "termination_date"),
    AttributeSpec("department", "Department", "standard", "department"),
    AttributeSpec("office", "Office", "standard", "office"),
    AttributeSpec("subcompany", "Subcompany", "standard", "subcompany"),
    AttributeSpec("created_at", "Created at", "date", "created_at"),
    AttributeSpec("last_modified_at", "Last modified", "date", "last_modified_at"),
)

#: The custom fields of the default sandbox company (keys as Personio names them: ``dynamic_<id>``).
DEFAULT_CUSTOM_ATTRIBUTES: tuple[AttributeSpec, ...] = (
    AttributeSpec("dynamic_1146702", "Phone", "standard"),
    AttributeSpec("dynamic_1146703", "Languages", "tags"),
    AttributeSpec("dynamic_1146704", "Probation end", "date"),
)

STATUSES = ("active", "inactive", "onboarding", "leave")
GENDERS = ("male", "female", "diverse")
#: Record fields that are nested ``{type, attributes:{id, name}}`` objects.
NESTED_TYPES = {"department": "Department", "office": "Office", "subcompany": "Subcompany"}


def iso_datetime(epoch: float | None) -> str | None:
    """Personio's date format: seconds, with an offset (the sandbox company runs on UTC)."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(int(epoch), UTC).isoformat()


def parse_datetime(text: str) -> float:
    """Epoch seconds of an ISO 8601 date or date-time; one without an offset is read as UTC.

    Raises:
        ValueError: ``text`` is not ISO 8601.
    """
    parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _value(spec: AttributeSpec, record: Mapping[str, Any], groups: Mapping[str, Mapping[str, int]]) -> Any:
    if spec.key.startswith("dynamic_"):
        raw = record["custom"].get(spec.key)
        if spec.type == "date":
            return iso_datetime(raw) if isinstance(raw, int | float) else raw
        if spec.type == "tags" and isinstance(raw, list):
            return ",".join(str(tag) for tag in raw)
        return raw
    if spec.key == "supervisor":  # a nested Employee carrying only its id, as Personio shows it
        boss = record.get("supervisor_id")
        if boss is None:
            return None
        return {"type": "Employee", "attributes": {"id": {"label": "ID", "value": boss, "type": "integer",
                                                          "universal_id": "id"}}}
    raw = record.get(spec.key)
    if spec.key in NESTED_TYPES:
        if raw is None:
            return None
        return {"type": NESTED_TYPES[spec.key], "attributes": {"id": groups[spec.key][raw], "name": raw}}
    if spec.type == "date":
        return iso_datetime(raw)
    return raw


def render_employee(
    record: Mapping[str, Any],
    specs: Iterable[AttributeSpec],
    groups: Mapping[str, Mapping[str, int]],
    wanted: set[str] | None = None,
) -> dict[str, Any]:
    """The employee as the API returns it: ``{type: "Employee", attributes: {...}}``.

    Args:
        specs: the company's attributes, standard then custom.
        groups: ``department``/``office`` name -> id, for the nested objects.
        wanted: attribute keys to return (``attributes[]`` and the credential's whitelist); ``id`` always.
    """
    attributes: dict[str, Any] = {}
    for spec in specs:
        if wanted is not None and spec.key != "id" and spec.key not in wanted:
            continue
        attributes[spec.key] = {
            "label": spec.label,
            "value": _value(spec, record, groups),
            "type": spec.type,
            "universal_id": spec.universal_id,
        }
    return {"type": "Employee", "attributes": attributes}
