"""What every benchmark here shares: a sandbox on a real port, one child process per measurement, verdicts.

Why children: a client timed in the process that also serves the sandbox would share one GIL with the
server and measure the two together; a child process per measurement gives the client its own
interpreter (this is a 2-core machine: one core serves, one core runs the client), a clean peak-memory
figure (``ru_maxrss`` of a fresh process) and no warm caches carried from the previous client.

A child prints one JSON object on its last stdout line; :func:`run_child` returns it as a dict.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

from connector.context import Connection
from connector.http import shared_ssl_context
from emulator.serving import settle_heap
from sandboxes.okta import OktaSandbox, OktaSettings

BENCH_DIR = Path(__file__).resolve().parent
#: Rate limits so high the benchmarks measure throughput, not the sandbox's limiter.
UNLIMITED = 1_000_000_000


@contextlib.contextmanager
def settled() -> Iterator[None]:
    """Serve as the CLI's servers do: the heap built so far frozen first (:func:`settle_heap`).

    Afterwards the bench's own process takes its objects back, so the garbage of one round is
    collected before the next.
    """
    settle_heap()
    try:
        yield
    finally:
        gc.unfreeze()


def okta_org(users: int, *, link_style: str = "lines", seed: int = 1) -> OktaSandbox:
    """An Okta sandbox with ``users`` generated users and its rate limits raised out of the way."""
    limits = {family: UNLIMITED for family in ("users", "user", "logs", "groups", "eventHooks", "oauth", "other")}
    sandbox = OktaSandbox(OktaSettings(rate_limits=limits, link_style=link_style))
    if users:
        sandbox.seed_users(users, seed=seed)
    return sandbox


def run_child(script: str, args: Sequence[str], *, timeout: float = 600.0) -> dict[str, Any]:
    """Run ``bench/<script> --child ...`` in a fresh interpreter and return the JSON it printed last.

    Raises:
        RuntimeError: the child failed or printed no JSON; its stderr tail is in the message.
    """
    command = [sys.executable, str(BENCH_DIR / script), "--child", *args]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"child {script} {' '.join(args)} failed (exit {done.returncode}):\n{tail}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MiB.

    Reads ``VmHWM`` from ``/proc/self/status``: Linux carries ``ru_maxrss`` across ``exec``, so a child
    forked from a parent that holds a 50,000-user sandbox would start with the parent's peak.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(payload: dict[str, Any]) -> None:
    """A child's report: one JSON line on stdout, read back by :func:`run_child`."""
    print(json.dumps(payload), flush=True)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[rank]


def verdict(passed: bool) -> str:
    """The word every result line ends with, read by ``run_all.py``."""
    return "PASS" if passed else "MISS"


def spread(values: Sequence[float], unit: str = "s", digits: int = 2) -> str:
    """``min-max`` of the rounds, so a line shows how far a shared machine moved them."""
    if not values:
        return "n/a"
    return f"{min(values):.{digits}f}-{max(values):.{digits}f}{unit}"


# --- the scaled deployment's processes (bench/scale_out.py) ----------------------------------------

SCALE_API_KEY = "scale-bench-key"
SCALE_LOCATION = "loc_scale_bench"


class _NetworkTransport(httpx.HTTPTransport):
    """A plain network transport the HTTP seam paces like any vendor's (shared budgets in scaled mode)."""

    real_network = True


def scale_config() -> dict[str, Any]:
    """``create_app`` configuration of every scaled process (``CONNECTOR_APP_FACTORY=benchkit:scale_config``):
    every installed app and one Contacts connection to the sandbox at ``SCALE_CONTACTS_URL``."""
    from connector.registry import load_apps

    base_url = os.environ["SCALE_CONTACTS_URL"]

    def resolve(connection_id: str) -> Connection:
        return Connection(
            app="contacts", name=connection_id, base_url=base_url,
            transport=_NetworkTransport(verify=shared_ssl_context()),
            fields={"api_key": SCALE_API_KEY, "location_id": SCALE_LOCATION, "base_url": base_url},
        )

    return {"APPS": load_apps(), "CONNECTION_RESOLVER": resolve, "TIME_LIMIT": 10.0, "LEASE_SECONDS": 5.0}
