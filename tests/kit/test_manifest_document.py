"""The marketplace manifest: what it says about an app, its published schema, and its files."""

from __future__ import annotations

import copy
import json

import pytest
from jsonschema import Draft202012Validator
from manifest_examples import VALID_APP, with_input_field
from recipes_app import APP as RECIPES_APP

from connector.errors import DefinitionError
from connector.manifest import (
    MANIFEST_SCHEMA_VERSION,
    build_manifest,
    load_manifest_schema,
    manifest_json,
    validate_app,
    validate_manifest,
    write_manifests,
)


@pytest.fixture
def manifest() -> dict:
    return build_manifest(VALID_APP)


def _operation(document: dict, group: str, key: str) -> dict:
    return next(op for op in document[group] if op["key"] == key)


def test_the_published_schema_is_a_valid_draft_2020_12_schema_named_by_its_version():
    schema = load_manifest_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(MANIFEST_SCHEMA_VERSION)
    assert schema["properties"]["manifestVersion"] == {"const": MANIFEST_SCHEMA_VERSION}


def test_load_manifest_schema_gives_a_copy_the_caller_may_change():
    load_manifest_schema()["required"].clear()
    assert "app" in load_manifest_schema()["required"]


def test_the_manifest_of_the_valid_example_validates_against_the_schema(manifest):
    Draft202012Validator(load_manifest_schema()).validate(manifest)
    assert validate_manifest(manifest) == []


def test_the_manifest_names_the_app_and_its_auth(manifest):
    assert manifest["manifestVersion"] == "1.0"
    assert manifest["app"] == {
        "key": "directory", "name": "Directory", "version": "1.2.0",
        "description": "A people directory, used to test manifests.", "homepage": "https://directory.example",
    }
    auth = manifest["auth"]
    assert auth["type"] == "oauth2"
    assert auth["scopes"] == ["groups.read", "hooks.manage", "people.read", "people.write"]
    assert auth["authorizeUrl"] == "https://directory.example/oauth/authorize"
    assert auth["tokenUrl"] == "https://directory.example/oauth/token"
    assert auth["fields"] == [{
        "key": "subdomain", "label": "Subdomain", "type": "string", "required": True, "secret": False,
        "help": "The part before .directory.example",
    }]


def test_operations_are_sorted_by_key_and_carry_their_kind(manifest):
    assert [op["key"] for op in manifest["triggers"]] == ["new_person", "pasted_hook", "person_event"]
    assert [op["key"] for op in manifest["actions"]] == ["create_person", "delete_person"]
    assert [op["key"] for op in manifest["searches"]] == ["find_group", "find_person"]
    kinds = {op["key"]: op["kind"] for group in ("triggers", "actions", "searches") for op in manifest[group]}
    assert kinds == {
        "new_person": "poll", "pasted_hook": "hook", "person_event": "hook", "create_person": "create",
        "delete_person": "delete", "find_group": "search", "find_person": "search",
    }


def test_hook_triggers_say_whether_the_platform_subscribes(manifest):
    assert _operation(manifest, "triggers", "person_event")["hook"] == {"subscribe": True, "static": False}
    assert _operation(manifest, "triggers", "pasted_hook")["hook"] == {"subscribe": False, "static": True}
    assert "hook" not in _operation(manifest, "triggers", "new_person")


def test_a_trigger_lists_its_primary_keys_and_requires_them_in_its_output_schema(manifest):
    event = _operation(manifest, "triggers", "person_event")
    assert event["primaryKeys"] == ["uuid"]
    assert "uuid" in event["outputSchema"]["required"]
    assert "primaryKeys" not in _operation(manifest, "actions", "create_person")


