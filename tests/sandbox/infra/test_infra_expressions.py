from __future__ import annotations

from typing import Any

import pytest

from sandboxes.okta.expressions import (
    GROUP_FILTER,
    GROUP_SEARCH,
    LOG_FILTER,
    USER_FILTER,
    USER_SEARCH,
    ExpressionError,
    ExpressionRules,
    compile_expression,
)

ANA: dict[str, Any] = {
    "id": "00u1ana",
    "status": "ACTIVE",
    "created": "2024-01-01T10:00:00.000Z",
    "lastUpdated": "2024-03-05T12:00:00.000Z",
    "type": {"id": "oty1"},
    "profile": {
        "login": "ana.silva@example.com", "email": "Ana.Silva@example.com", "firstName": "Ana",
        "lastName": "Silva", "employeeNumber": "100042", "age": 34, "manager": None, "vip": True,
        "tags": ["admin", "emea"],
    },
}
BEN: dict[str, Any] = {
    "id": "00u2ben",
    "status": "DEPROVISIONED",
    "created": "2023-06-01T08:00:00.000Z",
    "lastUpdated": "2024-01-02T03:04:05.000Z",
    "profile": {"login": "ben.ng@example.com", "email": "ben.ng@example.com", "firstName": "Ben",
                "lastName": "Ng", "age": 51, "vip": False},
}
USERS = [ANA, BEN]


def matching(text: str, rules: ExpressionRules = USER_SEARCH, objects: list[dict[str, Any]] = USERS) -> list[str]:
    predicate = compile_expression(text, rules)
    return [str(obj.get("id") or obj.get("uuid")) for obj in objects if predicate(obj)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('status eq "ACTIVE"', ["00u1ana"]),
        ('status ne "ACTIVE"', ["00u2ben"]),
        ("profile.age gt 34", ["00u2ben"]),
        ("profile.age ge 34", ["00u1ana", "00u2ben"]),
        ("profile.age lt 51", ["00u1ana"]),
        ("profile.age le 51", ["00u1ana", "00u2ben"]),
        ('profile.login sw "ben."', ["00u2ben"]),
        ('profile.email co "silva"', ["00u1ana"]),
        ("profile.manager pr", []),
        ("profile.tags pr", ["00u1ana"]),
        ("profile.vip eq true", ["00u1ana"]),
        ("profile.vip eq false", ["00u2ben"]),
        ("profile.manager eq null", ["00u1ana", "00u2ben"]),
        ('type.id eq "oty1"', ["00u1ana"]),
    ],
)
def test_each_operator_selects_the_right_users(text: str, expected: list[str]) -> None:
    assert matching(text) == expected


def test_operators_and_keywords_are_case_insensitive() -> None:
    assert matching('status Eq "ACTIVE" AND profile.age GT 3', USER_SEARCH) == ["00u1ana"]
    assert matching('status EQ "DEPROVISIONED" Or id eq "00u1ana"', USER_FILTER) == ["00u1ana", "00u2ben"]


def test_timestamps_compare_as_instants_whatever_their_precision() -> None:
    assert matching('lastUpdated gt "2024-01-02T03:04:05Z"', USER_FILTER) == ["00u1ana"]
    assert matching('lastUpdated eq "2024-01-02T03:04:05Z"', USER_FILTER) == ["00u2ben"]
    assert matching('lastUpdated ge "2024-01-02T04:04:05+01:00"', USER_FILTER) == ["00u1ana", "00u2ben"]
    assert matching('created lt "2024-01-01T00:00:00.000Z"') == ["00u2ben"]


def test_and_binds_tighter_than_or() -> None:
    text = 'status eq "DEPROVISIONED" or status eq "ACTIVE" and profile.age gt 40'
    assert matching(text) == ["00u2ben"]


def test_parentheses_override_precedence() -> None:
    text = '(status eq "DEPROVISIONED" or status eq "ACTIVE") and profile.age lt 40'
    assert matching(text) == ["00u1ana"]
    assert matching('((((status eq "ACTIVE"))))') == ["00u1ana"]


def test_not_negates_a_parenthesised_condition() -> None:
    assert matching('not (status eq "ACTIVE")') == ["00u2ben"]
    assert matching('not (status eq "ACTIVE" or profile.age gt 40)') == []


def test_search_ignores_case_on_profile_strings_but_filter_does_not() -> None:
    assert matching('profile.email eq "ana.silva@EXAMPLE.com"', USER_SEARCH) == ["00u1ana"]
    assert matching('profile.firstName sw "an"', USER_SEARCH) == ["00u1ana"]
    assert matching('profile.email eq "ana.silva@EXAMPLE.com"', USER_FILTER) == []
    assert matching('profile.email eq "Ana.Silva@example.com"', USER_FILTER) == ["00u1ana"]
    assert matching('status eq "active"', USER_SEARCH) == []


def test_an_array_attribute_matches_when_any_element_does() -> None:
    assert matching('profile.tags eq "emea"') == ["00u1ana"]


def test_a_missing_attribute_matches_only_absence_tests() -> None:
    assert matching('profile.nickname eq "x"') == []
    assert matching('profile.nickname ne "x"') == ["00u1ana", "00u2ben"]
    assert matching("profile.nickname pr") == []


