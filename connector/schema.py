"""Compile input and output fields to JSON Schema (draft 2020-12)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from connector.definitions import Field
from connector.files import FILE_SCHEMA

_SCALAR: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "text": {"type": "string"},
    "password": {"type": "string"},
    "email": {"type": "string", "format": "email"},
    "datetime": {"type": "string", "format": "date-time"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "dict": {"type": "object"},
}


def field_schema(f: Field) -> dict[str, Any]:
    """The JSON Schema of one field's value."""
    if f.type == "list":
        schema: dict[str, Any] = {"type": "array", "items": dict(_SCALAR.get(f.item_type, {"type": "string"}))}
    elif f.type == "line_items":
        schema = {"type": "array", "items": input_schema(f.children, title=None)}
    elif f.type == "file":
        schema = copy.deepcopy(FILE_SCHEMA)
    else:
        schema = dict(_SCALAR[f.type])
    if f.choices is not None:
        values = list(f.choices.keys()) if isinstance(f.choices, Mapping) else list(f.choices)
        target = schema["items"] if f.type == "list" else schema
        target["enum"] = values
    if f.nullable and "type" in schema:
        schema["type"] = [schema["type"], "null"]
    elif f.nullable and "anyOf" in schema:
        schema["anyOf"].append({"type": "null"})
    if f.label:
        schema["title"] = f.label
    if f.help_text:
        schema["description"] = f.help_text
    if f.default is not None:
        schema["default"] = f.default
    if f.examples:
        schema["examples"] = list(f.examples)
    return schema


def input_schema(fields: Sequence[Field], title: str | None = None) -> dict[str, Any]:
    """Schema for an operation's input object: declared keys only, required ones listed."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {f.key: field_schema(f) for f in fields},
        "additionalProperties": False,
    }
    required = [f.key for f in fields if f.required]
    if required:
        schema["required"] = required
    if title:
        schema["title"] = title
    return schema


def output_schema(fields: Sequence[Field], primary_keys: Sequence[str] = ()) -> dict[str, Any]:
    """Schema for one output object. Dotted keys nest; unknown keys are allowed (APIs grow)."""
    root: dict[str, Any] = {"type": "object", "properties": {}}
    for f in fields:
        node = root
        parts = f.key.split(".")
        for part in parts[:-1]:
            child = node["properties"].setdefault(part, {"type": "object", "properties": {}})
            node = child
        node["properties"][parts[-1]] = field_schema(f)
        if f.required:
            node.setdefault("required", [])
            if parts[-1] not in node["required"]:
                node["required"].append(parts[-1])
    required = list(root.get("required", []))
    for key in primary_keys:
        top = key.split(".")[0]
        if top not in required:
            required.append(top)
    if required:
        root["required"] = required
    return root
