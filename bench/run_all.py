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

#: name -> (extra args for the small run, extra args for --full); a name with a suffix runs the script
#: before its last ``_`` part (``hook_ingress_paced`` is ``hook_ingress.py`` with Okta's default limits).
BENCHMARKS: dict[str, tuple[list[str], list[str]]] = {
    "poll_seed": ([], ["--full"]),
    "turn_on": ([], ["--full"]),
    "poll_incremental": ([], ["--full"]),
    "mapping": (["--records", "5000", "--repeats", "3"], []),
    "hook_ingress": ([], ["--full", "--rounds", "5"]),
    "hook_ingress_paced": (["--limits", "default"], ["--full", "--rounds", "5", "--limits", "default"]),
    "provisioning": ([], ["--full"]),
    "http_overhead": (["--pages", "20", "--runs", "3"], []),
    "sync_first": ([], ["--full"]),
    "startup": ([], ["--full"]),
    "scale_out": ([], ["--runs", "400"]),
    "operation_picker": ([], ["--rounds", "9"]),
}


def run_one(name: str, full: bool) -> tuple[str, str, float]:
    """(verdict, result line, seconds) for one benchmark run as ``python bench/<name>.py``."""
    small, large = BENCHMARKS[name]
    script = name if (BENCH_DIR / f"{name}.py").exists() else name.rsplit("_", 1)[0]
    command = [sys.executable, str(BENCH_DIR / f"{script}.py"), *(large if full else small)]
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


#: What each row is judged on: the same-run baseline its ratio is taken against, and the goal.
JUDGED_ON: dict[str, str] = {
    "poll_seed": "product / fair (httpx + ids only + the same log read) <= 1.1; okta-sdk, singer-full >= 10x slower",
    "turn_on": "turn-on / the first poll alone <= 1.5, linear in users",
    "poll_incremental": "1 call, cost at 100,000 vs 100 users <= 1.5 (same read by hand reported)",
    "mapping": "records/s >= 20,000 (hand-built dict reported)",
    "hook_ingress": "connector emulate's ingress / bare Flask ceiling >= 0.8; >= 1,000 runs/s end to end",
    "hook_ingress_paced": "Okta's default limits: every delivery becomes one run, paced; time reported",
    "provisioning": "accepted / allowed by the sandbox's windows >= 95%, 0 lost, 0 duplicates",
    "http_overhead": "seam / bare httpx over the same pages (bar 1.3)",
    "sync_first": "calls / the floor (every page once + one create per missing record) <= 1.2",
    "startup": "--help <= 0.15 s, validate <= 0.5 s (python -c pass reported)",
    "scale_out": "4 workers / 1 worker >= 3",
    "operation_picker": "one keystroke at 400 operations <= 16 ms in Chromium (30 operations reported)",
}


def table(rows: Sequence[tuple[str, str, str, float]], width: int = 110) -> str:
    """A plain-text table: benchmark, verdict, seconds, what it is judged on, and the result line wrapped."""
    out = [f"{'benchmark':<18} {'result':<6} {'time':>7}  line", "-" * (width + 36)]
    for name, result, line, seconds in rows:
        wrapped = textwrap.wrap(line, width) or [""]
        judged = JUDGED_ON.get(name)
        out.append(f"{name:<18} {result:<6} {seconds:>6.0f}s  {wrapped[0]}")
        out.extend(f"{'':<34}{part}" for part in wrapped[1:])
        if judged:
            out.append(f"{'':<34}judged on: {judged}")
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
