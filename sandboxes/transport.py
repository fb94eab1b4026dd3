"""Reach a sandbox in-process through httpx, with a dropped connection looking as it does on a real port.

In-process calls are fast and need no sockets; a fault that drops the connection raises
``httpx.RemoteProtocolError`` here and a transport error on a real port (``emulator.serving.serve``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from sandboxes.faults import ConnectionDropped

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


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
