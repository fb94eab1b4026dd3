"""Cross-field rules a connector definition must keep, beyond what the manifest's JSON Schema can say.

The manifest schema (``connector/schemas/manifest-1.0.json``) checks each member on its own: key
patterns, enums, required members. The rules here look across members: a dynamic field points at an
operation that exists, a sample matches its own output schema, a hook trigger can be turned off. Each
rule is a small function ``rule(app) -> list[Problem]`` registered in :data:`RULES`, so a rule can be
read, tested and reported on its own (the idea of Zapier's "functional constraints").

Locations read like a path through the definition, using the definitions' own attribute names::

    okta.triggers.new_user.sample.profile.email
    contacts.actions.create_task.input_fields.contact_id.dynamic
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connector.definitions import FIELD_TYPES, Action, App, Field, Operation, Search, SearchOrCreate, Trigger
from connector.schema import field_schema, output_schema
from connector.schema_check import passes

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError


@dataclass(frozen=True, order=True)
class Problem:
    """One way a definition breaks the rules.

    Attributes:
        location: dotted path to the offending member, starting with the app key.
        rule: short name of the rule that found it (``unique-keys``, ``manifest-schema``, ...).
        message: what is wrong and what to do about it.
    """

    location: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: [{self.rule}] {self.message}"


Rule = Callable[[App], list[Problem]]

#: Types a ``list`` field's items may have: scalars and objects, not nested lists.
LIST_ITEM_TYPES: tuple[str, ...] = tuple(t for t in FIELD_TYPES if t not in ("list", "line_items", "file"))

_PLURAL = {"trigger": "triggers", "action": "actions", "search": "searches", "search_or_create": "search_or_creates"}


def operation_location(app: App, op: Operation) -> str:
    """``<app>.<triggers|actions|searches>.<operation>``: where an operation sits in the app."""
    return f"{app.key or 'app'}.{_PLURAL.get(op.kind_name, op.kind_name + 's')}.{op.key}"


def _walk_fields(fields: Sequence[Field], prefix: str) -> Iterator[tuple[Field, str]]:
    """Every field and its location, children of ``line_items`` included."""
    for f in fields:
        here = f"{prefix}.{f.key}"
        yield f, here
        if f.children:
            yield from _walk_fields(f.children, f"{here}.children")


def _input_fields(app: App) -> Iterator[tuple[Operation, Field, str]]:
    for op in app.operations:
        for f, where in _walk_fields(op.input_fields, f"{operation_location(app, op)}.input_fields"):
            yield op, f, where


def _all_fields(app: App) -> Iterator[tuple[Field, str]]:
    """Auth, input and output fields of the whole app, each with its location."""
    yield from _walk_fields(app.auth.fields, f"{app.key}.auth.fields")
    for op in app.operations:
        where = operation_location(app, op)
        yield from _walk_fields(op.input_fields, f"{where}.input_fields")
        yield from _walk_fields(op.output_fields, f"{where}.output_fields")


def field_types_known(f: Field) -> bool:
    """Whether ``field_schema`` can compile this field and all its children."""
    if f.type not in FIELD_TYPES or (f.type == "list" and f.item_type not in LIST_ITEM_TYPES):
        return False
    return all(field_types_known(child) for child in f.children)


def _lookup(data: Any, dotted: str) -> tuple[bool, Any]:
    """Follow a dotted path (``profile.email``) into nested objects; (found, value)."""
    node = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _declares(fields: Sequence[Field], dotted: str) -> bool:
    """Whether output fields describe ``dotted``, directly or as the parent of a nested field."""
    return any(f.key == dotted or f.key.startswith(dotted + ".") for f in fields)


def _output_schema_of(op: Operation) -> dict[str, Any]:
    keys = op.primary_keys if isinstance(op, Trigger) else ()
    return output_schema(op.output_fields, keys)


def _explaining_validator(schema: dict[str, Any]) -> Draft202012Validator:
    """jsonschema's validator for ``schema``, formats asserted: it words the errors of a refused value."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def short_repr(value: Any, limit: int = 80) -> str:
    """``repr`` cut to ``limit`` characters, so one bad nested value cannot flood a report."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _why(error: ValidationError) -> str:
    """What a value-level schema error expected, without repeating the (maybe huge) value."""
    expected = error.validator_value
    if error.validator == "type":
        return f"expected type {' or '.join(expected) if isinstance(expected, list) else expected}"
    if error.validator == "enum":
        return f"expected one of {', '.join(map(str, expected))}"
    if error.validator == "format":
        return f"not a valid {expected}"
    return short_repr(error.message, 120)


def _error_path(error: ValidationError) -> list[str]:
    return [str(part) for part in error.absolute_path]


# --- 1. unique keys --------------------------------------------------------------------------------


def unique_keys(app: App) -> list[Problem]:
    """Operation keys are unique across the app; field keys are unique within their list.

    Flows, dynamic fields and the CLI address operations by key alone, so ``triggers.new_user`` and
    ``searches.new_user`` would be ambiguous.
    """
    problems: list[Problem] = []
    seen_ops: dict[str, str] = {}
    for op in app.operations:
        where = operation_location(app, op)
        if op.key in seen_ops:
            problems.append(Problem(
                where, "unique-keys",
                f"operation key {op.key!r} is already used by {seen_ops[op.key]}; give each trigger, action "
                "and search its own key",
            ))
        else:
            seen_ops[op.key] = where

    def check(fields: Sequence[Field], prefix: str, what: str) -> None:
        seen: set[str] = set()
        for f in fields:
            if f.key in seen:
                problems.append(Problem(
                    f"{prefix}.{f.key}", "unique-keys",
                    f"{what} key {f.key!r} appears more than once; rename or remove the duplicate",
                ))
            seen.add(f.key)
            if f.children:
                check(f.children, f"{prefix}.{f.key}.children", "child field")

    check(app.auth.fields, f"{app.key}.auth.fields", "auth field")
    for op in app.operations:
        where = operation_location(app, op)
        check(op.input_fields, f"{where}.input_fields", "input field")
        check(op.output_fields, f"{where}.output_fields", "output field")
    return problems


# --- 2. the sample matches the output schema -------------------------------------------------------


def sample_matches_output(app: App) -> list[Problem]:
    """Each sample validates against its operation's output schema, every error at its own path.

    The sample is what users map fields from before a real item exists; a sample the operation could
    never return leads to mappings that break on the first real run.
    """
    problems: list[Problem] = []
    for op in app.operations:
        if not all(field_types_known(f) for f in op.output_fields):
            continue  # field-types reports these; the schema cannot be built
        where = f"{operation_location(app, op)}.sample"
        if not isinstance(op.sample, Mapping):
            problems.append(Problem(
                where, "sample-matches-output",
                f"the sample must be one object like the operation returns, got {type(op.sample).__name__}; "
                "give a dict",
            ))
            continue
        schema = _output_schema_of(op)
        if passes(schema, dict(op.sample), formats=True):
            continue
        validator = _explaining_validator(schema)
        reported: set[str] = set()
        for error in sorted(validator.iter_errors(dict(op.sample)), key=lambda e: (_error_path(e), e.message)):
            path = _error_path(error)
            if error.validator == "required" and isinstance(error.instance, Mapping):
                for key in error.validator_value:
                    location = ".".join([where, *path, key])
                    if key not in error.instance and location not in reported:
                        reported.add(location)
                        problems.append(Problem(
                            location, "sample-matches-output",
                            f"the sample has no {key!r}, which the output declares required; add it to the sample "
                            "or make the output field optional",
                        ))
                continue
            location = ".".join([where, *path])
            problems.append(Problem(
                location, "sample-matches-output",
                f"sample value {short_repr(error.instance)} does not match the output field ({_why(error)}); "
                "fix the sample or the output field's type",
            ))
    return problems


# --- 3. trigger items have an id -------------------------------------------------------------------


def trigger_has_primary_keys(app: App) -> list[Problem]:
    """A trigger's items carry an ``id`` (or the declared primary keys), in the output and the sample.

    Deduplication keys on these values; without them every poll would fire every item again. When
    output fields are declared they must describe the keys; the sample must always carry them as
    primitive values.
    """
    problems: list[Problem] = []
    for trigger in app.triggers:
        where = operation_location(app, trigger)
        if not trigger.primary_keys:
            problems.append(Problem(
                f"{where}.primary_keys", "trigger-primary-keys",
                "a trigger needs items with a unique id; declare primary_keys (default ('id',)) that identify an item",
            ))
            continue
        for key in trigger.primary_keys:
            if trigger.output_fields and not _declares(trigger.output_fields, key):
                problems.append(Problem(
                    f"{where}.output_fields", "trigger-primary-keys",
                    f"primary key {key!r} is not among the output fields; add Field({key!r}, required=True) to "
                    "output_fields or change primary_keys",
                ))
            found, value = _lookup(trigger.sample, key)
            if not found:
                problems.append(Problem(
                    f"{where}.sample.{key}", "trigger-primary-keys",
                    f"the sample has no primary key {key!r}; add it so the sample looks like a real item",
                ))
            elif isinstance(value, bool) or not isinstance(value, str | int | float) or value == "":
                problems.append(Problem(
                    f"{where}.sample.{key}", "trigger-primary-keys",
                    f"primary key {key!r} must be a non-empty string or a number, got {value!r}; use the item's id",
                ))
    return problems


# --- 4. dynamic choices point at a real operation --------------------------------------------------


def dynamic_choices_resolve(app: App) -> list[Problem]:
    """A dynamic field's source is a search or trigger of the same app whose output has the keys used.

    The UI fills the dropdown by running that operation; a missing operation or value key leaves the
    user with an empty list or with values the action cannot use.
    """
    problems: list[Problem] = []
    sources: dict[str, Operation] = {op.key: op for op in (*app.triggers, *app.searches)}
    actions = {op.key for op in app.actions}
    for _op, f, where in _input_fields(app):
        if f.dynamic is None:
            continue
        dyn_where = f"{where}.dynamic"
        target = sources.get(f.dynamic.operation)
        if target is None:
            if f.dynamic.operation in actions:
                what = f"{f.dynamic.operation!r} is an action; choices must come from a search or a trigger"
            else:
                known = ", ".join(sorted(sources)) or "none"
                what = f"no search or trigger {f.dynamic.operation!r} in app {app.key!r} (known: {known})"
            problems.append(Problem(dyn_where, "dynamic-choices", f"{what}; point dynamic.operation at one"))
            continue
        for member, key in (("value", f.dynamic.value), ("label", f.dynamic.label)):
            if not (_declares(target.output_fields, key) or _lookup(target.sample, key)[0]):
                problems.append(Problem(
                    f"{dyn_where}.{member}", "dynamic-choices",
                    f"{operation_location(app, target)} has no output {key!r} for dynamic.{member}; use a key its "
                    "output fields or sample declare",
                ))
    return problems


# --- 5. the functions an operation needs -----------------------------------------------------------


def operation_functions(app: App) -> list[Problem]:
    """Each operation has the functions its kind needs, so turning a flow on or off cannot fail late."""
    problems: list[Problem] = []
    for op in app.operations:
        where = operation_location(app, op)
        if isinstance(op, Trigger) and op.kind == "hook":
            if not op.static_hook:
                for name in ("subscribe", "unsubscribe"):
                    if getattr(op, name) is None:
                        problems.append(Problem(
                            f"{where}.{name}", "operation-functions",
                            f"a hook trigger needs {name} (called when a flow is turned "
                            f"{'on' if name == 'subscribe' else 'off'}); implement it, or set static_hook=True if "
                            "users paste the hook URL into the vendor by hand",
                        ))
            if op.parse_delivery is None:
                problems.append(Problem(
                    f"{where}.parse_delivery", "operation-functions",
                    "a hook trigger needs parse_delivery to turn a delivery into items; implement it",
                ))
        elif op.perform is None and not isinstance(op, SearchOrCreate):  # runs its pair (rule 10)
            kind = {"trigger": "a poll trigger", "action": "an action"}.get(op.kind_name, f"a {op.kind_name}")
            problems.append(Problem(
                f"{where}.perform", "operation-functions", f"{kind} needs perform to do its work; implement it",
            ))
    return problems


# --- 6. defaults ----------------------------------------------------------------------------------


def defaults_are_usable(app: App) -> list[Problem]:
    """A default never hides a required field, and is a valid value for its field.

    A required field with a default is never asked for (the platform fills it), so "required" means
    nothing; an invalid default fails every run that leaves the field empty.
    """
    problems: list[Problem] = []
    for _op, f, where in _input_fields(app):
        if f.default is None:
            continue
        if f.required:
            problems.append(Problem(
                f"{where}.default", "defaults",
                f"field {f.key!r} is required and has a default, so the user is never asked for it; drop the "
                "default or make the field optional",
            ))
        if not field_types_known(f):
            continue  # field-types reports it
        schema = field_schema(f)
        if passes(schema, f.default, formats=True):
            continue
        error = next(iter(sorted(_explaining_validator(schema).iter_errors(f.default), key=lambda e: e.message)), None)
        if error is not None:
            problems.append(Problem(
                f"{where}.default", "defaults",
                f"default {short_repr(f.default)} is not a valid {f.type} value for {f.key!r} ({_why(error)}); "
                "use a value of the field's type and one of its choices",
            ))
    return problems


# --- 7. field types -------------------------------------------------------------------------------


def field_types_are_complete(app: App) -> list[Problem]:
    """Field types are known, containers say what they contain, choices offer something."""
    problems: list[Problem] = []
    known = ", ".join(FIELD_TYPES)
    for f, where in _all_fields(app):
        if f.type not in FIELD_TYPES:
            problems.append(Problem(
                f"{where}.type", "field-types", f"unknown field type {f.type!r}; use one of: {known}",
            ))
        if f.type == "line_items" and not f.children:
            problems.append(Problem(
                f"{where}.children", "field-types",
                "a line_items field needs children that describe each item; add children=(Field(...), ...)",
            ))
        if f.children and f.type != "line_items":
            problems.append(Problem(
                f"{where}.children", "field-types",
                f"children are only used by line_items fields, not {f.type!r}; change the type or drop children",
            ))
        if f.type == "list" and f.item_type not in LIST_ITEM_TYPES:
            problems.append(Problem(
                f"{where}.item_type", "field-types",
                f"unknown list item_type {f.item_type!r}; use one of: {', '.join(LIST_ITEM_TYPES)}",
            ))
        if f.choices is not None and len(f.choices) == 0:
            problems.append(Problem(
                f"{where}.choices", "field-types",
                "choices is empty, so nothing can be picked; list the allowed values or set choices=None",
            ))
        if f.type == "file" and (f.choices is not None or f.dynamic is not None):
            problems.append(Problem(
                f"{where}.choices", "field-types",
                "a file field takes a URL or the file's content, not a pick from choices; drop choices/dynamic",
            ))
        if f.type == "file" and ".input_fields." not in where:
            problems.append(Problem(
                f"{where}.type", "field-types",
                "file is a type for operation inputs (a URL or content the step sends); describe an output "
                "or connection field as a string (a URL) or a dict instead",
            ))
    return problems


# --- 8. auth ----------------------------------------------------------------------------------------


def auth_is_complete(app: App) -> list[Problem]:
    """OAuth has its endpoints, API keys are kept secret, a connection can be tested before it is saved,
    and operations ask only for declared scopes."""
    problems: list[Problem] = []
    auth = app.auth
    where = f"{app.key}.auth"
    if auth.test is None:
        problems.append(Problem(
            f"{where}.test", "auth",
            "auth has no connection test, so no connection can be checked before it is saved (the emulator "
            "refuses to save one); set AuthSpec(test=...) to a cheap authenticated call such as GET /me",
        ))
    needed = {"oauth2": ("authorize_url", "token_url"), "oauth2_client_credentials": ("token_url",)}
    for name in needed.get(auth.type, ()):
        if not getattr(auth, name):
            problems.append(Problem(
                f"{where}.{name}", "auth", f"{auth.type} auth needs {name}; set it to the vendor's endpoint URL",
            ))
    if auth.type == "api_key" and not any(f.is_secret for f in auth.fields):
        problems.append(Problem(
            f"{where}.fields", "auth",
            "api_key auth has no secret field, so the key would be stored and shown in clear; give the key "
            "field type='password' or secret=True",
        ))
    declared = set(auth.scopes)
    for op in app.operations:
        missing = sorted(set(op.scopes) - declared)
        if missing:
            problems.append(Problem(
                f"{operation_location(app, op)}.scopes", "auth",
                f"scopes {', '.join(missing)} are not in the app's auth scopes; add them to AuthSpec.scopes or "
                "fix the operation's scopes",
            ))
    return problems


# --- 9. record types ---------------------------------------------------------------------------------

_SYNC_FUNCTIONS = ("list_changes", "read", "create", "update", "find")


def record_types_are_complete(app: App) -> list[Problem]:
    """A syncable record type can do everything a sync asks of it, and names only fields it has.

    A sync lists changes, reads, creates and updates; one missing function would fail the first cycle
    that needs it, long after the sync was set up. Identity keys match records across apps, so each must
    be a plain field; list parts merge as sets, so each must be a list; keys are unique within the type.
    """
    problems: list[Problem] = []
    seen_types: set[str] = set()
    for record_type in app.record_types:
        where = f"{app.key}.record_types.{record_type.key}"
        if record_type.key in seen_types:
            problems.append(Problem(where, "record-types", "this record type key is used twice; rename one"))
        seen_types.add(record_type.key)
        for name in _SYNC_FUNCTIONS:
            if getattr(record_type, name) is None:
                problems.append(Problem(
                    f"{where}.{name}", "record-types",
                    f"a syncable record type needs {name} (a sync calls it every cycle); implement it",
                ))
        plain = {f.key for f in record_type.fields}
        seen: set[str] = set()
        for f in (*record_type.fields, *record_type.list_parts):
            if f.key in seen:
                problems.append(Problem(
                    f"{where}.fields.{f.key}", "record-types",
                    f"field {f.key!r} is declared twice (as a field or a list part); keep one",
                ))
            seen.add(f.key)
        for f in record_type.list_parts:
            if f.type != "list":
                problems.append(Problem(
                    f"{where}.list_parts.{f.key}", "record-types",
                    f"list part {f.key!r} has type {f.type!r}; list parts merge as sets, so give it type='list'",
                ))
        for key in record_type.identity_keys:
            if key not in plain:
                problems.append(Problem(
                    f"{where}.identity_keys", "record-types",
                    f"identity key {key!r} is not one of the record type's fields; declare it in fields or drop it",
                ))
        for key in record_type.create_only:
            if key not in plain:
                problems.append(Problem(
                    f"{where}.create_only", "record-types",
                    f"create-only field {key!r} is not one of the record type's fields; declare it or drop it",
                ))
        if not record_type.identity_keys:
            problems.append(Problem(
                f"{where}.identity_keys", "record-types",
                "no identity keys, so a first sync could never link existing records; name at least one (email)",
            ))
        if record_type.delete is None and not record_type.delete_note.strip():
            problems.append(Problem(
                f"{where}.delete_note", "record-types",
                "no delete and no delete_note, so a user choosing the deletion policy mirror learns nothing; say why "
                "records cannot be deleted in delete_note, or implement delete",
            ))
        if record_type.custom_fields:
            try:
                re.compile(record_type.custom_fields)
            except re.error as error:
                problems.append(Problem(f"{where}.custom_fields", "record-types",
                                        f"is not a regular expression ({error}); give one such as dynamic_\\d+"))
    return problems


# --- 10. search-or-create pairs -------------------------------------------------------------------


def search_or_create_pairs(app: App) -> list[Problem]:
    """A search-or-create names a search and a create action of this app, and its one form fits both.

    The step runs the search with its fields and, when nothing is found, the create with its fields,
    all typed once into the pair's form: so every field of either must be on that form, and a field both
    take must mean the same type to both (an ``email`` the search compares cannot be a ``list`` the
    create stores).
    """
    problems: list[Problem] = []
    by_key = {op.key: op for op in app.operations}
    for pair in app.search_or_creates:
        where = operation_location(app, pair)
        search, create = by_key.get(pair.search), by_key.get(pair.create)
        for name, target, kind in (("search", search, Search), ("create", create, Action)):
            key = getattr(pair, name)
            if target is None:
                known = ", ".join(sorted(op.key for op in app.operations if isinstance(op, kind)
                                         and not isinstance(op, SearchOrCreate))) or "none"
                problems.append(Problem(f"{where}.{name}", "search-or-create",
                                        f"{key!r} is not an operation of {app.key}; name one of: {known}"))
            elif not isinstance(target, kind) or isinstance(target, SearchOrCreate):
                wanted = "a search" if kind is Search else "a create action"
                problems.append(Problem(f"{where}.{name}", "search-or-create",
                                        f"{key!r} is a {target.kind_name}, not {wanted}; name {wanted} of {app.key}"))
        if not isinstance(search, Search) or not isinstance(create, Action):
            continue
        own = {f.key: f for f in pair.input_fields}
        searched = {f.key: f for f in search.input_fields}
        for f in create.input_fields:
            other = searched.get(f.key)
            if other is not None and (other.type, other.item_type) != (f.type, f.item_type):
                problems.append(Problem(
                    f"{where}.input_fields.{f.key}", "search-or-create",
                    f"the search {search.key!r} takes {f.key!r} as {other.type} and the create {create.key!r} as "
                    f"{f.type}; one form value cannot be both: give the field one type in both operations",
                ))
        for half in (search, create):
            for f in half.input_fields:
                mine = own.get(f.key)
                if mine is None:
                    problems.append(Problem(
                        f"{where}.input_fields", "search-or-create",
                        f"{half.key!r} takes {f.key!r}, which the step's form lacks; build the pair with "
                        "SearchOrCreate.of(search, create, ...) so the form holds both operations' fields",
                    ))
                elif mine.type != f.type or (f.required and not mine.required):
                    problems.append(Problem(
                        f"{where}.input_fields.{f.key}", "search-or-create",
                        f"differs from {f.key!r} of {half.key!r} (type or required); rebuild the pair with "
                        "SearchOrCreate.of(...)",
                    ))
    return problems


#: Every cross-field rule, in the order problems are reported.
RULES: list[Rule] = [
    unique_keys,
    sample_matches_output,
    trigger_has_primary_keys,
    dynamic_choices_resolve,
    operation_functions,
    defaults_are_usable,
    field_types_are_complete,
    auth_is_complete,
    record_types_are_complete,
    search_or_create_pairs,
]


def check_rules(app: App, rules: Sequence[Rule] = RULES) -> list[Problem]:
    """Run the cross-field rules over one app."""
    problems: list[Problem] = []
    for rule in rules:
        problems.extend(rule(app))
    return problems


__all__ = ["LIST_ITEM_TYPES", "RULES", "Problem", "Rule", "check_rules", "field_types_known", "operation_location",
           "short_repr"]
