"""Which trigger items a flow has already seen, so each fires once.

Polling platforms remember the ids a trigger returned and fire only unseen ones. The record must
survive restarts and must not grow memory with the org, so it lives in a database table: SQLite by
default, PostgreSQL when scaled out, through SQLAlchemy. Callers that keep run records in the same
database pass their open connection, so new ids are committed in the same transaction as the items
they emit: a crash between the two neither drops nor repeats an item.

Seeding (turning a flow on) writes a whole org's ids, tens of thousands, so it has its own path:
:meth:`SqlDedupeStore.begin_seed` clears the record and marks it unfinished, :meth:`~SqlDedupeStore.add_seen`
bulk-inserts each batch with no lookup (a duplicate is ignored by the database), and
:meth:`~SqlDedupeStore.finish_seed` prunes once and clears the mark in the caller's last transaction.
A record still marked unfinished (the process died mid-walk, or the flow was turned off:
:meth:`~SqlDedupeStore.forget`) must be seeded again, never used: the platform checks
:meth:`~SqlDedupeStore.seed_unfinished` before it resumes a flow.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from connector.errors import DatabaseUnreadable

#: Zapier keeps this many ids per flow; older ones are pruned first.
DEFAULT_CAPACITY = 105_000
_CHUNK = 500
#: Longest item identity stored as it is; PostgreSQL enforces the column's length, SQLite does not.
MAX_ITEM_ID = 512
_HASHED_PREFIX = "sha256:"


def stored_item_id(item_id: str) -> str:
    """The form of an item identity that goes into a bounded column.

    Identities up to :data:`MAX_ITEM_ID` characters are kept as they are (run history shows them);
    longer ones (an "updated item" id built from a long vendor id) become ``sha256:<64 hex>``, so the
    same item always maps to the same key and dedupe still recognises it on every database.
    """
    if len(item_id) <= MAX_ITEM_ID:
        return item_id
    return _HASHED_PREFIX + hashlib.sha256(item_id.encode("utf-8", "surrogatepass")).hexdigest()


def create_schema(metadata: sa.MetaData, engine: Engine, what: str) -> None:
    """Create ``metadata``'s tables, add columns newer versions introduced, and fail clearly on a damaged file.

    Databases made by an older version keep their rows: a missing nullable column is added with
    ``ALTER TABLE`` (the only kind of change the schema makes). A file that is not a database, or is
    damaged, raises :class:`DatabaseUnreadable` naming the file and what to do, never a traceback.
    """
    try:
        if engine.dialect.name == "postgresql":
            _create_serialised(metadata, engine)
            return
        metadata.create_all(engine)
        inspector = sa.inspect(engine)
        with engine.begin() as conn:
            for table in metadata.sorted_tables:
                present = {column["name"] for column in inspector.get_columns(table.name)}
                for column in table.columns:
                    if column.name not in present:
                        ddl = sa.schema.CreateColumn(column).compile(dialect=engine.dialect)
                        conn.execute(sa.text(f"ALTER TABLE {table.name} ADD COLUMN {ddl}"))
    except sa.exc.DatabaseError as exc:
        where = engine.url.database if engine.dialect.name == "sqlite" else engine.url.render_as_string()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise DatabaseUnreadable(
            f"the {what} database {where} cannot be read ({reason}); move the file aside or restore it from a "
            "backup, then start again"
        ) from None


#: Held while a process creates or upgrades the schema on PostgreSQL.
SCHEMA_LOCK_KEY = 0x73636865  # "sche"


def _create_serialised(metadata: sa.MetaData, engine: Engine) -> None:
    """Create and upgrade the tables in one transaction that holds an advisory lock.

    A scaled deployment starts its web, worker and scheduler processes together on one empty database;
    unserialised, two ``CREATE TABLE`` of the same table collide in the catalogue and one process dies.
    PostgreSQL's DDL is transactional, so the second process waits, then finds the tables there.
    """
    with engine.begin() as conn:
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(SCHEMA_LOCK_KEY)))
        metadata.create_all(conn)
        inspector = sa.inspect(conn)
        for table in metadata.sorted_tables:
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present:
                    ddl = sa.schema.CreateColumn(column).compile(dialect=engine.dialect)
                    conn.execute(sa.text(f"ALTER TABLE {table.name} ADD COLUMN {ddl}"))


#: SQLite's page cache per connection, in KiB (``PRAGMA cache_size``).
SQLITE_CACHE_KIB = 16_384

# One statement per batch; ``seq`` grows with the position so the oldest ids are pruned first. SQLite
# needs ``WHERE true`` to tell an upsert's ON CONFLICT from a join's ON.
_SQLITE_BULK_INSERT = (
    "INSERT INTO dedupe_seen_items (flow_id, item_id, seq) SELECT ?, value, ? + key FROM json_each(?) "
    "WHERE true ON CONFLICT DO NOTHING"
)
_POSTGRESQL_BULK_INSERT = (
    "INSERT INTO dedupe_seen_items (flow_id, item_id, seq) SELECT %(flow_id)s, item_id, %(base)s + n "
    "FROM unnest(%(ids)s::text[]) WITH ORDINALITY AS batch(item_id, n) ON CONFLICT DO NOTHING"
)

metadata = sa.MetaData()
seen_items = sa.Table(
    "dedupe_seen_items",
    metadata,
    sa.Column("flow_id", sa.String(64), primary_key=True),
    sa.Column("item_id", sa.String(MAX_ITEM_ID), primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Index("ix_dedupe_flow_seq", "flow_id", "seq"),
)
#: Flows whose record must not be used until a seeding finishes: one began and never finished (the
#: record is partial), or the flow was turned off (the record was forgotten).
unfinished_seeds = sa.Table(
    "dedupe_unfinished_seeds",
    metadata,
    sa.Column("flow_id", sa.String(64), primary_key=True),
    sa.Column("started_ns", sa.BigInteger, nullable=False),
)



class SqlDedupeStore:
    """Durable dedupe record in a SQL database (SQLite file by default).

    Memory stays bounded: ids are checked in chunks against an indexed table, never loaded whole.
    """

    def __init__(self, engine: Engine | str, capacity: int = DEFAULT_CAPACITY) -> None:
        self.engine = sa.create_engine(engine) if isinstance(engine, str) else engine
        self.capacity = capacity
        create_schema(metadata, self.engine, "dedupe")

    @contextmanager
    def _conn(self, conn: Connection | None) -> Iterator[Connection]:
        if conn is not None:
            yield conn
            return
        with self.engine.begin() as own:
            yield own

    def seed(self, flow_id: str, item_ids: Iterable[str], conn: Connection | None = None) -> int:
        """Record ids without firing them (the first poll of a flow). Returns how many were new."""
        ids = list(dict.fromkeys(str(i) for i in item_ids))
        return len(self.filter_new(flow_id, ids, conn))

    def begin_seed(self, flow_id: str, conn: Connection | None = None) -> None:
        """Forget the flow's record and mark it unfinished until :meth:`finish_seed` commits."""
        with self._conn(conn) as c:
            c.execute(seen_items.delete().where(seen_items.c.flow_id == flow_id))
            c.execute(unfinished_seeds.delete().where(unfinished_seeds.c.flow_id == flow_id))
            c.execute(unfinished_seeds.insert().values(flow_id=flow_id, started_ns=time.time_ns()))

    def add_seen(self, flow_id: str, item_ids: Sequence[str], conn: Connection | None = None) -> None:
        """Record a batch of ids in one bulk insert, without looking any up and without pruning.

        Why no lookup: the record was cleared when seeding began, so nearly every id is new, and the
        database drops the few repeats itself (``ON CONFLICT DO NOTHING``). Why one statement: the
        batch travels as one parameter (a JSON array for SQLite's ``json_each``, an array for
        PostgreSQL's ``unnest``), so the database inserts every row without returning to Python
        between rows, and the interpreter lock stays free for the thread reading the next pages
        (``executemany`` takes it back for every row). Ids are stored in their :func:`stored_item_id`
        form, as :meth:`filter_new` compares them. Pruning waits for :meth:`finish_seed`: counting the
        record on every page made a turn-on quadratic in the org's size. Other databases take the
        checked path of :meth:`filter_new`.
        """
        if not item_ids:
            return
        with self._conn(conn) as c:
            name = c.dialect.name
            if name not in ("sqlite", "postgresql"):
                self.filter_new(flow_id, item_ids, c)
                return
            stored = [stored_item_id(i) for i in item_ids]
            if name == "sqlite":
                c.exec_driver_sql(_SQLITE_BULK_INSERT, (flow_id, time.time_ns(), json.dumps(stored)))
            else:
                c.exec_driver_sql(_POSTGRESQL_BULK_INSERT, {"flow_id": flow_id, "base": time.time_ns(), "ids": stored})

    def forget(self, flow_id: str, conn: Connection | None = None) -> None:
        """Forget the flow's record and mark it as needing a seed (turning a poll flow off).

        Whatever path brings the flow back (turning it on, or resuming it after something paused it
        while it was off) must then seed it again rather than poll with an empty record.
        """
        self.begin_seed(flow_id, conn)

    def finish_seed(self, flow_id: str, conn: Connection | None = None) -> None:
        """Prune the seeded record to capacity once and clear its unfinished mark (same transaction)."""
        with self._conn(conn) as c:
            self._prune(c, flow_id)
            c.execute(unfinished_seeds.delete().where(unfinished_seeds.c.flow_id == flow_id))

    def seed_unfinished(self, flow_id: str) -> bool:
        """Whether the flow's record must be seeded before use (a seeding never finished, or it was forgotten)."""
        with self.engine.connect() as c:
            row = c.execute(sa.select(unfinished_seeds.c.flow_id).where(unfinished_seeds.c.flow_id == flow_id))
            return row.first() is not None

    def filter_new(self, flow_id: str, item_ids: Sequence[str], conn: Connection | None = None) -> list[str]:
        """Return the ids not seen before, in the given order, and record them as seen.

        Ids are compared and stored in their :func:`stored_item_id` form; the ids returned are the
        caller's own.
        """
        keys = {stored_item_id(i): i for i in (str(i) for i in item_ids)}
        if not keys:
            return []
        stored = list(keys)
        with self._conn(conn) as c:
            known: set[str] = set()
            for start in range(0, len(stored), _CHUNK):
                chunk = stored[start : start + _CHUNK]
                rows = c.execute(
                    sa.select(seen_items.c.item_id).where(
                        seen_items.c.flow_id == flow_id, seen_items.c.item_id.in_(chunk)
                    )
                )
                known.update(r[0] for r in rows)
            new = [key for key in stored if key not in known]
            if new:
                base = time.time_ns()
                c.execute(
                    seen_items.insert(),
                    [{"flow_id": flow_id, "item_id": key, "seq": base + n} for n, key in enumerate(new)],
                )
                self._prune(c, flow_id)
            return [keys[key] for key in new]

    def _prune(self, c: Connection, flow_id: str) -> None:
        total = c.execute(
            sa.select(sa.func.count()).select_from(seen_items).where(seen_items.c.flow_id == flow_id)
        ).scalar_one()
        excess = total - self.capacity
        if excess <= 0:
            return
        cutoff = c.execute(
            sa.select(seen_items.c.seq)
            .where(seen_items.c.flow_id == flow_id)
            .order_by(seen_items.c.seq)
            .offset(excess - 1)
            .limit(1)
        ).scalar_one()
        c.execute(seen_items.delete().where(seen_items.c.flow_id == flow_id, seen_items.c.seq <= cutoff))

    def clear(self, flow_id: str, conn: Connection | None = None) -> None:
        """Forget every id of a flow (a hook flow subscribing; a flow deleted)."""
        with self._conn(conn) as c:
            c.execute(seen_items.delete().where(seen_items.c.flow_id == flow_id))
            c.execute(unfinished_seeds.delete().where(unfinished_seeds.c.flow_id == flow_id))

    def count(self, flow_id: str) -> int:
        with self.engine.connect() as c:
            return int(
                c.execute(
                    sa.select(sa.func.count()).select_from(seen_items).where(seen_items.c.flow_id == flow_id)
                ).scalar_one()
            )


