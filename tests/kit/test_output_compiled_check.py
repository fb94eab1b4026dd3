"""The compiled output check (jsonschema-rs) never accepts what jsonschema refuses, for every installed schema.

``results_match_their_output_schema`` asks the compiled validator first and asks jsonschema only about an
item it refused, so the compiled answer "valid" must be one jsonschema agrees with.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.definitions import Action, Trigger
from connector.errors import ResultError
from connector.registry import load_apps
from connector.result_checks import check_result
from connector.schema import output_schema
from connector.schema_check import compiled

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
    | st.sampled_from(["ACTIVE", "", "2026-01-01T00:00:00Z", "a@b.c", 1.0, 2**70]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)

OPERATIONS = [op for app in load_apps().values() for op in app.operations]


def _schema(op: Any) -> dict[str, Any]:
    return output_schema(op.output_fields, op.primary_keys if isinstance(op, Trigger) else ())


def mutations(sample: dict[str, Any], value: Any) -> list[dict[str, Any]]:
    """The sample with each of its keys (and each key of a nested object) set to ``value``."""
    out = []
    for key, old in sample.items():
        out.append({**sample, key: value})
        if isinstance(old, dict):
            out += [{**sample, key: inner} for inner in mutations(old, value)]
    return out


@settings(max_examples=60, deadline=None)
@given(value=JSON)
def test_the_compiled_check_gives_jsonschemas_verdict(value: Any) -> None:
    for op in OPERATIONS:
        schema = _schema(op)
        quick = compiled(schema)
        validator = jsonschema.Draft202012Validator(schema)
        for candidate in [value, *mutations(dict(op.sample or {}), value)]:
            assert quick.is_valid(candidate) == validator.is_valid(candidate), (op.qualified_key, candidate)


ACTIONS = [op for op in OPERATIONS if isinstance(op, Action)][:20]


@pytest.mark.parametrize("op", ACTIONS, ids=lambda op: op.qualified_key)
def test_a_result_off_its_schema_is_refused_with_the_path(op: Any) -> None:
    sample = dict(op.sample or {})
    key = next((k for k, v in sample.items() if isinstance(v, str)), None)
    if key is None:
        pytest.skip("no string member to break")
    with pytest.raises(ResultError, match=f"at {key}"):
        check_result(op, {**sample, key: 12345}, strict=True)
