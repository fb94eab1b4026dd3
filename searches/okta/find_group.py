"""Find group: look up Okta groups by exact name (or by the start of the name)."""

from __future__ import annotations

import json
from typing import Any

from connector.apps.okta.paging import collect, result_limit
from connector.apps.okta.user_fields import GROUP_OUTPUT_FIELDS, GROUP_SAMPLE, without_api_links
from connector.context import Context
from connector.definitions import Field, Search

INPUT_FIELDS: tuple[Field, ...] = (
    Field("name", "Name", required=True),
    Field("match", "Match", choices={"exact": "Exact name", "starts_with": "Name starts with"}, default="exact"),
    Field("limit", "Most results", type="integer", default=10),
)


def find_group(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    operator = "sw" if values.get("match") == "starts_with" else "eq"
    expression = f"profile.name {operator} {json.dumps(values['name'])}"
    limit = result_limit(values, 10)
    return collect(ctx, "/api/v1/groups", {"search": expression}, limit, without_api_links)


SEARCH = Search(
    key="find_group",
    important=True,
    noun="Group",
    label="Find Group",
    description="Finds Okta groups by exact name or by the start of the name.",
    input_fields=INPUT_FIELDS,
    output_fields=GROUP_OUTPUT_FIELDS,
    sample=GROUP_SAMPLE,
    perform=find_group,
    scopes=("okta.groups.read",),
)
