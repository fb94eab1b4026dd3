"""The emulator's durable state: flows, runs, step results and hook deliveries.

SQLAlchemy Core on one engine (SQLite in WAL mode by default, PostgreSQL when scaled), shared with the
dedupe record (:mod:`connector.dedupe`) so a poll can commit new runs, seen ids and its cursor in one
transaction. Times are epoch seconds (floats): the same on every database and easy to compare with
the scheduler's clock. JSON columns hold what the definitions define (inputs, mappings, outputs).
"""

from __future__ import annotations

import functools
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from connector.dedupe import MAX_ITEM_ID, SqlDedupeStore, create_schema, sqlite_engine, stored_item_id
from emulator.rows import OPEN_DELIVERY_STATUSES, DeliveryRow, FlowRow, RunRow, StepRow
from emulator.sealing import FlowSealer

#: Bounded text columns a user fills in; their input checks use the same lengths.
FLOW_NAME_LENGTH = 200
CONNECTION_ID_LENGTH = 100

metadata = sa.MetaData()

flows = sa.Table(
    "emulator_flows",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(FLOW_NAME_LENGTH), nullable=False),
    sa.Column("trigger_app", sa.String(100), nullable=False),
    sa.Column("trigger_operation", sa.String(100), nullable=False),
    sa.Column("trigger_input", sa.JSON, nullable=False, default=dict),
    sa.Column("trigger_connection_id", sa.String(CONNECTION_ID_LENGTH), nullable=True),
    sa.Column("steps", sa.JSON, nullable=False, default=list),
    sa.Column("state", sa.String(16), nullable=False, default="off"),
    sa.Column("paused_reason", sa.Text, nullable=True),
    sa.Column("interval_seconds", sa.Float, nullable=False, default=60.0),
    sa.Column("cursor", sa.Text, nullable=True),
    sa.Column("subscription", sa.JSON, nullable=True),
    sa.Column("next_poll_at", sa.Float, nullable=True),
    sa.Column("last_poll_error", sa.JSON, nullable=True),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
    sa.Index("ix_emulator_flows_due", "state", "next_poll_at"),
)

