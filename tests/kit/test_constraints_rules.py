"""``validate``'s cross-field rules: the valid example passes, each anti-example is caught where it is."""

from __future__ import annotations

from dataclasses import replace

import pytest
from manifest_examples import ANTI_EXAMPLES, PERSON_EVENT, VALID_APP, AntiExample, with_input_field, with_operation

from connector.constraints import RULES, Problem, check_rules
from connector.definitions import AuthSpec, Field
from connector.manifest import validate_app


def _found(app, rule: str) -> list[Problem]:
    return [p for p in validate_app(app) if p.rule == rule]


def test_the_valid_example_has_no_problems():
    assert validate_app(VALID_APP) == []
    assert check_rules(VALID_APP) == []


@pytest.mark.parametrize("example", ANTI_EXAMPLES, ids=lambda e: e.name)
def test_each_anti_example_is_reported_by_its_rule_at_its_location(example: AntiExample):
    problems = validate_app(example.app)
    assert any(p.rule == example.rule and p.location == example.location for p in problems), problems
    matching = next(p for p in problems if p.rule == example.rule and p.location == example.location)
    assert "; " in matching.message, "a message says what is wrong and then what to do"


@pytest.mark.parametrize("example", ANTI_EXAMPLES, ids=lambda e: e.name)
def test_each_anti_example_breaks_only_its_own_rule(example: AntiExample):
    rules = {p.rule for p in check_rules(example.app)}
    overlaps = {"sample-matches-output"} if example.rule == "trigger-primary-keys" else set()
    assert rules - overlaps == {example.rule}


def test_every_registered_rule_has_an_anti_example():
    rule_names = {p.rule for example in ANTI_EXAMPLES for p in check_rules(example.app)}
    assert len(RULES) == 10
    for rule in RULES:
        assert any(rule(example.app) for example in ANTI_EXAMPLES), f"{rule.__name__} never fires"
    assert rule_names == {
        "unique-keys", "sample-matches-output", "trigger-primary-keys", "dynamic-choices", "operation-functions",
        "defaults", "field-types", "auth", "record-types", "search-or-create",
    }


def test_a_problem_prints_as_location_rule_and_message():
    problem = Problem("okta.triggers.new_user.sample.id", "trigger-primary-keys", "missing; add it")
    assert str(problem) == "okta.triggers.new_user.sample.id: [trigger-primary-keys] missing; add it"


def test_a_duplicate_operation_key_names_the_operation_it_clashes_with():
    app = replace(VALID_APP, actions=(*VALID_APP.actions, replace(VALID_APP.actions[0], key="find_group")))
    (problem,) = _found(app, "unique-keys")
    assert problem.location == "directory.searches.find_group"
    assert "directory.actions.find_group" in problem.message


def test_duplicate_children_of_line_items_are_located_under_children():
    phones = VALID_APP.operation("create_person").input_fields[-1]
    app = with_input_field(VALID_APP, "create_person", "phones", children=(*phones.children, phones.children[0]))
    assert [p.location for p in _found(app, "unique-keys")] == [
        "directory.actions.create_person.input_fields.phones.children.number",
    ]


def test_a_sample_reports_every_mismatch_at_its_own_path():
    sample = {"id": 7, "status": "GONE", "profile": {"email": "nope"}, "created": "2024-01-02T03:04:05Z"}
    app = with_operation(VALID_APP, "new_person", sample=sample)
    assert sorted(p.location for p in _found(app, "sample-matches-output")) == [
        "directory.triggers.new_person.sample.id",
        "directory.triggers.new_person.sample.profile.email",
        "directory.triggers.new_person.sample.status",
    ]


def test_a_trigger_id_must_be_a_primitive_value():
    app = with_operation(VALID_APP, "person_event", sample={"uuid": {"nested": 1}})
    problems = _found(app, "trigger-primary-keys")
    assert [p.location for p in problems] == ["directory.triggers.person_event.sample.uuid"]
    assert "non-empty string or a number" in problems[0].message


def test_a_trigger_with_no_primary_keys_is_told_to_declare_them():
    app = with_operation(VALID_APP, "new_person", primary_keys=())
    assert [p.location for p in _found(app, "trigger-primary-keys")] == [
        "directory.triggers.new_person.primary_keys",
    ]


def test_a_nested_primary_key_is_found_in_the_output_and_the_sample():
    app = with_operation(VALID_APP, "person_event", primary_keys=("uuid", "person.id"))
    assert validate_app(app) == []


def test_a_trigger_without_output_fields_only_needs_its_id_in_the_sample():
    app = with_operation(VALID_APP, "new_person", output_fields=())
    assert check_rules(app) == []


def test_a_dynamic_label_the_search_does_not_return_is_reported():
    app = with_input_field(VALID_APP, "create_person", "group_id",
                           dynamic=replace(VALID_APP.operation("create_person").input_fields[2].dynamic, label="title"))
    assert [p.location for p in _found(app, "dynamic-choices")] == [
        "directory.actions.create_person.input_fields.group_id.dynamic.label",
    ]


def test_a_dynamic_choice_may_come_from_a_trigger():
    app = with_input_field(VALID_APP, "delete_person", "person_id",
                           dynamic=replace(VALID_APP.operation("delete_person").input_fields[0].dynamic,
                                           operation="new_person", label="profile.name"))
    assert check_rules(app) == []


