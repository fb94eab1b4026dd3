"""Benchmark: turning a poll flow on (first poll + durable dedupe record) against the first poll alone.

Turning a flow on over a big Okta org reads every user once and writes each id into the flow's dedupe
record (SQLite in WAL mode, the emulator's default store). The user waits for both; the bar is that the
record costs at most half of the read: turn-on within 1.5x of the poll alone, and linear in users.

An Okta sandbox with N users is served on a real port (waitress, keep-alive) and, for each size, two
kinds of child process alternate in every round:

- ``poll``: the first poll alone, ``invoke(APP, "new_user", ..., Meta(first_poll=True), seen_sink=...)``
  with a sink that only counts the ids it is handed (what ``poll_seed.py`` calls ``product``);
- ``turn-on``: ``Runner.turn_on`` of an Okta new-user flow in a real emulator (``create_app``, a fresh
  SQLite file, scheduler off): the same poll, with every id committed to the dedupe record, the cursor
  and the flow's state. The child checks that the record holds every user.

Both children do one untimed first poll to warm up (imports, connections, first-call costs) before the
timed one. The line reports, per size, the median and spread (min-max) of each side over the rounds,
the ratio of the medians, and the cost per 1,000 users at each size. Linear: the turn-on's per-user
cost may grow from the smallest size to the largest only as much as the poll's own does, times 1.25
(the record's share of the turn-on must not grow with the org; the poll's linearity is ``poll_seed``'s).

    python bench/turn_on.py                   # 5,000 and 20,000 users, 3 rounds (quick)
    python bench/turn_on.py --full            # 10,000 and 50,000 users, 3 rounds
"""

from __future__ import annotations

import argparse
import importlib
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchkit import emit, median, okta_org, run_child, spread, verdict

from emulator.serving import serve

KINDS = ("poll", "turn-on")
RATIO_GOAL = 1.5
LINEAR_GOAL = 1.25


def _connection(base: str, token: str) -> Any:
    from connector.context import Connection

    return Connection(app="okta", fields={"org_url": base, "api_token": token}, base_url=base)


def _first_poll(base: str, token: str) -> int:
    from connector.context import Meta
    from connector.runtime import invoke

    app = importlib.import_module("connector.apps.okta.app").APP
    seen = 0

    def sink(ids: list[str]) -> None:
        nonlocal seen
        seen += len(ids)

    result = invoke(app, "new_user", _connection(base, token), {}, Meta(first_poll=True), seen_sink=sink)
    return seen + len(result.output)


def _turn_on(base: str, token: str, folder: Path) -> tuple[float, int]:
    """Seconds to turn an Okta new-user flow on in a fresh emulator, and how many ids it recorded."""
    from emulator.app import create_app
    from emulator.flow_spec import check_flow

    okta = importlib.import_module("connector.apps.okta.app").APP
    connection = _connection(base, token)
    app = create_app({
        "DATABASE_URL": f"sqlite:///{folder / 'emulator.db'}",
        "APPS": {"okta": okta},
        "CONNECTION_RESOLVER": lambda connection_id: connection,
        "RUNNER_THREAD": False,
    })
    emulator = app.extensions["emulator"]
    columns = check_flow({"okta": okta}, {
        "name": "bench turn-on",
        "trigger": {"app": "okta", "operation": "new_user", "input": {}, "connection_id": "bench"},
    })
    flow = emulator.store.create_flow({**columns, "state": "off"}, time.time())
    started = time.perf_counter()
    turned = emulator.runner.turn_on(flow["id"])
    seconds = time.perf_counter() - started
    if turned["state"] != "on":
        raise RuntimeError(f"the flow did not turn on: {turned}")
    recorded = emulator.store.dedupe.count(flow["id"])
    emulator.store.engine.dispose()
    return seconds, recorded


