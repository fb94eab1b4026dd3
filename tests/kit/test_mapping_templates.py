"""Templates and paths: what a token refers to, and the token picker's listing of a sample."""

from __future__ import annotations

import pytest

from connector.mapping import MISSING, resolve_path, sample_tokens, tokens_in
from connector.templates import PathSyntaxError, compile_template

USER = {
    "id": "00u1",
    "profile": {"firstName": "Ada", "lastName": None, "email": "ada@example.com", "age": 36},
    "tags": ["vip", "okta"],
    "items": [{"name": "first"}, {"name": "second"}],
}
CONTEXT = {"trigger": USER, "steps": {"create_contact": {"id": "c-9", "tags": ["x"]}}}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("trigger.profile.email", "ada@example.com"),
        ("trigger.tags.0", "vip"),
        ("trigger.tags[1]", "okta"),
        ("trigger.tags[-1]", "okta"),
        ("trigger.items[1].name", "second"),
        ("trigger.items.0.name", "first"),
        ("steps.create_contact.id", "c-9"),
        ('trigger["profile"].age', 36),
    ],
)
def test_nested_paths_and_list_indexes_resolve(path: str, expected: object) -> None:
    assert resolve_path(CONTEXT, path) == expected


@pytest.mark.parametrize("path", ["trigger.nope", "trigger.tags.5", "trigger.profile.email.x", "trigger.items[9].name"])
def test_a_missing_path_resolves_to_missing_not_none(path: str) -> None:
    assert resolve_path(CONTEXT, path) is MISSING


def test_a_path_that_is_null_in_the_data_resolves_to_none() -> None:
    assert resolve_path(CONTEXT, "trigger.profile.lastName") is None


@pytest.mark.parametrize("path", ["trigger..email", "trigger.", "items[x]", ""])
def test_a_malformed_path_is_refused_with_how_to_write_it(path: str) -> None:
    with pytest.raises(PathSyntaxError):
        resolve_path(CONTEXT, path)


def test_a_whole_token_keeps_the_native_type() -> None:
    assert compile_template("{{trigger.tags}}")(CONTEXT) == ["vip", "okta"]
    assert compile_template(" {{ trigger.profile.age }} ")(CONTEXT) == 36
    assert compile_template("{{trigger.profile.lastName}}")(CONTEXT) is None


def test_mixed_text_renders_to_a_string_with_missing_and_null_as_empty() -> None:
    assert compile_template("Hello {{trigger.profile.firstName}}!")(CONTEXT) == "Hello Ada!"
    assert compile_template("{{trigger.profile.lastName}}|{{trigger.nope}}|{{trigger.profile.age}}")(CONTEXT) == "||36"
    assert compile_template("tags: {{trigger.tags}}")(CONTEXT) == "tags: vip,okta"
    assert compile_template("{{trigger.nope}} {{trigger.profile.lastName}}")(CONTEXT) == ""


def test_list_templates_splice_list_tokens_and_skip_missing_ones() -> None:
    render = compile_template(["okta", "{{trigger.tags}}", "{{trigger.nope}}", "{{steps.create_contact.id}}"])
    assert render(CONTEXT) == ["okta", "vip", "okta", "c-9"]


def test_an_unclosed_token_is_an_error_not_literal_text() -> None:
    with pytest.raises(PathSyntaxError, match="unmatched"):
        compile_template("Hi {{trigger.profile.firstName")


def test_tokens_in_lists_each_path_once_in_order() -> None:
    template = {"a": "{{trigger.id}} {{ trigger.profile.email }}", "b": ["{{trigger.id}}", "{{steps.x.y}}"]}
    assert tokens_in(template) == ["trigger.id", "trigger.profile.email", "steps.x.y"]
    assert tokens_in("no tokens here") == []


def test_sample_tokens_lists_every_leaf_with_its_example_value() -> None:
    tokens = dict(sample_tokens(USER))
    assert tokens["trigger.id"] == "00u1"
    assert tokens["trigger.profile.email"] == "ada@example.com"
    assert tokens["trigger.profile.lastName"] is None
    assert tokens["trigger.tags"] == ["vip", "okta"]
    assert tokens["trigger.tags.0"] == "vip"
    assert tokens["trigger.items.1.name"] == "second"
    assert "trigger.profile" not in tokens
    every_token_resolves = all(resolve_path({"trigger": USER}, path) == value for path, value in sample_tokens(USER))
    assert every_token_resolves


def test_sample_tokens_quotes_keys_that_are_not_plain_names() -> None:
    listing = sample_tokens({"first name": "Ada", "a.b": 1}, prefix="steps.lookup")
    assert listing == [('steps.lookup["first name"]', "Ada"), ('steps.lookup["a.b"]', 1)]
    assert resolve_path({"steps": {"lookup": {"a.b": 1}}}, listing[1][0]) == 1
