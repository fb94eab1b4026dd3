"""Paging helpers for triggers and searches: Link headers, cursors and offsets.

Each helper yields one ``httpx.Response`` per page, lazily, so a poll can stop early and memory stays
flat however many pages there are. Each detects a server that sends it round in circles (a next
URL, cursor or page seen before) and raises :class:`~connector.errors.ResultError` naming it, rather
than looping forever or emitting duplicates; ``max_pages`` bounds the walk.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sized
from typing import Any, Literal

import httpx

from connector.errors import ResultError
from connector.outbound import origin_of

# One link-value: <URL> then its parameters up to the next "<". URLs may hold commas.
_LINK_VALUE = re.compile(r"<([^>]*)>([^<]*)")
_REL = re.compile(r"""(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.IGNORECASE)


def parse_link_header(headers: httpx.Headers) -> dict[str, str]:
    """``rel -> URL`` from RFC 8288 ``Link`` headers.

    Reads both forms servers use: several ``Link`` lines (Okta) and one comma-joined line
    (``<a>; rel="self", <b>; rel="next"``). Commas inside ``<...>`` do not split. A rel may list
    several space-separated values; the first link for a rel wins.
    """
    links: dict[str, str] = {}
    for line in headers.get_list("link"):
        for url, params in _LINK_VALUE.findall(line):
            for match in _REL.finditer(params):
                for rel in (match[1] or match[2]).lower().split():
                    links.setdefault(rel, url.strip())
    return links


def follow_links(
    client: httpx.Client,
    url: str,
    params: Mapping[str, Any] | None = None,
    *,
    max_pages: int | None = None,
    items: Callable[[httpx.Response], Sized] | None = None,
) -> Iterator[httpx.Response]:
    """Pages linked by ``Link: <...>; rel="next"``, starting at ``url`` with ``params``.

    Args:
        max_pages: stop after this many pages.
        items: the page's items; when given, an empty page ends the walk. Needed for Okta's System
            Log, which always sends a next link (it is the polling cursor).

    Raises:
        ResultError: a next link points at a page already fetched, or at another origin than the
            first page's (the credential would go along).
    """
    seen: set[str] = set()
    start_origin: str | None = None
    target: str | httpx.URL = url
    page_params: Mapping[str, Any] | None = params
    pages = 0
    while True:
        response = client.get(target, params=page_params)
        seen.update((str(target), str(response.url)))
        start_origin = start_origin or origin_of(response.url)
        yield response
        pages += 1
        if max_pages is not None and pages >= max_pages:
            return
        if items is not None and not len(items(response)):
            return
        link = parse_link_header(response.headers).get("next")
        if not link:
            return
        # Parsed once: the origin check and the request share the parsed URL (a long cursor link costs
        # as much to parse as a small page costs to decode). A relative link is joined to the page's own.
        target = httpx.URL(link) if link.startswith(("https://", "http://")) else response.url.join(link)
        if origin_of(target) != start_origin:
            raise ResultError(
                f"the next link {target} leaves {start_origin}, where paging started; pages are only "
                "fetched from the service that answered the first one, so paging stopped"
            )
        if str(target) in seen:
            raise ResultError(
                f"pagination loop: the next link {target} points at a page already fetched; the service "
                "keeps sending the same pages, so paging stopped"
            )
        page_params = None  # the next link carries its own query


def follow_cursor(
    client: httpx.Client,
    url: str,
    params: Mapping[str, Any] | None = None,
    *,
    cursor_param: str,
    next_cursor: Callable[[httpx.Response], str | Mapping[str, Any] | None],
    max_pages: int | None = None,
) -> Iterator[httpx.Response]:
    """Pages fetched by sending the previous page's cursor as ``cursor_param``.

    Args:
        next_cursor: reads the cursor for the next page from a response; None or empty ends the walk.
            It may return a mapping of several parameters instead (HighLevel's ``startAfterId`` and
            ``startAfter``); those are sent as they are and ``cursor_param`` is not used.

    Raises:
        ResultError: a cursor comes back that was already used.
    """
    base = dict(params or {})
    page_params: dict[str, Any] = base
    seen: set[tuple[tuple[str, str], ...]] = set()
    pages = 0
    while True:
        response = client.get(url, params=page_params)
        yield response
        pages += 1
        if max_pages is not None and pages >= max_pages:
            return
        cursor = next_cursor(response)
        if cursor is None or cursor == "" or (isinstance(cursor, Mapping) and not cursor):
            return
        extra = dict(cursor) if isinstance(cursor, Mapping) else {cursor_param: cursor}
        key = tuple(sorted((name, str(value)) for name, value in extra.items()))
        if key in seen:
            shown = ", ".join(f"{name}={value}" for name, value in key)
            raise ResultError(
                f"pagination loop: the cursor {shown} was already used; the service keeps sending the "
                "same pages, so paging stopped"
            )
        seen.add(key)
        page_params = {**base, **extra}


def follow_offset(
    client: httpx.Client,
    url: str,
    params: Mapping[str, Any] | None = None,
    *,
    offset_param: str = "offset",
    limit_param: str = "limit",
    page_size: int,
    items: Callable[[httpx.Response], list[Any]],
    max_pages: int | None = None,
    start: int = 0,
    offset_counts: Literal["items", "pages"] = "items",
) -> Iterator[httpx.Response]:
    """Pages fetched with ``offset``/``limit``; a page shorter than ``page_size`` is the last.

    Args:
        items: the page's items (to see a short page and to detect a repeated one).
        start: the first offset (0, or 1 for APIs that count pages from 1).
        offset_counts: whether the offset counts items (most APIs) or pages.

    Raises:
        ResultError: a page repeats the previous one, as when a server ignores the offset parameter.
    """
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1, got {page_size}")
    base = dict(params or {})
    offset = start
    previous: str | None = None
    pages = 0
    while True:
        response = client.get(url, params={**base, offset_param: offset, limit_param: page_size})
        page = items(response)
        signature = _page_signature(page)
        if page and signature == previous:
            raise ResultError(
                f"pagination loop: {offset_param}={offset} returned the same items as the page before; "
                f"the service may ignore {offset_param!r}, so paging stopped"
            )
        yield response
        pages += 1
        if len(page) < page_size or (max_pages is not None and pages >= max_pages):
            return
        previous = signature
        offset += page_size if offset_counts == "items" else 1


def _page_signature(page: list[Any]) -> str:
    """Cheap identity of a page: its size and its first and last items."""
    if not page:
        return ""
    return json.dumps([len(page), page[0], page[-1]], sort_keys=True, default=str)
