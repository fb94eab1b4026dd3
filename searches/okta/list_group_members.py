"""List group members: the Okta users in a group, paged."""

from __future__ import annotations

from typing import Any

from connector.apps.okta.group_lookup import group_input
from connector.apps.okta.paging import collect, result_limit
from connector.apps.okta.user_fields import USER_OUTPUT_FIELDS, USER_SAMPLE, without_api_links
from connector.context import Context
from connector.definitions import Field, Search
from connector.paths import api_path

INPUT_FIELDS: tuple[Field, ...] = (
    group_input(),
    Field("limit", "Most results", type="integer", default=200),
)


def list_group_members(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    limit = result_limit(values, 200)
    return collect(ctx, api_path("/api/v1/groups/{group}/users", group=values["group"]), {}, limit, without_api_links)


SEARCH = Search(
    key="list_group_members",
    noun="User",
    label="List Group Members",
    description="Lists the users who are members of an Okta group.",
    input_fields=INPUT_FIELDS,
    output_fields=USER_OUTPUT_FIELDS,
    sample=USER_SAMPLE,
    perform=list_group_members,
    scopes=("okta.groups.read",),
)
