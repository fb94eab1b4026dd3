"""A sync process that a test kills with SIGKILL at a chosen checkpoint of a cycle (``kill -9``).

Run as ``python sync_kill_worker.py <database> <sync id> <personio url> <contacts url> <kill at>``: it
runs one cycle of the sync against the sandboxes on those URLs and sends itself SIGKILL at the
``kill at``-th checkpoint (0: never), so nothing after that point runs: no ``finally``, no rollback
beyond what SQLite itself does for an unfinished transaction.
"""

from __future__ import annotations

import os
import signal
import sys

from connector.apps.contacts.app import APP as CONTACTS_APP
from connector.apps.personio.app import APP as PERSONIO_APP
from connector.context import Connection
from emulator.store import Store, engine_for
from emulator.sync.engine import SyncEngine
from emulator.sync.spec import Side
from emulator.sync.store import SyncStore
from sandboxes.personio import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

CONTACTS_KEY = "contacts-sandbox-key"
LOCATION = "loc_sandbox"


def main(database: str, sync_id: str, personio_url: str, contacts_url: str, kill_at: int) -> int:
    def connection_for(side: Side) -> Connection:
        if side.app == "personio":
            return Connection(app="personio", base_url=personio_url,
                              fields={"client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET,
                                      "base_url": personio_url})
        return Connection(app="contacts", base_url=contacts_url,
                          fields={"api_key": CONTACTS_KEY, "location_id": LOCATION, "base_url": contacts_url})

    seen = {"checkpoints": 0}

    def checkpoint(name: str) -> None:
        seen["checkpoints"] += 1
        if seen["checkpoints"] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    store = Store(engine_for(f"sqlite:///{database}"))
    engine = SyncEngine(SyncStore(store), {"personio": PERSONIO_APP, "contacts": CONTACTS_APP}, connection_for,
                        checkpoint=checkpoint)
    report = engine.run_cycle(sync_id)
    print(f"checkpoints {seen['checkpoints']} errors {len(report.errors)}")
    return 0


if __name__ == "__main__":
    database, sync_id, personio_url, contacts_url, kill_at = sys.argv[1:6]
    raise SystemExit(main(database, sync_id, personio_url, contacts_url, int(kill_at)))
