"""The marketplace manifest: one JSON document per app, its JSON Schema, and ``validate``.

A manifest is what an automation marketplace needs to list an app and render its forms without
running any code: identity, authentication, and for each trigger, action and search its display
text, UI fields, input and output JSON Schemas and a sample. The document is validated by a
versioned JSON Schema that ships with the kit (``connector/schemas/manifest-1.0.json``), then by the
cross-field rules of :mod:`connector.constraints`.

The JSON is deterministic so manifests diff well in review: operations and scopes are sorted (their
order means nothing), fields keep the order the author gave them (it is the form's order), and
members always appear in the same order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connector.constraints import Problem, check_rules, field_types_known, short_repr
from connector.definitions import Action, App, AuthSpec, Field, Operation, SearchOrCreate, Trigger
from connector.errors import DefinitionError
from connector.records import RecordType
from connector.schema import input_schema, output_schema
from connector.schema_check import compiled

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

MANIFEST_SCHEMA_VERSION = "1.0"
SCHEMA_FILE = f"manifest-{MANIFEST_SCHEMA_VERSION}.json"

_KEY_PATTERN = "^[a-z][a-z0-9_]*$"
_FIELD_KEY_PATTERN = "^[A-Za-z][A-Za-z0-9_]*$"


@lru_cache(maxsize=1)
def _schema_text() -> str:
    return resources.files("connector").joinpath("schemas", SCHEMA_FILE).read_text(encoding="utf-8")


def load_manifest_schema() -> dict[str, Any]:
    """The manifest's JSON Schema (draft 2020-12) as a fresh dict the caller may change."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    """The manifest's validator; each embedded schema is checked against draft 2020-12 once per content.

    A catalogue repeats its embedded schemas (an app's triggers share output shapes, its searches
    share inputs): 110 embedded schemas, 59 distinct, in the three shipped apps. ``x-meta-checked``
    checks an embedded schema against the static meta-schema and remembers the ones that passed, so a
    repeat costs one ``json.dumps``; errors are found and reported exactly as a ``$ref`` would.
    """
    from jsonschema import Draft202012Validator, validators

    schema = load_manifest_schema()
    embedded = schema["$defs"]["jsonSchema"]
    if embedded.get("$ref") != META_SCHEMA_URI:
        return Draft202012Validator(schema)
    del embedded["$ref"]
    rules = schema["$defs"]["jsonSchemaRules"] = static_meta_schema("#/$defs/jsonSchemaRules")
    embedded["x-meta-checked"] = True
    passed: set[str] = set()

    def meta_checked(validator: Any, _value: Any, instance: Any, _schema: Any) -> Iterator[ValidationError]:
        key = json.dumps(instance, sort_keys=True, default=str)
        if key in passed:
            return
        errors = list(validator.descend(instance, rules))
        if not errors and len(passed) < _PASSED_SCHEMAS_KEPT:
            passed.add(key)
        yield from errors

    extended = validators.extend(Draft202012Validator, {"x-meta-checked": meta_checked})
    result: Draft202012Validator = extended(schema)
    return result


#: Distinct embedded schemas remembered as valid, per process (a catalogue has tens).
_PASSED_SCHEMAS_KEPT = 4096


META_SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
_META_SCHEMA_KEYWORDS = ("$schema", "$id", "$vocabulary", "$dynamicAnchor", "$defs")
_NAMED_SCHEMAS = ("properties", "patternProperties", "dependentSchemas", "$defs")


def static_meta_schema(at: str) -> dict[str, Any]:
    """Draft 2020-12's meta-schema as one document with static references, to be placed at pointer ``at``.

    Why: the meta-schema spreads over seven vocabulary documents tied together by ``$dynamicRef:
    "#meta"``, and jsonschema's resolver (``referencing``) crawls every document again for each dynamic
    reference it follows: checking a manifest's embedded schemas against it took about 1.5 s of
    ``connector validate``'s time for the catalogue. When a schema is checked against the meta-schema
    itself (not an extension of it), every ``#meta`` reference means the meta-schema's root, so this
    inlines the vocabularies into the root's ``allOf``, binds each ``#meta`` to ``at`` and moves the
    vocabularies' ``$defs`` under it: the same rules, resolved by JSON pointer. An unknown reference
    (a future meta-schema) raises rather than being guessed.
    """
    from jsonschema_specifications import REGISTRY

    root = REGISTRY.contents(META_SCHEMA_URI)
    definitions: dict[str, Any] = {}

    def vocabulary(ref: str) -> dict[str, Any]:
        document = REGISTRY.contents(f"https://json-schema.org/draft/2020-12/{ref}")
        definitions.update(document.get("$defs", {}))
        return {k: v for k, v in document.items() if k not in _META_SCHEMA_KEYWORDS}

    def bind(node: Any) -> Any:
        if isinstance(node, list):
            return [bind(each) for each in node]
        if not isinstance(node, dict):
            return node
        out = {
            # The core vocabulary's ``properties`` are named "$ref", "$dynamicRef"...: names, not references.
            k: {name: bind(sub) for name, sub in v.items()} if k in _NAMED_SCHEMAS and isinstance(v, dict) else bind(v)
            for k, v in node.items()
            if k not in ("$dynamicRef", "$ref")
        }
        ref = node.get("$dynamicRef", node.get("$ref"))
        if ref is None:
            return out
        if ref == "#meta":
            out["$ref"] = at
        elif "#/$defs/" in ref:
            out["$ref"] = f"{at}/$defs/{ref.split('#/$defs/', 1)[1]}"
        else:
            raise DefinitionError(f"the draft 2020-12 meta-schema has a reference this kit cannot bind: {ref}")
        return out

    flat = {k: v for k, v in root.items() if k not in _META_SCHEMA_KEYWORDS}
    flat["allOf"] = [vocabulary(part["$ref"]) for part in root["allOf"]]
    flat = bind(flat)
    flat["$defs"] = {name: bind(sub) for name, sub in definitions.items()}
    bound: dict[str, Any] = flat
    return bound


# --- building ---------------------------------------------------------------------------------------


def _json_safe(value: Any) -> Any:
    """A plain-JSON deep copy (dates become ISO strings) so the manifest always serialises."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v)))


