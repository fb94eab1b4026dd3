"""One worker process for the shared-refresh test: threads calling an API with an expired OAuth token.

Usage: python refresh_caller.py BASE_URL TOKEN_FILE REDIS_URL|none LOCK_PREFIX CALLS START_AT
Prints the status codes (or error names) it saw, as JSON. The token file stands for the connection
store every worker reads and writes.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from auth.token_refresh import RefreshingBearerAuth, TokenSet, redis_refresh_lock, use_refresh_lock
from connector.errors import ConnectorError, ExpiredAuth
from connector.http import make_client


def main() -> None:
    base_url, token_file, redis_url, prefix, calls, start_at = sys.argv[1:7]
    store = Path(token_file)
    if redis_url != "none":
        use_refresh_lock(redis_refresh_lock(redis_url, prefix=prefix))

    def load() -> dict[str, Any]:
        return dict(json.loads(store.read_text()))

    def save(fields: dict[str, Any]) -> None:
        partial = store.with_name(f"{store.name}.{os.getpid()}.{threading.get_ident()}")
        partial.write_text(json.dumps(fields))
        os.replace(partial, store)

    def refresh(refresh_token: str) -> dict[str, Any]:
        answer = httpx.post(f"{base_url}/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token})
        if answer.status_code == 400:
            raise ExpiredAuth("the refresh token was refused")
        answer.raise_for_status()
        return dict(answer.json())

    seen: Counter[str] = Counter()
    lock = threading.Lock()

    def call() -> None:
        auth = RefreshingBearerAuth(
            TokenSet.from_fields(load()), refresh, connection_id="oauth-1", token_saver=save, token_loader=load
        )
        try:
            with make_client(base_url=base_url, auth=auth, pacer=False, raise_errors=False) as client:
                outcome = str(client.get("/data").status_code)
        except ConnectorError as exc:
            outcome = type(exc).__name__
        with lock:
            seen[outcome] += 1

    time.sleep(max(0.0, float(start_at) - time.time()))
    threads = [threading.Thread(target=call) for _ in range(int(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
