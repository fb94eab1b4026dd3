"""Rendering an action's mapping for a trigger record, the way a flow step does before it runs."""

from __future__ import annotations

from typing import Any

import pytest

from connector.definitions import Field
from connector.errors import BadInput
from connector.mapping import FieldMapping, MappingPreview, validate_input

CONTACT = (
    Field("firstName", required=True),
    Field("name"),
    Field("email", type="email", required=True),
    Field("phone"),
    Field("age", type="integer"),
    Field("tags", type="list"),
    Field("source", choices=("okta", "manual"), default="okta"),
    Field("dnd", type="boolean", default=False),
    Field("customFields", type="line_items", children=(Field("key", required=True), Field("field_value"))),
)

OKTA_USER: dict[str, Any] = {
    "id": "00u1",
    "profile": {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": " ada@example.com ",
        "age": "36",
        "groups": ["eng", "admins"],
        "optOut": "yes",
        "mobilePhone": None,
    },
}


def context(user: dict[str, Any] | None = None, **steps: Any) -> dict[str, Any]:
    return {"trigger": user if user is not None else OKTA_USER, "steps": steps}


def test_an_okta_user_renders_into_a_typed_contact() -> None:
    mapping = FieldMapping(CONTACT, {
        "firstName": "{{trigger.profile.firstName}}",
        "name": "{{trigger.profile.firstName}} {{trigger.profile.lastName}}",
        "email": "{{trigger.profile.email}}",
        "phone": "{{trigger.profile.mobilePhone}}",
        "age": "{{trigger.profile.age}}",
        "tags": ["okta", "{{trigger.profile.groups}}"],
        "dnd": "{{trigger.profile.optOut}}",
        "customFields": {"key": "okta_id", "field_value": "{{trigger.id}}"},
    })
    assert mapping.render(context()) == {
        "firstName": "Ada",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "age": 36,
        "tags": ["okta", "eng", "admins"],
        "source": "okta",
        "dnd": True,
        "customFields": [{"key": "okta_id", "field_value": "00u1"}],
    }


def test_a_whole_token_keeps_a_list_as_a_list_and_mixed_text_makes_a_string() -> None:
    fields = (Field("tags", type="list"), Field("note"))
    mapping = FieldMapping(fields, {"tags": "{{trigger.profile.groups}}", "note": "groups: {{trigger.profile.groups}}"})
    assert mapping.render(context()) == {"tags": ["eng", "admins"], "note": "groups: eng,admins"}


def test_a_later_step_can_use_an_earlier_steps_output() -> None:
    mapping = FieldMapping((Field("contactId", required=True),), {"contactId": "{{steps.create_contact.id}}"})
    assert mapping.render(context(create_contact={"id": "c-42"})) == {"contactId": "c-42"}


def test_missing_optional_values_are_dropped_and_defaults_fill_in() -> None:
    fields = (Field("phone"), Field("tags", type="list"), Field("source", default="okta"), Field("note"))
    mapping = FieldMapping(fields, {"phone": "{{trigger.profile.fax}}", "tags": "{{trigger.nothing}}", "note": ""})
    assert mapping.render(context()) == {"source": "okta"}


def test_a_default_is_a_fresh_copy_each_time() -> None:
    mapping = FieldMapping((Field("tags", type="list", default=["new"]),), {})
    first = mapping.render(context())
    first["tags"].append("changed")
    assert mapping.render(context()) == {"tags": ["new"]}


def test_an_unresolved_required_field_names_the_field_and_the_token() -> None:
    mapping = FieldMapping((Field("email", type="email", required=True),), {"email": "{{trigger.profile.workEmail}}"})
    with pytest.raises(BadInput) as caught:
        mapping.render(context())
    problem = caught.value.problems[0]
    assert problem.field == "email"
    assert "{{trigger.profile.workEmail}}" in problem.message
    assert "required" in problem.message


def test_a_required_field_with_no_mapping_says_nothing_is_mapped() -> None:
    mapping = FieldMapping((Field("email", required=True),), {})
    with pytest.raises(BadInput, match="email: is required, but nothing is mapped to it"):
        mapping.render(context())


def test_a_value_outside_the_static_choices_lists_the_choices() -> None:
    mapping = FieldMapping((*CONTACT[:3], Field("source", choices=("okta", "manual"))), {
        "firstName": "Ada", "email": "a@example.com", "source": "{{trigger.profile.lastName}}",
    })
    with pytest.raises(BadInput) as caught:
        mapping.render(context())
    problem = caught.value.problems[0]
    assert (problem.field, problem.value) == ("source", "Lovelace")
    assert "'Lovelace' is not one of the choices: okta, manual" in problem.message


def test_mapping_choices_accept_their_keys() -> None:
    fields = (Field("plan", choices={"gold": "Gold plan", "free": "Free plan"}),)
    assert validate_input(fields, {"plan": "gold"}) == {"plan": "gold"}
    with pytest.raises(BadInput, match="gold, free"):
        validate_input(fields, {"plan": "Gold plan"})


