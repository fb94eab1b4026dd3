"""The durable state of syncs: specs, links, write-ahead intents, cursors, clock offsets and the audit log.

Same engine and write lock as the emulator's store (:class:`emulator.store.Store`), own tables:

- ``sync_links``: one row per pair, unique on ``(sync, left id)`` and on ``(sync, right id)``, so a
  record can never be linked twice, even by two processes racing; each side's base lives here.
- ``sync_intents``: a write is recorded *before* it is sent (target, the change, the audit entries it
  will produce); applying it and marking it done (with its audit entries and the new bases) is one
  transaction. A crash between the two leaves a pending intent that the next cycle finishes first.
- ``sync_audit``: every decision, kept through restarts.
- ``sync_staged`` and ``sync_staged_keys``: what one cycle's listing read, page by page, with each
  record's identity values, so pairing and matching run as indexed queries over the store instead of
  whole listings held in memory (a first sync of 40,000 records uses what one of 2,500 does). Rows
  belong to one listing (``run_id``) and are dropped when it ends; a crash leaves them for the next
  cycle of the sync to drop.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from connector.dedupe import create_schema
from emulator.store import Store, new_id

metadata = sa.MetaData()

syncs = sa.Table(
    "sync_definitions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("spec", sa.JSON, nullable=False),
    sa.Column("state", sa.String(8), nullable=False, default="off"),
    #: Per side: {"since": vendor epoch or null, "offset": {low, high}}.
    sa.Column("left_state", sa.JSON, nullable=False, default=dict),
    sa.Column("right_state", sa.JSON, nullable=False, default=dict),
    sa.Column("next_run_at", sa.Float, nullable=True),
    sa.Column("last_cycle", sa.JSON, nullable=True),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)

links = sa.Table(
    "sync_links",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("sync_id", sa.String(64), nullable=False),
    sa.Column("left_id", sa.String(256), nullable=False),
    sa.Column("right_id", sa.String(256), nullable=False),
    sa.Column("left_base", sa.JSON, nullable=True),
    sa.Column("right_base", sa.JSON, nullable=True),
    sa.Column("left_modified", sa.Float, nullable=True),
    sa.Column("right_modified", sa.Float, nullable=True),
    sa.Column("status", sa.String(16), nullable=False, default="ok"),
    sa.Column("conflicts", sa.Integer, nullable=False, default=0),
    #: Sides the sync wrote last, so the write's echo is recognised (and audited) when it comes back.
    sa.Column("written", sa.JSON, nullable=True),
    sa.Column("updated", sa.Float, nullable=False),
    sa.UniqueConstraint("sync_id", "left_id", name="uq_sync_links_left"),
    sa.UniqueConstraint("sync_id", "right_id", name="uq_sync_links_right"),
)

intents = sa.Table(
    "sync_intents",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("sync_id", sa.String(64), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("link_id", sa.String(64), nullable=True),
    sa.Column("kind", sa.String(8), nullable=False),  # update | create
    sa.Column("target", sa.String(8), nullable=False),
    sa.Column("record_id", sa.String(256), nullable=True),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("state", sa.String(12), nullable=False, default="pending"),
    sa.Column("created", sa.Float, nullable=False),
    sa.Index("ix_sync_intents_pending", "sync_id", "state", "seq"),
)

audit = sa.Table(
    "sync_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("sync_id", sa.String(64), nullable=False),
    sa.Column("link_id", sa.String(64), nullable=True),
    sa.Column("intent_id", sa.String(64), nullable=True),
    sa.Column("direction", sa.String(16), nullable=False),
    sa.Column("field", sa.String(100), nullable=True),
    sa.Column("old", sa.JSON, nullable=True),
    sa.Column("new", sa.JSON, nullable=True),
    sa.Column("left_modified", sa.Float, nullable=True),
    sa.Column("right_modified", sa.Float, nullable=True),
    sa.Column("reason", sa.String(16), nullable=False),
    sa.Index("ix_sync_audit_sync", "sync_id", "id"),
)

staged = sa.Table(
    "sync_staged",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("side", sa.String(8), primary_key=True),
    sa.Column("record_id", sa.String(256), primary_key=True),
    sa.Column("sync_id", sa.String(64), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    #: {"id", "modified_at", "values"} as listed.
    sa.Column("record", sa.JSON, nullable=False),
    #: The record of the other side this one was matched with by identity during this listing.
    sa.Column("partner", sa.String(256), nullable=True),
    sa.Index("ix_sync_staged_seq", "run_id", "side", "seq"),
    sa.Index("ix_sync_staged_sync", "sync_id"),
)

staged_keys = sa.Table(
    "sync_staged_keys",
    metadata,
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("side", sa.String(8), nullable=False),
    #: Which identity pair of the sync (0: the best, e.g. email <-> email).
    sa.Column("pair", sa.Integer, nullable=False),
    sa.Column("value", sa.String(512), nullable=False),
    sa.Column("record_id", sa.String(256), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Index("ix_sync_staged_keys", "run_id", "side", "pair", "value", "seq"),
)

AUDIT_REASONS = ("changed", "conflict won", "conflict lost", "echo ignored", "created", "linked", "deleted")
AUDIT_COLUMNS = ("id", "at", "sync_id", "link_id", "intent_id", "direction", "field", "old", "new",
                 "left_modified", "right_modified", "reason")


class SyncStore:
    """Reads and writes the sync tables through the emulator store's engine and write lock."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine
        create_schema(metadata, self.engine, "sync")
        self._seq = time.time_ns()

    def begin(self) -> Any:
        return self.store.begin()

    def next_seq(self) -> int:
        self._seq = max(self._seq + 1, time.time_ns())
        return self._seq

    # --- syncs -----------------------------------------------------------------------------------
    def create_sync(self, spec: Mapping[str, Any], now: float) -> dict[str, Any]:
        row = {"id": new_id("sync"), "name": spec["name"], "spec": dict(spec), "state": "off",
               "left_state": {}, "right_state": {}, "created": now, "updated": now}
        with self.begin() as conn:
            conn.execute(syncs.insert().values(**row))
        return row

    def _first(self, query: sa.Select[Any], conn: Connection | None) -> dict[str, Any] | None:
        """The first row of ``query`` on the caller's transaction, or on a connection of its own."""
        if conn is not None:
            row = conn.execute(query).mappings().first()
        else:
            with self.engine.connect() as own:
                row = own.execute(query).mappings().first()
        return dict(row) if row else None

    def _write(self, statement: sa.Executable, conn: Connection | None) -> None:
        """Run ``statement`` in the caller's transaction, or in one of its own."""
        if conn is not None:
            conn.execute(statement)
        else:
            with self.begin() as own:
                own.execute(statement)

    def get_sync(self, sync_id: str, conn: Connection | None = None) -> dict[str, Any] | None:
        return self._first(sa.select(syncs).where(syncs.c.id == sync_id), conn)

    def list_syncs(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.select(syncs).order_by(syncs.c.created)).mappings()]

    def update_sync(self, sync_id: str, conn: Connection | None = None, **values: Any) -> None:
        self._write(syncs.update().where(syncs.c.id == sync_id).values(**values), conn)

    def due_syncs(self, now: float) -> list[str]:
        query = sa.select(syncs.c.id).where(syncs.c.state == "on", syncs.c.next_run_at <= now)
        with self.engine.connect() as conn:
            return [row[0] for row in conn.execute(query)]

    # --- links -----------------------------------------------------------------------------------
    def link_of(self, sync_id: str, side: str, record_id: str) -> dict[str, Any] | None:
        column = links.c.left_id if side == "left" else links.c.right_id
        return self._first(sa.select(links).where(links.c.sync_id == sync_id, column == record_id), None)

    def link(self, link_id: str, conn: Connection | None = None) -> dict[str, Any] | None:
        return self._first(sa.select(links).where(links.c.id == link_id), conn)

    def all_links(self, sync_id: str, *, status: str | None = None, limit: int = 500,
                  offset: int = 0) -> list[dict[str, Any]]:
        query = sa.select(links).where(links.c.sync_id == sync_id)
        if status:
            query = query.where(links.c.status == status)
        query = query.order_by(links.c.updated.desc(), links.c.id).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def count_links(self, sync_id: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(links)
                                    .where(links.c.sync_id == sync_id)).scalar_one())

    def insert_link(self, conn: Connection, **values: Any) -> str:
        link_id = new_id("link")
        conn.execute(links.insert().values(id=link_id, **values))
        return link_id

    def update_link(self, conn: Connection, link_id: str, **values: Any) -> None:
        conn.execute(links.update().where(links.c.id == link_id).values(**values))

    # --- one listing, staged ----------------------------------------------------------------------
    def drop_staged(self, *, run_id: str | None = None, sync_id: str | None = None) -> None:
        """Forget one listing (``run_id``), or every listing a crashed cycle of ``sync_id`` left behind."""
        with self.begin() as conn:
            if run_id is not None:
                conn.execute(staged.delete().where(staged.c.run_id == run_id))
                conn.execute(staged_keys.delete().where(staged_keys.c.run_id == run_id))
                return
            runs = [row[0] for row in conn.execute(sa.select(staged.c.run_id).where(staged.c.sync_id == sync_id)
                                                   .distinct())]
            for chunk in _chunks(runs):
                conn.execute(staged.delete().where(staged.c.run_id.in_(chunk)))
                conn.execute(staged_keys.delete().where(staged_keys.c.run_id.in_(chunk)))

    def stage(self, run_id: str, sync_id: str, side: str, first_seq: int, records: list[dict[str, Any]],
              keys: list[tuple[int, str, str]]) -> None:
        """One page of a listing: its records (listing order from ``first_seq``) and their identity values.

        A record listed twice (pages shift while a vendor's data changes) keeps its later reading.
        """
        ids = [record["id"] for record in records]
        with self.begin() as conn:
            for chunk in _chunks(ids):
                conn.execute(staged.delete().where(staged.c.run_id == run_id, staged.c.side == side,
                                                   staged.c.record_id.in_(chunk)))
                conn.execute(staged_keys.delete().where(staged_keys.c.run_id == run_id, staged_keys.c.side == side,
                                                        staged_keys.c.record_id.in_(chunk)))
            if records:
                conn.execute(staged.insert(), [
                    {"run_id": run_id, "side": side, "record_id": record["id"], "sync_id": sync_id,
                     "seq": first_seq + index, "record": record, "partner": None}
                    for index, record in enumerate(records)])
            if keys:
                seq_of = {record_id: first_seq + index for index, record_id in enumerate(ids)}
                conn.execute(staged_keys.insert(), [
                    {"run_id": run_id, "side": side, "pair": pair, "value": value[:512], "record_id": record_id,
                     "seq": seq_of[record_id]} for pair, value, record_id in keys])

    def staged_linked(self, run_id: str, sync_id: str, side: str, after: int, limit: int,
                      skip_partner_staged: bool) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
        """Staged records of ``side`` that have a link: (seq, record, link), a page in listing order.

        ``skip_partner_staged`` leaves out links whose other record was staged too (already paired
        from the other side).
        """
        other = "right" if side == "left" else "left"
        own, partner = getattr(links.c, f"{side}_id"), getattr(links.c, f"{other}_id")
        query = (sa.select(staged.c.seq, staged.c.record, links)
                 .join(links, sa.and_(links.c.sync_id == sync_id, own == staged.c.record_id))
                 .where(staged.c.run_id == run_id, staged.c.side == side, staged.c.seq > after))
        if skip_partner_staged:
            mate = staged.alias("mate")
            query = query.where(~sa.exists().where(mate.c.run_id == run_id, mate.c.side == other,
                                                   mate.c.record_id == partner))
        query = query.order_by(staged.c.seq).limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        found = []
        for row in rows:
            link = {column.key: row[column.key] for column in links.c}
            found.append((row["seq"], row["record"], link))
        return found

    def staged_records(self, run_id: str, side: str, record_ids: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(record_ids):
                query = sa.select(staged.c.record_id, staged.c.record).where(
                    staged.c.run_id == run_id, staged.c.side == side, staged.c.record_id.in_(chunk))
                found.update({row[0]: row[1] for row in conn.execute(query)})
        return found

    def staged_unlinked(self, run_id: str, sync_id: str, side: str, after: int,
                        limit: int) -> list[tuple[int, dict[str, Any], str | None]]:
        """Staged records of ``side`` with no link (of any status) yet: (seq, record, matched partner)."""
        own = getattr(links.c, f"{side}_id")
        query = (sa.select(staged.c.seq, staged.c.record, staged.c.partner)
                 .where(staged.c.run_id == run_id, staged.c.side == side, staged.c.seq > after,
                        ~sa.exists().where(links.c.sync_id == sync_id, own == staged.c.record_id))
                 .order_by(staged.c.seq).limit(limit))
        with self.engine.connect() as conn:
            return [(row[0], row[1], row[2]) for row in conn.execute(query)]

    def staged_candidates(self, run_id: str, sync_id: str, side: str, pair: int,
                          values: list[str]) -> list[tuple[str, str]]:
        """(value, record id) of unlinked, unmatched staged records of ``side`` with these identity values,
        in listing order."""
        own = getattr(links.c, f"{side}_id")
        found: list[tuple[str, str]] = []
        with self.engine.connect() as conn:
            for chunk in _chunks(values):
                query = (sa.select(staged_keys.c.value, staged_keys.c.record_id)
                         .join(staged, sa.and_(staged.c.run_id == run_id, staged.c.side == side,
                                               staged.c.record_id == staged_keys.c.record_id))
                         .where(staged_keys.c.run_id == run_id, staged_keys.c.side == side,
                                staged_keys.c.pair == pair, staged_keys.c.value.in_(chunk),
                                staged.c.partner.is_(None),
                                ~sa.exists().where(links.c.sync_id == sync_id, own == staged_keys.c.record_id))
                         .order_by(staged_keys.c.seq))
                found.extend((row[0], row[1]) for row in conn.execute(query))
        return found

    def match_staged(self, run_id: str, matches: list[tuple[str, str]]) -> None:
        """Mark (left id, right id) pairs as matched in this listing, so neither is matched again."""
        if not matches:
            return
        with self.begin() as conn:
            for left_id, right_id in matches:
                conn.execute(staged.update().where(staged.c.run_id == run_id, staged.c.side == "left",
                                                   staged.c.record_id == left_id).values(partner=right_id))
                conn.execute(staged.update().where(staged.c.run_id == run_id, staged.c.side == "right",
                                                   staged.c.record_id == right_id).values(partner=left_id))

    def links_missing_from(self, run_id: str, sync_id: str, side: str, after: str,
                           limit: int) -> list[dict[str, Any]]:
        """Links in good standing whose ``side`` record a full listing did not return (deleted there)."""
        own = getattr(links.c, f"{side}_id")
        query = (sa.select(links).where(
            links.c.sync_id == sync_id, links.c.status == "ok", links.c.id > after,
            ~sa.exists().where(staged.c.run_id == run_id, staged.c.side == side, staged.c.record_id == own))
            .order_by(links.c.id).limit(limit))
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    # --- intents ---------------------------------------------------------------------------------
    def add_intent(self, conn: Connection, **values: Any) -> str:
        intent_id = new_id("intent")
        conn.execute(intents.insert().values(id=intent_id, seq=self.next_seq(), state="pending", **values))
        return intent_id

    def pending_intents(self, sync_id: str) -> list[dict[str, Any]]:
        query = (sa.select(intents).where(intents.c.sync_id == sync_id, intents.c.state == "pending")
                 .order_by(intents.c.seq))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def finish_intent(self, conn: Connection, intent_id: str, state: str = "done") -> None:
        conn.execute(intents.update().where(intents.c.id == intent_id).values(state=state))

    # --- audit -----------------------------------------------------------------------------------
    def add_audit(self, conn: Connection, entries: list[dict[str, Any]]) -> None:
        if entries:
            conn.execute(audit.insert(), entries)

    def audit_entries(self, sync_id: str, *, reason: str | None = None, field: str | None = None,
                      link_id: str | None = None, direction: str | None = None, since: float | None = None,
                      limit: int | None = 500, offset: int = 0) -> list[dict[str, Any]]:
        query = sa.select(audit).where(audit.c.sync_id == sync_id)
        for column, value in ((audit.c.reason, reason), (audit.c.field, field), (audit.c.link_id, link_id),
                              (audit.c.direction, direction)):
            if value:
                query = query.where(column == value)
        if since is not None:
            query = query.where(audit.c.at >= since)
        query = query.order_by(audit.c.id.desc()).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def iter_audit(self, sync_id: str, **filters: Any) -> Iterator[dict[str, Any]]:
        """Every matching entry, oldest first, a thousand at a time (exports stream)."""
        last = 0
        while True:
            query = sa.select(audit).where(audit.c.sync_id == sync_id, audit.c.id > last)
            for name in ("reason", "field", "link_id", "direction"):
                if filters.get(name):
                    query = query.where(getattr(audit.c, name) == filters[name])
            rows = []
            with self.engine.connect() as conn:
                rows = [dict(r) for r in conn.execute(query.order_by(audit.c.id).limit(1000)).mappings()]
            if not rows:
                return
            yield from rows
            last = rows[-1]["id"]


def _chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
