"""Benchmark 7: the first two-way sync of N Personio employees and N contacts, half of them the same people.

What a real first sync costs is set by the vendors' rate limits, so time is reported in **calls**: the
calls each side needed against the floor (the least any correct first sync must make: list every page
once, and one create call per record missing on that side), and the time those calls take at the
vendors' documented rates (Personio 300 per minute, HighLevel 100 per 10 s) against the floor's. Sides
are called one after the other, so the time at vendor rates is the sum of both sides. The wall time of
the run with the limits lifted is printed too (the product's own work).

Then, after the cycle that reads the first one's writes back as echoes, a cycle with nothing changed: its
calls per side (an idle cycle's cost).

Memory: each size runs in a fresh process, with both sandboxes served from another process over real
HTTP, so what is measured is the sync alone: the peak of Python allocations during the first cycle
(``tracemalloc``) and how far the process's peak resident size rose during it. A first sync streams
(pages staged in the store, pairs matched by indexed queries), so both stay flat as N grows; the line
reports their growth at 4x and at 16x the records (goal: under 1.5x at 4x).

    python bench/sync_first.py            # 250 / 1,000 / 4,000 (smoke)
    python bench/sync_first.py --full     # 2,500 / 10,000 / 40,000; the ratio is the 10,000 x 10,000 run
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

from benchkit import verdict

GOAL = 1.2
MEMORY_GOAL = 1.5
#: Documented budgets, calls per second: Personio 300/min per credential, HighLevel 100 per 10 s.
VENDOR_RATE = {"personio": 300 / 60, "contacts": 100 / 10}
PAGE = 100
LOCATION = "loc_sandbox"
SPEC: dict[str, Any] = {
    "name": "Personio employees <-> contacts",
    "left": {"app": "personio", "connection_id": "personio", "record_type": "personio.employee"},
    "right": {"app": "contacts", "connection_id": "contacts", "record_type": "contacts.contact"},
    "fields": [
        {"left": "email", "right": "email", "direction": "left_to_right"},
        {"left": "first_name", "right": "first_name", "direction": "both"},
        {"left": "last_name", "right": "last_name", "direction": "both"},
    ],
    "deletion": "flag",
}


def _serve_sandboxes(count: int, pipe: Pipe) -> None:
    """The other process: both sandboxes with their limits lifted, seeded, served until told to stop."""
    from emulator.serving import serve
    from sandboxes.contacts import ContactsSandbox
    from sandboxes.contacts.app import ContactsSettings
    from sandboxes.contacts.contacts import new_contact
    from sandboxes.personio import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, PersonioSandbox, PersonioSettings

    personio = PersonioSandbox(PersonioSettings(burst_per_second=None, employees_per_minute=10**9,
                                                auth_per_minute=10**6))
    contacts = ContactsSandbox(ContactsSettings(rate_limit=10**9, daily_limit=10**9))
    for number in range(count):
        personio.create_employee(email=f"person{number}@example.com", first_name=f"P{number}", last_name="Employee")
    half = count // 2
    with contacts.state.lock:
        for number in range(half, half + count):  # person{half}..: the first half of these are employees too
            contact = new_contact(contacts.state, LOCATION, {"email": f"person{number}@example.com",
                                                             "firstName": f"P{number}", "lastName": "Employee"})
            contacts.state.add_contact(contact)
    with serve(personio.app, server="waitress") as p_served, serve(contacts.app, server="waitress") as c_served:
        personio.base_url = p_served.base_url
        contacts.base_url = c_served.base_url
        pipe.send({"personio": personio.base_url, "contacts": contacts.base_url, "client_id": DEFAULT_CLIENT_ID,
                   "client_secret": DEFAULT_CLIENT_SECRET, "api_key": next(iter(contacts.settings.api_keys))})
        pipe.recv()
        pipe.send({"personio": len(personio.employees.records), "contacts": len(contacts.state.contacts)})


def _rss_now() -> int:
    """Resident bytes of this process now."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize()


