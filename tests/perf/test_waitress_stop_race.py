"""Stopping a waitress-served sandbox while its workers are busy answering: no ``Bad file descriptor``.

The race this guards: stopping queued a thunk on waitress's trigger and then wrote to the trigger's pipe;
a worker pulling the same trigger in between woke the I/O loop, which ran the thunk, which closed the
trigger, so the stop's own write hit a closed descriptor (``OSError: [Errno 9]``), under load only.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx

from emulator.sandbox.serve import serve

CHUNK = b"x" * 65536


def streaming_app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
    """Answers forever in large chunks: every chunk makes the worker pull waitress's trigger."""
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    while True:
        yield CHUNK


def _read_until_dropped(url: str, started: threading.Event) -> None:
    try:
        with httpx.stream("GET", url, timeout=10) as response:
            for _chunk in response.iter_bytes():
                started.set()
    except httpx.HTTPError:
        pass  # the server went away mid-answer: expected
    finally:
        started.set()


def test_stopping_while_workers_stream_answers_never_hits_a_closed_trigger() -> None:
    for _ in range(40):
        served = serve(streaming_app, server="waitress", threads=4)
        started = threading.Event()
        readers = [threading.Thread(target=_read_until_dropped, args=(served.base_url, started)) for _ in range(3)]
        for reader in readers:
            reader.start()
        started.wait(10)
        served.stop()
        for reader in readers:
            reader.join(10)
        assert not any(reader.is_alive() for reader in readers)
