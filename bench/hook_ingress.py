"""Benchmark 4: Okta event-hook deliveries into a running emulator, stored and acknowledged.

The emulator (``emulator.app.create_app``, SQLite in WAL mode in a temporary folder) is served on a real
port by waitress (keep-alive, 8 worker threads, as ``connector emulate`` serves it) with one flow on
Okta's ``new_user_instant`` hook trigger, switched on with a known hook secret. A child process (its
own interpreter and core) sends ``--deliveries`` Okta-style deliveries, each with a unique event
``uuid`` and the secret in ``Authorization``, over ``--threads`` keep-alive connections in parallel,
and records every latency and its own CPU per delivery. The sender is ``bench/loadgen.py`` (prepared
request bytes, about 40 us of CPU a delivery): eight ``httpx.Client`` threads spend about 0.7 ms each
and cap near 1,000-1,300/s on this machine by themselves, so they measured the client (``--client
httpx`` keeps that sender for comparison). The ceiling, in the same run and served the same
way (waitress): a bare Flask endpoint that reads the body and answers 200 without doing anything.
Ceiling and emulator alternate for ``--rounds`` rounds (3); the line reports each side's median rate
and its spread (min-max) over the rounds, and the ratio of the medians. (Before, each side kept its
fastest round, which flatters whichever side had one lucky round.)

After the load, every stored delivery is processed through the runner (parse, dedupe on the event id,
one run per item) and counted: every delivery must be acknowledged 200, stored once and give one run.

Goals: at least 0.8 of the ceiling's rate and at least 1,000 deliveries/s (medians), p99 under 50 ms,
every delivery processed exactly once.

    python bench/hook_ingress.py              # 500 deliveries (smoke)
    python bench/hook_ingress.py --full       # 5,000 deliveries
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchkit import emit, median, okta_org, percentile, run_child, settled, spread, verdict
from loadgen import LoadResult, post_all

from emulator.serving import ServerName, serve

RATE_GOAL = 1_000.0
#: Deliveries turned into runs per second, end to end, in the real configuration with Okta's limits raised.
RUNS_GOAL = 1_000.0
CEILING_SHARE_GOAL = 0.8
P99_GOAL_MS = 50.0
SECRET = "bench-hook-secret-0123456789"


def delivery_body(number: int, user_ids: Sequence[str] = ()) -> bytes:
    """One Okta event-hook delivery carrying one ``user.lifecycle.create`` event with a unique uuid.

    With ``user_ids`` (users of the org behind the flow) the event names one of them, so processing reads
    a real profile; otherwise a made-up id the org does not know.
    """
    event_id = str(uuid.UUID(int=number + 1))
    user_id = user_ids[number % len(user_ids)] if user_ids else f"00ubench{number:012d}"
    return json.dumps({
        "eventType": "com.okta.event_hook",
        "eventTypeVersion": "1.0",
        "cloudEventsVersion": "0.1",
        "source": "https://bench.okta.test/api/v1/eventHooks/whobench",
        "eventId": event_id,
        "eventTime": "2026-01-01T00:00:00.000Z",
        "contentType": "application/json",
        "data": {"events": [{
            "uuid": event_id,
            "published": "2026-01-01T00:00:00.000Z",
            "eventType": "user.lifecycle.create",
            "version": "0",
            "displayMessage": "Create Okta user",
            "severity": "INFO",
            "actor": {"id": "00uadmin", "type": "User", "alternateId": "admin@bench.test", "displayName": "Admin"},
            "outcome": {"result": "SUCCESS"},
            "target": [{"id": user_id, "type": "User", "alternateId": f"user{number}@bench.test",
                        "displayName": f"User {number}"}],
        }]},
    }).encode()


def child(url: str, deliveries: int, threads: int, client: str = "lean", setup: str = "-") -> None:
    """Send ``deliveries`` POSTs over ``threads`` connections; report wall time, latencies, statuses, CPU.

    ``setup``: a JSON file with the hook's ``secret`` and the org's ``user_ids`` (the real configuration),
    or ``-`` for the bench's fixed secret and made-up users.
    """
    secret, user_ids = SECRET, []
    if setup != "-":
        given = json.loads(Path(setup).read_text())
        secret, user_ids = given["secret"], given["user_ids"]
    bodies = [delivery_body(n, user_ids) for n in range(deliveries)]
    headers = {"Authorization": secret, "Content-Type": "application/json"}
    warm = min(20, deliveries)
    send = _send_with_httpx if client == "httpx" else _send_lean
    first_sent = time.time()
    send(url, bodies[:warm], threads, headers)  # warm: connections, first-request paths
    result = send(url, bodies[warm:] if deliveries > warm else bodies, threads, headers)
    latencies = result.latencies
    emit({
        "sent": len(latencies),
        "rate": len(latencies) / result.wall,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "statuses": {str(k): v for k, v in result.statuses.items()},
        "sender_cpu_us": result.cpu / max(1, len(latencies)) * 1e6,
        "first_sent": first_sent,
    })


def _send_lean(url: str, bodies: list[bytes], threads: int, headers: dict[str, str]) -> LoadResult:
    return post_all(url, bodies, connections=threads, headers=headers)


def _send_with_httpx(url: str, bodies: list[bytes], threads: int, headers: dict[str, str]) -> LoadResult:
    """The sender before issue 7's third pass: a pool of threads, each with its own ``httpx.Client``."""
    import httpx

    local = threading.local()
    result = LoadResult()
    lock = threading.Lock()
    clients: list[httpx.Client] = []

    def send(body: bytes) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(headers=headers, timeout=10.0)
            with lock:
                clients.append(client)
        started = time.perf_counter()
        try:
            status = client.post(url, content=body).status_code
        except httpx.HTTPError:
            status = 0
        elapsed = time.perf_counter() - started
        with lock:
            result.latencies.append(elapsed)
            result.statuses[status] = result.statuses.get(status, 0) + 1

    cpu_started = time.process_time()
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, bodies))
    result.wall = time.perf_counter() - started
    result.cpu = time.process_time() - cpu_started
    for client in clients:
        client.close()
    return result


