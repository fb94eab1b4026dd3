"""Small constructors for the JSON responses the routes send."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from flask import Response


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def json_array_response(items: Iterable[bytes]) -> Response:
    """A JSON array from already-serialised items (the cached collection form of users)."""
    return Response(b"[" + b",".join(items) + b"]", mimetype="application/json")


def no_content() -> Response:
    return Response(status=204)
