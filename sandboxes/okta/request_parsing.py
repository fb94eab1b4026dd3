"""Reading query parameters and JSON bodies with Okta's error codes for bad input."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from sandboxes.okta.errors import OktaError, validation_error


def json_body(required: bool = True) -> Any:
    """The request's JSON body; 400 E0000003 when it is not well-formed JSON."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise OktaError("E0000003", causes=["body: a JSON object is required"])
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise OktaError("E0000003", causes=[f"body: {exc}"]) from None


def int_param(name: str, default: int, maximum: int, minimum: int = 1) -> int:
    """An integer query parameter; values above ``maximum`` are capped like Okta does."""
    text = request.args.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise validation_error(name, f"'{text}' is not a whole number") from None
    if value < minimum:
        raise validation_error(name, f"must be at least {minimum}")
    return min(value, maximum)


def bool_param(name: str, default: bool) -> bool:
    text = request.args.get(name)
    if text is None or text == "":
        return default
    lowered = text.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise validation_error(name, f"'{text}' is not a boolean; use true or false")