def measure(count: int) -> dict[str, Any]:
    """One size, in this (fresh) process: the sync here, the sandboxes in a child process."""
    from auth.personio import forget_cached_tokens
    from connector.apps.contacts.app import APP as CONTACTS_APP
    from connector.apps.personio.app import APP as PERSONIO_APP
    from connector.context import Connection
    from emulator.store import Store, engine_for
    from emulator.sync.engine import SyncEngine
    from emulator.sync.spec import Side
    from emulator.sync.store import SyncStore

    forget_cached_tokens()
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=_serve_sandboxes, args=(count, theirs), daemon=True)
    child.start()
    urls = ours.recv()

    def connection_for(side: Side) -> Connection:
        if side.app == "personio":
            return Connection(app="personio", base_url=urls["personio"],
                              fields={"client_id": urls["client_id"], "client_secret": urls["client_secret"],
                                      "base_url": urls["personio"]})
        return Connection(app="contacts", base_url=urls["contacts"],
                          fields={"api_key": urls["api_key"], "location_id": LOCATION, "base_url": urls["contacts"]})

    with tempfile.TemporaryDirectory() as folder:
        store = Store(engine_for(f"sqlite:///{Path(folder) / 'sync.db'}"))
        engine = SyncEngine(SyncStore(store), {"personio": PERSONIO_APP, "contacts": CONTACTS_APP}, connection_for)
        sync = engine.create(SPEC)
        gc.collect()
        rss_before = _rss_now()
        tracemalloc.start()
        started = time.perf_counter()
        report = engine.run_cycle(sync["id"])
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rss_rise = max(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before)
        first = {"personio": report.calls["left"], "contacts": report.calls["right"]}
        time.sleep(1.2)  # past the cursor's one-second overlap
        engine.run_cycle(sync["id"])  # reads back the first cycle's own writes once (their echoes)
        time.sleep(1.2)
        idle_report = engine.run_cycle(sync["id"])
        idle = {"personio": idle_report.calls["left"], "contacts": idle_report.calls["right"]}
        store.engine.dispose()
    ours.send("stop")
    held = ours.recv()
    child.join(timeout=30)
    missing = count // 2
    assert report.created == {"left": missing, "right": missing}, report.created
    assert report.linked == count - missing, report.linked
    assert held == {"personio": count + missing, "contacts": count + missing}, held
    assert not report.errors, report.errors[:3]
    floor = {name: -(-count // PAGE) + missing for name in ("personio", "contacts")}
    at_rates = sum(first[name] / VENDOR_RATE[name] for name in first)
    floor_at_rates = sum(floor[name] / VENDOR_RATE[name] for name in floor)
    return {"count": count, "first": first, "floor": floor, "idle": idle, "seconds": seconds, "peak": peak,
            "rss_rise": rss_rise, "ratio": at_rates / floor_at_rates, "at_rates": at_rates,
            "floor_at_rates": floor_at_rates}


def _in_fresh_process(count: int) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--one", str(count)], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"sync_first at {count:,} failed:\n{done.stderr[-3000:]}")
    result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    # Each size as it finishes (a 40,000 run takes a while on a shared machine).
    print(f"  {count:,}: calls {result['first']}, peak {result['peak'] / 1e6:.1f} MB, "
          f"RSS +{result['rss_rise'] / 1e6:.1f} MB, {result['seconds']:.0f} s", file=sys.stderr, flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="2,500 / 10,000 / 40,000 instead of 250 / 1,000 / 4,000")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(measure(args.one)))
        return 0
    middle = 10_000 if args.full else 1_000
    runs = [_in_fresh_process(size) for size in (middle // 4, middle, middle * 4)]
    small, result, large = runs
    per_record = {name: result["first"][name] / middle for name in result["first"]}
    growth = large["peak"] / max(small["peak"], 1)
    growth_4x = large["peak"] / max(result["peak"], 1)
    rss_growth = large["rss_rise"] / max(small["rss_rise"], 1)
    passed = result["ratio"] <= GOAL and growth_4x < MEMORY_GOAL and max(result["idle"].values()) <= 1
    memory = ", ".join(f"{run['count']:,}: {run['peak'] / 1e6:.1f} MB (RSS +{run['rss_rise'] / 1e6:.1f} MB)"
                       for run in runs)
    print(
        f"sync_first: {middle:,} x {middle:,} (half matching): calls personio {result['first']['personio']:,} "
        f"(floor {result['floor']['personio']:,}, {per_record['personio']:.2f}/record), contacts "
        f"{result['first']['contacts']:,} (floor {result['floor']['contacts']:,}, "
        f"{per_record['contacts']:.2f}/record); at vendor rates {result['at_rates'] / 60:.1f} min vs floor "
        f"{result['floor_at_rates'] / 60:.1f} min = {result['ratio']:.2f}x (goal <= {GOAL}x); limits lifted "
        f"{result['seconds']:.1f} s; idle cycle calls personio {result['idle']['personio']}, contacts "
        f"{result['idle']['contacts']}; peak memory {memory}: {growth_4x:.2f}x at 4x the records, "
        f"{growth:.2f}x at 16x (RSS rise {rss_growth:.2f}x; goal < {MEMORY_GOAL}x at 4x) {verdict(passed)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