def make_owner_only(path: str | os.PathLike[str]) -> None:
    """Create the SQLite file ``path`` readable by its owner only (0600), or narrow it if it exists.

    SQLite creates a missing database with the process umask (usually 0644: anyone on the machine may
    read the run history and sealed secrets) and gives its ``-wal`` and ``-shm`` files the database's
    mode, so setting the database file's mode first covers all three; leftovers are narrowed too.
    """
    database = os.fspath(path)
    if not os.path.exists(database):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
    for name in (database, database + "-wal", database + "-shm", database + "-journal"):
        if os.path.exists(name) and os.stat(name).st_mode & 0o077:
            os.chmod(name, 0o600)


def sqlite_engine(path: str | os.PathLike[str], *, synchronous: Literal["NORMAL", "FULL"] = "NORMAL") -> Engine:
    """The one way the kit opens SQLite: WAL mode, a 30 s busy timeout, owner-only files.

    WAL and the busy timeout let the CLI, the emulator and its worker threads share one file. The
    default ``synchronous=NORMAL`` survives a crash of the process but may lose the last commits on
    power loss; the credential store asks for ``FULL``, since a rotated refresh token that is lost
    cannot be fetched again.
    """
    make_owner_only(path)
    engine = sa.create_engine(f"sqlite:///{os.fspath(path)}", connect_args={"check_same_thread": False, "timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        # A turn-on inserts tens of thousands of ids in random key order; with SQLite's default 2 MiB
        # page cache the indexes spill past it and each insert rereads pages (about 2x slower at 50,000).
        # This is a ceiling per connection, filled only as pages are used.
        cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cur.close()

    return engine
