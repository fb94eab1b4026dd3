"""The employee calls every Personio operation shares: paging the listing and reading one employee.

The listing pages with ``offset``/``limit`` (at most 100 per page since Personio's 2025 pagination
enforcement). Paging stops at a short page, at the last page ``metadata`` names, or at a page longer
than asked for (a server that ignored ``limit`` has sent everything), so no call is wasted and a
server that ignores ``offset`` cannot loop.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from connector.apps.personio.employee_fields import flatten_employee
from connector.context import Context
from connector.errors import ResponseError
from connector.pagination import follow_offset
from connector.paths import api_path

EMPLOYEES_PATH = "/v1/company/employees"
EMPLOYEE_PATH = EMPLOYEES_PATH + "/{employee_id}"
PAGE_SIZE = 100


def _data(response: httpx.Response) -> list[Any]:
    body = response.json()
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise ResponseError(f"Personio answered {EMPLOYEES_PATH} without a data list; try again later",
                            response=response)
    return data


def _is_last(response: httpx.Response, page: list[Any], page_size: int) -> bool:
    if len(page) != page_size:
        return True
    metadata = response.json().get("metadata") or {}
    current, total = metadata.get("current_page"), metadata.get("total_pages")
    return isinstance(current, int) and isinstance(total, int) and current >= total - 1


def employee_pages(
    ctx: Context, params: Mapping[str, Any] | None = None, *, page_size: int = PAGE_SIZE
) -> Iterator[list[dict[str, Any]]]:
    """Flattened employees, one list per page, in Personio's order (by id, oldest first)."""
    for response in follow_offset(ctx.http, EMPLOYEES_PATH, params, page_size=page_size, items=_data):
        page = _data(response)
        yield [flatten_employee(employee) for employee in page]
        if _is_last(response, page, page_size):
            return


def employee_count(ctx: Context) -> int:
    """How many employees the listing holds (one call, ``limit=1``)."""
    body = ctx.http.get(EMPLOYEES_PATH, params={"limit": 1, "offset": 0}).json()
    total = (body.get("metadata") or {}).get("total_elements") if isinstance(body, dict) else None
    return int(total) if isinstance(total, int) else len(body.get("data") or [])


def newest_employees(ctx: Context, count: int) -> list[dict[str, Any]]:
    """The ``count`` most recently created employees, newest first: two calls at any company size."""
    total = employee_count(ctx)
    if total == 0:
        return []
    count = max(1, min(count, PAGE_SIZE))
    offset = max(0, total - count)
    response = ctx.http.get(EMPLOYEES_PATH, params={"limit": count, "offset": offset})
    return [flatten_employee(employee) for employee in reversed(_data(response))]


def get_employee(ctx: Context, employee_id: int, *, doing: str) -> dict[str, Any]:
    """One employee, flattened; a missing one is an error that says what the operation was ``doing``."""
    response = ctx.http.get(api_path(EMPLOYEE_PATH, employee_id=employee_id), extensions={"allow_status": (404,)})
    if response.status_code == 404:
        raise ResponseError(
            f"cannot {doing} employee {employee_id}: Personio has no employee with that id; "
            "pick one from Find Employee or List Employees", response=response,
        )
    return flatten_employee(response.json().get("data") or {})


def employees_with_email(ctx: Context, email: str) -> list[dict[str, Any]]:
    """The employees whose email is ``email`` (case-insensitive): Find Employee, and Create Employee's
    check for an existing one."""
    email = email.strip()
    found = [employee for page in employee_pages(ctx, {"email": email}) for employee in page]
    # Personio ignores ``email`` when other filters are set; never return someone else.
    return [employee for employee in found if str(employee.get("email") or "").lower() == email.lower()]


def rejected_field(response: Any, sent: dict[str, Any]) -> str | None:
    """The sent attribute Personio's error message names (Personio names no field in a structured way)."""
    try:
        message = str((response.json().get("error") or {}).get("message") or "").lower()
    except (ValueError, AttributeError):
        return None
    names = [*sent.get("custom_attributes", {}), *sent]
    for name in names:
        if name.lower() in message or name.lower().removesuffix("_id").replace("_", " ") in message:
            return str(name)
    return None