def _choices(f: Field) -> list[dict[str, Any]]:
    if isinstance(f.choices, Mapping):
        return [{"value": value, "label": str(label)} for value, label in f.choices.items()]
    return [{"value": value, "label": str(value)} for value in f.choices or ()]


def _input_field(f: Field) -> dict[str, Any]:
    """UI metadata for one input field; empty optional members are left out."""
    entry: dict[str, Any] = {"key": f.key, "label": f.display_label, "type": f.type}
    if f.type == "list":
        entry["itemType"] = f.item_type
    entry["required"] = f.required
    if f.default is not None:
        entry["default"] = _json_safe(f.default)
    if f.help_text:
        entry["helpText"] = f.help_text
    if f.placeholder:
        entry["placeholder"] = f.placeholder
    if f.choices is not None:
        entry["choices"] = _choices(f)
    if f.dynamic is not None:
        entry["dynamic"] = {"operation": f.dynamic.operation, "value": f.dynamic.value, "label": f.dynamic.label}
    if f.children:
        entry["children"] = [_input_field(child) for child in f.children]
    return entry


def _auth(auth: AuthSpec) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": auth.type,
        "fields": [
            {
                "key": f.key,
                "label": f.display_label,
                "type": f.type,
                "required": f.required,
                "secret": f.is_secret,
                **({"help": f.help_text} if f.help_text else {}),
            }
            for f in auth.fields
        ],
        "scopes": sorted(set(auth.scopes)),
    }
    if auth.authorize_url:
        entry["authorizeUrl"] = auth.authorize_url
    if auth.token_url:
        entry["tokenUrl"] = auth.token_url
    return entry


def _kind(op: Operation) -> str:
    if isinstance(op, Trigger):
        return op.kind
    if isinstance(op, Action):
        return op.semantics
    return op.kind_name


def _operation(op: Operation, strict: bool, where: str) -> dict[str, Any]:
    compilable = all(field_types_known(f) for f in (*op.input_fields, *op.output_fields))
    if strict and not compilable:
        raise DefinitionError(
            f"{where} has a field with an unknown type, so its schemas cannot be built; "
            "run `connector validate` to see which field and how to fix it"
        )
    primary_keys = tuple(op.primary_keys) if isinstance(op, Trigger) else ()
    entry: dict[str, Any] = {
        "key": op.key,
        "noun": op.noun,
        "display": {
            "label": op.label, "description": op.description, "hidden": op.hidden,
            "area": op.area, "important": op.important,
        },
        "kind": _kind(op),
        # An uncompilable schema becomes {} here; validate_app reports the field that caused it.
        "inputSchema": input_schema(op.input_fields) if compilable else {},
        "inputFields": [_input_field(f) for f in op.input_fields],
        "outputSchema": output_schema(op.output_fields, primary_keys) if compilable else {},
        "sample": _json_safe(dict(op.sample) if isinstance(op.sample, Mapping) else op.sample),
    }
    if isinstance(op, Trigger):
        entry["primaryKeys"] = list(primary_keys)
    entry["scopes"] = sorted(set(op.scopes))
    if isinstance(op, Trigger) and op.kind == "hook":
        entry["hook"] = {"subscribe": op.subscribe is not None, "static": op.static_hook}
    return entry


