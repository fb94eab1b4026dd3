"""List users: page through Okta users, optionally narrowed by a filter, a search expression or a prefix.

Mirrors ``GET /api/v1/users``: the plain listing and ``q`` hide DEPROVISIONED users, ``filter`` and
``search`` include them (Okta's rule). Also feeds the user pickers of the other operations.
"""

from __future__ import annotations

from typing import Any

from connector.apps.okta.paging import AFTER_FIELD, list_narrowed
from connector.apps.okta.user_fields import USER_OUTPUT_FIELDS, USER_SAMPLE, without_api_links
from connector.context import Context
from connector.definitions import Field, Search

INPUT_FIELDS: tuple[Field, ...] = (
    Field("filter", "Filter", placeholder='status eq "ACTIVE"',
          help_text="Okta filter: status, lastUpdated, id, profile.login/email/firstName/lastName with eq "
                    "(lastUpdated also gt, ge, lt, le), joined with and/or. Case-sensitive."),
    Field("search", "Search expression", placeholder='profile.department eq "Sales"',
          help_text="Okta search: any profile attribute with eq, sw, gt, lt (co on names, email, login)."),
    Field("q", "Starts with", help_text="Matches the start of first name, last name, email or login."),
    Field("limit", "Most results", type="integer", default=200),
    AFTER_FIELD,
)


def list_users(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    return list_narrowed(ctx, "/api/v1/users", values, ("filter", "search", "q"), without_api_links)


SEARCH = Search(
    key="list_users",
    noun="User",
    label="List Users",
    description="Lists Okta users, optionally narrowed by a filter, a search expression or a name prefix.",
    input_fields=INPUT_FIELDS,
    output_fields=USER_OUTPUT_FIELDS,
    sample=USER_SAMPLE,
    perform=list_users,
    scopes=("okta.users.read",),
)
