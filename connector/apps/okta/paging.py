"""Reading Okta collections page by page until a flow's limit, following ``Link: rel="next"``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from connector.context import Context
from connector.definitions import Field
from connector.errors import BadInput
from connector.pagination import follow_links

#: Okta's largest page for users; groups and members allow more, but 200 keeps pages small and even.
PAGE_SIZE = 200


#: The ``after`` input of the list searches: where a previous listing stopped.
AFTER_FIELD = Field(
    "after", "Start after (cursor)",
    help_text="Okta's paging cursor: the after= value of the next link a previous listing returned. Leave "
              "empty to start at the first page.",
)


def result_limit(values: Mapping[str, Any], default: int) -> int:
    """The flow's ``limit`` input (``default`` when empty), at least 1."""
    return max(1, int(values.get("limit") or default))


def collect(
    ctx: Context,
    path: str,
    params: Mapping[str, Any],
    limit: int,
    shape: Callable[[dict[str, Any]], dict[str, Any]],
    after: str | None = None,
) -> list[dict[str, Any]]:
    """Up to ``limit`` shaped items from a paged collection; stops fetching as soon as it has enough.

    ``after`` is Okta's opaque cursor (the ``after`` of a ``next`` link a previous run saw): listing
    resumes from there instead of the first page.
    """
    found: list[dict[str, Any]] = []
    query = {**params, "limit": min(limit, PAGE_SIZE)}
    if after:
        query["after"] = after
    for page in follow_links(ctx.http, path, query):
        for item in page.json():
            found.append(shape(item))
            if len(found) >= limit:
                return found
    return found


def list_narrowed(
    ctx: Context,
    path: str,
    values: Mapping[str, Any],
    narrowing: tuple[str, ...],
    shape: Callable[[dict[str, Any]], dict[str, Any]],
) -> list[dict[str, Any]]:
    """A listing narrowed by at most one of ``narrowing`` (Okta takes one of filter, search or q).

    Pages as :func:`collect` does, up to the flow's ``limit`` (200 when empty), from its ``after`` cursor.
    """
    given = [key for key in narrowing if values.get(key)]
    if len(given) > 1:
        raise BadInput(f"use one of {', '.join(narrowing[:-1])} or {narrowing[-1]}, not {' and '.join(given)}",
                       given[1])
    params = {key: values[key] for key in given}
    return collect(ctx, path, params, result_limit(values, 200), shape, after=values.get("after") or None)
