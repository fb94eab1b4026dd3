"""Stopping a waitress-served sandbox while its workers are busy answering: no ``Bad file descriptor``.

The race this guards: stopping queued a thunk on waitress's trigger and then wrote to the trigger's pipe;
a worker pulling the same trigger in between woke the I/O loop, which ran the thunk, which closed the
trigger, so the stop's own write hit a closed descriptor (``OSError: [Errno 9]``), under load only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator.serving import serve

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


class _AnswerThatClosesLate:
    """A finished answer whose ``close`` (waitress calls it at the end of the request) waits for the stop."""

    def __init__(self, stopping: threading.Event) -> None:
        self.stopping = stopping

    def __iter__(self) -> Iterator[bytes]:
        yield b"done"

    def close(self) -> None:
        if self.stopping.wait(10):
            time.sleep(0.5)  # the stop's I/O-loop step has long run by now


def test_stopping_while_a_worker_finishes_a_keep_alive_request_logs_no_worker_crash(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The stop must not empty a channel's request list under a worker about to pop its request."""
    stopping = threading.Event()

    def app(environ: dict[str, Any], start_response: Any) -> _AnswerThatClosesLate:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "4")])
        return _AnswerThatClosesLate(stopping)

    served = serve(app, server="waitress", threads=2)
    client = threading.Thread(target=_read_until_dropped, args=(served.base_url, threading.Event()))
    with caplog.at_level(logging.ERROR, logger="waitress"):
        client.start()
        time.sleep(0.3)  # the worker is inside the answer's close
        stopping.set()
        served.stop()
        client.join(10)
    crashes = [record for record in caplog.records if record.exc_info]
    assert crashes == [], [record.getMessage() for record in crashes]
