"""Benchmark 2: an incremental poll of Okta's new-user trigger when nothing is new, at 100 and 100,000 users.

After the first poll a flow polls every few minutes, and almost always nothing has changed. That poll
must cost one HTTP call whatever the size of the org: it resumes from the cursor the last poll saved
instead of re-reading the listing. For each size this serves an Okta sandbox on a real port and, in a
fresh child process, runs the first poll through ``invoke`` (to get the cursor, not timed), then times
``--polls`` incremental polls through ``invoke`` with HTTP tracing on (to count calls) and, alternating
with them, the baseline doing the same work by hand: a new ``httpx.Client`` per poll (the product builds
one per ``invoke`` too) sharing one TLS context built at set-up (as the product's factory does), one GET
of the same System Log cursor URL the product reads, and its JSON decoded. (Before, the baseline was a
one-shot ``httpx.get`` of a different URL, which builds a TLS context per call: 20-30 ms of CA bundle
loading that made the product look ten times faster than a GET.) Each figure is the median and the
spread (10th-90th percentile) of the polls.

Goals: exactly one HTTP call per incremental poll at every size, and the same cost at both sizes
(median poll time at the largest size within 1.5x of the smallest; one call on loopback is about a
millisecond, so the tolerance covers scheduler noise, not O(n) work, which would be 1000x here).

    python bench/poll_incremental.py            # 100 and 5,000 users (smoke)
    python bench/poll_incremental.py --full     # 100 and 100,000 users
"""

from __future__ import annotations

import argparse
import importlib
import ssl
import time
from collections.abc import Sequence
from typing import Any

from benchkit import emit, median, okta_org, percentile, run_child, verdict

from emulator.serving import serve

COST_RATIO_GOAL = 1.5


def child(base: str, token: str, last_id: str, polls: int) -> None:
    """First poll (untimed), then ``polls`` timed incremental polls alternating with a bare GET."""
    import httpx

    from connector.context import Connection, Meta
    from connector.runtime import invoke

    app = importlib.import_module("connector.apps.okta.app").APP
    connection = Connection(app="okta", fields={"org_url": base, "api_token": token}, base_url=base)
    first = invoke(app, "new_user", connection, {}, Meta(first_poll=True))
    cursor = first.cursor
    poll_seconds: list[float] = []
    bare_seconds: list[float] = []
    calls: list[int] = []
    emitted: list[int] = []
    headers = {"Authorization": f"SSWS {token}", "Accept": "application/json"}
    tls = ssl.create_default_context()  # built once, like the product's shared context

    def bare_poll(cursor_url: str) -> int:
        with httpx.Client(headers=headers, verify=tls) as client:
            response = client.get(f"{base}{cursor_url}")
            response.raise_for_status()
            return len(response.json())

    bare_poll(str(cursor))  # warm: imports, first-request paths
    for _ in range(polls):
        # Each invoke builds its own client (a new connection); so does each baseline poll.
        started = time.perf_counter()
        result = invoke(app, "new_user", connection, {}, Meta(cursor=cursor), trace=True)
        poll_seconds.append(time.perf_counter() - started)
        calls.append(len(result.trace))
        emitted.append(len(result.output))
        read_from = cursor
        cursor = result.cursor or cursor
        started = time.perf_counter()
        bare_poll(str(read_from))
        bare_seconds.append(time.perf_counter() - started)
    emit({
        "first_poll_items": len(first.output),
        "cursor_saved": first.cursor is not None,
        "poll_ms": median(poll_seconds) * 1000,
        "poll_spread_ms": [percentile(poll_seconds, 0.1) * 1000, percentile(poll_seconds, 0.9) * 1000],
        "bare_ms": median(bare_seconds) * 1000,
        "bare_spread_ms": [percentile(bare_seconds, 0.1) * 1000, percentile(bare_seconds, 0.9) * 1000],
        "calls": max(calls),
        "emitted": sum(emitted),
    })


def measure(sizes: Sequence[int], polls: int) -> dict[int, dict[str, Any]]:
    results: dict[int, dict[str, Any]] = {}
    for size in sizes:
        sandbox = okta_org(0)
        ids = sandbox.seed_users(size)
        with serve(sandbox.app) as served:
            sandbox.base_url = served.base_url
            results[size] = run_child(
                "poll_incremental.py", [served.base_url, sandbox.settings.token, ids[-1], str(polls)]
            )
        sandbox.close()
    return results


def summarise(results: dict[int, dict[str, Any]]) -> str:
    sizes = sorted(results)
    parts = []
    passed = True
    for size in sizes:
        r = results[size]
        passed &= r["calls"] == 1 and r["emitted"] == 0 and r["cursor_saved"]
        poll_spread = "-".join(f"{v:.2f}" for v in r.get("poll_spread_ms", [r["poll_ms"]] * 2))
        bare_spread = "-".join(f"{v:.2f}" for v in r.get("bare_spread_ms", [r["bare_ms"]] * 2))
        parts.append(
            f"{size:,} users: {r['calls']} call(s), {r['poll_ms']:.2f} ms per poll [{poll_spread}] "
            f"(same read by hand {r['bare_ms']:.2f} ms [{bare_spread}], ratio {r['poll_ms'] / r['bare_ms']:.2f}), "
            f"{r['emitted']} emitted"
            + ("" if r["cursor_saved"] else ", NO CURSOR SAVED")
        )
    cost = results[sizes[-1]]["poll_ms"] / results[sizes[0]]["poll_ms"]
    passed &= cost <= COST_RATIO_GOAL
    return (
        f"poll_incremental (median [p10-p90] of the polls): {' | '.join(parts)}; "
        f"cost {sizes[-1]:,} vs {sizes[0]:,} users {cost:.2f}x; "
        f"goals: 1 call, nothing emitted, cost ratio <= {COST_RATIO_GOAL}: {verdict(passed)}"
    )


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=4, metavar=("BASE_URL", "TOKEN", "LAST_ID", "POLLS"), help=argparse.SUPPRESS)
    parser.add_argument("--full", action="store_true", help="the issue's sizes: 100 and 100,000 users")
    parser.add_argument("--sizes", type=lambda text: [int(n) for n in text.split(",")], default=None)
    parser.add_argument("--polls", type=int, default=None, help="timed incremental polls per size")
    args = parser.parse_args(argv)
    if args.child:
        base, token, last_id, polls = args.child
        child(base, token, last_id, int(polls))
        return ""
    sizes = args.sizes or ([100, 100_000] if args.full else [100, 5_000])
    line = summarise(measure(sizes, args.polls or (50 if args.full else 10)))
    print(line, flush=True)
    return line


if __name__ == "__main__":
    main()
