"""Which trigger items a flow has already seen, so each fires once.

Polling platforms remember the ids a trigger returned and fire only unseen ones. The record must
survive restarts and must not grow memory with the org, so it lives in a database table: SQLite by
default, PostgreSQL when scaled out, through SQLAlchemy. Callers that keep run records in the same
database pass their open connection, so new ids are committed in the same transaction as the items
they emit: a crash between the two neither drops nor repeats an item.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

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

metadata = sa.MetaData()
seen_items = sa.Table(
    "dedupe_seen_items",
    metadata,
    sa.Column("flow_id", sa.String(64), primary_key=True),
    sa.Column("item_id", sa.String(MAX_ITEM_ID), primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Index("ix_dedupe_flow_seq", "flow_id", "seq"),
)


class DedupeStore(Protocol):
    """The interface the runner needs; implementations must be durable."""

    def seed(self, flow_id: str, item_ids: Iterable[str], conn: Connection | None = None) -> int: ...

    def filter_new(self, flow_id: str, item_ids: Sequence[str], conn: Connection | None = None) -> list[str]: ...

    def clear(self, flow_id: str, conn: Connection | None = None) -> None: ...

    def count(self, flow_id: str) -> int: ...


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
        """Forget every id of a flow (turning the flow off)."""
        with self._conn(conn) as c:
            c.execute(seen_items.delete().where(seen_items.c.flow_id == flow_id))

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


def sqlite_engine(path: str) -> Engine:
    """A SQLite engine in WAL mode, safe for one process with several threads; the files are owner-only."""
    make_owner_only(path)
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return engine
