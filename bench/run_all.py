"""Run every benchmark, each in its own process, and print their result lines as one table.

Each benchmark prints one line ending in PASS or MISS (``mapping.py`` says FAIL); this collects them. A
benchmark that crashes is reported as ERROR with the last line it wrote to stderr, and the others still
run. Exit status 0 when every goal passed, 1 otherwise.

    python bench/run_all.py            # small sizes: a few minutes
    python bench/run_all.py --full     # the issue's sizes: 10-20 minutes on a shared machine
    python bench/run_all.py --only poll_seed,hook_ingress
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence

from benchkit import BENCH_DIR

#: name -> (extra args for the small run, extra args for --full)
BENCHMARKS: dict[str, tuple[list[str], list[str]]] = {
    "poll_seed": ([], ["--full"]),
    "turn_on": ([], ["--full"]),
    "poll_incremental": ([], ["--full"]),
    "mapping": (["--records", "5000", "--repeats", "3"], []),
    "hook_ingress": ([], ["--full"]),
    "provisioning": ([], ["--full"]),
    "http_overhead": (["--pages", "20", "--runs", "3"], []),
    "sync_first": ([], ["--full"]),
    "startup": ([], ["--full"]),
    "scale_out": ([], ["--runs", "400"]),
}


def run_one(name: str, full: bool) -> tuple[str, str, float]:
    """(verdict, result line, seconds) for one benchmark run as ``python bench/<name>.py``."""
    small, large = BENCHMARKS[name]
    command = [sys.executable, str(BENCH_DIR / f"{name}.py"), *(large if full else small)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        errors = [line for line in done.stderr.splitlines() if line.strip()]
        return "ERROR", errors[-1] if errors else f"exit status {done.returncode}", seconds
    line = lines[-1]
    if line.rstrip().endswith("PASS") or "PASS (" in line:
        result = "PASS"
    elif "MISS" in line or "FAIL" in line:
        result = "MISS"
    else:
        result = "-"  # a measurement without a goal of its own (http_overhead prints its bar)
    return result, line, seconds


def table(rows: Sequence[tuple[str, str, str, float]], width: int = 110) -> str:
    """A plain-text table: benchmark, verdict, seconds, and the result line wrapped under it."""
    out = [f"{'benchmark':<18} {'result':<6} {'time':>7}  line", "-" * (width + 36)]
    for name, result, line, seconds in rows:
        wrapped = textwrap.wrap(line, width) or [""]
        out.append(f"{name:<18} {result:<6} {seconds:>6.0f}s  {wrapped[0]}")
        out.extend(f"{'':<34}{part}" for part in wrapped[1:])
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the issue's sizes")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated benchmark names")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"--only: {', '.join(unknown)} unknown; choose from {', '.join(BENCHMARKS)}")
    print(f"machine: {platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}", flush=True)
    rows = []
    for name in names:
        result, line, seconds = run_one(name, args.full)
        print(f"  {name}: {result} ({seconds:.0f} s)", flush=True)
        rows.append((name, result, line, seconds))
    print(table(rows))
    return 0 if all(result in ("PASS", "-") for _, result, _, _ in rows) else 1


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    raise SystemExit(main())
