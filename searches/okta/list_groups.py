"""List groups: Okta groups, optionally those whose name starts with some text.

Feeds the group pickers (``DynamicChoices("list_groups", "id", "profile.name")``) of the membership
and group actions.
"""

from __future__ import annotations

from typing import Any

from connector.apps.okta.paging import collect, result_limit
from connector.apps.okta.user_fields import GROUP_OUTPUT_FIELDS, GROUP_SAMPLE, without_api_links
from connector.context import Context
from connector.definitions import Field, Search

INPUT_FIELDS: tuple[Field, ...] = (
    Field("q", "Name starts with"),
    Field("limit", "Most results", type="integer", default=200),
)


def list_groups(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    params = {"q": values["q"]} if values.get("q") else {}
    limit = result_limit(values, 200)
    return collect(ctx, "/api/v1/groups", params, limit, without_api_links)


SEARCH = Search(
    key="list_groups",
    noun="Group",
    label="List Groups",
    description="Lists Okta groups, optionally those whose name starts with some text.",
    input_fields=INPUT_FIELDS,
    output_fields=GROUP_OUTPUT_FIELDS,
    sample=GROUP_SAMPLE,
    perform=list_groups,
    scopes=("okta.groups.read",),
)
