"""A one-shot local HTTP server that receives the OAuth redirect for the CLI (``--oauth``).

The CLI prints the authorize URL, the user consents in a browser, and the provider redirects to
``http://127.0.0.1:<port>/callback?code=...&state=...``; this server answers that one request and hands
its query parameters back. It binds to loopback only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connector.errors import TimeLimit

CALLBACK_PATH = "/callback"
_PAGE = b"<!doctype html><title>Connected</title><p>You can close this tab and return to the terminal.</p>"


def redirect_uri_for(port: int) -> str:
    return f"http://127.0.0.1:{port}{CALLBACK_PATH}"


def wait_for_callback(
    port: int, on_ready: Callable[[str], None], *, timeout: float = 300.0
) -> dict[str, str]:
    """Serve ``/callback`` on ``127.0.0.1:port``, call ``on_ready(redirect_uri)``, return the callback's params.

    Raises:
        TimeLimit: no callback arrived within ``timeout`` seconds.
    """
    received: dict[str, str] = {}
    arrived = threading.Event()

    class CallbackHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != CALLBACK_PATH:
                self.send_error(404)
                return
            received.update({k: v[0] for k, v in parse_qs(parts.query).items()})
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(_PAGE)))
            self.end_headers()
            self.wfile.write(_PAGE)
            arrived.set()

        def log_message(self, format: str, *args: Any) -> None:  # the query holds the code: never log it
            return None

    server = HTTPServer(("127.0.0.1", port), CallbackHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        on_ready(redirect_uri_for(server.server_port))
        if not arrived.wait(timeout):
            raise TimeLimit(f"no OAuth callback arrived on {redirect_uri_for(port)} within {timeout:g} s; try again")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    return received