def child(kind: str, base: str, token: str) -> None:
    """One measurement in a fresh process, after one untimed first poll."""
    _first_poll(base, token)
    if kind == "poll":
        started = time.perf_counter()
        records = _first_poll(base, token)
        emit({"kind": kind, "seconds": time.perf_counter() - started, "records": records})
        return
    with tempfile.TemporaryDirectory(prefix="bench-turn-on-") as folder:
        seconds, records = _turn_on(base, token, Path(folder))
    emit({"kind": kind, "seconds": seconds, "records": records})


def measure(sizes: Sequence[int], rounds: int) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """``{size: {kind: [child report per round]}}``, the two kinds alternating within each round."""
    results: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for size in sizes:
        sandbox = okta_org(size)
        with serve(sandbox.app, server="waitress") as served:
            sandbox.base_url = served.base_url
            per_kind: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
            for number in range(rounds):
                # Alternate which side goes first, so a slow spell of the shared machine lands on both.
                for kind in KINDS if number % 2 == 0 else tuple(reversed(KINDS)):
                    per_kind[kind].append(run_child("turn_on.py", [kind, served.base_url, sandbox.settings.token]))
        sandbox.close()
        results[size] = per_kind
    return results


def summarise(results: dict[int, dict[str, list[dict[str, Any]]]]) -> str:
    """The result line: per size median [spread] of each side and their ratio; linearity; the verdict."""
    sizes = sorted(results)
    parts = []
    passed = True
    per_thousand: dict[int, float] = {}
    poll_per_thousand: dict[int, float] = {}
    for size in sizes:
        poll = [r["seconds"] for r in results[size]["poll"]]
        turn_on = [r["seconds"] for r in results[size]["turn-on"]]
        ratio = median(turn_on) / median(poll)
        passed &= ratio <= RATIO_GOAL
        wrong = [f"{kind} {r['records']}" for kind in KINDS for r in results[size][kind] if r["records"] != size]
        passed &= not wrong
        per_thousand[size] = median(turn_on) / size * 1000
        poll_per_thousand[size] = median(poll) / size * 1000
        parts.append(
            f"{size:,} users: turn-on {median(turn_on):.2f}s [{spread(turn_on)}], poll alone {median(poll):.2f}s "
            f"[{spread(poll)}], ratio {ratio:.2f}" + (f", RECORD COUNT WRONG: {', '.join(wrong)}" if wrong else "")
        )
    linear = ""
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        turn_on_growth = per_thousand[large] / per_thousand[small]
        poll_growth = poll_per_thousand[large] / poll_per_thousand[small]
        growth = turn_on_growth / poll_growth
        passed &= growth <= LINEAR_GOAL
        linear = (
            f" | per 1,000 users: turn-on {per_thousand[small] * 1000:.0f} -> {per_thousand[large] * 1000:.0f} ms "
            f"({turn_on_growth:.2f}x), poll alone {poll_per_thousand[small] * 1000:.0f} -> "
            f"{poll_per_thousand[large] * 1000:.0f} ms ({poll_growth:.2f}x): the record's share grows {growth:.2f}x"
        )
    rounds = min(len(results[s]["poll"]) for s in sizes)
    goals = f"goals: turn-on <= {RATIO_GOAL}x poll alone, linear (the record's share grows <= {LINEAR_GOAL}x)"
    return f"turn_on ({rounds} rounds, median [min-max]): {' | '.join(parts)}{linear}; {goals}: {verdict(passed)}"


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=3, metavar=("KIND", "BASE_URL", "TOKEN"), help=argparse.SUPPRESS)
    parser.add_argument("--full", action="store_true", help="10,000 and 50,000 users")
    parser.add_argument("--sizes", type=lambda text: [int(n) for n in text.split(",")], default=None)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return ""
    sizes = args.sizes or ([10_000, 50_000] if args.full else [5_000, 20_000])
    line = summarise(measure(sizes, max(1, args.rounds)))
    print(line, flush=True)
    return line


if __name__ == "__main__":
    main()
