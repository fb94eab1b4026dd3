"""What the HTTP seam costs: make_client + follow_links against a bare httpx loop over the same pages.

Serves 50 pre-rendered pages of 200 Okta-like users on a real port (werkzeug, threaded, in this
process), then times both clients alternately, 5 runs each, and prints one line with the medians and
their ratio. The bar (DESIGN.md) is a ratio of at most 1.3.

    python bench/http_overhead.py [--pages 50] [--page-size 200] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from collections.abc import Callable

import flask
import httpx
from werkzeug.serving import WSGIRequestHandler, make_server

from connector.http import make_client
from connector.pagination import follow_links


class QuietHandler(WSGIRequestHandler):
    """No access log: printing 500 lines would be timed too."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def users_app(pages: int, page_size: int) -> flask.Flask:
    """A users listing paged by Okta-style ``Link`` lines; bodies rendered once, up front."""
    app = flask.Flask("bench_users")
    bodies = [
        json.dumps(
            [
                {
                    "id": f"00u{page:03d}{n:05d}",
                    "status": "ACTIVE",
                    "profile": {"login": f"user{page}.{n}@acme.test", "firstName": "Ada", "lastName": "Lovelace"},
                }
                for n in range(page_size)
            ]
        ).encode()
        for page in range(pages)
    ]

    @app.get("/api/v1/users")
    def list_users() -> flask.Response:
        page = int(flask.request.args.get("after", 0))
        response = flask.Response(bodies[page], mimetype="application/json")
        base = flask.request.base_url
        response.headers.add("Link", f'<{base}?limit={page_size}>; rel="self"')
        if page + 1 < pages:
            response.headers.add("Link", f'<{base}?after={page + 1}&limit={page_size}>; rel="next"')
        return response

    return app


def bare_loop(url: str) -> int:
    """The baseline: a plain httpx client following ``response.links``."""
    count = 0
    with httpx.Client() as client:
        next_url: str | None = url
        while next_url:
            response = client.get(next_url)
            response.raise_for_status()
            count += len(response.content)
            next_url = response.links.get("next", {}).get("url")
    return count


def kit_loop(url: str) -> int:
    """The kit: the one client factory and the Link paginator, retries and error mapping on."""
    count = 0
    with make_client() as client:
        for response in follow_links(client, url):
            count += len(response.content)
    return count


def time_one_run(work: Callable[[str], int], url: str, runs: list[float]) -> None:
    started = time.perf_counter()
    work(url)
    runs.append(time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--page-size", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    server = make_server(
        "127.0.0.1", 0, users_app(args.pages, args.page_size), threaded=True, request_handler=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/users?limit={args.page_size}"
    try:
        if bare_loop(url) != kit_loop(url):
            raise SystemExit("the two loops read different data; the benchmark is broken")
        bare: list[float] = []
        kit: list[float] = []
        for _ in range(args.runs):  # alternate, so drift on a shared machine hits both alike
            time_one_run(bare_loop, url, bare)
            time_one_run(kit_loop, url, kit)
    finally:
        server.shutdown()
    bare_s, kit_s = statistics.median(bare), statistics.median(kit)
    print(
        f"http_overhead pages={args.pages}x{args.page_size}: bare httpx {bare_s * 1000:.1f} ms, "
        f"make_client+follow_links {kit_s * 1000:.1f} ms, ratio {kit_s / bare_s:.2f} (bar <= 1.30)"
    )


if __name__ == "__main__":
    main()
