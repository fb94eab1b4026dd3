"""Benchmark 7: the first two-way sync of N Personio employees and N contacts, half of them the same people.

Both sandboxes run in-process with their rate limits lifted, so the run measures the product's own
work; what a real first sync costs is set by the vendors' rate limits, so the result is reported in
**calls**: the calls each side needed against the floor (the least any correct first sync must make:
list every page once, and one create call per record missing on that side), and the time those calls
take at the vendors' documented rates (Personio 300 per minute, HighLevel 100 per 10 s) against the
floor's. Sides are called one after the other, so the time at vendor rates is the sum of both sides.

Then, after the cycle that reads the first one's writes back as echoes, a cycle with nothing changed: its
calls per side (an idle cycle's cost).

Memory: peak Python allocations (``tracemalloc``) during the first cycle at N and at N/4; the engine
holds one cycle's changed records in memory, so this grows with N (reported, not hidden).

    python bench/sync_first.py            # 1,000 x 1,000 (smoke)
    python bench/sync_first.py --full     # 10,000 x 10,000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from benchkit import verdict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "sync"))

from sync_world import DEMO_SPEC, SyncWorld

from auth.personio import forget_cached_tokens

GOAL = 1.2
#: Documented budgets, calls per second: Personio 300/min per credential, HighLevel 100 per 10 s.
VENDOR_RATE = {"personio": 300 / 60, "contacts": 100 / 10}
PAGE = 100


def _world(count: int, folder: Path) -> SyncWorld:
    world = SyncWorld(folder)
    half = count // 2
    for number in range(count):
        world.personio.create_employee(email=f"person{number}@example.com", first_name=f"P{number}",
                                       last_name="Employee")
    for number in range(half, half + count):  # person{half}..: the first half of these are employees too
        world.add_contact(f"person{number}@example.com", f"P{number}", "Employee")
    return world


def _calls(world: SyncWorld) -> dict[str, int]:
    return {name: world.transports[name].calls for name in ("personio", "contacts")}


def run(count: int) -> dict[str, Any]:
    forget_cached_tokens()
    with tempfile.TemporaryDirectory() as folder:
        world = _world(count, Path(folder))
        engine = world.engine()
        sync = engine.create({**DEMO_SPEC, "right": {**DEMO_SPEC["right"], "new_records": "create"}})
        before = _calls(world)
        tracemalloc.start()
        started = time.perf_counter()
        report = engine.run_cycle(sync["id"])
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        first = {name: calls - before[name] for name, calls in _calls(world).items()}
        world.clock.advance(60)
        engine.run_cycle(sync["id"])  # reads back the first cycle's own writes once (their echoes)
        world.clock.advance(60)
        before = _calls(world)
        engine.run_cycle(sync["id"])
        idle = {name: calls - before[name] for name, calls in _calls(world).items()}
        missing = count // 2
        floor = {name: -(-count // PAGE) + missing for name in ("personio", "contacts")}
        assert report.created == {"left": missing, "right": missing}, report.created
        assert report.linked == count - missing
        world.contacts.outbox.close()
        world.contacts_b.outbox.close()
    at_rates = sum(first[name] / VENDOR_RATE[name] for name in first)
    floor_at_rates = sum(floor[name] / VENDOR_RATE[name] for name in floor)
    return {"count": count, "first": first, "floor": floor, "idle": idle, "seconds": seconds, "peak": peak,
            "ratio": at_rates / floor_at_rates, "at_rates": at_rates, "floor_at_rates": floor_at_rates}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="10,000 x 10,000 instead of 1,000 x 1,000")
    parser.add_argument("--records", type=int, default=None)
    args = parser.parse_args(argv)
    count = args.records or (10_000 if args.full else 1_000)
    small = run(max(count // 4, 4))
    result = run(count)
    per_record = {name: result["first"][name] / count for name in result["first"]}
    growth = result["peak"] / max(small["peak"], 1)
    passed = result["ratio"] <= GOAL
    print(
        f"sync_first: {count:,} x {count:,} (half matching): calls personio {result['first']['personio']:,} "
        f"(floor {result['floor']['personio']:,}, {per_record['personio']:.2f}/record), contacts "
        f"{result['first']['contacts']:,} (floor {result['floor']['contacts']:,}, "
        f"{per_record['contacts']:.2f}/record); "
        f"at vendor rates {result['at_rates'] / 60:.1f} min vs floor {result['floor_at_rates'] / 60:.1f} min = "
        f"{result['ratio']:.2f}x (goal <= {GOAL}x); in-process {result['seconds']:.1f} s; idle cycle calls "
        f"personio {result['idle']['personio']}, contacts {result['idle']['contacts']}; peak memory "
        f"{result['peak'] / 1e6:.1f} MB ({growth:.1f}x at 4x the records) {verdict(passed)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
