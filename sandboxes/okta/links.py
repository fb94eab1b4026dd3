"""``Link`` headers for paged collections: ``self`` then ``next``, as two lines or one comma-joined line."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, request


def page_url(base_url: str, path: str, overrides: dict[str, str | None]) -> str:
    """The current request's URL on the public base URL, with some query parameters replaced."""
    params = {key: value for key, value in request.args.items() if key not in overrides}
    params.update({key: value for key, value in overrides.items() if value is not None})
    query = urlencode(params)
    return f"{base_url}{path}" + (f"?{query}" if query else "")


def set_links(response: Response, links: list[tuple[str, str]], style: str) -> None:
    """Add ``<url>; rel="name"`` links in order, one header line each or comma-joined."""
    values = [f'<{url}>; rel="{rel}"' for rel, url in links]
    if style == "comma":
        response.headers["Link"] = ", ".join(values)
        return
    for value in values:
        response.headers.add("Link", value)


def paged_links(base_url: str, path: str, next_cursor: str | None) -> list[tuple[str, str]]:
    """``self`` (the request as made) and, when more items follow, ``next`` with ``after=<cursor>``."""
    links = [("self", page_url(base_url, path, {}))]
    if next_cursor is not None:
        links.append(("next", page_url(base_url, path, {"after": next_cursor})))
    return links
