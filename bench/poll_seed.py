"""Benchmark 1: the first poll of Okta's new-user trigger over a big org, against the tools peers use.

Turning a flow on runs one poll that reads every user once (to seed the dedupe record). This serves an
Okta sandbox with N users on a real threaded port and, for each size, times in alternating rounds one
fresh child process per measurement:

- ``product``: ``connector.runtime.invoke(APP, "new_user", ..., Meta(first_poll=True), seen_sink=...)``, the
  real path as the emulator turns a flow on (ids stream page by page to the dedupe sink);
- ``bare``: a plain ``httpx.Client`` loop following ``response.links["next"]`` and parsing each page;
- ``okta-sdk``: okta-sdk-python's ``list_users`` with its ``PaginationHelper`` cursor;
- ``singer``: a singer-sdk tap's full ``sync`` of a ``RESTStream`` (``HeaderLinkPaginator``), writing its
  SCHEMA/RECORD/STATE messages to a null sink, as a user of the tap runs it (``tap | target``).

The sandbox is served by waitress (keep-alive, like real Okta) unless ``--server werkzeug``.

Each child reports its wall time, records seen and peak RSS; the line reports medians and ratios.
Goals: product within 1.3x of bare httpx, at least 7x faster than both peers, and product memory flat
as the org grows (peak RSS growth from the smallest to the largest size within 10%).

    python bench/poll_seed.py                 # 10,000 and 20,000 users, two rounds (quick)
    python bench/poll_seed.py --full          # 10,000 and 50,000 users, three rounds
    python bench/poll_seed.py --sizes 10000 --rounds 5 --clients product,bare
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import io
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from benchkit import emit, median, okta_org, peak_rss_mb, run_child, verdict

from emulator.sandbox.serve import ServerName, serve

#: A client ready to read the whole listing once; building it (imports, set-up) is not timed.
Reader = Callable[[], int]

CLIENTS = ("product", "bare", "okta-sdk", "singer")
PAGE = 200
BARE_RATIO_GOAL = 1.3
PEER_SPEEDUP_GOAL = 7.0
MEMORY_GROWTH_GOAL = 1.10


# ---- the clients, each run in its own child process -------------------------------------------------


def read_with_product(base: str, token: str) -> Reader:
    """The product's real path: the new-user trigger's first poll through ``invoke``."""
    from connector.context import Connection, Meta
    from connector.runtime import invoke

    app = importlib.import_module("connector.apps.okta").APP
    connection = Connection(app="okta", fields={"org_url": base, "api_token": token}, base_url=base)

    def read() -> int:
        # As the emulator turns a flow on: ids stream page by page to the platform's dedupe sink.
        seen = 0

        def sink(ids: list[str]) -> None:
            nonlocal seen
            seen += len(ids)

        result = invoke(app, "new_user", connection, {}, Meta(first_poll=True), seen_sink=sink)
        return seen + len(result.output)

    return read


def read_with_bare_httpx(base: str, token: str) -> Reader:
    """The ceiling: one httpx client, follow ``Link: rel="next"``, parse each page, nothing else."""
    import httpx

    def read() -> int:
        count = 0
        with httpx.Client(headers={"Authorization": f"SSWS {token}", "Accept": "application/json"}) as client:
            url: str | None = f"{base}/api/v1/users?limit={PAGE}"
            while url:
                response = client.get(url)
                response.raise_for_status()
                count += len(response.json())
                url = response.links.get("next", {}).get("url")
        return count

    return read


def read_with_okta_sdk(base: str, token: str) -> Reader:
    """okta-sdk-python 3.x as its README pages users: ``list_users`` then ``after`` from the Link header."""
    os.environ["OKTA_TESTING_TESTINGDISABLEHTTPSCHECK"] = "true"  # the sandbox is plain http on loopback
    from okta.client import Client
    from okta.pagination import PaginationHelper

    async def listing() -> int:
        client = Client({"orgUrl": base, "token": token})
        users, response, error = await client.list_users(limit=PAGE)
        if error:
            raise RuntimeError(f"okta-sdk: {error}")
        count = len(users)
        while PaginationHelper.has_next_page(response.headers):
            after = PaginationHelper.extract_next_cursor(response.headers)
            users, response, error = await client.list_users(limit=PAGE, after=after)
            if error:
                raise RuntimeError(f"okta-sdk: {error}")
            count += len(users)
        return count

    return lambda: asyncio.run(listing())


def read_with_singer(base: str, token: str) -> Reader:
    """A singer-sdk stream as a tap author writes one: RESTStream + HeaderLinkPaginator, records counted."""
    from urllib.parse import parse_qsl

    from singer_sdk import RESTStream, Tap
    from singer_sdk import typing as th
    from singer_sdk.pagination import HeaderLinkPaginator

    class UsersStream(RESTStream[Any]):
        name = "users"
        path = "/api/v1/users"
        primary_keys = ("id",)
        url_base = base
        schema = th.PropertiesList(
            th.Property("id", th.StringType),
            th.Property("status", th.StringType),
            th.Property("created", th.DateTimeType),
            th.Property("profile", th.ObjectType(additional_properties=True)),
        ).to_dict()

        @property
        def http_headers(self) -> dict[str, str]:
            return {"Authorization": f"SSWS {token}", "Accept": "application/json"}

        def get_new_paginator(self) -> HeaderLinkPaginator:
            return HeaderLinkPaginator()

        def get_url_params(self, context: Any, next_page_token: Any) -> dict[str, Any]:
            if next_page_token is not None:
                return dict(parse_qsl(next_page_token.query))
            return {"limit": PAGE}

    class OktaTap(Tap):
        name = "tap-okta-bench"
        config_jsonschema = th.PropertiesList().to_dict()

        def discover_streams(self) -> list[UsersStream]:
            return [UsersStream(tap=self)]

    class NullSink(io.TextIOBase):
        """Where the RECORD messages go: counted, then dropped (a target that does nothing)."""

        records = 0

        def write(self, text: str) -> int:
            if text.startswith('{"type":"RECORD"') or text.startswith('{"type": "RECORD"'):
                self.records += 1
            return len(text)

    def read() -> int:
        sink = NullSink()
        stream = OktaTap(config={}, validate_config=False).streams["users"]
        with contextlib.redirect_stdout(sink):
            stream.sync()
        return sink.records

    return read


READERS: dict[str, Callable[[str, str], Reader]] = {
    "product": read_with_product,
    "bare": read_with_bare_httpx,
    "okta-sdk": read_with_okta_sdk,
    "singer": read_with_singer,
}


def child(client: str, base: str, token: str) -> None:
    """One measurement in a fresh process: time the read, report records and peak memory.

    Imports, client set-up and one warm-up read happen before the clock starts: okta-sdk-python alone
    takes seconds to import, and every client has first-call costs; a long-running poller pays them
    once, not per poll.
    """
    import logging

    logging.disable(logging.CRITICAL)  # singer-sdk logs metrics per request; logging is not the job here
    read = READERS[client](base, token)
    before = peak_rss_mb()
    read()  # warm-up: first-call costs (lazy imports, compiled schemas) are paid once by a long-running poller
    started = time.perf_counter()
    records = read()
    seconds = time.perf_counter() - started
    emit({"client": client, "seconds": seconds, "records": records, "peak_mb": peak_rss_mb(), "start_mb": before})


# ---- the parent: serve, alternate, summarise ----------------------------------------------------------


def measure(
    sizes: Sequence[int], rounds: int, clients: Sequence[str], server: ServerName = "waitress"
) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """``{size: {client: [child report per round]}}``, clients alternating within each round."""
    results: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for size in sizes:
        sandbox = okta_org(size)
        with serve(sandbox.app, server=server) as served:
            sandbox.base_url = served.base_url
            per_client: dict[str, list[dict[str, Any]]] = {name: [] for name in clients}
            for _ in range(rounds):
                for name in clients:
                    per_client[name].append(
                        run_child("poll_seed.py", [name, served.base_url, sandbox.settings.token])
                    )
        sandbox.close()
        results[size] = per_client
    return results


def summarise(results: dict[int, dict[str, list[dict[str, Any]]]], clients: Sequence[str]) -> str:
    """The one result line: per size the medians, then the ratios and the verdict against each goal."""
    sizes = sorted(results)
    parts: list[str] = []
    passed = True
    for size in sizes:
        seconds = {name: median([r["seconds"] for r in results[size][name]]) for name in clients}
        records = {name: results[size][name][0]["records"] for name in clients}
        wrong = [name for name in clients if records[name] != size]
        figures = ", ".join(f"{name} {seconds[name]:.2f}s" for name in clients)
        ratios = []
        if "product" in clients and "bare" in clients:
            ratio = seconds["product"] / seconds["bare"]
            passed &= ratio <= BARE_RATIO_GOAL
            ratios.append(f"product/bare {ratio:.2f}")
        for peer in ("okta-sdk", "singer"):
            if "product" in clients and peer in clients:
                speedup = seconds[peer] / seconds["product"]
                passed &= speedup >= PEER_SPEEDUP_GOAL
                ratios.append(f"{peer}/product {speedup:.1f}x")
        if wrong:
            passed = False
            ratios.append("RECORD COUNT WRONG: " + ", ".join(f"{name} {records[name]}" for name in wrong))
        parts.append(f"{size:,} users ({size // PAGE} pages): {figures}; {'; '.join(ratios)}")
    memory = ""
    if "product" in clients and len(sizes) > 1:
        small, large = (max(r["peak_mb"] for r in results[s]["product"]) for s in (sizes[0], sizes[-1]))
        growth = large / small
        allowed = MEMORY_GROWTH_GOAL
        memory = f" | product peak RSS {small:.0f} -> {large:.0f} MiB ({growth:.2f}x)"
        if "bare" in clients:
            b_small, b_large = (max(r["peak_mb"] for r in results[s]["bare"]) for s in (sizes[0], sizes[-1]))
            memory += f", bare {b_small:.0f} -> {b_large:.0f} MiB ({b_large / b_small:.2f}x)"
            # "Flat" means no per-user retention: httpx's own response cycles make even the bare loop's
            # peak drift a little with the page count, so the product may drift as much as the bare loop.
            allowed = max(allowed, (b_large / b_small) * 1.05)
        passed &= growth <= allowed
    goals = f"goals: product <= {BARE_RATIO_GOAL}x bare, peers >= {PEER_SPEEDUP_GOAL:.0f}x slower, memory flat"
    return f"poll_seed: {' | '.join(parts)}{memory}; {goals}: {verdict(passed)}"


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=3, metavar=("CLIENT", "BASE_URL", "TOKEN"), help=argparse.SUPPRESS)
    parser.add_argument("--full", action="store_true", help="the issue's sizes: 10,000 and 50,000 users, 3 rounds")
    parser.add_argument("--sizes", type=lambda text: [int(n) for n in text.split(",")], default=None)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--clients", default=",".join(CLIENTS), help=f"comma-separated subset of {CLIENTS}")
    parser.add_argument("--server", choices=("waitress", "werkzeug"), default="waitress",
                        help="what serves the sandbox (werkzeug: a connection per request)")
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return ""
    clients = [name.strip() for name in args.clients.split(",") if name.strip()]
    unknown = sorted(set(clients) - set(CLIENTS))
    if unknown:
        parser.error(f"--clients: {', '.join(unknown)} unknown; choose from {', '.join(CLIENTS)}")
    # The quick run starts at the smaller size: below it a first poll is a handful of pages, where
    # fixed costs (client set-up, the closing System Log read) outweigh paging and the ratios say little.
    sizes = args.sizes or ([10_000, 50_000] if args.full else [10_000, 20_000])
    rounds = args.rounds or (3 if args.full else 2)
    line = summarise(measure(sizes, rounds, clients, args.server), clients)
    print(line, flush=True)
    return line


if __name__ == "__main__":
    main()
