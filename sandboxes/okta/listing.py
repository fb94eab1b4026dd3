"""``GET /api/v1/users``: the default listing, ``q``, ``filter`` and ``search`` with ``sortBy``.

The default listing pages the insertion-ordered user list from the ``after`` cursor, so a page costs
O(page) however large the org is. ``filter`` and ``search`` scan (their results include DEPROVISIONED
users, the default listing and ``q`` hide them), except a filter of ``id eq`` clauses joined by ``or``,
whose users are found by id (the same page, without reading the whole org).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sandboxes.okta.errors import OktaError, validation_error
from sandboxes.okta.expressions import (
    USER_FILTER,
    USER_SEARCH,
    ExpressionError,
    ExpressionRules,
    compile_expression,
)
from sandboxes.okta.user_records import UserRecord
from sandboxes.okta.user_store import UserStore

USER_PAGE_MAX = 200
Q_DEFAULT_LIMIT = 10
Q_FIELDS = ("firstName", "lastName", "email", "login")


@dataclass(frozen=True)
class UserQuery:
    """The listing parameters of one request."""

    limit: int | None = None
    after: str | None = None
    q: str | None = None
    filter: str | None = None
    search: str | None = None
    sort_by: str | None = None
    sort_order: str = "asc"


def compile_or_400(text: str, rules: ExpressionRules, parameter: str) -> Callable[[Mapping[str, Any]], bool]:
    """Compile an expression; a bad one is Okta's 400 E0000053 naming the parameter and the problem."""
    try:
        return compile_expression(text, rules)
    except ExpressionError as exc:
        raise OktaError("E0000053", causes=[f"{parameter}: {exc}"]) from None


_ID_CLAUSE = re.compile(r'\s*id\s+eq\s+"([^"\\]*)"\s*')
_OR = re.compile(r"\s+or\s+")


def _ids_only(text: str) -> list[str] | None:
    """The ids of a filter made only of ``id eq "..."`` clauses joined by ``or``; None for any other filter."""
    ids = []
    for clause in _OR.split(text):
        match = _ID_CLAUSE.fullmatch(clause)
        if match is None:
            return None
        ids.append(match.group(1))
    return ids


def _not_deprovisioned(user: UserRecord) -> bool:
    return user.status != "DEPROVISIONED"


def _start(users: UserStore, after: str | None) -> int:
    start = users.records.start_after(after)
    if start is None:
        raise validation_error("after", f"'{after}' is not a cursor from a previous page; start without after")
    return start


def list_users(users: UserStore, query: UserQuery) -> tuple[list[UserRecord], str | None]:
    """The users of one page and the cursor for the next page (None at the end)."""
    if query.sort_by and not query.search:
        raise validation_error("sortBy", "is only supported together with search")
    if query.sort_order.lower() not in ("asc", "desc"):
        raise validation_error("sortOrder", f"'{query.sort_order}' is not asc or desc")
    if query.search:
        matches = compile_or_400(query.search, USER_SEARCH, "search")
        return _expression_page(users, query, lambda user: matches(user.view()))
    if query.filter:
        matches = compile_or_400(query.filter, USER_FILTER, "filter")
        wanted = _ids_only(query.filter)
        if wanted is not None:  # ids are indexed: no scan of the org (clients read users by id in batches)
            return users.records.page_of(wanted, _start(users, query.after), query.limit or USER_PAGE_MAX)
        return _expression_page(users, query, lambda user: matches(user.view()))
    if query.q is not None:
        return _prefix_search(users, query.q, query.limit or Q_DEFAULT_LIMIT), None
    limit = query.limit or USER_PAGE_MAX
    return users.records.page(_start(users, query.after), limit, _not_deprovisioned)


def _expression_page(
    users: UserStore, query: UserQuery, keep: Callable[[UserRecord], bool]
) -> tuple[list[UserRecord], str | None]:
    limit = query.limit or USER_PAGE_MAX
    if not query.sort_by:
        return users.records.page(_start(users, query.after), limit, keep)
    path = query.sort_by.split(".")
    everything = [user for user in users.records if keep(user)]
    everything.sort(key=lambda user: _sort_key(user.view(), path), reverse=query.sort_order.lower() == "desc")
    start = 0
    if query.after:
        ids = [user.id for user in everything]
        if query.after not in ids:
            raise validation_error("after", f"'{query.after}' is not a cursor from a previous page")
        start = ids.index(query.after) + 1
    page = everything[start : start + limit]
    more = start + limit < len(everything)
    return page, (page[-1].id if more and page else None)


def _sort_key(view: Mapping[str, Any], path: list[str]) -> tuple[int, str]:
    value: Any = view
    for part in path:
        value = value.get(part) if isinstance(value, Mapping) else None
    # Missing values sort last in ascending order, like Okta's search.
    return (1, "") if value is None else (0, str(value).casefold())


def _prefix_search(users: UserStore, q: str, limit: int) -> list[UserRecord]:
    needle = q.casefold()
    found: list[UserRecord] = []
    for user in users.records:
        if user.status == "DEPROVISIONED":
            continue
        profile = user.profile
        if any(str(profile.get(name) or "").casefold().startswith(needle) for name in Q_FIELDS):
            found.append(user)
            if len(found) >= limit:
                break
    return found