def test_input_fields_keep_the_form_order_and_describe_the_ui(manifest):
    create = _operation(manifest, "actions", "create_person")
    assert [f["key"] for f in create["inputFields"]] == [
        "email", "name", "group_id", "status", "tags", "seats", "photo", "phones",
    ]
    fields = {f["key"]: f for f in create["inputFields"]}
    assert fields["email"] == {
        "key": "email", "label": "Email", "type": "email", "required": True,
        "helpText": "Their work email; also their login.",
    }
    assert fields["name"]["placeholder"] == "Ada Lovelace"
    assert fields["group_id"]["dynamic"] == {"operation": "find_group", "value": "id", "label": "name"}
    assert fields["status"]["choices"] == [
        {"value": "ACTIVE", "label": "Active"}, {"value": "SUSPENDED", "label": "Suspended"},
    ]
    assert fields["status"]["default"] == "ACTIVE"
    assert fields["tags"]["itemType"] == "string"
    assert fields["photo"] == {"key": "photo", "label": "Photo", "type": "file", "required": False,
                               "helpText": "A portrait: an https URL, or the file's content."}
    photo_schema = create["inputSchema"]["properties"]["photo"]
    assert [option.get("type") for option in photo_schema["anyOf"]] == ["string", "object", "object"]
    assert [child["key"] for child in fields["phones"]["children"]] == ["number", "kind"]
    assert fields["phones"]["children"][1]["choices"] == [
        {"value": "work", "label": "work"}, {"value": "mobile", "label": "mobile"},
    ]


def test_the_input_schema_and_sample_come_from_the_definition(manifest):
    create = _operation(manifest, "actions", "create_person")
    assert create["inputSchema"]["required"] == ["email"]
    assert create["inputSchema"]["additionalProperties"] is False
    assert create["inputSchema"]["properties"]["seats"] == {"type": "integer", "default": 1}
    assert create["display"] == {
        "label": "Create Person", "description": "Adds a person to the directory.", "hidden": False,
        "area": "", "important": False,
    }
    assert create["sample"]["profile"]["email"] == "ada@example.com"
    assert create["scopes"] == ["people.write"]


def test_a_manifest_with_a_bad_app_key_fails_the_schema(manifest):
    manifest["app"]["key"] = "Directory-App"
    problems = validate_manifest(manifest)
    assert [(p.location, p.rule) for p in problems] == [("Directory-App.app.key", "manifest-schema")]
    assert "lowercase letters, digits and underscores" in problems[0].message


def test_a_manifest_without_a_version_fails_the_schema(manifest):
    del manifest["app"]["version"]
    problems = validate_manifest(manifest)
    assert [(p.location, p.message) for p in problems] == [("directory.app.version", "'version' is missing; add it")]


def test_a_manifest_with_a_version_that_is_not_semver_fails_the_schema(manifest):
    manifest["app"]["version"] = "1.2"
    problems = validate_manifest(manifest)
    assert [p.location for p in problems] == ["directory.app.version"]
    assert "semantic version" in problems[0].message


def test_a_manifest_with_an_unknown_trigger_kind_fails_the_schema(manifest):
    _operation(manifest, "triggers", "new_person")["kind"] = "stream"
    problems = validate_manifest(manifest)
    assert [p.location for p in problems] == ["directory.triggers.new_person.kind"]
    assert "use one of: poll, hook" in problems[0].message


def test_a_manifest_with_an_action_kind_on_a_search_fails_the_schema(manifest):
    _operation(manifest, "searches", "find_group")["kind"] = "create"
    assert [p.location for p in validate_manifest(manifest)] == ["directory.searches.find_group.kind"]


def test_a_manifest_with_an_unknown_member_is_rejected_where_it_is(manifest):
    _operation(manifest, "actions", "create_person")["inputFields"][0]["colour"] = "red"
    problems = validate_manifest(manifest)
    assert [p.location for p in problems] == ["directory.actions.create_person.inputFields.email"]
    assert "'colour' was unexpected" in problems[0].message