def test_string_literals_unescape_quotes_and_backslashes() -> None:
    odd = {"id": "x", "profile": {"lastName": 'O"Brien\\Jr'}}
    assert matching(r'profile.lastName eq "O\"Brien\\Jr"', USER_SEARCH, [odd]) == ["x"]


def test_comparisons_across_types_are_false_not_errors() -> None:
    assert matching('profile.age eq "34"') == []
    assert matching('profile.login gt 3') == []


def test_a_log_target_id_matches_any_target_in_the_list() -> None:
    events = [
        {"uuid": "e1", "eventType": "user.lifecycle.create", "published": "2024-05-01T00:00:00.000Z",
         "target": [{"id": "00u1", "type": "User"}, {"id": "00g9", "type": "UserGroup"}],
         "outcome": {"result": "SUCCESS"}},
        {"uuid": "e2", "eventType": "group.user_membership.add", "published": "2024-05-02T00:00:00.000Z",
         "target": [{"id": "00u2", "type": "User"}], "outcome": {"result": "FAILURE"}},
    ]
    assert matching('target.id eq "00g9"', LOG_FILTER, events) == ["e1"]
    assert matching('eventType sw "user." and outcome.result eq "SUCCESS"', LOG_FILTER, events) == ["e1"]
    assert matching('not (eventType co "membership")', LOG_FILTER, events) == ["e1"]
    assert matching('published gt "2024-05-01T12:00:00Z"', LOG_FILTER, events) == ["e2"]


def test_group_rules_accept_their_documented_attributes() -> None:
    groups = [{"id": "00g1", "type": "OKTA_GROUP", "lastUpdated": "2024-01-01T00:00:00.000Z",
               "profile": {"name": "Engineering", "description": "Builders"}}]
    assert matching('type eq "OKTA_GROUP" and lastUpdated lt "2025-01-01T00:00:00Z"', GROUP_FILTER, groups)
    assert matching('profile.name co "engine"', GROUP_SEARCH, groups) == ["00g1"]


def _error(text: str, rules: ExpressionRules = USER_FILTER) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text, rules)
    return caught.value


def test_an_unknown_operator_is_named_with_the_valid_ones() -> None:
    error = _error('status equals "ACTIVE"')
    assert "unknown operator 'equals'" in str(error)
    assert "eq, ne" in str(error)
    assert error.position == 7


def test_an_unterminated_string_says_where_it_starts() -> None:
    error = _error('status eq "ACTIVE')
    assert "unterminated string" in str(error)
    assert error.position == 10


def test_an_operator_not_allowed_for_the_attribute_lists_what_is() -> None:
    error = _error('profile.email sw "ana"', USER_FILTER)
    assert "operator 'sw' is not allowed on 'profile.email' in filter" in str(error)
    assert "allowed: eq" in str(error)
    assert "co" in str(_error('status co "ACT"', USER_SEARCH))


def test_not_is_refused_under_the_user_filter() -> None:
    error = _error('not (status eq "ACTIVE")', USER_FILTER)
    assert "'not' is not supported in filter" in str(error)


def test_an_attribute_outside_the_rules_is_refused() -> None:
    error = _error('profile.city eq "Boston"', USER_FILTER)
    assert "attribute 'profile.city' cannot be used in filter" in str(error)
    assert "profile.login" in str(error)
    assert "cannot be used" in str(_error('foo.bar eq "x"', LOG_FILTER))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('status eq "ACTIVE" status eq "STAGED"', "join conditions with 'and' or 'or'"),
        ('status eq "ACTIVE")', "')' without a matching '('"),
        ('(status eq "ACTIVE"', "missing ')'"),
        ("", "empty"),
        ("status eq", "needs a value"),
        ("status eq ACTIVE", 'quote strings, e.g. status eq "ACTIVE"'),
        ("status", "must be followed by an operator"),
        ('status = "ACTIVE"', "compare with eq"),
        ("status eq 'ACTIVE'", "double quotes"),
        ('status eq "ACTIVE" and', "expected an attribute name"),
        ('status eq "A\\q"', "unknown escape"),
        ("lastUpdated gt null", "needs a string, number or timestamp"),
    ],
)
def test_bad_expressions_get_a_clear_message(text: str, fragment: str) -> None:
    error = _error(text)
    assert fragment in str(error)
    assert str(error).startswith("invalid filter")


def test_sw_needs_a_string_value() -> None:
    assert "quoted string" in str(_error("profile.age sw 3", USER_SEARCH))


def test_not_needs_parentheses() -> None:
    assert "parenthesised" in str(_error('not status eq "ACTIVE"', USER_SEARCH))


def test_absurd_nesting_and_length_are_refused_not_crashing() -> None:
    assert "nested deeper" in str(_error("(" * 200 + 'status eq "A"' + ")" * 200))
    assert "limit" in str(_error('status eq "' + "x" * 5000 + '"'))


def test_a_compiled_filter_is_fast_over_many_users() -> None:
    predicate = compile_expression('status eq "ACTIVE" and lastUpdated gt "2024-01-01T00:00:00Z"', USER_FILTER)
    assert sum(predicate(ANA if n % 2 else BEN) for n in range(20_000)) == 10_000