runs = sa.Table(
    "emulator_runs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("flow_id", sa.String(64), nullable=False),
    sa.Column("item_id", sa.String(MAX_ITEM_ID), nullable=True),
    sa.Column("item", sa.JSON, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    #: Insertion order: runs of one poll are created oldest item first, so seq orders them.
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("finished", sa.Float, nullable=True),
    sa.Column("next_retry_at", sa.Float, nullable=True),
    sa.Column("replays", sa.Integer, nullable=False, default=0),
    sa.Column("error", sa.JSON, nullable=True),
    #: The lease of a running run: who executes it and until when. An expired lease means the executor
    #: died or could not record its outcome, and the scheduler may take the run over.
    sa.Column("claimed_by", sa.String(64), nullable=True),
    sa.Column("claimed_until", sa.Float, nullable=True),
    sa.Index("ix_emulator_runs_flow", "flow_id", "seq"),
    sa.Index("ix_emulator_runs_status", "status", "next_retry_at"),
)

step_results = sa.Table(
    "emulator_step_results",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("index", sa.Integer, primary_key=True),
    sa.Column("step_key", sa.String(100), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("input", sa.JSON, nullable=True),
    sa.Column("output", sa.JSON, nullable=True),
    sa.Column("trace", sa.JSON, nullable=True),
    sa.Column("error", sa.JSON, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    #: Of those attempts, how many the service throttled (they do not use up the retry budget).
    sa.Column("throttled", sa.Integer, nullable=True),
    sa.Column("next_retry_at", sa.Float, nullable=True),
    sa.Column("duration_ms", sa.Float, nullable=True),
    sa.Column("started", sa.Float, nullable=True),
    sa.Column("finished", sa.Float, nullable=True),
)

deliveries = sa.Table(
    "emulator_hook_deliveries",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("flow_id", sa.String(64), nullable=False),
    sa.Column("received_at", sa.Float, nullable=False),
    sa.Column("method", sa.String(10), nullable=False, default="POST"),
    sa.Column("headers", sa.JSON, nullable=False, default=dict),
    sa.Column("query", sa.JSON, nullable=False, default=dict),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("items", sa.Integer, nullable=True),
    sa.Column("error", sa.JSON, nullable=True),
    #: Processing tries so far, when the next may start, and the lease of the one in progress.
    sa.Column("attempts", sa.Integer, nullable=True),
    sa.Column("throttled", sa.Integer, nullable=True),
    sa.Column("next_attempt_at", sa.Float, nullable=True),
    sa.Column("claimed_until", sa.Float, nullable=True),
    sa.Index("ix_emulator_deliveries_status", "status", "received_at"),
)

_INSERT_DELIVERY = deliveries.insert()
#: Deliveries one ``INSERT`` on SQLite carries: 7 parameters a row, 700 in all, under the 999 a statement
#: that SQLite builds older than 3.32 allow (newer ones allow 32,766).
_ROWS_PER_INSERT = 100


@functools.lru_cache(maxsize=_ROWS_PER_INSERT)
def _sqlite_insert(rows: int) -> str:
    """The insert of ``rows`` deliveries for SQLite's own driver.

    The ingress's hot path skips SQLAlchemy's per-statement work (about half of a delivery's handling
    time); JSON columns are stored as SQLAlchemy stores them.
    """
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, 'received', NULL, NULL)"] * rows)
    return ("INSERT INTO emulator_hook_deliveries (id, flow_id, received_at, method, headers, query, body, "
            f"status, items, error) VALUES {values}")

#: Request headers never stored with a delivery: they carry the hook's credential.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "x-hook-secret"})


@dataclass(eq=False)
class _PendingDelivery:
    """A delivery's row waiting for the group commit, and how that commit went (``done`` is set after)."""

    params: tuple[Any, ...]
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


def _claimable(from_statuses: tuple[str, ...], now: float) -> sa.ColumnElement[bool]:
    """Runs in ``from_statuses``, and running runs whose lease expired (their executor is gone)."""
    return sa.or_(
        runs.c.status.in_(from_statuses),
        sa.and_(runs.c.status == "running", sa.or_(runs.c.claimed_until.is_(None), runs.c.claimed_until < now)),
    )


def _owner_name() -> str:
    """This process's name on the leases it takes (host, pid and a random part), at most 64 characters."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def new_id(prefix: str) -> str:
    """Short, sortable-enough, unguessable ids (hook URLs contain the flow id)."""
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


def engine_for(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL mode and cross-thread use."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return sqlite_engine(url.removeprefix("sqlite:///"))
    return sa.create_engine(url, pool_pre_ping=True)


class Store:
    """Reads and writes the emulator's tables; every method takes an optional open connection.

    Passing ``conn`` joins the caller's transaction (a poll commits runs, dedupe ids and the cursor
    together); without it each call commits on its own.
    """

    def __init__(self, engine: Engine, hook_cache_seconds: float = 1.0, sealer: FlowSealer | None = None) -> None:
        self.engine = engine
        #: Encrypts the flow columns that may hold secrets (mappings, trigger input, hook subscription).
        self.sealer = sealer or FlowSealer()
        create_schema(metadata, engine, "emulator")
        self.dedupe = SqlDedupeStore(engine)
        #: The name this process's leases carry.
        self.owner = _owner_name()
        self._seq = time.time_ns()
        #: Hook ingress reads the same flow for every delivery; changes made through this store drop
        #: the entry at once, changes by another process are seen within ``hook_cache_seconds``.
        self.hook_cache_seconds = hook_cache_seconds
        self._hook_cache: dict[str, tuple[float, FlowRow | None]] = {}
        self._changed_flows: set[str] = set()
        #: The hook ingress's own SQLite connection, and deliveries waiting for a group commit.
        self._delivery_connection: Any = None
        self._pending_deliveries: list[_PendingDelivery] = []
        self._pending_lock = threading.Lock()
        #: SQLite's one writer, queued for in this process (PostgreSQL writers do not queue here).
        self._write_lock = threading.RLock()
        #: How deep the write lock's holder is in nested :meth:`begin` blocks (SQLite only).
        self._write_depth = 0

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction; on SQLite, one at a time per process.

        SQLite allows one writer; threads that collide wait in its busy handler, which sleeps in
        steps of up to 100 ms. Queueing on a Python lock instead keeps the hook ingress's latency flat.
        Deliveries that arrived while the transaction ran are committed by its holder as it leaves,
        so an acknowledgement waits for the end of that transaction, not for the lock's next turn.
        """
        if self.engine.dialect.name != "sqlite":
            with self.engine.begin() as conn:
                yield conn
            self._forget_changed_flows()
            return
        with self._write_lock:
            self._write_depth += 1
            try:
                with self.engine.begin() as conn:
                    yield conn
            finally:
                self._write_depth -= 1
                if self._write_depth == 0:
                    self._flush_deliveries()
        self._forget_changed_flows()

    def _forget_changed_flows(self) -> None:
        """Drop cache entries of flows changed in a transaction, now that it has committed."""
        while self._changed_flows:
            self._hook_cache.pop(self._changed_flows.pop(), None)

    @contextmanager
    def _conn(self, conn: Connection | None) -> Iterator[Connection]:
        if conn is not None:
            yield conn
        else:
            with self.begin() as own:
                yield own

    @contextmanager
    def _reader(self, conn: Connection | None) -> Iterator[Connection]:
        """A connection for reads: the caller's, or a fresh one without an explicit transaction."""
        if conn is not None:
            yield conn
        else:
            with self.engine.connect() as own:
                yield own

    def next_seq(self) -> int:
        """Monotonic ordering key for runs (oldest item of a poll gets the smallest)."""
        self._seq = max(self._seq + 1, time.time_ns())
        return self._seq

    # --- flows -------------------------------------------------------------------------------

    def create_flow(self, values: Mapping[str, Any], now: float, conn: Connection | None = None) -> FlowRow:
        row = {"id": new_id("flow"), "state": "off", "created": now, "updated": now, **values}
        with self._conn(conn) as c:
            c.execute(flows.insert().values(**self.sealer.seal(row)))
        return self.get_flow(row["id"], conn) or cast(FlowRow, row)

    def get_flow(self, flow_id: str, conn: Connection | None = None) -> FlowRow | None:
        with self._reader(conn) as c:
            row = c.execute(sa.select(flows).where(flows.c.id == flow_id)).mappings().first()
        return cast(FlowRow, self.sealer.open(row)) if row else None

    def hook_target(self, flow_id: str) -> FlowRow | None:
        """The flow a delivery is for, from a short-lived cache (the ingress's hot path)."""
        cached = self._hook_cache.get(flow_id)
        if cached is not None and time.monotonic() - cached[0] < self.hook_cache_seconds:
            return cached[1]
        flow = self.get_flow(flow_id)
        if len(self._hook_cache) > 10_000:
            self._hook_cache.clear()
        self._hook_cache[flow_id] = (time.monotonic(), flow)
        return flow

    def list_flows(self) -> list[FlowRow]:
        with self.engine.connect() as c:
            rows = c.execute(sa.select(flows).order_by(flows.c.created)).mappings()
            return [cast(FlowRow, self.sealer.open(r)) for r in rows]

    def update_flow(self, flow_id: str, values: Mapping[str, Any], now: float, conn: Connection | None = None) -> None:
        self._hook_cache.pop(flow_id, None)
        self._changed_flows.add(flow_id)
        with self._conn(conn) as c:
            c.execute(flows.update().where(flows.c.id == flow_id).values(**self.sealer.seal(values), updated=now))
        if conn is None:
            self._forget_changed_flows()

    def delete_flow(self, flow_id: str) -> None:
        self._hook_cache.pop(flow_id, None)
        with self.begin() as c:
            run_ids = sa.select(runs.c.id).where(runs.c.flow_id == flow_id)
            c.execute(step_results.delete().where(step_results.c.run_id.in_(run_ids)))
            c.execute(runs.delete().where(runs.c.flow_id == flow_id))
            c.execute(deliveries.delete().where(deliveries.c.flow_id == flow_id))
            c.execute(flows.delete().where(flows.c.id == flow_id))
            self.dedupe.clear(flow_id, c)

    def claim_poll(self, flow_id: str, now: float, until: float) -> bool:
        """Take a due poll: move the flow's next poll to ``until`` if it is on and due; False otherwise.

        One conditional UPDATE, so of two workers handed the same poll exactly one polls. The poll sets
        the real next poll time when it finishes; one that dies leaves ``until`` and is polled then.
        """
        with self.begin() as c:
            result = c.execute(
                flows.update()
                .where(flows.c.id == flow_id, flows.c.state == "on", flows.c.next_poll_at <= now)
                .values(next_poll_at=until)
            )
            return result.rowcount == 1

    def due_flows(self, now: float) -> list[FlowRow]:
        """Poll flows that are on and whose next poll time has come."""
        with self.engine.connect() as c:
            rows = c.execute(
                sa.select(flows)
                .where(flows.c.state == "on", flows.c.next_poll_at <= now)
                .order_by(flows.c.next_poll_at)
            ).mappings()
            return [cast(FlowRow, self.sealer.open(r)) for r in rows]

    # --- runs --------------------------------------------------------------------------------

    def insert_runs(
        self, flow_id: str, items: Iterable[tuple[str, Any]], status: str, now: float, conn: Connection
    ) -> list[str]:
        """Insert one run per (item id, item), in the given order. Returns the run ids."""
        rows = [
            {
                "id": new_id("run"), "flow_id": flow_id, "item_id": stored_item_id(item_id), "item": item,
                "status": status,
                "seq": self.next_seq(), "created": now, "replays": 0,
            }
            for item_id, item in items
        ]
        if rows:
            conn.execute(runs.insert(), rows)
        return [r["id"] for r in rows]

    def get_run(self, run_id: str, conn: Connection | None = None) -> RunRow | None:
        with self._reader(conn) as c:
            row = c.execute(sa.select(runs).where(runs.c.id == run_id)).mappings().first()
        return cast(RunRow, dict(row)) if row else None

    def update_run(self, run_id: str, values: Mapping[str, Any], conn: Connection | None = None) -> None:
        with self._conn(conn) as c:
            c.execute(runs.update().where(runs.c.id == run_id).values(**values))

    def update_claimed_run(self, run_id: str, values: Mapping[str, Any]) -> bool:
        """Record a running run's outcome only while this process still holds its lease.

        Returns False when the lease was lost (it expired and another executor took the run over): the
        caller must then stop, or two executors would both write the run's outcome.
        """
        with self.begin() as c:
            result = c.execute(
                runs.update()
                .where(runs.c.id == run_id, runs.c.status == "running", runs.c.claimed_by == self.owner)
                .values(claimed_by=None, claimed_until=None, **values)
            )
            return result.rowcount == 1

    def claim_run(
        self, run_id: str, from_statuses: tuple[str, ...], now: float, lease_seconds: float,
        values: Mapping[str, Any] | None = None,
    ) -> bool:
        """Mark a run running, with a lease, only if it is in ``from_statuses`` or its lease expired.

        One conditional UPDATE, so of any number of executors, API replays and processes racing for
        the same run exactly one wins. ``values`` are set in the same statement (a replay's count).
        """
        with self.begin() as c:
            result = c.execute(
                runs.update()
                .where(runs.c.id == run_id, _claimable(from_statuses, now))
                .values(status="running", next_retry_at=None, claimed_by=self.owner,
                        claimed_until=now + lease_seconds, **dict(values or {}))
            )
            return result.rowcount == 1

    def claim_runs(
        self, run_ids: Sequence[str], from_statuses: tuple[str, ...], now: float, lease_seconds: float
    ) -> list[RunRow]:
        """:meth:`claim_run` for many runs in one statement; returns the rows of those this process won."""
        if not run_ids:
            return []
        with self.begin() as c:
            rows = c.execute(
                runs.update()
                .where(runs.c.id.in_(run_ids), _claimable(from_statuses, now))
                .values(status="running", next_retry_at=None, claimed_by=self.owner, claimed_until=now + lease_seconds)
                .returning(*runs.c)
            ).mappings().all()
        return [cast(RunRow, dict(row)) for row in rows]

    def finish_claimed_runs(self, outcomes: Mapping[str, Mapping[str, Any]]) -> set[str]:
        """:meth:`update_claimed_run` for many runs in one transaction; returns the ids whose lease still held.

        Runs with the same outcome (most often: succeeded at the same moment) share one statement.
        """
        alike: dict[str, tuple[dict[str, Any], list[str]]] = {}
        for run_id, values in outcomes.items():
            alike.setdefault(json.dumps(values, sort_keys=True, default=str), (dict(values), []))[1].append(run_id)
        recorded: set[str] = set()
        if not alike:
            return recorded
        with self.begin() as c:
            for values, run_ids in alike.values():
                rows = c.execute(
                    runs.update()
                    .where(runs.c.id.in_(run_ids), runs.c.status == "running", runs.c.claimed_by == self.owner)
                    .values(claimed_by=None, claimed_until=None, **values)
                    .returning(runs.c.id)
                )
                recorded.update(row[0] for row in rows)
        return recorded

    def run_statuses(self, run_ids: Sequence[str]) -> dict[str, str]:
        """The status of each of ``run_ids`` that exists."""
        if not run_ids:
            return {}
        with self.engine.connect() as c:
            rows = c.execute(sa.select(runs.c.id, runs.c.status).where(runs.c.id.in_(run_ids)))
            return {row[0]: row[1] for row in rows}

    def renew_claim(self, run_id: str, until: float) -> bool:
        """Extend this process's lease on a running run; False when it no longer holds it."""
        with self.begin() as c:
            result = c.execute(
                runs.update()
                .where(runs.c.id == run_id, runs.c.status == "running", runs.c.claimed_by == self.owner)
                .values(claimed_until=until)
            )
            return result.rowcount == 1

    def list_runs(
        self, *, flow_id: str | None = None, status: str | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[RunRow], int]:
        """Newest first, with the total count for paging."""
        where = []
        if flow_id:
            where.append(runs.c.flow_id == flow_id)
        if status:
            where.append(runs.c.status == status)
        with self.engine.connect() as c:
            total = c.execute(sa.select(sa.func.count()).select_from(runs).where(*where)).scalar_one()
            rows = c.execute(
                sa.select(runs).where(*where).order_by(runs.c.seq.desc()).limit(limit).offset(offset)
            ).mappings()
            return [cast(RunRow, dict(r)) for r in rows], int(total)

    def run_ids(self, flow_id: str, status: str) -> list[str]:
        """Ids of a flow's runs in one status, oldest first."""
        with self.engine.connect() as c:
            rows = c.execute(
                sa.select(runs.c.id).where(runs.c.flow_id == flow_id, runs.c.status == status).order_by(runs.c.seq)
            )
            return [r[0] for r in rows]

    def set_run_status(self, flow_id: str, from_status: str, to_status: str, now: float) -> int:
        with self.begin() as c:
            values: dict[str, Any] = {"status": to_status}
            if to_status == "discarded":
                values["finished"] = now
            result = c.execute(
                runs.update().where(runs.c.flow_id == flow_id, runs.c.status == from_status).values(**values)
            )
            return int(result.rowcount)

    def recover_interrupted(self) -> int:
        """Make runs a dead process left ``running`` pending again, and free its deliveries; returns how many runs.

        Their succeeded steps are kept and skipped; the step that was in flight runs again with the
        same idempotency key, so where the API honours it nothing is created twice. Only safe when
        no other worker is executing runs (the embedded single-process default).
        """
        with self.begin() as c:
            result = c.execute(
                runs.update().where(runs.c.status == "running")
                .values(status="pending", claimed_by=None, claimed_until=None)
            )
            # Deliveries the dead process was parsing: processed again now, not when its lease ends.
            c.execute(
                deliveries.update()
                .where(deliveries.c.status.in_(OPEN_DELIVERY_STATUSES), deliveries.c.claimed_until.is_not(None))
                .values(claimed_until=None)
            )
            return int(result.rowcount)

    def runnable_runs(self, now: float, limit: int = 100) -> list[str]:
        """Pending runs, retries whose time has come and running runs whose lease expired, oldest first."""
        with self.engine.connect() as c:
            rows = c.execute(
                sa.select(runs.c.id)
                .join(flows, flows.c.id == runs.c.flow_id)
                .where(
                    flows.c.state == "on",
                    sa.or_(
                        runs.c.status == "pending",
                        sa.and_(runs.c.status == "waiting_retry", runs.c.next_retry_at <= now),
                        sa.and_(
                            runs.c.status == "running",
                            sa.or_(runs.c.claimed_until.is_(None), runs.c.claimed_until < now),
                        ),
                    ),
                )
                .order_by(runs.c.seq)
                .limit(limit)
            )
            return [r[0] for r in rows]

    # --- step results ------------------------------------------------------------------------

    def step_results_for(self, run_id: str) -> list[StepRow]:
        return self.step_results_of_runs([run_id]).get(run_id, [])

    def step_results_of_runs(self, run_ids: Sequence[str]) -> dict[str, list[StepRow]]:
        """:meth:`step_results_for` for many runs in one query (runs without any are left out)."""
        found: dict[str, list[StepRow]] = {}
        if not run_ids:
            return found
        with self.engine.connect() as c:
            rows = c.execute(
                sa.select(step_results).where(step_results.c.run_id.in_(run_ids))
                .order_by(step_results.c.run_id, step_results.c.index)
            ).mappings()
            for row in rows:
                found.setdefault(row["run_id"], []).append(cast(StepRow, dict(row)))
        return found

    def save_step_result(self, run_id: str, index: int, values: Mapping[str, Any]) -> None:
        """Insert or update the result of step ``index`` of a run."""
        with self.begin() as c:
            exists = c.execute(
                sa.select(step_results.c.run_id).where(step_results.c.run_id == run_id, step_results.c.index == index)
            ).first()
            if exists:
                c.execute(
                    step_results.update()
                    .where(step_results.c.run_id == run_id, step_results.c.index == index)
                    .values(**values)
                )
            else:
                c.execute(step_results.insert().values(run_id=run_id, index=index, **values))

    # --- hook deliveries ---------------------------------------------------------------------

    def store_delivery(
        self,
        flow_id: str,
        method: str,
        headers: Mapping[str, str],
        query: Mapping[str, str],
        body: bytes,
        now: float,
    ) -> str:
        """Commit a delivery before it is acknowledged. Credential headers are not kept."""
        delivery_id = f"dlv_{os.urandom(10).hex()}"  # new_id's shape, without building a UUID
        kept = {k: v for k, v in headers.items() if k.lower() not in SECRET_HEADERS}
        if self.engine.dialect.name == "sqlite":
            params = (delivery_id, flow_id, now, method, json.dumps(kept), json.dumps(dict(query)), body)
            self._commit_delivery(_PendingDelivery(params))
            return delivery_id
        row = {
            "id": delivery_id, "flow_id": flow_id, "received_at": now, "method": method, "headers": kept,
            "query": dict(query), "body": body, "status": "received", "items": None, "error": None,
        }
        # A plain statement with bound parameters: compiled once, reused for every delivery.
        with self.begin() as c:
            c.execute(_INSERT_DELIVERY, row)
        return delivery_id

    def _commit_delivery(self, delivery: _PendingDelivery) -> None:
        """Commit ``delivery`` on SQLite together with any others waiting (group commit); return once it is.

        SQLite takes one writer at a time. A delivery joins the queue; whoever holds the write lock
        commits everything queued, in one transaction: an ingress thread that finds the lock free, or
        the thread of a run or a poll as its transaction ends (:meth:`begin`). The others wait for
        their own row's commit, not for the lock: a thread releasing a lock takes it again before a
        waiting one wakes, so a busy runner would otherwise keep the ingress waiting turn after turn.
        Each returns only after its own row is committed: nothing is acknowledged before it is stored.
        """
        with self._pending_lock:
            self._pending_deliveries.append(delivery)
        while not delivery.done.is_set():
            if self._write_lock.acquire(blocking=False):
                try:
                    self._flush_deliveries()
                finally:
                    self._write_lock.release()
            else:
                # The holder commits this delivery when it leaves; the timeout covers a holder that
                # checked the queue just before this delivery joined it.
                delivery.done.wait(0.002)
        if delivery.error is not None:
            raise RuntimeError(f"the delivery could not be stored: {delivery.error}") from delivery.error

    def _flush_deliveries(self) -> None:
        """Commit every queued delivery, batch after batch until none is left (caller holds the write lock)."""
        while self._pending_deliveries:
            with self._pending_lock:
                batch, self._pending_deliveries = self._pending_deliveries, []
            error: BaseException | None = RuntimeError("interrupted before its commit")
            try:
                error = self._insert_deliveries([queued.params for queued in batch])
            finally:
                for queued in batch:
                    queued.error = error
                    queued.done.set()

    def _insert_deliveries(self, rows: list[tuple[Any, ...]]) -> BaseException | None:
        """One transaction for ``rows`` on the ingress's own connection (caller holds the write lock).

        Up to :data:`_ROWS_PER_INSERT` rows are one multi-row ``INSERT`` in autocommit mode: a single
        statement is its own transaction, so the driver lets go of the interpreter lock once for the
        batch instead of for ``BEGIN``, each row and ``COMMIT`` (each time it does, the ingress thread
        holding SQLite's write lock must win the interpreter back from the request threads). More rows
        are committed in one explicit transaction.
        """
        # A connection kept for these inserts: a pool checkout and checkin cost as much as the insert.
        pooled = self._delivery_connection
        if pooled is None:
            pooled = self._delivery_connection = self.engine.raw_connection()
            cast(Any, pooled.driver_connection).isolation_level = None  # autocommit: each statement commits
        driver: Any = pooled.driver_connection  # sqlite3's own connection

        def insert(chunk: list[tuple[Any, ...]]) -> None:
            driver.execute(_sqlite_insert(len(chunk)), [value for row in chunk for value in row])

        try:
            if len(rows) <= _ROWS_PER_INSERT:
                insert(rows)
            else:
                driver.execute("BEGIN IMMEDIATE")
                try:
                    for start in range(0, len(rows), _ROWS_PER_INSERT):
                        insert(rows[start:start + _ROWS_PER_INSERT])
                except BaseException:
                    driver.execute("ROLLBACK")
                    raise
                driver.execute("COMMIT")
        except Exception as exc:
            self._delivery_connection = None
            pooled.invalidate()  # never back to the pool in autocommit mode; the next delivery opens another
            return exc
        return None

    def get_delivery(self, delivery_id: str, conn: Connection | None = None) -> DeliveryRow | None:
        with self._reader(conn) as c:
            row = c.execute(sa.select(deliveries).where(deliveries.c.id == delivery_id)).mappings().first()
        return cast(DeliveryRow, dict(row)) if row else None

    def get_deliveries(self, delivery_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The deliveries with these ids that exist, in the order given (one query)."""
        with self._reader(None) as c:
            rows = c.execute(sa.select(deliveries).where(deliveries.c.id.in_(list(delivery_ids)))).mappings().all()
        by_id = {row["id"]: dict(row) for row in rows}
        return [by_id[d] for d in delivery_ids if d in by_id]

    def pending_deliveries(self, limit: int = 200, now: float | None = None) -> list[str]:
        """Deliveries of flows that are on still to be parsed, oldest first.

        With ``now``: received ones and retries whose time has come, none another processor holds.
        Without: every open delivery, due or not (is anything left to do at all?).
        """
        if now is None:
            due: Any = deliveries.c.status.in_(OPEN_DELIVERY_STATUSES)
        else:
            due = sa.and_(
                sa.or_(
                    deliveries.c.status == "received",
                    sa.and_(deliveries.c.status == "waiting_retry", deliveries.c.next_attempt_at <= now),
                ),
                sa.or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until < now),
            )
        with self.engine.connect() as c:
            rows = c.execute(
                sa.select(deliveries.c.id)
                .join(flows, flows.c.id == deliveries.c.flow_id)
                .where(due, flows.c.state == "on")
                .order_by(deliveries.c.received_at)
                .limit(limit)
            )
            return [r[0] for r in rows]

    def next_delivery_attempt(self) -> float | None:
        """When the earliest delivery waiting to be tried again is due (None: none is waiting)."""
        with self.engine.connect() as c:
            return c.execute(
                sa.select(sa.func.min(deliveries.c.next_attempt_at)).where(deliveries.c.status == "waiting_retry")
            ).scalar_one()

    def claim_deliveries(self, delivery_ids: list[str], now: float, until: float) -> set[str]:
        """Take open deliveries for processing until ``until``, except those another processor holds.

        One statement for a whole batch (``UPDATE ... RETURNING``), so claiming costs the scheduler one
        write per batch, not one per delivery. Returns the ids this call claimed.
        """
        if not delivery_ids:
            return set()
        with self.begin() as c:
            rows = c.execute(
                deliveries.update()
                .where(
                    deliveries.c.id.in_(delivery_ids),
                    deliveries.c.status.in_(OPEN_DELIVERY_STATUSES),
                    sa.or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until < now),
                )
                .values(claimed_until=until)
                .returning(deliveries.c.id)
            )
            return {row[0] for row in rows}

    def reopen_delivery(self, delivery_id: str) -> bool:
        """Make a failed delivery received again with a fresh budget of tries; False unless it had failed."""
        with self.begin() as c:
            result = c.execute(
                deliveries.update()
                .where(deliveries.c.id == delivery_id, deliveries.c.status == "failed")
                .values(
                    status="received", attempts=0, throttled=0, next_attempt_at=None, claimed_until=None, error=None
                )
            )
            return result.rowcount == 1

    def list_deliveries(
        self, flow_id: str, limit: int = 50, *, status: str | None = None, offset: int = 0
    ) -> list[DeliveryRow]:
        """A flow's deliveries, newest first (optionally only those in ``status``)."""
        where = [deliveries.c.flow_id == flow_id]
        if status:
            where.append(deliveries.c.status == status)
        with self.engine.connect() as c:
            rows = c.execute(
                sa.select(deliveries)
                .where(*where)
                .order_by(deliveries.c.received_at.desc())
                .limit(limit)
                .offset(offset)
            ).mappings()
            return [cast(DeliveryRow, dict(r)) for r in rows]

    def count_deliveries(self, flow_id: str, status: str | None = None) -> int:
        where = [deliveries.c.flow_id == flow_id]
        if status:
            where.append(deliveries.c.status == status)
        with self.engine.connect() as c:
            return int(c.execute(sa.select(sa.func.count()).select_from(deliveries).where(*where)).scalar_one())

    def update_delivery(self, delivery_id: str, values: Mapping[str, Any], conn: Connection | None = None) -> None:
        with self._conn(conn) as c:
            c.execute(deliveries.update().where(deliveries.c.id == delivery_id).values(**values))

    def mark_processed(self, outcomes: Sequence[tuple[str, int, int]], conn: Connection) -> None:
        """Deliveries parsed into runs: ``(id, items, attempts)`` each, in one statement (executemany)."""
        if outcomes:
            conn.execute(
                deliveries.update().where(deliveries.c.id == sa.bindparam("delivery_id")).values(
                    status="processed", items=sa.bindparam("new_items"), attempts=sa.bindparam("tries"),
                    error=None, next_attempt_at=None, claimed_until=None,
                ),
                [{"delivery_id": d, "new_items": n, "tries": a} for d, n, a in outcomes],
            )
