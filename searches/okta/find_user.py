"""Find user: look up Okta users by id, login, email or an Okta search expression.

The most specific input wins: an id or login is one direct read; an email or an expression is one
``search`` call (Okta's search is case-insensitive and includes DEPROVISIONED users, so a flow can
find a deactivated user to reactivate). Returns a list, best match first; empty when nothing matches.
"""

from __future__ import annotations

import json
from typing import Any

from connector.apps.okta.paging import collect, result_limit
from connector.apps.okta.user_fields import USER_OUTPUT_FIELDS, USER_SAMPLE, without_api_links
from connector.apps.okta.user_lookup import get_user
from connector.context import Context
from connector.definitions import Field, Search
from connector.errors import BadInput

INPUT_FIELDS: tuple[Field, ...] = (
    Field("user", "ID or login", help_text="The user's Okta ID (00u...) or exact login."),
    Field("email", "Email", type="email", help_text="Primary email address (not case-sensitive)."),
    Field("search", "Search expression",
          help_text='An Okta search expression, e.g. profile.department eq "Sales" and status eq "ACTIVE".',
          placeholder='profile.lastName sw "Bro"'),
    Field("limit", "Most results", type="integer", default=10, help_text="For email and expression searches."),
)


def find_user(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    if values.get("user"):
        user = get_user(ctx, values["user"])
        return [user] if user is not None else []
    if values.get("email"):
        expression = f"profile.email eq {json.dumps(values['email'])}"
    elif values.get("search"):
        expression = values["search"]
    else:
        raise BadInput("give an ID or login, an email, or a search expression to find a user by", "user")
    limit = result_limit(values, 10)
    return collect(ctx, "/api/v1/users", {"search": expression}, limit, without_api_links)


SEARCH = Search(
    key="find_user",
    important=True,
    noun="User",
    label="Find User",
    description="Finds Okta users by ID, login, email or an Okta search expression.",
    input_fields=INPUT_FIELDS,
    output_fields=USER_OUTPUT_FIELDS,
    sample=USER_SAMPLE,
    perform=find_user,
    scopes=("okta.users.read",),
)
