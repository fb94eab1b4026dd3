"""Started OAuth authorizations kept on the server, each claimed at most once.

A signed cookie cannot hold them: it is readable (the PKCE verifier would travel with every request)
and replayable (an old copy still lists a state the server already used, so a second token request
would be made with the same code, and the provider's code-reuse defence then revokes the live
connection). Here a row per started authorization lives in the credential store's database, keyed by a
hash of its ``state`` and bound to the browser that started it (a random binding kept in that
browser's session; the cookie carries only that opaque value). The verifier and the extras are sealed
with the credential store's key. A callback *claims* its row with a conditional DELETE in one
transaction: of two concurrent or replayed callbacks exactly one gets the row. Rows expire with the
authorization (:data:`auth.oauth_flow.PENDING_TTL_SECONDS`) and are swept on every new start.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from auth.secrets import SecretBox
from connector.dedupe import create_schema

_metadata = sa.MetaData()
pending_table = sa.Table(
    "oauth_pending_authorizations",
    _metadata,
    sa.Column("state_hash", sa.String(64), primary_key=True),
    sa.Column("binding_hash", sa.String(64), nullable=False),
    sa.Column("sealed", sa.LargeBinary, nullable=False),
    sa.Column("expires", sa.Float, nullable=False),
)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class OAuthPendingStore:
    """The server-side table of started authorizations; :meth:`for_browser` gives one browser's view."""

    def __init__(self, engine: sa.Engine, box: Callable[[], SecretBox], clock: Callable[[], float] = time.time):
        self.engine = engine
        self._box = box  # a callable: the credential store's key may be rotated while the emulator runs
        self.clock = clock
        create_schema(_metadata, engine, "pending authorizations")

    def for_browser(self, binding: str) -> BrowserPendingAuthorizations:
        if not binding:
            raise ValueError("a browser binding must not be empty")
        return BrowserPendingAuthorizations(self, binding)

    def remember(self, binding: str, state: str, entry: dict[str, Any]) -> None:
        now = self.clock()
        with self.engine.begin() as db:
            db.execute(pending_table.delete().where(pending_table.c.expires <= now))
            db.execute(pending_table.insert().values(
                state_hash=_digest(state), binding_hash=_digest(binding),
                sealed=self._box().encrypt(entry), expires=float(entry.get("expires") or now),
            ))

    def claim(self, binding: str, state: str) -> dict[str, Any] | None:
        """The entry of ``state`` started by ``binding``'s browser, removed in the same transaction.

        Another browser's callback (a stolen URL) finds nothing and leaves the row for its owner.
        """
        table = pending_table
        match = sa.and_(table.c.state_hash == _digest(state), table.c.binding_hash == _digest(binding))
        with self.engine.begin() as db:
            row = db.execute(sa.select(table.c.sealed, table.c.expires).where(match)).first()
            if row is None:
                return None
            if db.execute(table.delete().where(match)).rowcount != 1:
                return None  # another callback claimed it between our read and our delete
        return self._box().decrypt(row.sealed)

    def count(self) -> int:
        with self.engine.connect() as db:
            return int(db.execute(sa.select(sa.func.count()).select_from(pending_table)).scalar_one())


class BrowserPendingAuthorizations:
    """One browser's pending authorizations (implements :class:`auth.oauth_flow.PendingAuthorizations`)."""

    def __init__(self, store: OAuthPendingStore, binding: str) -> None:
        self.store = store
        self.binding = binding

    def remember(self, state: str, entry: dict[str, Any]) -> None:
        self.store.remember(self.binding, state, entry)

    def claim(self, state: str) -> dict[str, Any] | None:
        return self.store.claim(self.binding, state)
