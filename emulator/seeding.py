"""Writing a turn-on's ids into the flow's dedupe record while the trigger is still reading pages.

Turning a poll flow on over a big org reads every item once and records its id. Done in line, each
batch's insert and commit waits for the next page and each page waits for the insert: the user waits
for the sum. :class:`SeedRecorder` hands batches to one writer thread instead, so the record is written
while the next pages are in flight (SQLite and the network both release the interpreter lock). Against
a real vendor, whose pages take far longer to arrive than a batch takes to insert, a turn-on costs
about what the poll alone costs.

What stays true:

- Memory is flat: at most ``SEED_BATCH`` ids wait in the current batch and two full batches in the
  queue; the trigger blocks when the writer falls behind.
- Each batch is its own short transaction under the store's write lock, never one transaction over
  the whole walk: a walk paced by the vendor's rate limit can take minutes, and SQLite has one writer,
  so hook deliveries (stored before they are acknowledged) would wait for it.
- The record is marked unfinished before the first batch (:meth:`SqlDedupeStore.begin_seed`); the last
  batch, the prune, the unfinished mark's removal, the cursor and ``state = on`` commit together in
  the caller's transaction (:meth:`SeedRecorder.finish`), opened only after the writer has stopped
  (:meth:`SeedRecorder.wait`): on SQLite the writer takes the store's write lock for each batch.
  A crash at any point before leaves a record
  the platform seeds again rather than uses.
- A failed write stops the trigger at its next page with that error, and nothing is marked finished.
"""

from __future__ import annotations

import queue
import threading
from types import TracebackType

from sqlalchemy.engine import Connection

from emulator.store import Store

#: Ids a turn-on gathers before writing them to the dedupe record in one short transaction.
SEED_BATCH = 5_000
#: Full batches that may wait for the writer before the trigger is made to wait.
_QUEUED_BATCHES = 2


class SeedRecorder:
    """The ``seen_sink`` of a turn-on: batches ids and writes them on a thread of its own.

    Use as a context manager around the first poll, then call :meth:`finish` with the transaction
    that turns the flow on::

        with SeedRecorder(store, flow_id) as record_seen:
            result = invoke(..., seen_sink=record_seen)
            record_seen.wait()  # outside the transaction: the writer's last batch needs the write lock
            with store.begin() as conn:
                record_seen.finish(conn, last_ids)
                store.update_flow(...)
    """

    def __init__(self, store: Store, flow_id: str, batch_size: int = SEED_BATCH) -> None:
        self.store = store
        self.flow_id = flow_id
        self.batch_size = batch_size
        self._batch: list[str] = []
        self._queue: queue.Queue[list[str] | None] = queue.Queue(maxsize=_QUEUED_BATCHES)
        self._error: BaseException | None = None
        self._closed = False
        self._writer = threading.Thread(target=self._write_batches, name=f"seed:{flow_id}", daemon=True)

    def __enter__(self) -> SeedRecorder:
        with self.store.begin() as conn:
            self.store.dedupe.begin_seed(self.flow_id, conn)
        self._writer.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop()

    def __call__(self, ids: list[str]) -> None:
        """Take one page's ids (called by the trigger's thread)."""
        if self._error is not None:
            raise self._error
        if self._closed:
            raise RuntimeError(f"the seeding of flow {self.flow_id} has ended; no more ids are recorded")
        self._batch.extend(ids)
        if len(self._batch) >= self.batch_size:
            self._queue.put(self._batch)
            self._batch = []

    def wait(self) -> None:
        """Let the writer write every queued batch, then stop it.

        Call this before opening the transaction for :meth:`finish`, never inside it: on SQLite the
        writer needs the store's write lock for its last batch, which that transaction holds.

        Raises:
            BaseException: whatever a batch's write raised; the record stays marked unfinished.
        """
        self._stop()
        if self._error is not None:
            raise self._error

    def finish(self, conn: Connection, last_ids: list[str]) -> None:
        """Record the rest and mark the record finished in ``conn``'s transaction (after :meth:`wait`).

        Raises:
            RuntimeError: :meth:`wait` was not called first (the writer could still be writing).
        """
        if not self._closed or self._writer.is_alive():
            raise RuntimeError("SeedRecorder.finish() needs wait() first, outside the transaction")
        if self._error is not None:
            raise self._error
        dedupe = self.store.dedupe
        dedupe.add_seen(self.flow_id, [*self._batch, *last_ids], conn)
        self._batch = []
        dedupe.finish_seed(self.flow_id, conn)

    def _stop(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._writer.is_alive():
            self._queue.put(None)  # the writer drains every batch before this, even after an error
            self._writer.join()

    def _write_batches(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is None:
                return
            if self._error is not None:
                continue  # keep draining so the trigger never blocks on a dead writer
            try:
                with self.store.begin() as conn:
                    self.store.dedupe.add_seen(self.flow_id, batch, conn)
            except BaseException as exc:  # handed to the trigger's thread and to finish()
                self._error = exc
