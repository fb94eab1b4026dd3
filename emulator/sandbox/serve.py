"""Run a sandbox on a real port, or reach it in-process through httpx.

Every sandbox is reachable both ways (house style: one HTTP seam). In-process calls through
:func:`sandbox_transport` are fast and need no sockets; :func:`serve` gives a real threaded server for
benchmarks, third-party SDKs and anything that must see real TCP behaviour. A fault that drops the
connection looks the same from both: an ``httpx.RemoteProtocolError`` (in-process) or a transport
error (real port).
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from emulator.sandbox.faults import ConnectionDropped


class _QuietRequestHandler(WSGIRequestHandler):
    """No access log lines on stderr: tests and benchmarks print their own results."""

    def log(self, type: str, message: str, *args: Any) -> None:
        return None

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class ServedApp:
    """A Flask app served on a real port in a daemon thread; stop it, or use it as a context manager."""

    def __init__(self, server: BaseWSGIServer) -> None:
        self._server = server
        host = server.server_address[0]
        self.host = host if isinstance(host, str) else str(host)
        self.port: int = server.server_port
        self.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"sandbox:{self.port}",
            daemon=True,
        )
        self._stopped = False
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, wait for the serving loop to end and release the port. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ServedApp:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def serve(app: WSGIApplication, host: str = "127.0.0.1", port: int = 0) -> ServedApp:
    """Serve ``app`` with werkzeug's threaded server; ``port=0`` picks a free port.

    Returns once the socket is listening, so the first request never races the start-up.
    """
    server = make_server(host, port, app, threaded=True, request_handler=_QuietRequestHandler)
    server.daemon_threads = True  # type: ignore[attr-defined]  # threaded=True gives a ThreadingMixIn
    return ServedApp(server)


class _SandboxWSGITransport(httpx.WSGITransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        except ConnectionDropped as exc:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from exc


def sandbox_transport(app: WSGIApplication) -> httpx.BaseTransport:
    """An in-process transport to ``app`` where a dropped connection raises ``httpx.RemoteProtocolError``.

    Use it as ``httpx.Client(transport=sandbox_transport(app), base_url="https://sandbox.test")``.
    """
    return _SandboxWSGITransport(app=app)
