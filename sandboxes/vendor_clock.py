"""Every sandbox answer carries a ``Date`` header from the sandbox's own clock, as real vendors' do.

RFC 9110 has servers send ``Date``; clients (the two-way sync) measure a vendor's clock offset from it,
and a sandbox with a skewed or hand-moved clock must show that clock, not the machine's.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response
from werkzeug.http import http_date


def install_date_header(app: Flask, clock: Callable[[], float]) -> None:
    """Stamp each answer of ``app`` with ``Date`` read from ``clock`` (epoch seconds)."""

    @app.after_request
    def vendor_date(response: Response) -> Response:
        response.headers["Date"] = http_date(clock())
        return response
