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

from connector.apps.okta.paging import AFTER_FIELD, list_narrowed
from connector.apps.okta.user_fields import GROUP_OUTPUT_FIELDS, GROUP_SAMPLE, without_api_links
from connector.context import Context
from connector.definitions import Field, Search

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
    return list_narrowed(ctx, "/api/v1/groups", values, ("search", "filter", "q"), without_api_links)


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