def test_a_hook_trigger_that_cannot_subscribe_is_told_it_may_be_static():
    app = with_operation(VALID_APP, "person_event", subscribe=None, unsubscribe=None)
    problems = _found(app, "operation-functions")
    assert [p.location for p in problems] == [
        "directory.triggers.person_event.subscribe", "directory.triggers.person_event.unsubscribe",
    ]
    assert "static_hook=True" in problems[0].message


def test_a_static_hook_needs_no_subscribe():
    assert PERSON_EVENT.subscribe is not None
    app = with_operation(VALID_APP, "person_event", subscribe=None, unsubscribe=None, static_hook=True)
    assert check_rules(app) == []


def test_an_action_without_perform_is_reported():
    app = with_operation(VALID_APP, "delete_person", perform=None)
    (problem,) = _found(app, "operation-functions")
    assert problem.location == "directory.actions.delete_person.perform"
    assert problem.message.startswith("an action needs perform")


def test_a_line_item_child_default_must_be_one_of_its_choices():
    phones = VALID_APP.operation("create_person").input_fields[-1]
    children = (phones.children[0], replace(phones.children[1], default="fax"))
    app = with_input_field(VALID_APP, "create_person", "phones", children=children)
    assert [p.location for p in _found(app, "defaults")] == [
        "directory.actions.create_person.input_fields.phones.children.kind.default",
    ]


def test_a_list_default_must_be_a_list():
    app = with_input_field(VALID_APP, "create_person", "tags", default="vip")
    locations = [p.location for p in _found(app, "defaults")]
    assert locations == ["directory.actions.create_person.input_fields.tags.default"]
    assert check_rules(with_input_field(VALID_APP, "create_person", "tags", default=["vip"])) == []


def test_an_unknown_output_field_type_is_reported_without_crashing_the_sample_check():
    fields = (*VALID_APP.operation("find_group").output_fields, Field("colour", type="colour"))  # type: ignore[arg-type]
    app = with_operation(VALID_APP, "find_group", output_fields=fields)
    problems = validate_app(app)
    assert "directory.searches.find_group.output_fields.colour.type" in {
        p.location for p in problems if p.rule == "field-types"
    }
    assert not [p for p in problems if p.rule == "sample-matches-output"]


def test_children_on_a_field_that_is_not_line_items_are_reported():
    app = with_input_field(VALID_APP, "create_person", "name", children=(Field("first"),))
    assert [p.location for p in _found(app, "field-types")] == [
        "directory.actions.create_person.input_fields.name.children",
    ]


def test_client_credentials_auth_needs_a_token_url_but_no_authorize_url():
    auth = AuthSpec(type="oauth2_client_credentials", scopes=VALID_APP.auth.scopes, test=VALID_APP.auth.test)
    problems = _found(replace(VALID_APP, auth=auth), "auth")
    assert [p.location for p in problems] == ["directory.auth.token_url"]
    fixed = replace(auth, token_url="https://directory.example/oauth/token")
    assert check_rules(replace(VALID_APP, auth=fixed)) == []


def test_an_api_key_typed_as_password_counts_as_secret():
    auth = AuthSpec(type="api_key", fields=(Field("api_key", type="password", required=True),),
                    scopes=VALID_APP.auth.scopes, test=VALID_APP.auth.test)
    assert check_rules(replace(VALID_APP, auth=auth)) == []


def test_a_bad_operation_key_is_reported_by_the_manifest_schema_with_a_fix():
    app = with_operation(VALID_APP, "find_group", key="FindGroup")
    problems = [p for p in validate_app(app) if p.rule == "manifest-schema"]
    assert [p.location for p in problems] == ["directory.searches.FindGroup.key"]
    assert "lowercase letters" in problems[0].message


def test_schema_problems_come_before_rule_problems():
    app = with_input_field(VALID_APP, "create_person", "name", type="colour")
    app = with_operation(app, "find_group", key="FindGroup")
    rules = [p.rule for p in validate_app(app)]
    assert rules[0] == "manifest-schema" and rules[-1] == "field-types"


def test_a_wrong_field_type_is_reported_once_by_the_rule_that_names_the_fix():
    app = with_input_field(VALID_APP, "create_person", "name", type="colour")
    problems = [(p.location, p.rule) for p in validate_app(app)]
    assert problems == [("directory.actions.create_person.input_fields.name.type", "field-types")]


def test_a_sample_that_is_a_list_is_told_to_be_one_object():
    app = with_operation(VALID_APP, "find_group", sample=[{"id": "00g1", "name": "Engineering"}])
    problems = validate_app(app)
    assert ("directory.searches.find_group.sample", "sample-matches-output") in {(p.location, p.rule) for p in problems}
    assert ("directory.searches.find_group.sample", "manifest-schema") in {(p.location, p.rule) for p in problems}


def test_a_long_bad_value_is_cut_short_in_the_message():
    app = with_input_field(VALID_APP, "create_person", "seats", default="x" * 500)
    (problem,) = _found(app, "defaults")
    assert len(problem.message) < 400
    assert "..." in problem.message
