"""Reach a sandbox in-process through httpx, with a dropped connection looking as it does on a real port.

In-process calls are fast and need no sockets; a fault that drops the connection raises
``httpx.RemoteProtocolError`` here and a transport error on a real port (``emulator.serving.serve``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from sandboxes.faults import ConnectionDropped

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


def _wsgi_path(app: WSGIApplication) -> WSGIApplication:
    """``app`` given ``PATH_INFO`` as WSGI (PEP 3333) spells it: the path's UTF-8 bytes read as latin-1.

    httpx's WSGI transport hands over the decoded text itself, so a path holding a non-ASCII character
    (a login such as ``jürgen@example.com`` in a user path, escaped on the wire) reaches Flask wrong, or
    crashes werkzeug for characters beyond latin-1. A real server passes the bytes; so does this.
    """

    def fixed(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if not path.isascii():
            environ["PATH_INFO"] = path.encode("utf-8").decode("latin-1")
        return app(environ, start_response)

    return fixed


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
    return _SandboxWSGITransport(app=_wsgi_path(app))