def ceiling_app() -> Any:
    """A Flask app with one endpoint that reads the body and does nothing else."""
    from flask import Flask, request

    app = Flask("bench_ceiling")

    @app.post("/hooks/<flow_id>")
    def receive(flow_id: str) -> tuple[dict[str, str], int]:
        request.get_data()
        return {"status": "accepted"}, 200

    return app


def emulator_with_hook_flow(folder: Path) -> tuple[Any, str]:
    """The emulator app and the id of a flow that is on, on Okta's instant new-user trigger."""
    from connector.context import Connection
    from emulator.app import create_app
    from emulator.flow_spec import check_flow

    okta = importlib.import_module("connector.apps.okta.app").APP
    # Parsing a delivery reads the new users' current profiles from the org: an in-process Okta sandbox.
    org = okta_org(0)
    connection = Connection(
        app="okta", fields={"org_url": org.base_url, "api_token": org.settings.token}, base_url=org.base_url,
        transport=org.transport(),
    )
    app = create_app({
        "DATABASE_URL": f"sqlite:///{folder / 'emulator.db'}",
        "APPS": {"okta": okta},
        "CONNECTION_RESOLVER": lambda connection_id: connection,
        "RUNNER_THREAD": False,  # ingress only: processing is counted after the load
    })
    emulator = app.extensions["emulator"]
    columns = check_flow(
        {"okta": okta},
        {
            "name": "bench hook",
            "trigger": {"app": "okta", "operation": "new_user_instant", "input": {}, "connection_id": "bench"},
        },
    )
    flow = emulator.store.create_flow(
        {**columns, "state": "on", "subscription": {"id": "whobench", "secret": SECRET}}, time.time()
    )
    return app, flow["id"]


def process_all(app: Any, flow_id: str) -> tuple[int, int]:
    """Run every stored delivery through the runner; returns (deliveries stored, runs created)."""
    emulator = app.extensions["emulator"]
    stored = 0
    runs = 0
    while True:
        pending = emulator.store.pending_deliveries(limit=500)
        if not pending:
            break
        for delivery_id in pending:
            stored += 1
            runs += len(emulator.runner.process_delivery(delivery_id))
    return stored, runs


