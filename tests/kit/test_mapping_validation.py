"""Schema validation: the fast path skips only what coercion provably guarantees."""

from __future__ import annotations

import random
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import connector.mapping as mapping_module
from connector.coercion import DROP, REQUIRED_EMPTY, finisher_for
from connector.definitions import FIELD_TYPES, Field
from connector.errors import BadInput
from connector.mapping import FieldMapping, validate_input
from connector.schema import input_schema

LINE = (Field("sku", required=True), Field("qty", type="integer"))
EVERY_KIND = (
    *(Field(f"f_{kind}", type=kind, children=LINE) for kind in FIELD_TYPES),  # type: ignore[arg-type]
    Field("choice", choices=("a", "b")),
    Field("choice_list", type="list", choices=("a", "b")),
    Field("numbers", type="list", item_type="number"),
    Field("maybe", type="integer", nullable=True),
    Field("when_list", type="list", item_type="datetime"),
)

ODD_VALUES: list[Any] = [
    "", " ", "a", "b", "42", "4.5", "-1", "1e3", "yes", "off", "2024-01-02", "2024-01-02T03:04:05+01:00",
    "1704164645", "ada@example.com", " x@y.z ", "a@b", "a, b", '["a", "b"]', '{"k": 1}', "[1, 2]", "nan",
    0, 1, 2, -7, 4.5, 1e20, True, False, None, [], ["a"], ["1", 2, None], [{"sku": "A", "qty": "2"}],
    [{"sku": ""}], {"sku": "Z"}, {"k": "v"}, [[1]], 1704164645000,
    "https://files.example.com/logo.png", {"content_base64": "aGk=", "filename": "hi.txt"}, {"url": "http://x"},
]


def test_whatever_coercion_accepts_the_full_schema_accepts_too() -> None:
    """The claim behind skipping jsonschema per record, checked against the real validator."""
    rng = random.Random(3)
    validator = Draft202012Validator(input_schema(EVERY_KIND), format_checker=mapping_module._FORMATS)
    finishers = [(f.key, finisher_for(f)) for f in EVERY_KIND]
    checked = 0
    for _ in range(400):
        values: dict[str, Any] = {}
        for key, finish in finishers:
            raw = rng.choice(ODD_VALUES)
            try:
                value = finish(raw)
            except ValueError:
                continue
            if value is not DROP and value is not REQUIRED_EMPTY:
                values[key] = value
        errors = [e.message for e in validator.iter_errors(values)]
        assert errors == [], (values, errors)
        checked += len(values)
    assert checked > 1000


def test_no_field_type_needs_jsonschema_on_the_fast_path() -> None:
    assert mapping_module._plan_for(EVERY_KIND).residual is None


def test_a_schema_rule_coercion_does_not_enforce_is_still_checked_per_record(monkeypatch: pytest.MonkeyPatch) -> None:
    def stricter(fields: Any, title: str | None = None) -> dict[str, Any]:
        schema = input_schema(fields, title)
        schema["properties"]["code"]["maxLength"] = 3
        return schema

    monkeypatch.setattr(mapping_module, "input_schema", stricter)
    mapping_module._PLANS.clear()
    fields = (Field("code"), Field("name"))
    try:
        mapping = FieldMapping(fields, {"code": "{{trigger.code}}", "name": "{{trigger.name}}"})
        assert mapping.render({"trigger": {"code": "abc", "name": "long enough to pass"}}) == {
            "code": "abc", "name": "long enough to pass",
        }
        with pytest.raises(BadInput) as caught:
            mapping.render({"trigger": {"code": "abcdef", "name": "n"}})
        assert caught.value.problems[0].field == "code"
        assert caught.value.problems[0].value == "abcdef"
        assert "too long" in caught.value.problems[0].message
    finally:
        mapping_module._PLANS.clear()


def test_strict_rendering_and_preview_run_the_whole_schema_with_the_same_verdicts() -> None:
    fields = (Field("email", type="email", required=True), Field("when", type="datetime"), Field("n", type="number"))
    templates = {"email": "{{trigger.email}}", "when": "{{trigger.when}}", "n": "{{trigger.n}}"}
    fast, strict = FieldMapping(fields, templates), FieldMapping(fields, templates, strict=True)
    record = {"trigger": {"email": "ada@example.com", "when": 0, "n": "2.5"}}
    assert fast.render(record) == strict.render(record) == {
        "email": "ada@example.com", "when": "1970-01-01T00:00:00Z", "n": 2.5,
    }
    assert fast.preview(record).ok
    bad = {"trigger": {"email": "ada", "when": "soon", "n": "x"}}
    for mapping in (fast, strict):
        with pytest.raises(BadInput) as caught:
            mapping.render(bad)
        assert [p.field for p in caught.value.problems] == ["email", "when", "n"]


def test_direct_input_always_meets_the_whole_schema() -> None:
    fields = (Field("count", type="integer", required=True),)
    assert validate_input(fields, {"count": 3.0}) == {"count": 3}
    with pytest.raises(BadInput, match="count: is required; give it a value"):
        validate_input(fields, {})


def test_a_field_set_with_unhashable_choices_is_still_compiled_once() -> None:
    fields = (Field("plan", choices={"gold": "Gold"}, default="gold"),)
    assert mapping_module._plan_for(fields) is mapping_module._plan_for(fields)
    assert validate_input(fields, {}) == {"plan": "gold"}