def test_a_poll_trigger_with_hook_settings_fails_the_schema(manifest):
    _operation(manifest, "triggers", "new_person")["hook"] = {"subscribe": True, "static": False}
    problems = validate_manifest(manifest)
    assert [p.location for p in problems] == ["directory.triggers.new_person"]
    assert "only hook triggers have hook settings" in problems[0].message


def test_a_hook_trigger_without_hook_settings_fails_the_schema(manifest):
    del _operation(manifest, "triggers", "person_event")["hook"]
    assert [p.location for p in validate_manifest(manifest)] == ["directory.triggers.person_event.hook"]


def test_an_embedded_input_schema_must_itself_be_a_json_schema(manifest):
    _operation(manifest, "actions", "create_person")["inputSchema"]["type"] = "thing"
    problems = validate_manifest(manifest)
    assert problems
    assert all(p.location.startswith("directory.actions.create_person.inputSchema") for p in problems)


def test_building_the_manifest_of_a_field_with_an_unknown_type_says_to_run_validate():
    broken = with_input_field(VALID_APP, "create_person", "name", type="colour")
    with pytest.raises(DefinitionError, match="connector validate"):
        build_manifest(broken)


def test_write_manifests_writes_the_same_bytes_every_time(tmp_path):
    first = write_manifests([VALID_APP, RECIPES_APP], tmp_path / "one")
    second = write_manifests([VALID_APP, RECIPES_APP], tmp_path / "two")
    assert [p.name for p in first] == ["directory.manifest.json", "recipes.manifest.json"]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert first[0].read_text(encoding="utf-8") == manifest_json(VALID_APP)
    assert json.loads(first[0].read_text(encoding="utf-8")) == build_manifest(VALID_APP)
    assert first[0].read_text(encoding="utf-8").endswith("}\n")


def test_the_manifest_does_not_depend_on_the_order_operations_were_declared(manifest):
    from dataclasses import replace

    shuffled = replace(VALID_APP, triggers=tuple(reversed(VALID_APP.triggers)), searches=VALID_APP.searches[::-1])
    assert manifest_json(shuffled) == manifest_json(VALID_APP)
    assert build_manifest(shuffled) == manifest


def test_building_the_manifest_leaves_the_definition_untouched(manifest):
    before = copy.deepcopy(dict(VALID_APP.operation("new_person").sample))
    manifest["triggers"][0]["sample"]["profile"]["email"] = "changed@example.com"
    assert dict(VALID_APP.operation("new_person").sample) == before


def test_the_kits_own_example_app_is_valid():
    assert validate_app(RECIPES_APP) == []


def test_a_syncable_record_type_is_published_with_its_fields_identity_and_sets(manifest):
    (person,) = manifest["recordTypes"]
    assert person["key"] == "person"
    assert person["identityKeys"] == ["email", "external_id"]
    assert [f["key"] for f in person["fields"]] == ["email", "name", "external_id"]
    assert person["fields"][0] == {"key": "email", "label": "Email", "type": "email", "createOnly": True}
    assert person["listParts"] == [{"key": "groups", "label": "Groups", "type": "list", "itemType": "string"}]
    assert person["modifiedResolution"] == 1.0
    assert validate_manifest(manifest) == []


def test_a_manifest_without_record_types_still_validates(manifest):
    """Documents written before syncs existed have no recordTypes member and stay valid."""
    del manifest["recordTypes"]
    assert validate_manifest(manifest) == []


def test_a_record_type_without_identity_keys_fails_the_schema(manifest):
    manifest["recordTypes"][0]["identityKeys"] = []
    problems = validate_manifest(manifest)
    assert [p.location for p in problems] == ["directory.recordTypes.person.identityKeys"]


def test_every_shipped_record_type_validates():
    from connector.apps.contacts.app import APP as CONTACTS
    from connector.apps.personio.app import APP as PERSONIO

    for app in (CONTACTS, PERSONIO):
        assert app.record_types
        assert validate_app(app) == []
