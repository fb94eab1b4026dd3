"""The manifest's embedded schemas are checked against draft 2020-12 with static references: same verdicts."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from connector.manifest import static_meta_schema

SCHEMAS = [
    {"type": "object", "properties": {"email": {"type": "string", "format": "email"}}, "required": ["email"]},
    {"type": "array", "items": {"$ref": "#/$defs/tag"}, "$defs": {"tag": {"type": "string", "minLength": 1}}},
    {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}], "default": None},
    {"type": "object", "additionalProperties": False, "patternProperties": {"^x-": {"const": 1}}},
    {"type": "stirng"},
    {"properties": {"a": {"type": ["string", 7]}}},
    {"required": "email"},
    {"minLength": -1},
    {"items": [{"type": "string"}], "prefixItems": "no"},
    {"$defs": {"x": {"enum": "not a list"}}},
    {"dependentRequired": {"a": [1]}},
    {"allOf": []},
    {"$ref": 5},
    True,
    {"not": {"type": "object", "properties": {"deep": {"items": {"maxItems": "3"}}}}},
]


@pytest.mark.parametrize("schema", SCHEMAS, ids=range(len(SCHEMAS)))
def test_a_schema_is_judged_as_jsonschemas_own_meta_schema_judges_it(schema):
    static = Draft202012Validator(static_meta_schema("#"))
    official = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    assert static.is_valid(schema) == official.is_valid(schema)
