"""How both Personio poll triggers read employees: a full listing once, then ``updated_since`` polls.

- **First poll** (the flow is turned on): pages every employee (100 a page) and hands each page's slim
  items (``{"id", "employee_id"}``) to ``ctx.record_seen``, so memory stays flat at any company size;
  nothing fires. The cursor saved is the newest ``last_modified_at`` seen, from Personio's own clock.
- **Later polls** ask for ``updated_since=<cursor>``: **one call when nothing changed**, at any company
  size. The cursor is sent as naive UTC text. Personio documents naive times only; if it reads them in
  the company's time zone (UTC+1/+2 for most), the window starts earlier, which repeats items the
  platform drops as seen, and never skips one. The sandbox treats the bound as inclusive, so a change
  in the same second as the cursor is read again (same id, dropped) rather than missed.
- **A poll that lost its cursor** (not a first poll) returns every employee as whole items; the
  platform's dedupe record keeps it from firing what was seen.
- **Trials** return the newest 3 employees by creation (two calls: the count, then the last page).

Personio's timestamps are to the second: two changes to one employee within the same second are one
update (same ``<id>:<last_modified_at>``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from connector.apps.personio.api import employee_pages, newest_employees
from connector.apps.personio.employee_fields import utc_text
from connector.context import Context

ItemBuilder = Callable[[dict[str, Any]], dict[str, Any]]
TRIAL_EMPLOYEES = 3
#: The cursor of an empty company: every later change is after it.
EPOCH_CURSOR = "1970-01-01T00:00:00"


def _later(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return max(a, b, key=datetime.fromisoformat)


def poll_employees(
    ctx: Context, item: ItemBuilder, *, sort_key: Callable[[dict[str, Any]], Any], only_new: bool
) -> list[dict[str, Any]]:
    """The trigger items of one poll, newest first; saves the next cursor.

    Args:
        item: builds a trigger item (with its ``id``) from a flat employee.
        sort_key: orders items oldest to newest (reversed for the result).
        only_new: keep only employees created at or after the cursor (the new-employee trigger).
    """
    meta = ctx.meta
    if meta.trial:
        return [item(employee) for employee in newest_employees(ctx, meta.limit or TRIAL_EMPLOYEES)]
    if meta.cursor and not meta.first_poll:
        return _changed_since(ctx, meta.cursor, item, sort_key, only_new)
    latest: str | None = None
    items: list[dict[str, Any]] = []
    for page in employee_pages(ctx):
        for employee in page:
            latest = _later(latest, utc_text(employee.get("last_modified_at")))
        built = [item(employee) for employee in page]
        if meta.first_poll:
            ctx.record_seen({"id": one["id"], "employee_id": one["employee_id"]} for one in built)
        else:
            items.extend(built)
    ctx.save_cursor(latest or EPOCH_CURSOR)
    return sorted(items, key=sort_key, reverse=True)


def _changed_since(
    ctx: Context, cursor: str, item: ItemBuilder, sort_key: Callable[[dict[str, Any]], Any], only_new: bool
) -> list[dict[str, Any]]:
    latest: str | None = cursor
    items: list[dict[str, Any]] = []
    for page in employee_pages(ctx, {"updated_since": cursor}):
        for employee in page:
            latest = _later(latest, utc_text(employee.get("last_modified_at")))
            created = utc_text(employee.get("created_at"))
            if only_new and created is not None and _later(created, cursor) != created:
                continue  # changed, but created before the cursor: not new
            items.append(item(employee))
    ctx.save_cursor(latest)
    return sorted(items, key=sort_key, reverse=True)
