"""The compiled manifest validator (the fast answer) and jsonschema (the explained one) agree.

``validate_manifest`` asks jsonschema-rs first and only runs jsonschema to explain a refusal, so a
manifest the compiled validator passes must be one jsonschema passes too. Hypothesis breaks real
manifests of the shipped apps in the ways authors do (a wrong type, a missing member, an unknown
member, a broken embedded schema) and both must give the same verdict.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.manifest import _compiled_validator, _validator, build_manifest, validate_manifest
from connector.registry import load_apps

MANIFESTS = {key: build_manifest(app) for key, app in load_apps().items()}

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["", "x", "Not A Key", "1.0", "object", "strnig"]),
    lambda inner: st.lists(inner, max_size=2)
    | st.dictionaries(st.sampled_from(["type", "key", "x"]), inner, max_size=2),
    max_leaves=4,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every member and item path of a JSON document."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _sliced(document: dict[str, Any]) -> dict[str, Any]:
    """The manifest with its first few operations of each kind: every shape, a fraction of the work."""
    return {key: value[:6] if isinstance(value, list) else value for key, value in document.items()}


SLICES = {key: _sliced(document) for key, document in MANIFESTS.items()}
PATHS = {key: _paths(document) for key, document in SLICES.items()}


@st.composite
def broken_manifests(draw: st.DrawFn) -> dict[str, Any]:
    key = draw(st.sampled_from(sorted(MANIFESTS)))
    document = copy.deepcopy(SLICES[key])
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS[key]))
        parent: Any = document
        try:
            for step in path[:-1]:
                parent = parent[step]
            last = path[-1]
            how = draw(st.sampled_from(["replace", "delete", "add"]))
            if how == "replace":
                parent[last] = draw(JSON_VALUES)
            elif how == "delete" and isinstance(parent, dict):
                del parent[last]
            elif isinstance(parent, dict):
                parent[draw(st.sampled_from(["extra", "$ref", "typo"]))] = draw(JSON_VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this place
    return document


@pytest.mark.parametrize("key", sorted(MANIFESTS))
def test_the_shipped_manifests_pass_both(key: str) -> None:
    assert _compiled_validator().is_valid(MANIFESTS[key])
    assert not list(_validator().iter_errors(MANIFESTS[key]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_manifests())
def test_both_validators_give_the_same_verdict(document: dict[str, Any]) -> None:
    explained = list(_validator().iter_errors(document))
    assert _compiled_validator().is_valid(document) == (not explained), [e.message for e in explained[:3]]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_manifests())
def test_a_refused_manifest_always_says_where_and_why(document: dict[str, Any]) -> None:
    problems = validate_manifest(document)
    assert bool(problems) == bool(list(_validator().iter_errors(document)))
    for problem in problems:
        assert problem.rule == "manifest-schema" and problem.message and problem.location
