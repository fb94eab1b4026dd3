"""Saved connections, their secrets encrypted at rest.

A connection is one row of the ``connections`` table: its public fields (org URL, location id, ...) as
JSON, and its secret fields (API tokens, OAuth tokens, private keys) as one Fernet token. Which fields
are secret comes from the app's ``AuthSpec`` (password-typed or ``secret`` fields) plus a fixed list
(:data:`connector.definitions.CREDENTIAL_FIELD_NAMES`). Secrets leave the store only through
:meth:`CredentialStore.fields` and :meth:`CredentialStore.connection`, and are registered with the log
redaction as they do.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets as token_bytes
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from auth.catalog import auth_spec_for, build_auth, secret_keys
from auth.redaction import install_redaction, register_secret
from auth.secrets import KEY_FILE_NAME, KEYS_ENV, SecretBox
from connector.context import Connection
from connector.dedupe import create_schema, sqlite_engine
from connector.errors import BadInput, DatabaseUnreadable, ExpiredAuth

DATA_DIR_ENV = "CONNECTOR_DATA_DIR"
DEFAULT_DATA_DIR = "data"
DATABASE_NAME = "connector.db"

_metadata = sa.MetaData()
connections_table = sa.Table(
    "connections",
    _metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("app", sa.String(64), nullable=False),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("label", sa.String(400), nullable=False, default=""),
    sa.Column("public", sa.Text, nullable=False, default="{}"),
    sa.Column("secret", sa.LargeBinary, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, default="ok"),
    sa.Column("status_reason", sa.Text, nullable=False, default=""),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)


@dataclass
class ConnectionRecord:
    """A saved connection as the UI and CLI show it: never any secret on it."""

    id: str
    app: str
    name: str
    label: str
    public: dict[str, Any] = field(default_factory=dict)
    status: str = "ok"
    created: float = 0.0
    updated: float = 0.0
    status_reason: str = ""
    #: Secret field names with their masked values ("••••1234"), for display only.
    masked: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "app": self.app,
            "name": self.name,
            "label": self.label,
            "status": self.status,
            "status_reason": self.status_reason,
            "fields": {**self.public, **self.masked},
            "created": self.created,
            "updated": self.updated,
        }


class CredentialStore:
    """Saves, finds and updates connections; encrypts their secrets with a :class:`SecretBox`.

    Thread-safe within a process: updates run under one lock and in one transaction each.
    """

    def __init__(self, engine: sa.Engine, box: SecretBox) -> None:
        self.engine = engine
        self.box = box
        self._lock = threading.RLock()
        create_schema(_metadata, engine, "connections")

    def __repr__(self) -> str:
        return f"CredentialStore({self.engine.url.render_as_string(hide_password=True)!r})"

    # -- writing ------------------------------------------------------------------------------------
    def save(self, app: str, name: str, fields: Mapping[str, Any], label: str = "") -> ConnectionRecord:
        """Save a connection (or replace the one with the same name, e.g. on reconnect); status ``ok``."""
        if not name or not name.strip():
            raise BadInput("must not be empty; name the connection, e.g. 'okta-prod'", "name")
        public, secret = self._split(app, fields)
        register_secret(*(str(v) for v in secret.values()))
        now = time.time()
        values = {
            "app": app,
            "label": label,
            "public": json.dumps(public, sort_keys=True),
            "secret": self.box.encrypt(secret),
            "status": "ok",
            "status_reason": "",
            "updated": now,
        }
        with self._lock, self.engine.begin() as db:
            existing = db.execute(sa.select(connections_table.c.id).where(connections_table.c.name == name)).first()
            if existing is not None:
                db.execute(connections_table.update().where(connections_table.c.id == existing.id).values(**values))
                record_id = existing.id
            else:
                record_id = "conn_" + token_bytes.token_hex(8)
                db.execute(connections_table.insert().values(id=record_id, name=name, created=now, **values))
        return self.get(record_id)

    def update_fields(self, id_or_name: str, changes: Mapping[str, Any]) -> None:
        """Merge ``changes`` into a connection's fields in one transaction (rotated tokens land here)."""
        with self._lock, self.engine.begin() as db:
            row = self._row(db, id_or_name)
            public = json.loads(row.public)
            secret = self.box.decrypt(row.secret)
            changed_public, changed_secret = self._split(row.app, changes)
            register_secret(*(str(v) for v in changed_secret.values()))
            public.update(changed_public)
            secret.update(changed_secret)
            for key in changed_secret:
                public.pop(key, None)
            db.execute(
                connections_table.update()
                .where(connections_table.c.id == row.id)
                .values(public=json.dumps(public, sort_keys=True), secret=self.box.encrypt(secret), updated=time.time())
            )

    def set_label(self, id_or_name: str, label: str) -> None:
        with self._lock, self.engine.begin() as db:
            row = self._row(db, id_or_name)
            db.execute(connections_table.update().where(connections_table.c.id == row.id).values(label=label))

    def mark_expired(self, id_or_name: str, reason: str) -> None:
        """Flag a connection whose credential cannot be refreshed; the user must reconnect."""
        self._set_status(id_or_name, "expired", reason)

    def mark_ok(self, id_or_name: str) -> None:
        self._set_status(id_or_name, "ok", "")

    def delete(self, id_or_name: str) -> None:
        with self._lock, self.engine.begin() as db:
            row = self._row(db, id_or_name)
            db.execute(connections_table.delete().where(connections_table.c.id == row.id))

    def rotate_keys(self, also: Sequence[Callable[[SecretBox], int]] = ()) -> int:
        """Re-encrypt every connection under a new key; returns how many records were rotated.

        With a key file: a new key is generated and written first (newest first, old keys kept), every
        record is re-encrypted in one transaction, then the old keys are dropped from the file. A crash
        in between leaves every record readable. With ``CONNECTOR_SECRET_KEYS``: the user puts the new
        key first in the variable; this re-encrypts under it, and the old keys can then be removed.
        """
        with self._lock:
            box = self.box.with_new_key() if self.box.key_file is not None else self.box
            box.save_keys()
            count = 0
            with self.engine.begin() as db:
                for row in db.execute(sa.select(connections_table.c.id, connections_table.c.secret)).all():
                    db.execute(
                        connections_table.update()
                        .where(connections_table.c.id == row.id)
                        .values(secret=box.rotate(row.secret))
                    )
                    count += 1
            for rotate_more in also:  # other stores sealed with this key, while old and new keys are known
                rotate_more(box)
            if box.key_file is not None:
                box = box.newest_only()
                box.save_keys()
            self.box = box
        return count

    # -- reading ------------------------------------------------------------------------------------
    def get(self, id_or_name: str) -> ConnectionRecord:
        with self.engine.connect() as db:
            row = self._row(db, id_or_name)
        return self._record(row)

    def list(self) -> list[ConnectionRecord]:
        with self.engine.connect() as db:
            rows = db.execute(sa.select(connections_table).order_by(connections_table.c.created)).all()
        return [self._record(row) for row in rows]

    def version(self, id_or_name: str) -> tuple[str, float, str]:
        """``(id, updated, status)`` of a connection, without decrypting anything.

        ``updated`` moves with every change of its fields (a rotated token) and of its status, so a cache of
        resolved connections keyed by it never hands out a stale credential.

        Raises:
            BadInput: no such connection (deleted).
        """
        table = connections_table
        with self.engine.connect() as db:
            row = db.execute(
                sa.select(table.c.id, table.c.updated, table.c.status)
                .where(sa.or_(table.c.id == id_or_name, table.c.name == id_or_name))
            ).first()
        if row is None:
            raise BadInput(
                f"no saved connection is called {id_or_name!r}; see `connector connections list`", "connection"
            )
        return row.id, row.updated, row.status

    def fields(self, id_or_name: str) -> dict[str, Any]:
        """Every field of a connection, secrets decrypted: only for building its auth."""
        with self.engine.connect() as db:
            row = self._row(db, id_or_name)
        secret = self.box.decrypt(row.secret)
        register_secret(*(str(v) for v in secret.values()))
        return {**json.loads(row.public), **secret}

    def connection(
        self, id_or_name: str, *, transport: httpx.BaseTransport | None = None, check_status: bool = True
    ) -> Connection:
        """A Connection ready to invoke: auth built with rotated tokens saved back into this store.

        Raises:
            ExpiredAuth: the connection was marked expired; the user must reconnect.
        """
        record = self.get(id_or_name)
        if check_status and record.status == "expired":
            raise ExpiredAuth(
                f"connection {record.name!r} ({record.app}) has expired: "
                f"{record.status_reason or 'credential refused'}; "
                f"reconnect it with `connector connect {record.app} --name {record.name} ...`"
            )
        spec = auth_spec_for(record.app)
        fields = {**self.fields(record.id), "connection_id": record.id}
        auth = build_auth(
            spec,
            fields,
            transport=transport,
            token_saver=lambda changes: self.update_fields(record.id, changes),
            token_loader=lambda: self.fields(record.id),
            on_expired=lambda reason: self.mark_expired(record.id, reason),
        )
        base_url = spec.base_url(fields) if spec.base_url is not None else ""
        return Connection(
            app=record.app, fields=fields, auth=auth, name=record.name, base_url=base_url, transport=transport
        )

    # -- private ------------------------------------------------------------------------------------
    def _split(self, app: str, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        secret_names = secret_keys(auth_spec_for(app))
        public = {k: v for k, v in fields.items() if k not in secret_names and v is not None}
        secret = {k: v for k, v in fields.items() if k in secret_names and v is not None}
        return public, secret

    def _set_status(self, id_or_name: str, status: str, reason: str) -> None:
        with self._lock, self.engine.begin() as db:
            row = self._row(db, id_or_name)
            db.execute(
                connections_table.update()
                .where(connections_table.c.id == row.id)
                .values(status=status, status_reason=reason, updated=time.time())
            )

    @staticmethod
    def _row(db: sa.Connection, id_or_name: str) -> sa.Row[Any]:
        table = connections_table
        row = db.execute(sa.select(table).where(sa.or_(table.c.id == id_or_name, table.c.name == id_or_name))).first()
        if row is None:
            raise BadInput(
                f"no saved connection is called {id_or_name!r}; see `connector connections list`", "connection"
            )
        return row

    def _record(self, row: sa.Row[Any]) -> ConnectionRecord:
        from auth.secrets import mask

        try:
            secret_names = sorted(secret_keys(auth_spec_for(row.app)))
        except Exception:  # an app no longer installed still lists
            secret_names = []
        try:
            present = self.box.decrypt(row.secret)
        except BadInput as exc:  # a listing that silently drops secrets would hide a wrong key
            raise BadInput(f"connection {row.name!r}: {exc.message}", exc.field) from None
        masked = {k: mask(str(present[k])) for k in secret_names if present.get(k)}
        return ConnectionRecord(
            id=row.id,
            app=row.app,
            name=row.name,
            label=row.label,
            public=json.loads(row.public),
            status=row.status,
            status_reason=row.status_reason,
            created=row.created,
            updated=row.updated,
            masked=masked,
        )


def data_dir_path(data_dir: str | Path | None = None) -> Path:
    return Path(data_dir or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)


#: Databases in a data folder that hold values sealed with its key: file, table with sealed rows, and
#: what the damaged-database message calls it.
SEALED_DATABASES = ((DATABASE_NAME, "connections", "connections"), ("emulator.db", "emulator_flows", "emulator"))


def _sealed_rows(directory: Path) -> list[str]:
    """``"<n> rows in <file>"`` for each database in ``directory`` holding data sealed with its key.

    Read-only: a missing database is not created.

    Raises:
        DatabaseUnreadable: a database is damaged; nothing (no key either) is made next to it.
    """
    import sqlite3

    found = []
    for file_name, table, what in SEALED_DATABASES:
        path = directory / file_name
        if not path.exists() or path.stat().st_size == 0:
            continue
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                count = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # table name is ours
        except sqlite3.DatabaseError as exc:
            if "no such table" in str(exc):
                continue
            raise DatabaseUnreadable(
                f"the {what} database {path} cannot be read ({str(exc).strip()}); move the file aside or restore "
                "it from a backup, then start again"
            ) from None
        if count:
            found.append(f"{count} {table} rows in {path}")
    return found


def _check_key_file_present(directory: Path) -> None:
    """Refuse to make a new key next to data sealed with another one (it could never be read again).

    Raises:
        BadInput: the key file is gone but a database in the folder holds sealed rows.
    """
    if os.environ.get(KEYS_ENV, "").strip() or (directory / KEY_FILE_NAME).exists():
        return
    sealed = _sealed_rows(directory)
    if sealed:
        raise BadInput(
            f"{directory / KEY_FILE_NAME} is missing, but the folder holds data sealed with it "
            f"({'; '.join(sealed)}); restore the key file from your backup (or put its key in "
            f"{KEYS_ENV}), or move those databases aside to start afresh",
            KEY_FILE_NAME,
        )


def open_store(data_dir: str | Path | None = None) -> CredentialStore:
    """The store in ``data_dir`` (default ``$CONNECTOR_DATA_DIR`` or ``./data``): ``connector.db`` + key.

    Raises:
        BadInput: the key file is missing next to data sealed with it (a new key would strand that data).
        DatabaseUnreadable: a database in the folder is damaged.
    """
    directory = data_dir_path(data_dir)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # databases and the key file: owner only
    _check_key_file_present(directory)
    install_redaction()
    engine = sqlite_engine(directory / DATABASE_NAME, synchronous="FULL")
    return CredentialStore(engine, SecretBox.from_environment(directory))


def load_connection(name: str) -> Connection:
    """The saved connection ``name`` from the default store (``connector invoke --connection NAME``)."""
    return open_store().connection(name)
