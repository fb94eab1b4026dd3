"""Personio employees as a syncable record type (``personio.employee``).

- **Changes**: ``GET /v1/company/employees?updated_since=<time>``, Personio's documented filter on
  ``last_modified_at``: one call when nothing changed, at any company size. Personio shows that time to
  the whole second, so the record type declares a resolution of one second and the engine compares
  the middle of that second.
- **Create**: ``POST /v1/company/employees`` with ``{"employee": {...}}`` (email, first and last name
  are required): one call. Personio answers with the new id only; the sync keeps the values it sent as
  the base, and the next listing brings the modification time (a read here would double a first sync's
  calls). A create repeated after a crash is guarded by the engine, which looks the email up first.
- **Update**: ``PATCH /v1/company/employees/{id}``, then one read for the new ``last_modified_at``.
  Personio does not let the API change an email: ``email`` is create-only.
- **Identity**: the email (Personio keeps it unique per company).
- **Fields**: names, position, ``weekly_working_hours`` (a number, as Personio's write body has it), and
  the company's custom attributes by their keys (``dynamic_<id>``; list them with ``GET
  /v1/company/employees/custom-attributes``): read as Personio shows them (tags comma-joined), written
  under ``custom_attributes`` as the document says (text values).
- **No delete**: Personio's personnel-data API documents creating and updating employees, never
  deleting one, so a sync cannot mirror a deletion into Personio. An employee deleted in Personio's own
  app is still noticed: it is missing from a full listing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from connector.apps.personio.api import EMPLOYEE_PATH, EMPLOYEES_PATH, employee_pages
from connector.apps.personio.employee_fields import flatten_employee
from connector.context import Context
from connector.definitions import Field
from connector.errors import BadInput, ResponseError
from connector.http import describe_error
from connector.paths import api_path
from connector.records import RecordType, RecordUpdate, SyncRecord

FIELDS: tuple[Field, ...] = (
    Field("email", "Email", type="email"),
    Field("first_name", "First name"),
    Field("last_name", "Last name"),
    Field("preferred_name", "Preferred name"),
    Field("position", "Position"),
    Field("weekly_working_hours", "Weekly working hours", type="number"),
)
_KEYS = tuple(f.key for f in FIELDS)
#: Personio's custom attribute keys.
CUSTOM = r"dynamic_\d+"
_CUSTOM = re.compile(CUSTOM)


def _custom_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Custom attributes to write, as text (Personio's write body types them as strings)."""
    return {key: "" if value is None else str(value) for key, value in values.items() if _CUSTOM.fullmatch(key)}


def epoch_of(text: Any) -> float:
    """An ISO 8601 time (with or without offset; naive means UTC) as epoch seconds; 0 when absent."""
    if not isinstance(text, str) or not text:
        return 0.0
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _record(employee: Mapping[str, Any]) -> SyncRecord:
    return SyncRecord(
        id=str(employee["employee_id"]),
        modified_at=epoch_of(employee.get("last_modified_at")),
        values={**{key: employee.get(key) for key in _KEYS},
                **{key: value for key, value in employee.items() if _CUSTOM.fullmatch(key)}},
    )


def list_changes(ctx: Context, since: float | None) -> Iterator[list[SyncRecord]]:
    params = None
    if since is not None:
        stamp = datetime.fromtimestamp(int(since), UTC).replace(tzinfo=None).isoformat(timespec="seconds")
        params = {"updated_since": stamp}
    for page in employee_pages(ctx, params):
        yield [_record(employee) for employee in page]


def read(ctx: Context, record_id: str) -> SyncRecord | None:
    response = ctx.http.get(api_path(EMPLOYEE_PATH, employee_id=record_id), extensions={"allow_status": (404,)})
    if response.status_code == 404:
        return None
    return _record(flatten_employee(response.json().get("data") or {}))


def _written(ctx: Context, response: Any, doing: str) -> str:
    if response.status_code in (400, 422):
        raise BadInput(f"Personio refused to {doing}: {describe_error(response)}", "employee")
    if response.status_code == 404:
        raise ResponseError(f"cannot {doing}: Personio has no such employee", response=response)
    data = response.json().get("data") or {}
    return str(data.get("id"))


def create(ctx: Context, values: Mapping[str, Any]) -> SyncRecord:
    """One call. Personio answers with the new id only; the values sent are what it stored, and its
    modification time arrives with the next listing (the new employee is changed since the cursor)."""
    employee: dict[str, Any] = {key: values[key] for key in _KEYS if values.get(key) not in (None, "")}
    custom = {key: value for key, value in _custom_values(values).items() if value}
    body = {**employee, **({"custom_attributes": custom} if custom else {})}
    response = ctx.http.post(EMPLOYEES_PATH, json={"employee": body}, extensions={"allow_status": (400, 422)})
    new_id = _written(ctx, response, "create the employee")
    return SyncRecord(id=new_id, modified_at=0.0, values={**{key: employee.get(key) for key in _KEYS}, **custom})


def update(ctx: Context, record_id: str, change: RecordUpdate) -> SyncRecord:
    employee: dict[str, Any] = {key: value for key, value in change.values.items() if key in _KEYS and key != "email"}
    custom = _custom_values(change.values)
    if custom:
        employee["custom_attributes"] = custom
    if employee:
        response = ctx.http.patch(api_path(EMPLOYEE_PATH, employee_id=record_id), json={"employee": employee},
                                  extensions={"allow_status": (400, 404, 422)})
        _written(ctx, response, f"update employee {record_id}")
    found = read(ctx, record_id)
    if found is None:
        raise ResponseError(f"employee {record_id} was deleted in Personio while it was being updated")
    return found


def find(ctx: Context, identity: Mapping[str, Any]) -> SyncRecord | None:
    """The employee with this email (``GET /v1/company/employees?email=``), or None."""
    email = identity.get("email")
    if not email:
        return None
    for page in employee_pages(ctx, {"email": str(email)}):
        for employee in page:
            if str(employee.get("email") or "").lower() == str(email).lower():
                return _record(employee)
    return None


RECORD_TYPE = RecordType(
    key="employee",
    noun="Employee",
    label="Employees",
    description="Personio employees: names, position, weekly working hours, custom attributes (dynamic_<id>), "
                "and email (set when created).",
    fields=FIELDS,
    identity_keys=("email",),
    create_only=("email",),
    custom_fields=CUSTOM,
    delete_note="Personio's API documents no way to delete an employee (only create and update); deletions "
                "made in Personio are still noticed",
    modified_resolution=1.0,
    list_changes=list_changes,
    read=read,
    create=create,
    update=update,
    find=find,
    sample={"email": "ada.lovelace@example.com", "first_name": "Ada", "last_name": "Lovelace",
            "preferred_name": None, "position": "Software Engineer", "weekly_working_hours": 40,
            "dynamic_1146702": "+49 30 1234567"},
)
