"""Request checks worded like HighLevel's (NestJS class-validator) 422 messages.

A rule table names each accepted field and its kind; :func:`check_body` collects every broken rule
and raises one 422 listing them all, e.g. ``["email must be an email", "property foo should not exist"]``.
Unknown fields are refused (class-validator's ``forbidNonWhitelisted``), which is how HighLevel
answers a misspelt field name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import request

from sandboxes.contacts.errors import bad_request, unprocessable

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z0-9-]{2,}$")


def json_object() -> dict[str, Any]:
    """The request's JSON body, which must be an object (400 otherwise)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object (send Content-Type: application/json)")
    return body


def _is_iso_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _field_problem(name: str, kind: str, value: Any) -> str | None:
    if kind == "string":
        return None if isinstance(value, str) else f"{name} must be a string"
    if kind == "email":
        return None if isinstance(value, str) and EMAIL_PATTERN.match(value) else f"{name} must be an email"
    if kind == "boolean":
        return None if isinstance(value, bool) else f"{name} must be a boolean value"
    if kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else f"{name} must be a number conforming to the specified constraints"
    if kind == "list":
        return None if isinstance(value, list) else f"{name} must be an array"
    if kind == "date":
        return None if _is_iso_date(value) else f"{name} must be a valid ISO 8601 date string"
    if kind == "string_list":
        if not isinstance(value, list):
            return f"{name} must be an array"
        return None if all(isinstance(item, str) for item in value) else f"each value in {name} must be a string"
    if kind == "custom_fields":
        if not isinstance(value, list):
            return f"{name} must be an array"
        for position, item in enumerate(value):
            if not isinstance(item, dict):
                return f"{name}.{position} must be an object"
            if not isinstance(item.get("id"), str) or not item["id"]:
                return f"{name}.{position}.id must be a string: the id of one of the location's custom fields"
            unknown = [field for field in item if field not in ("id", "key", "field_value")]
            if unknown:
                return f"{name}.{position}.property {unknown[0]} should not exist"
            if "key" in item and not isinstance(item["key"], str):
                return f"{name}.{position}.key must be a string"
        return None
    raise ValueError(f"unknown rule kind {kind!r} for {name}")


def check_body(body: Mapping[str, Any], rules: Mapping[str, str], *, required: tuple[str, ...] = ()) -> None:
    """Raise one 422 listing every unknown field, missing required field and wrong value.

    ``None`` is accepted for optional fields (it clears them), as class-validator's ``IsOptional`` does.
    """
    problems: list[str] = [f"property {name} should not exist" for name in body if name not in rules]
    for name in required:
        value = body.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(f"{name} should not be empty")
    for name, kind in rules.items():
        if name in body and body[name] is not None:
            problem = _field_problem(name, kind, body[name])
            if problem:
                problems.append(problem)
    if problems:
        raise unprocessable(problems)


def query_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    """An integer query parameter within bounds (422 naming the parameter otherwise)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise unprocessable([f"{name} must be an integer number"]) from None
    if value < minimum:
        raise unprocessable([f"{name} must not be less than {minimum}"])
    if maximum is not None and value > maximum:
        raise unprocessable([f"{name} must not be greater than {maximum}"])
    return value


def required_query(name: str) -> str:
    value = request.args.get(name, "").strip()
    if not value:
        raise unprocessable([f"{name} should not be empty"])
    return value