def _search_or_create(pair: SearchOrCreate) -> dict[str, Any]:
    """Zapier's ``searchOrCreates`` entry: the pair's display and the keys of its search and create."""
    return {
        "key": pair.key,
        "noun": pair.noun,
        "display": {
            "label": pair.label, "description": pair.description, "hidden": pair.hidden,
            "area": pair.area, "important": pair.important,
        },
        "search": pair.search,
        "create": pair.create,
    }


def _record_field(f: Field, create_only: tuple[str, ...]) -> dict[str, Any]:
    entry: dict[str, Any] = {"key": f.key, "label": f.display_label, "type": f.type}
    if f.type == "list":
        entry["itemType"] = f.item_type
    if f.key in create_only:
        entry["createOnly"] = True
    return entry


def _record_type(record_type: RecordType) -> dict[str, Any]:
    return {
        "key": record_type.key,
        "noun": record_type.noun,
        "display": {"label": record_type.label, "description": record_type.description, "hidden": False},
        "fields": [_record_field(f, record_type.create_only) for f in record_type.fields],
        "listParts": [_record_field(f, ()) for f in record_type.list_parts],
        "identityKeys": list(record_type.identity_keys),
        "modifiedResolution": record_type.modified_resolution,
        "scopes": sorted(set(record_type.scopes)),
        "sample": _json_safe(dict(record_type.sample)),
        "canDelete": record_type.delete is not None,
        **({"deleteNote": record_type.delete_note} if record_type.delete_note else {}),
        **({"customFields": record_type.custom_fields} if record_type.custom_fields else {}),
    }


def _build(app: App, strict: bool) -> dict[str, Any]:
    def operations(ops: Iterable[Operation]) -> list[dict[str, Any]]:
        ordered = sorted(ops, key=lambda op: op.key)
        return [_operation(op, strict, f"{app.key}.{op.qualified_key}") for op in ordered]

    return {
        "manifestVersion": MANIFEST_SCHEMA_VERSION,
        "app": {
            "key": app.key,
            "name": app.name,
            "version": app.version,
            "description": app.description,
            "homepage": app.homepage,
        },
        "auth": _auth(app.auth),
        "triggers": operations(app.triggers),
        "actions": operations(app.actions),
        "searches": operations(app.searches),
        **({"searchOrCreates": [_search_or_create(pair) for pair in sorted(app.search_or_creates, key=lambda p: p.key)]}
           if app.search_or_creates else {}),
        **({"recordTypes": [_record_type(rt) for rt in sorted(app.record_types, key=lambda rt: rt.key)]}
           if app.record_types else {}),
    }


def build_manifest(app: App) -> dict[str, Any]:
    """The marketplace manifest of one app, as a JSON-ready dict.

    Raises:
        DefinitionError: a field has an unknown type, so no JSON Schema can describe it.
    """
    return _build(app, strict=True)


def manifest_json(app: App) -> str:
    """The manifest serialised the one canonical way: 2-space indent, UTF-8, trailing newline."""
    return json.dumps(build_manifest(app), indent=2, ensure_ascii=False) + "\n"


