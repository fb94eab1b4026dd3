"""Flow columns that may hold secrets are encrypted at rest with the credential store's key.

A step's mapping can carry a literal password, a trigger input can be secret-typed, and a hook
subscription holds the shared secret the vendor sends with every delivery. These columns are stored as
``{"$sealed": "<Fernet token>"}`` and opened when read, so ``emulator.db`` never holds them in clear.
Rows written before sealing (plain JSON) stay readable.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from auth.secrets import SecretBox

SEALED_COLUMNS = ("trigger_input", "steps", "subscription")
MARK = "$sealed"
#: Opened columns kept per process, by their sealed token (see :meth:`FlowSealer.open`).
OPENED_CACHE_SIZE = 2048


def _is_sealed(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {MARK}


class FlowSealer:
    """Seals and opens the secret-bearing columns of flow rows.

    Args:
        box: returns the current key box (called each time, so a key rotation in this process is seen);
            None stores the columns in clear (tests of the store alone).
    """

    def __init__(self, box: Callable[[], SecretBox] | None = None, cache_size: int = OPENED_CACHE_SIZE) -> None:
        self._box = box
        self._cache_size = cache_size
        self._opened: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def seal(self, values: Mapping[str, Any]) -> dict[str, Any]:
        sealed = dict(values)
        if self._box is None:
            return sealed
        box = self._box()
        for column in SEALED_COLUMNS:
            if sealed.get(column) is not None and not _is_sealed(sealed[column]):
                sealed[column] = {MARK: box.encrypt({"v": sealed[column]}).decode("ascii")}
        return sealed

    def open(self, row: Mapping[Any, Any]) -> dict[str, Any]:
        """The row with its sealed columns opened.

        Every run, delivery and poll reads its flow, so each distinct sealed value is decrypted once per
        process and kept (as JSON, least recently used dropped beyond the cache size) under its token:
        a changed column is sealed afresh with a new token, so it can never meet a stale value. Each
        caller gets its own copy to change.
        """
        opened = dict(row)
        for column in SEALED_COLUMNS:
            if _is_sealed(opened.get(column)):
                opened[column] = json.loads(self._opened_json(opened[column][MARK]))
        return opened

    def _opened_json(self, token: str) -> str:
        with self._lock:
            hit = self._opened.get(token)
            if hit is not None:
                self._opened.move_to_end(token)
                return hit
        if self._box is None:
            raise RuntimeError("this flow was stored encrypted; open the store with the key box")
        text = json.dumps(self._box().decrypt(token.encode("ascii"))["v"])
        with self._lock:
            self._opened[token] = text
            while len(self._opened) > self._cache_size:
                self._opened.popitem(last=False)
        return text


def reseal_flows(engine: sa.Engine, box: SecretBox) -> int:
    """Re-encrypt every sealed flow column under ``box``'s newest key (``connector keys rotate``)."""
    from emulator.store import flows  # the table lives with the store

    count = 0
    with engine.begin() as db:
        for row in db.execute(sa.select(flows)).mappings().all():
            changes = {
                column: {MARK: box.rotate(row[column][MARK].encode("ascii")).decode("ascii")}
                for column in SEALED_COLUMNS
                if _is_sealed(row[column])
            }
            if changes:
                db.execute(flows.update().where(flows.c.id == row["id"]).values(**changes))
                count += 1
    return count
