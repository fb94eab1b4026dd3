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


def test_an_embedded_schema_checked_before_is_still_reported_wherever_it_is_broken():
    import copy
    import importlib

    from connector.manifest import build_manifest, validate_manifest

    document = build_manifest(importlib.import_module("connector.apps.okta.app").APP)
    first, second = document["triggers"][0], document["triggers"][1]
    good = {"type": "object", "properties": {"id": {"type": "string"}}}
    first["outputSchema"] = second["outputSchema"] = good
    assert validate_manifest(document) == []  # now remembered as checked
    broken = copy.deepcopy(document)
    broken["triggers"][1]["outputSchema"] = {"type": "object", "properties": {"id": {"type": "strnig"}}}
    problems = validate_manifest(broken)
    assert len(problems) == 1
    assert second["key"] in problems[0].location and "outputSchema" in problems[0].location