def write_manifests(apps: Iterable[App], out_dir: Path) -> list[Path]:
    """Write ``<app>.manifest.json`` for each app into ``out_dir`` (created if needed).

    Returns:
        The paths written, in the order of ``apps``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for app in apps:
        path = out_dir / f"{app.key}.manifest.json"
        path.write_text(manifest_json(app), encoding="utf-8")
        written.append(path)
    return written


# --- validating -------------------------------------------------------------------------------------


def _location(document: Any, error: ValidationError, root: str) -> str:
    """Dotted location of an error; list items are named by their ``key`` where they have one."""
    parts = [root]
    node = document
    for step in error.absolute_path:
        node = node[step]
        if isinstance(step, int) and isinstance(node, Mapping) and isinstance(node.get("key"), str):
            parts.append(node["key"])
        else:
            parts.append(str(step))
    return ".".join(parts)


def _missing_property(error: ValidationError) -> str | None:
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    for name in error.validator_value:
        if name not in instance and repr(name) in error.message:
            return str(name)
    return None


def _explain(error: ValidationError) -> str:
    """jsonschema's finding, reworded to say what to do."""
    validator, expected = error.validator, error.validator_value
    if validator == "required":
        return f"{_missing_property(error)!r} is missing; add it"
    if validator in ("additionalProperties", "unevaluatedProperties"):
        return f"{error.message}; remove it, the manifest {MANIFEST_SCHEMA_VERSION} schema does not define it"
    if validator == "enum":
        return f"{short_repr(error.instance)} is not allowed; use one of: {', '.join(map(str, expected))}"
    if validator == "const":
        return f"{short_repr(error.instance)} is not allowed; it must be {expected!r}"
    if validator == "pattern":
        if expected == _KEY_PATTERN:
            how = "use lowercase letters, digits and underscores, starting with a letter (e.g. new_user)"
        elif expected == _FIELD_KEY_PATTERN:
            how = "use letters, digits and underscores, starting with a letter (e.g. first_name)"
        else:
            how = "use a semantic version such as 1.0.0" if "(0|[1-9]" in str(expected) else f"match {expected}"
        return f"{short_repr(error.instance)} is not allowed; {how}"
    if validator == "minLength":
        return "must not be empty; fill it in"
    if validator == "not" and expected == {"required": ["hook"]}:
        return "only hook triggers have hook settings; remove 'hook' or make the trigger kind 'hook'"
    return f"{error.message}; fix the definition so the manifest matches schema {MANIFEST_SCHEMA_VERSION}"


_OPERATION_LISTS = ("triggers", "actions", "searches")


@lru_cache(maxsize=1)
def _compiled_validator() -> Any:
    """The manifest schema compiled by jsonschema-rs: the fast yes-or-no answer.

    Checking the catalogue's 400 operation entries with their embedded schemas against draft 2020-12
    takes about 0.4 s in pure-Python jsonschema and about 3 ms compiled. A valid manifest (the usual
    case) is answered here; only a refused one goes through jsonschema, which has the last word and
    whose errors carry the paths and keywords :func:`_explain` turns into advice.
    """
    return compiled(load_manifest_schema())


def validate_manifest(document: Mapping[str, Any]) -> list[Problem]:
    """Check a manifest document against the manifest JSON Schema; one Problem per error."""
    if _compiled_validator().is_valid(document):
        return []
    app = document.get("app") if isinstance(document, Mapping) else None
    root = app["key"] if isinstance(app, Mapping) and isinstance(app.get("key"), str) and app["key"] else "app"
    problems = set()
    for error in _validator().iter_errors(document):
        location = _location(document, error, root)
        if error.validator == "required":  # point at the member that is missing, not its parent
            location = f"{location}.{_missing_property(error)}"
        problems.add(Problem(location, "manifest-schema", _explain(error)))
    return sorted(problems)


def validate_app(app: App) -> list[Problem]:
    """Every problem with an app: its manifest against the schema, then each cross-field rule.

    An empty list means the app can be published. Problems from the schema come first (sorted by
    location), then those of :data:`connector.constraints.RULES` in rule order.
    """
    try:
        document = _build(app, strict=False)
    except (TypeError, ValueError, AttributeError) as exc:
        message = f"cannot build the manifest ({exc}); fix the definition"
        problems = [Problem(app.key or "app", "manifest-build", message)]
    else:
        problems = validate_manifest(document)
    ruled = check_rules(app)
    # A wrong field type breaks both the schema and a rule; the rule says it better, so say it once.
    rule_locations = {p.location for p in ruled if p.rule == "field-types"}
    problems = [p for p in problems if _snake_location(p.location) not in rule_locations]
    return [*problems, *ruled]


def _snake_location(location: str) -> str:
    """``okta.actions.x.inputFields.name.type`` as the rules spell it: ``...input_fields.name.type``."""
    return re.sub(r"(?<=[a-z])([A-Z])", lambda m: "_" + m.group(1).lower(), location)


__all__ = [
    "MANIFEST_SCHEMA_VERSION",
    "Problem",
    "build_manifest",
    "load_manifest_schema",
    "manifest_json",
    "validate_app",
    "validate_manifest",
    "write_manifests",
]