def test_every_problem_is_reported_at_once() -> None:
    mapping = FieldMapping(CONTACT, {
        "firstName": "{{trigger.profile.nickName}}",
        "email": "not-an-email",
        "age": "{{trigger.profile.firstName}}",
        "dnd": "perhaps",
        "source": "fax",
        "customFields": [{"field_value": "x"}],
    })
    with pytest.raises(BadInput) as caught:
        mapping.render(context())
    by_field = {p.field: p for p in caught.value.problems}
    assert set(by_field) == {"firstName", "email", "age", "dnd", "source", "customFields[0].key"}
    assert by_field["age"].value == "Ada"
    assert by_field["dnd"].value == "perhaps"
    assert "customFields[0].key" in str(caught.value)


def test_a_template_for_an_unknown_field_is_refused_when_the_mapping_is_built() -> None:
    with pytest.raises(BadInput) as caught:
        FieldMapping(CONTACT, {"firstName": "x", "emial": "{{trigger.profile.email}}"})
    problem = caught.value.problems[0]
    assert problem.field == "emial"
    assert "known inputs: firstName, name, email" in problem.message


def test_a_malformed_token_is_refused_when_the_mapping_is_built() -> None:
    with pytest.raises(BadInput, match=r"name: bad template"):
        FieldMapping(CONTACT, {"name": "{{trigger..firstName}}"})


def test_line_items_repeat_a_child_template_for_each_source_item() -> None:
    fields = (Field("lines", type="line_items", children=(Field("sku", required=True), Field("qty", type="integer"))),)
    order = {"items": [{"sku": "A", "count": "2"}, {"sku": "B", "count": 5}]}
    each_item = {"$each": "{{trigger.items}}", "sku": "{{item.sku}}", "qty": "{{item.count}}"}
    each = FieldMapping(fields, {"lines": each_item})
    zipped = FieldMapping(fields, {"lines": {"sku": "{{trigger.skus}}", "qty": "1"}})
    literal = FieldMapping(fields, {"lines": [{"sku": "A"}, {"sku": "{{trigger.items.1.sku}}", "qty": 3}]})
    whole = FieldMapping(fields, {"lines": "{{trigger.items}}"})
    assert each.render(context(order)) == {"lines": [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 5}]}
    assert zipped.render(context({"skus": ["X", "Y"]})) == {"lines": [{"sku": "X", "qty": 1}, {"sku": "Y", "qty": 1}]}
    assert literal.render(context(order)) == {"lines": [{"sku": "A"}, {"sku": "B", "qty": 3}]}
    with pytest.raises(BadInput, match=r"lines\[0\]\.count: is not a line item field"):
        whole.render(context(order))


def test_an_unknown_line_item_child_in_a_template_is_refused() -> None:
    with pytest.raises(BadInput, match=r"customFields\.vaule"):
        FieldMapping(CONTACT, {"customFields": {"key": "k", "vaule": "v"}})


def test_a_preview_shows_values_and_problems_without_raising() -> None:
    mapping = FieldMapping(CONTACT, {"firstName": "{{trigger.profile.firstName}}", "email": "nope"})
    preview = mapping.preview(context())
    assert isinstance(preview, MappingPreview)
    assert preview.ok is False
    assert preview.values["firstName"] == "Ada"
    assert [p.field for p in preview.problems] == ["email"]
    assert mapping.preview({"trigger": "not an object"}).ok is False
    good = FieldMapping(CONTACT, {"firstName": "Ada", "email": "ada@example.com"}).preview(context())
    assert good.ok and good.problems == []


def test_a_preview_of_a_context_that_breaks_rendering_still_answers() -> None:
    class Exploding(dict[str, Any]):
        def __getitem__(self, key: str) -> Any:
            raise RuntimeError("boom")

    preview = FieldMapping(CONTACT, {"firstName": "{{trigger.id}}"}).preview(Exploding())
    assert preview.ok is False
    assert "boom" in preview.problems[0].message


def test_direct_input_is_coerced_filled_and_checked_like_mapped_input() -> None:
    values = validate_input(CONTACT, {"firstName": "Ada", "email": "ada@example.com ", "age": "7", "phone": ""})
    assert values == {"firstName": "Ada", "email": "ada@example.com", "age": 7, "source": "okta", "dnd": False}
    with pytest.raises(BadInput) as caught:
        validate_input(CONTACT, {"firstName": "Ada", "colour": "red"})
    assert {p.field for p in caught.value.problems} == {"colour", "email"}


def test_a_nullable_field_keeps_an_explicit_null() -> None:
    fields = (Field("manager", nullable=True), Field("phone"))
    assert validate_input(fields, {"manager": None, "phone": None}) == {"manager": None}
