"""A lean HTTP/1.1 load generator for the ingress benchmark: keep-alive sockets, one thread per connection.

Why not httpx: a load generator must cost the machine far less than the server it measures, or it
measures itself. On this 2-core machine eight threads of ``httpx.Client`` in one interpreter spend about
0.7 ms of CPU per POST (request building, h11, the connection pool), so they top out near 1,000-1,300
requests/s whatever answers them: a do-nothing Flask endpoint and the emulator then read the same, and the
benchmark only shows the client. This sender writes each request as prepared bytes and reads the
answer by ``Content-Length`` (about 40 µs of CPU per request), as wrk or hey would, and reports its own
CPU per request so a reader can check that it is not the bottleneck.

It speaks just what the benchmark needs: ``POST`` with a body, a response with ``Content-Length`` (what
waitress sends for a buffered Flask response), keep-alive, and a fresh connection after
``Connection: close`` or a dropped socket (counted as status 0).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    """What one load run saw: per-request latencies (seconds), statuses, wall and sender CPU seconds."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    wall: float = 0.0
    cpu: float = 0.0


class _Connection:
    """One keep-alive connection that sends a request and reads one response at a time."""

    def __init__(self, host: str, port: int) -> None:
        self._address = (host, port)
        self._socket = self._connect()
        self._buffer = b""

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(self._address, timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def reconnect(self) -> None:
        self._socket.close()
        self._socket = self._connect()
        self._buffer = b""

    def close(self) -> None:
        self._socket.close()

    def exchange(self, request: bytes) -> int:
        """Send ``request``; return the response's status once its whole body has arrived."""
        self._socket.sendall(request)
        while b"\r\n\r\n" not in self._buffer:
            self._read()
        head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        closing = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                closing = True
        while len(self._buffer) < length:
            self._read()
        self._buffer = self._buffer[length:]
        if closing:
            self.reconnect()
        return status

    def _read(self) -> None:
        data = self._socket.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection mid-response")
        self._buffer += data


def post_all(
    url: str, bodies: Sequence[bytes], *, connections: int, headers: Mapping[str, str] | None = None
) -> LoadResult:
    """POST every body to ``url`` over ``connections`` keep-alive connections in parallel.

    Each connection takes the next body as soon as its previous answer is in, so at most
    ``connections`` requests are in flight (as a vendor sending in parallel does).
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    fixed = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    prefix = f"POST {target} HTTP/1.1\r\nHost: {host}:{port}\r\n{fixed}".encode()
    requests = [prefix + b"Content-Length: %d\r\n\r\n" % len(body) + body for body in bodies]
    result = LoadResult()
    next_index = iter(range(len(requests)))
    take = threading.Lock()
    merge = threading.Lock()

    def sender() -> None:
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        connection = _Connection(host, port)
        try:
            while True:
                with take:
                    index = next(next_index, None)
                if index is None:
                    break
                started = time.perf_counter()
                try:
                    status = connection.exchange(requests[index])
                except (OSError, ValueError, IndexError):  # reset, timeout, or an answer this reader cannot read
                    status = 0
                    connection.reconnect()
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            connection.close()
        with merge:
            result.latencies.extend(latencies)
            for status, count in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + count

    threads = [threading.Thread(target=sender, name=f"load-{n}") for n in range(connections)]
    cpu_started = time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - started
    result.cpu = time.process_time() - cpu_started
    return result
