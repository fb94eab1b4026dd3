"""The quick output check never accepts what jsonschema refuses, for every installed operation's schema."""

from __future__ import annotations

from typing import Any

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.definitions import Trigger
from connector.fast_check import compile_check
from connector.registry import load_apps
from connector.schema import output_schema

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
    | st.sampled_from(["ACTIVE", "", "2026-01-01T00:00:00Z", "a@b.c"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def schemas() -> list[dict[str, Any]]:
    found = []
    for app in load_apps().values():
        for op in app.operations:
            found.append(output_schema(op.output_fields, op.primary_keys if isinstance(op, Trigger) else ()))
    return found


SCHEMAS = schemas()


def mutations(sample: dict[str, Any], value: Any) -> list[dict[str, Any]]:
    """The sample with each of its keys (and each key of a nested object) set to ``value``."""
    out = []
    for key, old in sample.items():
        out.append({**sample, key: value})
        if isinstance(old, dict):
            out += [{**sample, key: inner} for inner in mutations(old, value)]
    return out


def test_every_generated_output_schema_gets_a_quick_check():
    assert SCHEMAS and all(compile_check(schema) is not None for schema in SCHEMAS)


@settings(max_examples=150, deadline=None)
@given(value=JSON)
def test_the_quick_check_accepts_only_what_jsonschema_accepts(value: Any) -> None:
    for app in load_apps().values():
        for op in app.operations:
            schema = output_schema(op.output_fields, op.primary_keys if isinstance(op, Trigger) else ())
            quick = compile_check(schema)
            assert quick is not None
            validator = jsonschema.Draft202012Validator(schema)
            for candidate in [value, *mutations(dict(op.sample or {}), value)]:
                if quick(candidate):
                    assert validator.is_valid(candidate), (op.qualified_key, candidate)


def test_the_quick_check_accepts_each_operations_own_sample():
    for app in load_apps().values():
        for op in app.operations:
            schema = output_schema(op.output_fields, op.primary_keys if isinstance(op, Trigger) else ())
            if op.sample and jsonschema.Draft202012Validator(schema).is_valid(dict(op.sample)):
                assert compile_check(schema)(dict(op.sample)), op.qualified_key
