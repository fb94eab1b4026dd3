"""List groups: Okta groups, optionally narrowed by a search expression, a filter or a name prefix.

Mirrors ``GET /api/v1/groups``: ``search`` takes Okta's expression on group properties
(``profile.name sw "Eng"``, ``type eq "OKTA_GROUP"``, ``lastMembershipUpdated gt "..."``), ``filter``
the older filter on id, type, lastUpdated and lastMembershipUpdated, ``q`` a name prefix; ``after``
resumes a listing where a previous one stopped.

Feeds the group pickers (``DynamicChoices("list_groups", "id", "profile.name")``) of the membership
and group actions.
"""

from __future__ import annotations

from typing import Any

from connector.apps.okta.paging import AFTER_FIELD, collect, result_limit
from connector.apps.okta.user_fields import GROUP_OUTPUT_FIELDS, GROUP_SAMPLE, without_api_links
from connector.context import Context
from connector.definitions import Field, Search
from connector.errors import BadInput

INPUT_FIELDS: tuple[Field, ...] = (
    Field("search", "Search expression", placeholder='profile.name sw "Eng"',
          help_text='Okta search on group properties: profile.name, profile.description, type, id, created, '
                    'lastUpdated, lastMembershipUpdated with eq, sw, gt, lt, ge, le, joined with and/or.'),
    Field("filter", "Filter", placeholder='type eq "OKTA_GROUP"',
          help_text="Okta filter: id, type, lastUpdated or lastMembershipUpdated with eq (dates also gt, ge, lt, "
                    "le), joined with and/or."),
    Field("q", "Name starts with"),
    Field("limit", "Most results", type="integer", default=200),
    AFTER_FIELD,
)


def list_groups(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    given = [key for key in ("search", "filter", "q") if values.get(key)]
    if len(given) > 1:
        raise BadInput(f"use one of search, filter or q, not {' and '.join(given)}", given[1])
    params = {key: values[key] for key in given}
    limit = result_limit(values, 200)
    return collect(ctx, "/api/v1/groups", params, limit, without_api_links, after=values.get("after") or None)


SEARCH = Search(
    key="list_groups",
    noun="Group",
    label="List Groups",
    description="Lists Okta groups, optionally narrowed by a search expression, a filter or a name prefix.",
    input_fields=INPUT_FIELDS,
    output_fields=GROUP_OUTPUT_FIELDS,
    sample=GROUP_SAMPLE,
    perform=list_groups,
    scopes=("okta.groups.read",),
)