def measure(
    deliveries: int, threads: int, server: ServerName = "waitress", rounds: int = 2, client: str = "lean"
) -> dict[str, Any]:
    """Ceiling and emulator, alternating for ``rounds`` rounds; the medians and spreads are compared.

    The machine is shared, so one round says little; alternating keeps a slow spell from landing on
    one side only. Every emulator round starts from an empty database and all of its deliveries are
    processed and counted.
    """
    # waitress warns "Task queue depth is N" on stderr whenever all its workers are busy, which a load
    # test makes them on purpose: thousands of lines written from the serving process, for both apps.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    ceilings: list[dict[str, Any]] = []
    emulators: list[dict[str, Any]] = []
    for _ in range(rounds):
        with settled(), serve(ceiling_app(), server=server) as served:
            ceilings.append(run_child("hook_ingress.py", [f"{served.base_url}/hooks/ceiling", str(deliveries),
                                                          str(threads), client, "-"]))
        with tempfile.TemporaryDirectory(prefix="bench-hooks-") as folder:
            app, flow_id = emulator_with_hook_flow(Path(folder))
            with settled(), serve(app, server=server) as served:
                result = run_child("hook_ingress.py", [f"{served.base_url}/hooks/{flow_id}", str(deliveries),
                                                       str(threads), client, "-"])
            started = time.perf_counter()
            result["stored"], result["runs"] = process_all(app, flow_id)
            result["process_s"] = time.perf_counter() - started
            app.extensions["emulator"].store.engine.dispose()
        emulators.append(result)
    typical = sorted(emulators, key=lambda r: r["rate"])[len(emulators) // 2]  # the median round
    return {
        "ceiling": sorted(ceilings, key=lambda r: r["rate"])[len(ceilings) // 2],
        "emulator": typical,
        "stored": typical["stored"],
        "runs": typical["runs"],
        "process_s": typical["process_s"],
        "every_round_once": all(
            r["stored"] == deliveries and r["runs"] == deliveries and r["statuses"].get("200", 0) == r["sent"]
            for r in emulators
        ),
        "rates": ([round(r["rate"]) for r in ceilings], [round(r["rate"]) for r in emulators]),
        "client": client,
    }


def summarise(results: dict[str, Any], deliveries: int) -> str:
    emulator, ceiling = results["emulator"], results["ceiling"]
    acknowledged = emulator["statuses"].get("200", 0)
    # The warm-up deliveries were stored too: all ``deliveries`` must be stored and give one run each.
    once = (
        results["stored"] == deliveries and results["runs"] == deliveries and acknowledged == emulator["sent"]
        and results.get("every_round_once", True)
    )
    ceiling_rates, emulator_rates = results.get("rates", ([ceiling["rate"]], [emulator["rate"]]))
    ceiling_rate, emulator_rate = median(ceiling_rates), median(emulator_rates)
    ratio = emulator_rate / ceiling_rate
    passed = (
        emulator_rate >= RATE_GOAL and ratio >= CEILING_SHARE_GOAL and emulator["p99_ms"] < P99_GOAL_MS and once
    )
    latency = f"median round p50 {emulator['p50_ms']:.1f} ms, p99 {emulator['p99_ms']:.1f} ms"
    sender = f"{results.get('client', 'lean')} {emulator.get('sender_cpu_us', float('nan')):.0f} us CPU per delivery"
    return (
        f"hook_ingress ({len(emulator_rates)} rounds, median [min-max]): emulator {emulator_rate:,.0f} deliveries/s "
        f"[{spread(emulator_rates, '', 0)}] ({latency}); "
        f"bare Flask ceiling {ceiling_rate:,.0f}/s [{spread(ceiling_rates, '', 0)}] (p99 {ceiling['p99_ms']:.1f} ms); "
        f"ratio {ratio:.2f} of ceiling; {acknowledged}/{emulator['sent']} acknowledged, "
        f"{results['stored']}/{deliveries} stored, {results['runs']} runs (processed in {results['process_s']:.1f} s); "
        f"sender {sender}; "
        f"goals: >= {CEILING_SHARE_GOAL} of ceiling and >= {RATE_GOAL:,.0f}/s, p99 < {P99_GOAL_MS:.0f} ms, "
        f"each processed once: {verdict(passed)}"
    )


# --- the configuration users run: `connector emulate` ---------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def real_environment(folder: Path, port: int, users: int, limits: str | int) -> tuple[Any, str, dict[str, Any]]:
    """What ``connector emulate`` builds (:func:`emulator.demo.build_environment`: the runner thread on, the
    encrypted connection store, the in-process Okta sandbox with ``limits``), with an Okta connection saved
    through the gateway and a ``new_user_instant`` flow turned on the way the UI does (Okta registers and
    verifies the hook, and makes its secret). Returns the environment, the flow id and what the sender needs.
    """
    from connector.cli.sandbox import okta_rate_limits
    from emulator.demo import DEMO_OKTA_TOKEN, build_environment
    from emulator.flow_spec import check_flow

    env = build_environment(f"http://127.0.0.1:{port}", folder / "data", okta_users=0, contacts=0, employees=0)
    user_ids = env.okta.seed_users(users, seed=1)
    env.okta.settings.rate_limits.update(okta_rate_limits("off" if limits == "raised" else limits))
    record, _check = env.gateway.add("okta", "Okta", {"org_url": env.okta.base_url, "api_token": DEMO_OKTA_TOKEN})
    emulator = env.emulator.extensions["emulator"]
    columns = check_flow(emulator.invoker.apps, {
        "name": "bench hook",
        "trigger": {"app": "okta", "operation": "new_user_instant", "input": {}, "connection_id": record.id},
    })
    flow_id = emulator.store.create_flow(columns, emulator.clock())["id"]
    emulator.runner.turn_on(flow_id)
    secret = emulator.store.get_flow(flow_id)["subscription"]["secret"]
    return env, flow_id, {"secret": secret, "user_ids": user_ids}


class RunCounter:
    """Watches the store while the load runs: when did the last delivery become a run, and that run finish?"""

    def __init__(self, engine: Any, expected: int, timeout: float) -> None:
        self.engine = engine
        self.expected = expected
        self.timeout = timeout
        self.done_at: float | None = None
        self.finished_at: float | None = None
        self.runs = 0
        self.finished = 0
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        import sqlalchemy as sa

        deadline = time.time() + self.timeout
        while time.time() < deadline:
            with self.engine.connect() as db:
                self.runs = db.execute(sa.text("SELECT count(*) FROM emulator_runs")).scalar_one()
            if self.runs >= self.expected and self.done_at is None:
                self.done_at = time.time()
            if self.done_at is not None:
                with self.engine.connect() as db:
                    self.finished = db.execute(sa.text(
                        "SELECT count(*) FROM emulator_runs WHERE status = 'succeeded'"
                    )).scalar_one()
                if self.finished >= self.expected:
                    self.finished_at = time.time()
                    return
            time.sleep(0.05)

    def wait(self) -> None:
        self._thread.join()


def delivery_counts(engine: Any) -> dict[str, Any]:
    import sqlalchemy as sa

    with engine.connect() as db:
        rows = db.execute(sa.text(
            "SELECT status, count(*), sum(coalesce(throttled, 0)) FROM emulator_hook_deliveries GROUP BY status"
        )).all()
    return {"statuses": {row[0]: row[1] for row in rows}, "throttled_tries": sum(int(row[2] or 0) for row in rows)}


def real_round(deliveries: int, threads: int, client: str, limits: str | int, timeout: float) -> dict[str, Any]:
    """One round against ``connector emulate``'s configuration: ingress rate, and deliveries -> runs end to end."""
    with tempfile.TemporaryDirectory(prefix="bench-hooks-real-") as folder:
        port = free_port()
        env, flow_id, setup = real_environment(Path(folder), port, min(deliveries, 5_000), limits)
        setup_file = Path(folder) / "setup.json"
        setup_file.write_text(json.dumps(setup))
        engine = env.emulator.extensions["emulator"].store.engine
        counter = RunCounter(engine, deliveries, timeout)
        try:
            with settled(), serve(env.wsgi, port=port, server="waitress") as served:
                result = run_child("hook_ingress.py", [f"{served.base_url}/hooks/{flow_id}", str(deliveries),
                                                       str(threads), client, str(setup_file)])
                counter.wait()
            result["runs"] = counter.runs
            result["end_to_end_s"] = (counter.done_at - result["first_sent"]) if counter.done_at else None
            result["finished_s"] = (counter.finished_at - result["first_sent"]) if counter.finished_at else None
            result.update(delivery_counts(engine))
            result["stored"] = sum(result["statuses"].values())
        finally:
            env.close()
            engine.dispose()
    return result


def measure_real(
    deliveries: int, threads: int, rounds: int, client: str, limits: str | int, timeout: float
) -> dict[str, Any]:
    """Ceiling and the real configuration, alternating for ``rounds`` rounds."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    ceilings: list[dict[str, Any]] = []
    reals: list[dict[str, Any]] = []
    for _ in range(rounds):
        with settled(), serve(ceiling_app(), server="waitress") as served:
            ceilings.append(run_child("hook_ingress.py", [f"{served.base_url}/hooks/ceiling", str(deliveries),
                                                          str(threads), client, "-"]))
        reals.append(real_round(deliveries, threads, client, limits, timeout))
    return {"ceilings": ceilings, "reals": reals, "limits": limits, "client": client}


def summarise_real(results: dict[str, Any], deliveries: int) -> str:
    ceilings, reals, limits = results["ceilings"], results["reals"], results["limits"]
    ceiling_rates = [r["rate"] for r in ceilings]
    ingress_rates = [r["rate"] for r in reals]
    finished = [r["end_to_end_s"] for r in reals if r["end_to_end_s"] is not None]
    e2e_rates = [deliveries / seconds for seconds in finished]
    ratio = median(ingress_rates) / median(ceiling_rates)
    everyone = all(
        r["runs"] == deliveries and r["stored"] == deliveries and r["statuses"].get("processed") == deliveries
        and r["end_to_end_s"] is not None
        for r in reals
    )
    typical = sorted(reals, key=lambda r: r["rate"])[len(reals) // 2]
    throttled = [r["throttled_tries"] for r in reals]
    limit_text = "Okta's limits raised" if limits == "raised" else f"Okta's limits {limits}"
    head = (
        f"hook_ingress real configuration ({len(reals)} rounds, median [min-max]; connector emulate: runner on, "
        f"encrypted connection store, {limit_text}): ingress {median(ingress_rates):,.0f} deliveries/s "
        f"[{spread(ingress_rates, '', 0)}] (median round p50 {typical['p50_ms']:.1f} ms, "
        f"p99 {typical['p99_ms']:.1f} ms); "
        f"bare Flask ceiling {median(ceiling_rates):,.0f}/s [{spread(ceiling_rates, '', 0)}]; ratio {ratio:.2f} of "
        f"ceiling | end to end (first delivery sent -> last run created): "
    )
    if e2e_rates:
        head += (f"{median(finished):.1f} s [{spread(finished)}], {median(e2e_rates):,.0f} runs/s "
                 f"[{spread(e2e_rates, '', 0)}]; ")
    else:
        head += "did not finish in time; "
    done = [r["finished_s"] for r in reals if r.get("finished_s") is not None]
    if done:  # the flow has no steps: what is left is the platform's own work per run
        head += f"every run finished (no steps) after {median(done):.1f} s [{spread(done)}]; "
    head += (f"{min(r['runs'] for r in reals)}-{max(r['runs'] for r in reals)}/{deliveries} runs, "
             f"throttled tries {min(throttled)}-{max(throttled)}")
    if limits == "raised":
        passed = ratio >= CEILING_SHARE_GOAL and median(e2e_rates or [0]) >= RUNS_GOAL and everyone
        goals = (f"goals: >= {CEILING_SHARE_GOAL} of ceiling, >= {RUNS_GOAL:,.0f} runs/s end to end, every delivery "
                 "one run")
    else:
        passed = ratio >= CEILING_SHARE_GOAL and everyone
        goals = f"goals: >= {CEILING_SHARE_GOAL} of ceiling, every delivery eventually one run (paced)"
    return f"{head}; {goals}: {verdict(passed)}"


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=5, metavar=("URL", "DELIVERIES", "THREADS", "CLIENT", "SETUP"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--full", action="store_true", help="5,000 deliveries")
    parser.add_argument("--deliveries", type=int, default=None)
    parser.add_argument("--threads", type=int, default=8, help="concurrent senders (Okta sends in parallel)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating ceiling/emulator rounds; medians compared")
    parser.add_argument("--config", choices=("real", "ingress"), default="real",
                        help="real: connector emulate's configuration, deliveries -> runs timed end to end; "
                             "ingress: the ingress alone (runner off, connection given in memory)")
    parser.add_argument("--limits", type=RateLimitsChoice(), default="raised",
                        help="real configuration: Okta's rate limits, raised (default), default (the vendor's) "
                             "or N requests per minute per endpoint family")
    parser.add_argument("--timeout", type=float, default=600.0, help="longest wait for every run, seconds")
    parser.add_argument("--client", choices=("lean", "httpx"), default="lean",
                        help="the sender: lean keep-alive sockets (bench/loadgen.py), or httpx clients, which "
                             "cap near 1,000/s on 2 cores by themselves")
    parser.add_argument("--server", choices=("waitress", "werkzeug"), default="waitress",
                        help="ingress configuration: what serves the emulator and the ceiling (werkzeug: a "
                             "connection per request)")
    args = parser.parse_args(argv)
    if args.child:
        url, deliveries, threads, client, setup = args.child
        child(url, int(deliveries), int(threads), client, setup)
        return ""
    deliveries = args.deliveries or (5_000 if args.full else 500)
    if args.config == "real":
        limits = "raised" if args.limits == "off" else args.limits
        results = measure_real(deliveries, args.threads, args.rounds, args.client, limits, args.timeout)
        line = summarise_real(results, deliveries)
    else:
        line = summarise(measure(deliveries, args.threads, args.server, args.rounds, args.client), deliveries)
    print(line, flush=True)
    return line


class RateLimitsChoice:
    """``raised``, ``default`` or a whole number of requests per minute (argparse type)."""

    __name__ = "raised|default|N"

    def __call__(self, text: str) -> str | int:
        value = text.strip().lower()
        if value in ("raised", "off", "default"):
            return value
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not raised, default or a number of requests") from None
        if number < 1:
            raise argparse.ArgumentTypeError("at least 1 request per minute")
        return number


if __name__ == "__main__":
    main()
