"""Coercion: trigger values become the declared type, and bad values are named with what to enter."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from connector.coercion import NestedProblems, coerce
from connector.definitions import Field
from connector.errors import BadInput
from connector.mapping import validate_input


@pytest.mark.parametrize(("raw", "expected"), [("42", 42), (42.0, 42), (" 7 ", 7), (-3, -3), ("1e3", 1000)])
def test_an_integer_field_accepts_whole_numbers_in_any_spelling(raw: Any, expected: int) -> None:
    value = coerce(raw, Field("count", type="integer"))
    assert value == expected
    assert type(value) is int


@pytest.mark.parametrize("raw", ["4.5", 4.5, "forty", True, "1_000", [1]])
def test_an_integer_field_rejects_fractions_and_words_naming_the_value(raw: Any) -> None:
    with pytest.raises(BadInput) as caught:
        validate_input((Field("count", type="integer"),), {"count": raw})
    problem = caught.value.problems[0]
    assert problem.field == "count"
    assert problem.value == raw
    assert repr(raw) in problem.message
    assert "whole number" in problem.message
    assert str(caught.value).startswith("count: ")


@pytest.mark.parametrize(("raw", "expected"), [("4.5", 4.5), ("10", 10), (3, 3), (2.5, 2.5), ("-0.25", -0.25)])
def test_a_number_field_keeps_integers_and_decimals(raw: Any, expected: float) -> None:
    assert coerce(raw, Field("price", type="number")) == expected


@pytest.mark.parametrize("raw", ["abc", "nan", "inf", float("nan"), False])
def test_a_number_field_rejects_what_is_not_a_finite_number(raw: Any) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        coerce(raw, Field("price", type="number"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("TRUE", True), ("Yes", True), ("1", True), ("on", True), (1, True), (True, True),
     ("false", False), ("No", False), ("0", False), ("OFF", False), (0, False), (False, False)],
)
def test_a_boolean_field_understands_the_usual_yes_and_no_words(raw: Any, expected: bool) -> None:
    assert coerce(raw, Field("dnd", type="boolean")) is expected


def test_a_boolean_field_rejects_maybe_and_says_which_words_work() -> None:
    with pytest.raises(BadInput) as caught:
        validate_input((Field("dnd", type="boolean"),), {"dnd": "maybe"})
    message = str(caught.value)
    assert "dnd" in message
    assert "'maybe'" in message
    assert "yes/no" in message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"),
        ("2024-01-02T03:04:05.000Z", "2024-01-02T03:04:05Z"),
        ("2024-01-02T03:04:05.120Z", "2024-01-02T03:04:05.120Z"),
        ("2024-01-02T05:04:05+02:00", "2024-01-02T03:04:05Z"),
        ("2024-01-02T03:04:05", "2024-01-02T03:04:05Z"),
        ("2024-01-02 03:04:05", "2024-01-02T03:04:05Z"),
        ("2024-01-02", "2024-01-02T00:00:00Z"),
        (1704164645, "2024-01-02T03:04:05Z"),
        ("1704164645", "2024-01-02T03:04:05Z"),
        (1704164645000, "2024-01-02T03:04:05Z"),
        (1704164645.5, "2024-01-02T03:04:05.500Z"),
        (datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "2024-01-02T03:04:05Z"),
        (date(2024, 1, 2), "2024-01-02T00:00:00Z"),
    ],
)
def test_a_datetime_field_becomes_iso_8601_in_utc(raw: Any, expected: str) -> None:
    assert coerce(raw, Field("when", type="datetime")) == expected


@pytest.mark.parametrize("raw", ["next tuesday", "2024-13-45", True, {"at": 1}])
def test_a_datetime_field_rejects_text_that_is_not_a_time(raw: Any) -> None:
    with pytest.raises(ValueError, match="is not a date or time; use ISO 8601") as caught:
        coerce(raw, Field("when", type="datetime"))
    assert repr(raw) in str(caught.value)


def test_a_list_field_takes_an_array_or_comma_separated_text_and_coerces_items() -> None:
    tags = Field("tags", type="list")
    numbers = Field("sizes", type="list", item_type="integer")
    assert coerce(["a", "b"], tags) == ["a", "b"]
    assert coerce("vip, okta ,, new", tags) == ["vip", "okta", "new"]
    assert coerce("single", tags) == ["single"]
    assert coerce("1, 2,3", numbers) == [1, 2, 3]
    assert coerce('["4", 5]', numbers) == [4, 5]


def test_a_bad_list_item_is_named_by_its_position() -> None:
    with pytest.raises(BadInput) as caught:
        validate_input((Field("sizes", type="list", item_type="integer"),), {"sizes": ["1", "x", "2.5"]})
    fields = [(p.field, p.value) for p in caught.value.problems]
    assert fields == [("sizes[1]", "x"), ("sizes[2]", "2.5")]


def test_an_email_is_trimmed_and_checked_loosely() -> None:
    email = Field("email", type="email")
    assert coerce("  ada@example.com ", email) == "ada@example.com"
    assert coerce("o'brien+tag@mail.example.co.uk", email) == "o'brien+tag@mail.example.co.uk"
    with pytest.raises(ValueError, match=r"'ada\.example\.com' is not an email address"):
        coerce("ada.example.com", email)


def test_text_fields_turn_anything_into_text() -> None:
    for kind in ("string", "text", "password"):
        f = Field("note", type=kind)
        assert coerce(42, f) == "42"
        assert coerce(True, f) == "true"
        assert coerce(["a", "b"], f) == "a,b"


def test_a_dict_field_takes_an_object_or_json_text() -> None:
    f = Field("extra", type="dict")
    assert coerce({"a": 1}, f) == {"a": 1}
    assert coerce('{"a": 1}', f) == {"a": 1}
    with pytest.raises(ValueError, match="is not an object"):
        coerce("[1, 2]", f)


def test_line_items_are_coerced_child_by_child_and_name_the_item() -> None:
    f = Field("lines", type="line_items", children=(Field("sku", required=True), Field("qty", type="integer")))
    assert coerce([{"sku": "A", "qty": "2"}, {"sku": "B"}], f) == [{"sku": "A", "qty": 2}, {"sku": "B"}]
    with pytest.raises(NestedProblems) as caught:
        coerce([{"sku": "A", "qty": "two"}, {"qty": 1, "colour": "red"}], f)
    assert [p.field for p in caught.value.problems] == ["[0].qty", "[1].colour", "[1].sku"]
