"""A valid example app and one anti-example per cross-field rule, for the manifest and validate tests.

``VALID_APP`` uses every feature the manifest describes (OAuth, poll, hook and static hook triggers,
dynamic choices, line items, lists, choices, defaults, scopes) and breaks no rule. Each
:class:`AntiExample` changes one thing in it and names the rule and location that must report it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from connector.definitions import (
    Action,
    App,
    AuthSpec,
    DynamicChoices,
    Field,
    Operation,
    Search,
    SearchOrCreate,
    Trigger,
)
from connector.records import RecordType, RecordUpdate, SyncRecord


def _perform(ctx: Any, values: dict[str, Any]) -> list[dict[str, Any]]:
    return []


def _subscribe(ctx: Any, values: dict[str, Any]) -> dict[str, Any]:
    return {"id": "hook-1"}


def _unsubscribe(ctx: Any, values: dict[str, Any]) -> None:
    return None


def _parse_delivery(ctx: Any, request: Any) -> list[dict[str, Any]]:
    return []


PERSON_OUTPUT = (
    Field("id", label="Person ID", required=True),
    Field("status", choices=("ACTIVE", "SUSPENDED")),
    Field("profile.email", type="email"),
    Field("profile.name"),
    Field("created", type="datetime"),
)
PERSON_SAMPLE = {
    "id": "00u1abc",
    "status": "ACTIVE",
    "profile": {"email": "ada@example.com", "name": "Ada Lovelace"},
    "created": "2024-01-02T03:04:05Z",
}
GROUP_OUTPUT = (Field("id", required=True), Field("name", required=True))
GROUP_SAMPLE = {"id": "00g1abc", "name": "Engineering"}
EVENT_OUTPUT = (Field("uuid", required=True), Field("eventType"), Field("person.id"))
EVENT_SAMPLE = {"uuid": "e-1", "eventType": "person.created", "person": {"id": "00u1abc"}}

NEW_PERSON = Trigger(
    key="new_person", noun="Person", label="New Person", description="Triggers when a person is added.",
    output_fields=PERSON_OUTPUT, sample=PERSON_SAMPLE, perform=_perform, scopes=("people.read",),
)
PERSON_EVENT = Trigger(
    key="person_event", noun="Event", label="Person Event", description="Triggers on each person event.",
    kind="hook", primary_keys=("uuid",), output_fields=EVENT_OUTPUT, sample=EVENT_SAMPLE,
    subscribe=_subscribe, unsubscribe=_unsubscribe, parse_delivery=_parse_delivery, list_samples=_perform,
    scopes=("hooks.manage",),
)
PASTED_HOOK = Trigger(
    key="pasted_hook", noun="Event", label="Catch Event", description="Triggers on events sent to a pasted URL.",
    kind="hook", static_hook=True, primary_keys=("uuid",), output_fields=EVENT_OUTPUT, sample=EVENT_SAMPLE,
    parse_delivery=_parse_delivery,
)
CREATE_PERSON = Action(
    key="create_person", noun="Person", label="Create Person", description="Adds a person to the directory.",
    input_fields=(
        Field("email", type="email", required=True, help_text="Their work email; also their login."),
        Field("name", placeholder="Ada Lovelace"),
        Field("group_id", label="Group", dynamic=DynamicChoices("find_group", value="id", label="name")),
        Field("status", choices={"ACTIVE": "Active", "SUSPENDED": "Suspended"}, default="ACTIVE"),
        Field("tags", type="list", item_type="string"),
        Field("seats", type="integer", default=1),
        Field("photo", type="file", help_text="A portrait: an https URL, or the file's content."),
        Field(
            "phones", type="line_items",
            children=(Field("number", required=True), Field("kind", choices=("work", "mobile"), default="work")),
        ),
    ),
    output_fields=PERSON_OUTPUT, sample=PERSON_SAMPLE, perform=_perform, scopes=("people.write",),
)
DELETE_PERSON = Action(
    key="delete_person", noun="Person", label="Delete Person", description="Removes a person.",
    semantics="delete", input_fields=(Field("person_id", required=True, dynamic=DynamicChoices("find_person")),),
    perform=_perform, scopes=("people.write",),
)
FIND_PERSON = Search(
    key="find_person", noun="Person", label="Find Person", description="Finds a person by email.",
    input_fields=(Field("email", type="email", required=True),),
    output_fields=(*PERSON_OUTPUT, Field("name")), sample={**PERSON_SAMPLE, "name": "Ada Lovelace"},
    perform=_perform, scopes=("people.read",),
)
FIND_GROUP = Search(
    key="find_group", noun="Group", label="Find Group", description="Finds a group by name.",
    input_fields=(Field("name", required=True),),
    output_fields=GROUP_OUTPUT, sample=GROUP_SAMPLE, perform=_perform, scopes=("groups.read",),
)

def _whoami(ctx: Any) -> dict[str, Any]:
    return dict(ctx.http.get("/me").json())


def _list_changes(ctx: Any, since: float | None) -> Any:
    return iter(())


def _read(ctx: Any, record_id: str) -> SyncRecord | None:
    return None


def _create(ctx: Any, values: Any) -> SyncRecord:
    return SyncRecord("p-1", 0.0, dict(values))


def _update(ctx: Any, record_id: str, change: RecordUpdate) -> SyncRecord:
    return SyncRecord(record_id, 0.0, dict(change.values))


def _find(ctx: Any, identity: Any) -> SyncRecord | None:
    return None


def _delete(ctx: Any, record_id: str) -> bool:
    return True


PERSON_RECORD = RecordType(
    key="person", noun="Person", label="People", description="People in the directory, kept in sync.",
    fields=(Field("email", type="email"), Field("name"), Field("external_id")),
    list_parts=(Field("groups", type="list", item_type="string"),),
    identity_keys=("email", "external_id"), create_only=("email",), modified_resolution=1.0,
    list_changes=_list_changes, read=_read, create=_create, update=_update, find=_find, delete=_delete,
    custom_fields=r"custom_\d+", scopes=("people.read",),
    sample={"email": "ada@example.com", "name": "Ada Lovelace", "external_id": "x-1", "groups": ["staff"]},
)

VALID_APP = App(
    key="directory",
    name="Directory",
    version="1.2.0",
    description="A people directory, used to test manifests.",
    homepage="https://directory.example",
    auth=AuthSpec(
        type="oauth2",
        fields=(Field("subdomain", required=True, help_text="The part before .directory.example"),),
        scopes=("people.read", "people.write", "groups.read", "hooks.manage"),
        authorize_url="https://directory.example/oauth/authorize",
        token_url="https://directory.example/oauth/token",
        test=_whoami,
    ),
    triggers=(NEW_PERSON, PERSON_EVENT, PASTED_HOOK),
    actions=(CREATE_PERSON, DELETE_PERSON),
    searches=(FIND_PERSON, FIND_GROUP),
    record_types=(PERSON_RECORD,),
)


def with_operation(app: App, op_key: str, /, **changes: Any) -> App:
    """A copy of ``app`` where operation ``op_key`` has ``changes`` applied (``key`` renames it)."""

    def swap(ops: tuple[Operation, ...]) -> tuple[Any, ...]:
        return tuple(replace(op, **changes) if op.key == op_key else op for op in ops)

    return replace(app, triggers=swap(app.triggers), actions=swap(app.actions), searches=swap(app.searches))


def with_input_field(app: App, op_key: str, field_key: str, /, **changes: Any) -> App:
    """A copy of ``app`` where input field ``field_key`` of operation ``op_key`` has ``changes`` applied."""
    op = app.operation(op_key)
    fields = tuple(replace(f, **changes) if f.key == field_key else f for f in op.input_fields)
    return with_operation(app, op_key, input_fields=fields)


@dataclass(frozen=True)
class AntiExample:
    """An app that breaks exactly one rule, and where the report must point."""

    name: str
    rule: str
    location: str
    app: App


_EMAIL = CREATE_PERSON.input_fields[0]
FIND_OR_CREATE_PERSON = SearchOrCreate.of(
    FIND_PERSON, CREATE_PERSON, key="find_or_create_person", label="Find or Create Person",
    description="Finds a person by email; adds them when there is none.",
)

ANTI_EXAMPLES: tuple[AntiExample, ...] = (
    # 1. unique keys
    AntiExample(
        "a_search_reuses_a_trigger_key", "unique-keys", "directory.searches.new_person",
        replace(VALID_APP, searches=(*VALID_APP.searches, replace(FIND_GROUP, key="new_person"))),
    ),
    AntiExample(
        "an_action_declares_the_same_input_twice", "unique-keys", "directory.actions.create_person.input_fields.email",
        with_operation(VALID_APP, "create_person", input_fields=(*CREATE_PERSON.input_fields, _EMAIL)),
    ),
    # 2. the sample matches the output schema
    AntiExample(
        "a_sample_email_that_is_not_an_email", "sample-matches-output",
        "directory.triggers.new_person.sample.profile.email",
        with_operation(VALID_APP, "new_person", sample={**PERSON_SAMPLE, "profile": {"email": "not-an-email"}}),
    ),
    AntiExample(
        "a_search_sample_without_a_required_output", "sample-matches-output",
        "directory.searches.find_group.sample.name",
        with_operation(VALID_APP, "find_group", sample={"id": "00g1"}),
    ),
    # 3. trigger items carry an id
    AntiExample(
        "a_trigger_sample_without_an_id", "trigger-primary-keys", "directory.triggers.new_person.sample.id",
        with_operation(VALID_APP, "new_person", sample={k: v for k, v in PERSON_SAMPLE.items() if k != "id"}),
    ),
    AntiExample(
        "a_trigger_whose_primary_key_is_not_an_output", "trigger-primary-keys",
        "directory.triggers.person_event.output_fields",
        with_operation(VALID_APP, "person_event", primary_keys=("eventId",), sample={**EVENT_SAMPLE, "eventId": "x"}),
    ),
    # 4. dynamic choices resolve
    AntiExample(
        "a_dynamic_field_fed_by_a_missing_search", "dynamic-choices",
        "directory.actions.create_person.input_fields.group_id.dynamic",
        with_input_field(VALID_APP, "create_person", "group_id", dynamic=DynamicChoices("find_team")),
    ),
    AntiExample(
        "a_dynamic_field_fed_by_an_action", "dynamic-choices",
        "directory.actions.delete_person.input_fields.person_id.dynamic",
        with_input_field(VALID_APP, "delete_person", "person_id", dynamic=DynamicChoices("create_person")),
    ),
    AntiExample(
        "a_dynamic_value_the_search_does_not_return", "dynamic-choices",
        "directory.actions.create_person.input_fields.group_id.dynamic.value",
        with_input_field(VALID_APP, "create_person", "group_id", dynamic=DynamicChoices("find_group", value="gid")),
    ),
    # 5. the functions each kind needs
    AntiExample(
        "a_hook_trigger_that_cannot_unsubscribe", "operation-functions",
        "directory.triggers.person_event.unsubscribe",
        with_operation(VALID_APP, "person_event", unsubscribe=None),
    ),
    AntiExample(
        "a_hook_trigger_without_parse_delivery", "operation-functions",
        "directory.triggers.pasted_hook.parse_delivery",
        with_operation(VALID_APP, "pasted_hook", parse_delivery=None),
    ),
    AntiExample(
        "a_poll_trigger_without_perform", "operation-functions", "directory.triggers.new_person.perform",
        with_operation(VALID_APP, "new_person", perform=None),
    ),
    AntiExample(
        "a_search_without_perform", "operation-functions", "directory.searches.find_group.perform",
        with_operation(VALID_APP, "find_group", perform=None),
    ),
    # 6. defaults
    AntiExample(
        "a_required_field_hidden_behind_a_default", "defaults",
        "directory.actions.create_person.input_fields.email.default",
        with_input_field(VALID_APP, "create_person", "email", default="ada@example.com"),
    ),
    AntiExample(
        "a_default_that_is_not_one_of_the_choices", "defaults",
        "directory.actions.create_person.input_fields.status.default",
        with_input_field(VALID_APP, "create_person", "status", default="GONE"),
    ),
    AntiExample(
        "a_default_of_the_wrong_type", "defaults", "directory.actions.create_person.input_fields.seats.default",
        with_input_field(VALID_APP, "create_person", "seats", default="two"),
    ),
    # 7. field types
    AntiExample(
        "a_field_of_an_unknown_type", "field-types", "directory.actions.create_person.input_fields.name.type",
        with_input_field(VALID_APP, "create_person", "name", type="colour"),
    ),
    AntiExample(
        "line_items_without_children", "field-types", "directory.actions.create_person.input_fields.phones.children",
        with_input_field(VALID_APP, "create_person", "phones", children=()),
    ),
    AntiExample(
        "empty_choices", "field-types", "directory.actions.create_person.input_fields.status.choices",
        with_input_field(VALID_APP, "create_person", "status", choices=(), default=None),
    ),
    AntiExample(
        "a_list_of_an_unknown_item_type", "field-types",
        "directory.actions.create_person.input_fields.tags.item_type",
        with_input_field(VALID_APP, "create_person", "tags", item_type="line_items"),
    ),
    AntiExample(
        "a_file_field_with_choices", "field-types", "directory.actions.create_person.input_fields.photo.choices",
        with_input_field(VALID_APP, "create_person", "photo", choices=("small.png", "large.png")),
    ),
    AntiExample(
        "a_file_output_field", "field-types", "directory.searches.find_person.output_fields.portrait.type",
        with_operation(VALID_APP, "find_person",
                       output_fields=(*FIND_PERSON.output_fields, Field("portrait", type="file"))),
    ),
    # 8. auth
    AntiExample(
        "oauth2_without_a_token_url", "auth", "directory.auth.token_url",
        replace(VALID_APP, auth=replace(VALID_APP.auth, token_url="")),
    ),
    AntiExample(
        "an_api_key_that_is_not_secret", "auth", "directory.auth.fields",
        replace(VALID_APP, auth=AuthSpec(type="api_key", fields=(Field("api_key", required=True),),
                                          scopes=VALID_APP.auth.scopes, test=_whoami)),
    ),
    AntiExample(
        "auth_without_a_connection_test", "auth", "directory.auth.test",
        replace(VALID_APP, auth=replace(VALID_APP.auth, test=None)),
    ),
    AntiExample(
        "an_operation_scope_the_app_does_not_declare", "auth", "directory.actions.create_person.scopes",
        with_operation(VALID_APP, "create_person", scopes=("people.write", "people.admin")),
    ),
    # 9. syncable record types
    AntiExample(
        "a_record_type_that_cannot_update", "record-types", "directory.record_types.person.update",
        replace(VALID_APP, record_types=(replace(PERSON_RECORD, update=None),)),
    ),
    AntiExample(
        "an_identity_key_that_is_not_a_field", "record-types", "directory.record_types.person.identity_keys",
        replace(VALID_APP, record_types=(replace(PERSON_RECORD, identity_keys=("email", "login")),)),
    ),
    AntiExample(
        "a_list_part_that_is_not_a_list", "record-types", "directory.record_types.person.list_parts.groups",
        replace(VALID_APP, record_types=(replace(PERSON_RECORD, list_parts=(Field("groups"),)),)),
    ),
    AntiExample(
        "a_field_declared_again_as_a_list_part", "record-types", "directory.record_types.person.fields.name",
        replace(VALID_APP, record_types=(replace(
            PERSON_RECORD, list_parts=(*PERSON_RECORD.list_parts, Field("name", type="list")),
        ),)),
    ),
    AntiExample(
        "a_create_only_field_the_type_does_not_have", "record-types", "directory.record_types.person.create_only",
        replace(VALID_APP, record_types=(replace(PERSON_RECORD, create_only=("login",)),)),
    ),
    AntiExample(
        "a_record_type_without_delete_that_does_not_say_why", "record-types",
        "directory.record_types.person.delete_note",
        replace(VALID_APP, record_types=(replace(PERSON_RECORD, delete=None),)),
    ),
    AntiExample(
        "custom_fields_that_are_not_a_pattern", "record-types", "directory.record_types.person.custom_fields",
        replace(VALID_APP, record_types=(replace(PERSON_RECORD, custom_fields="custom_(\\d+"),)),
    ),
    # 10. search-or-create pairs
    AntiExample(
        "a_search_or_create_naming_a_search_the_app_lacks", "search-or-create",
        "directory.search_or_creates.find_or_create_person.search",
        replace(VALID_APP, search_or_creates=(replace(FIND_OR_CREATE_PERSON, search="find_someone"),)),
    ),
    AntiExample(
        "a_search_or_create_whose_create_is_a_search", "search-or-create",
        "directory.search_or_creates.find_or_create_person.create",
        replace(VALID_APP, search_or_creates=(replace(FIND_OR_CREATE_PERSON, create="find_group"),)),
    ),
    AntiExample(
        "a_search_or_create_whose_halves_type_a_field_differently", "search-or-create",
        "directory.search_or_creates.find_or_create_person.input_fields.email",
        replace(
            VALID_APP,
            searches=(replace(FIND_PERSON, input_fields=(Field("email", required=True),)), FIND_GROUP),
            search_or_creates=(FIND_OR_CREATE_PERSON,),
        ),
    ),
)
