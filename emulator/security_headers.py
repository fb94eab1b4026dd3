"""Response headers that keep the emulator's pages from being framed, sniffed or leaking their URL.

* ``Content-Security-Policy``: scripts, styles, images and fetches only from the emulator itself (the
  pages have no inline script; some markup keeps inline ``style`` attributes), forms post only to it,
  and no other site may frame it (``frame-ancestors 'none'``; clickjacking).
* ``X-Frame-Options: DENY`` for browsers that predate ``frame-ancestors``.
* ``X-Content-Type-Options: nosniff``: a JSON answer is never run as a script or rendered as HTML.
* ``Referrer-Policy: no-referrer``: the URLs of the emulator (run and flow ids, the start URL's token
  before it is dropped) are not sent to the vendors' pages the UI links to.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def add_security_headers(response: Response) -> Response:
    """``after_request`` hook: the headers above, unless a view chose its own."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_security_headers(app: Flask) -> None:
    """Add the headers to every answer ``app`` gives through Flask (idempotent)."""
    if app.extensions.get("emulator_security_headers"):
        return
    app.extensions["emulator_security_headers"] = True
    app.after_request(add_security_headers)
