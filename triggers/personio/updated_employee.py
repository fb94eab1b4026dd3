"""Updated employee: fires for every change to an employee in Personio, new employees included.

This is the "when a contact is created or updated in Personio, sync it" trigger: a flow maps it to a
Contacts upsert and the latest change wins. Item ids are ``<employee id>:<last_modified_at>`` (the
platform's rule for "updated" triggers), so each change fires once; the numeric id stays in
``employee_id``. Polling: see connector/apps/personio/polling.py (one call when nothing changed).
"""

from __future__ import annotations

from typing import Any

from connector.apps.personio.employee_fields import EMPLOYEE_OUTPUT_FIELDS, EMPLOYEE_SAMPLE, utc_text
from connector.apps.personio.polling import poll_employees
from connector.context import Context
from connector.definitions import Field, Trigger


def update_item(employee: dict[str, Any]) -> dict[str, Any]:
    return {**employee, "id": f"{employee['employee_id']}:{employee.get('last_modified_at')}"}


def _change_order(item: dict[str, Any]) -> tuple[str, int]:
    return utc_text(item.get("last_modified_at")) or "", int(item["employee_id"])


def updated_employees(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    return poll_employees(ctx, update_item, sort_key=_change_order, only_new=False)


OUTPUT_FIELDS: tuple[Field, ...] = (
    Field("id", "Change ID", required=True, help_text="<employee id>:<last modified>"),
    *EMPLOYEE_OUTPUT_FIELDS[1:],
)

TRIGGER = Trigger(
    key="updated_employee",
    noun="Employee",
    label="New or Updated Employee",
    description="Triggers when an employee is added or changed in Personio (checked by polling); "
                "each change fires once.",
    output_fields=OUTPUT_FIELDS,
    sample={**EMPLOYEE_SAMPLE, "id": f"{EMPLOYEE_SAMPLE['id']}:{EMPLOYEE_SAMPLE['last_modified_at']}"},
    perform=updated_employees,
    kind="poll",
)
