"""Serve a WSGI app (the emulator, a sandbox) on a real port, in a thread, and stop it cleanly.

:func:`serve` gives a real threaded server for ``connector emulate``/``web``/``sandbox``, benchmarks,
third-party SDKs and anything that must see real TCP behaviour. Its environ carries the client socket
under werkzeug's key (``werkzeug.socket``) with either server, so an app may reset a connection without
answering (the sandboxes' "drop" fault does). In-process calls to a sandbox go through
:func:`sandboxes.transport.sandbox_transport` instead.

Two servers, chosen per call:

- ``"werkzeug"`` (default): a thread per request and ``Connection: close`` on every answer. Simple and
  strict, fine for tests.
- ``"waitress"``: keep-alive connections and a fixed pool of worker threads, as a production server and
  real vendors behave. The emulator (``connector emulate``) and the benchmarks use it: werkzeug's
  connection-per-request cost alone caps a do-nothing Flask endpoint below 1,000 requests/s here.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Protocol

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer as WaitressServer
from waitress.server import create_server
from waitress.task import WSGITask

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
from werkzeug.serving import WSGIRequestHandler, make_server


class _QuietRequestHandler(WSGIRequestHandler):
    """No access log lines on stderr: tests and benchmarks print their own results."""

    def log(self, type: str, message: str, *args: Any) -> None:
        return None

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None

    def send_response(self, code: int, message: str | None = None) -> None:
        self._date_sent = False
        super().send_response(code, message)

    def send_header(self, keyword: str, value: str) -> None:
        # The server always sends Date; a sandbox that sets its own (Okta's, for rate-limit maths) must not
        # end up with two, which clients join into one unreadable value.
        if keyword.lower() == "date":
            if getattr(self, "_date_sent", False):
                return
            self._date_sent = True
        super().send_header(keyword, value)


ServerName = Literal["werkzeug", "waitress"]
#: Worker threads of a waitress server: enough for a vendor's parallel deliveries on a 2-core machine.
WAITRESS_THREADS = 8


class _SocketTask(WSGITask):
    """A waitress task whose environ carries the client socket, so a sandbox fault can reset it.

    A sandbox's fault code looks for the socket under werkzeug's key.
    """

    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ["werkzeug.socket"] = self.channel.socket
        return environ


class _SocketChannel(HTTPChannel):
    task_class = _SocketTask


class _Server(Protocol):
    host: str
    port: int

    def start(self) -> None: ...

    def stop(self) -> None: ...


class _WerkzeugServer:
    """werkzeug's threaded server: a thread and a connection per request."""

    def __init__(self, app: WSGIApplication, host: str, port: int) -> None:
        self._server = make_server(host, port, app, threaded=True, request_handler=_QuietRequestHandler)
        self._server.daemon_threads = True  # type: ignore[attr-defined]  # threaded=True: a ThreadingMixIn
        bound = self._server.server_address[0]
        self.host = bound if isinstance(bound, str) else str(bound)
        self.port: int = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"sandbox:{self.port}",
            daemon=True,
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _WaitressServer:
    """waitress: keep-alive connections, one I/O loop thread and a pool of worker threads."""

    def __init__(self, app: WSGIApplication, host: str, port: int, threads: int) -> None:
        self._map: dict[int, Any] = {}
        server = create_server(
            app, map=self._map, host=host, port=port, threads=threads, ident="sandbox", expose_tracebacks=False
        )
        assert isinstance(server, WaitressServer)  # one host and port: never a MultiSocketServer
        server.channel_class = _SocketChannel
        self._server = server
        self.host = host
        self.port = int(server.effective_port)
        self._thread = threading.Thread(target=server.run, name=f"sandbox:{self.port}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop in three steps, so no thread ever touches a descriptor another thread has closed.

        1. Inside the I/O loop (a trigger thunk): mark every channel disconnected, so workers stop writing
           (waitress raises ClientDisconnected in them), and take every dispatcher out of the loop's map,
           which ends the loop. Nothing is closed yet: a worker may be in the middle of a send, and any
           thread may still pull the trigger (a pull that wakes the loop runs this thunk before the
           stopping thread has written its own byte, so the trigger must still be open then).
        2. Wait for the loop thread, then for the workers.
        3. Close the sockets and, once no worker is left to pull it, the trigger.
        """
        taken: list[Any] = []

        def leave_loop() -> None:
            for dispatcher in list(self._map.values()):
                if isinstance(dispatcher, HTTPChannel):
                    _disconnect(dispatcher)
                dispatcher.del_channel()
                taken.append(dispatcher)

        self._server.trigger.pull_trigger(leave_loop)
        self._thread.join(timeout=5)
        self._server.task_dispatcher.shutdown(timeout=5)
        workers_left = bool(self._server.task_dispatcher.threads)
        for dispatcher in taken:
            if dispatcher is self._server.trigger and workers_left:
                continue  # a stuck worker may still pull it; two descriptors are cheaper than EBADF there
            with contextlib.suppress(OSError):
                # A channel's handle_close also closes its output buffers (temporary files when large).
                closer = dispatcher.handle_close if isinstance(dispatcher, HTTPChannel) else dispatcher.close
                closer()


def _disconnect(channel: HTTPChannel) -> None:
    """Mark a channel disconnected, so its worker stops writing and closes it when done.

    Waitress's own ``cancel`` also empties the channel's request list, without its lock, while a worker
    may be between reading ``requests[0]`` and popping it: that worker then dies with an IndexError and
    a traceback on stderr. Leaving the list alone lets the worker finish the request it holds (it sees
    ``connected`` is false and closes on finish), which empties the list under the lock.
    """
    with channel.requests_lock:
        channel.will_close = True
        channel.connected = False


class ServedApp:
    """A WSGI app served on a real port in a daemon thread; stop it, or use it as a context manager."""

    def __init__(self, server: _Server) -> None:
        self._server = server
        self.host = server.host
        self.port: int = server.port
        self.base_url = f"http://{self.host}:{self.port}"
        self._stopped = False
        server.start()

    def stop(self) -> None:
        """Stop accepting, wait for the serving loop to end and release the port. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self._server.stop()

    def __enter__(self) -> ServedApp:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def settle_heap() -> None:
    """Keep what a long-running server built at start-up out of the cyclic collector's full passes.

    A server process holds the apps, their catalogues and schemas, and the sandboxes' records for its
    whole life. Each full pass of the collector walks all of them while every request thread waits
    (about a tenth of the hook ingress's rate with the three sandboxes loaded). Garbage is collected
    once, then everything alive is moved to the permanent generation (:func:`gc.freeze`); what the
    server allocates afterwards is collected as usual. Call it once, just before serving, in a
    process that serves until it exits.
    """
    gc.collect()
    gc.freeze()


def serve(
    app: WSGIApplication,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    server: ServerName = "werkzeug",
    threads: int = WAITRESS_THREADS,
) -> ServedApp:
    """Serve ``app`` on a real port; ``port=0`` picks a free port.

    Returns once the socket is listening, so the first request never races the start-up.

    Args:
        server: ``"werkzeug"`` (a connection per request) or ``"waitress"`` (keep-alive, a worker pool);
            see the module docstring.
        threads: waitress worker threads (werkzeug starts one per request).
    """
    if server == "waitress":
        return ServedApp(_WaitressServer(app, host, port, threads))
    if server == "werkzeug":
        return ServedApp(_WerkzeugServer(app, host, port))
    raise ValueError(f"server: {server!r} is not a server this kit runs; choose 'werkzeug' or 'waitress'")
