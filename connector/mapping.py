"""Field mapping: render an action's ``{{templates}}`` against a record, coerce, fill, validate.

A flow maps each action input to a template over earlier steps' data, e.g.
``{"email": "{{trigger.profile.email}}", "name": "{{trigger.profile.firstName}} {{trigger.profile.lastName}}"}``.
:class:`FieldMapping` compiles such a mapping once and renders it for every record:

1. resolve tokens (:mod:`connector.templates`): one whole token keeps its native type, mixed text
   renders to text, missing paths render empty;
2. coerce to the declared type and check static choices (:mod:`connector.coercion`);
3. fill defaults, drop empty optional values, flag empty required ones (naming the token that was
   empty, because "email is required" is useless when the user did map it);
4. validate against the operation's input schema (:func:`connector.schema.input_schema`) with a
   Draft 2020-12 validator compiled once per field set.

Every problem becomes a :class:`~connector.errors.FieldProblem`; all of them are raised together in one
:class:`~connector.errors.BadInput`, so a user fixes a mapping in one pass rather than one error at a time.
:func:`validate_input` runs steps 2-4 for input given directly (CLI, API, tests), sharing the same code.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from connector.coercion import DROP, REQUIRED_EMPTY, Finisher, NestedProblems, coerce, finisher_for
from connector.definitions import Field
from connector.errors import BadInput, FieldProblem
from connector.files import FILE_SCHEMA
from connector.schema import input_schema
from connector.templates import (
    MISSING,
    PathSyntaxError,
    Renderer,
    compile_template,
    compile_text,
    missing_tokens,
    paths_of,
    resolve_path,
    sample_tokens,
    tokens_in,
)

__all__ = [
    "EACH",
    "MISSING",
    "FieldMapping",
    "MappingPreview",
    "coerce",
    "resolve_path",
    "sample_tokens",
    "tokens_in",
    "validate_input",
]

#: Key of a line-items template that names the source list: one line item per element, with the
#: element available as ``{{item...}}`` and its position as ``{{index}}``.
EACH = "$each"


# --- schema validation, compiled once per field set --------------------------------------------

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _is_email(instance: object) -> bool:
    return not isinstance(instance, str) or bool(_EMAIL.fullmatch(instance))


def _is_date_time(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    if not _RFC3339.fullmatch(instance):
        return False
    try:
        datetime.fromisoformat(instance.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return False
    return True


def _format_checker() -> FormatChecker:
    """Email and date-time checks without optional packages (jsonschema skips date-time without one)."""
    checker = FormatChecker(formats=())
    checker.checks("email")(_is_email)
    checker.checks("date-time")(_is_date_time)
    return checker


_FORMATS = _format_checker()
_ANNOTATIONS = frozenset({"title", "description", "default", "examples"})


def _assertions_only(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema without annotations: same verdicts, fewer keywords to walk per record."""
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _ANNOTATIONS:
            continue
        if key == "properties":
            out[key] = {name: _assertions_only(sub) for name, sub in value.items()}
        elif key == "items" and isinstance(value, dict):
            out[key] = _assertions_only(value)
        else:
            out[key] = value
    return out


def _problem_from(error: ValidationError) -> FieldProblem:
    where = _dotted(error.absolute_path)
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        key = missing[0] if missing else "input"
        return FieldProblem(_join(where, key), "is required; give it a value", None)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        key = extra[0] if extra else "input"
        known = ", ".join(error.schema.get("properties", {})) or "none"
        return FieldProblem(_join(where, key), f"is not a known field; known fields: {known}", None)
    return FieldProblem(where or "input", f"{error.message}; fix the value", error.instance)


def _dotted(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


# What each field type's coercer guarantees about its output, as JSON Schema would state it.
_JSON_TYPE = {
    "string": "string", "text": "string", "password": "string", "email": "string", "datetime": "string",
    "integer": "integer", "number": "number", "boolean": "boolean", "dict": "object",
    "list": "array", "line_items": "array", "file": "object",
}
_GUARANTEED_FORMAT = {"email": "email", "datetime": "date-time"}


def _enforced_by_coercion(f: Field, schema: Mapping[str, Any]) -> bool:
    """Whether finishing a value already enforces every assertion of the field's schema.

    True only when each keyword is one the coercer provably satisfies (type, its format, the static
    choices as an enum, list items, line-item objects). Any other keyword, e.g. a ``maxLength`` added
    to :mod:`connector.schema` later, makes this False and the field is validated by jsonschema per
    record. ``tests/kit/test_mapping_validation.py`` checks the claim against the real validator.
    """
    if f.type == "file":  # coercion returns one of the schema's object forms (connector.files)
        wanted = [*FILE_SCHEMA["anyOf"], *([{"type": "null"}] if f.nullable else [])]
        return set(schema) == {"anyOf"} and schema["anyOf"] == wanted
    allowed = {"type", "enum", "format", "items"}
    if not set(schema) <= allowed:
        return False
    json_type = _JSON_TYPE.get(f.type)
    expected_type: Any = [json_type, "null"] if f.nullable else json_type
    if json_type is None or schema.get("type") != expected_type:
        return False
    if "format" in schema and schema["format"] != _GUARANTEED_FORMAT.get(f.type):
        return False
    if f.type == "list":
        item_type = f.item_type if f.item_type in _JSON_TYPE and f.item_type not in ("list", "line_items") \
            else "string"
        item_field = Field(f.key, type=item_type, choices=f.choices)
        return "enum" not in schema and _enforced_by_coercion(item_field, schema.get("items", {}))
    if f.type == "line_items":
        items = schema.get("items", {})
        return (
            "enum" not in schema
            and set(items) <= {"type", "properties", "additionalProperties", "required"}
            and items.get("type") == "object"
            and items.get("additionalProperties") is False
            and set(items.get("required", ())) <= {c.key for c in f.children if c.required}
            and set(items.get("properties", {})) == {c.key for c in f.children}
            and all(_enforced_by_coercion(c, items["properties"][c.key]) for c in f.children)
        )
    if "items" in schema:
        return False
    if "enum" in schema:
        choices = list(f.choices.keys()) if isinstance(f.choices, Mapping) else list(f.choices or ())
        return json_type == "string" and schema["enum"] == choices and all(isinstance(c, str) for c in choices)
    return True


class _FieldPlan:
    """What a field set needs at run time, built once: finishers, known keys, compiled validators.

    ``validator`` checks the whole input schema. ``residual`` checks only the fields whose schema says
    more than their coercion guarantees (None when there are none): the per-record path of a mapping
    uses it, because jsonschema costs several times more than rendering and coercing together.
    """

    def __init__(self, fields: tuple[Field, ...]) -> None:
        self.fields = fields
        self.rules: list[tuple[str, Finisher]] = [(f.key, finisher_for(f)) for f in fields]
        self.by_key = {f.key: f for f in fields}
        self.known = ", ".join(self.by_key) or "none"
        schema = _assertions_only(input_schema(fields))
        Draft202012Validator.check_schema(schema)
        self.validator = Draft202012Validator(schema, format_checker=_FORMATS)
        unproven = [f.key for f in fields if not _enforced_by_coercion(f, schema["properties"][f.key])]
        self.residual: Draft202012Validator | None = None
        if unproven:
            residual = {"type": "object", "properties": {k: schema["properties"][k] for k in unproven}}
            self.residual = Draft202012Validator(residual, format_checker=_FORMATS)

    def validate(self, values: dict[str, Any], problems: list[FieldProblem], *, full: bool = True) -> None:
        """Add the schema's complaints, except for fields that already have a problem.

        Args:
            full: check the whole schema; otherwise only what coercion does not already guarantee.
        """
        validator = self.validator if full else self.residual
        if validator is None or validator.is_valid(values):
            return
        flagged = {_top_key(p.field) for p in problems}
        for error in sorted(validator.iter_errors(values), key=lambda e: list(map(str, e.absolute_path))):
            problem = _problem_from(error)
            if _top_key(problem.field) not in flagged:
                problems.append(problem)


def _top_key(path: str) -> str:
    return path.split("[", 1)[0].split(".", 1)[0]


_PLANS: dict[Any, _FieldPlan] = {}
_PLAN_LIMIT = 512
_PLANS_LOCK = threading.Lock()


def _plan_for(fields: Sequence[Field]) -> _FieldPlan:
    """The cached plan of a field set: by value when the fields hash, else by identity."""
    fields = tuple(fields)
    key: Any
    try:
        hash(fields)
        key = fields
    except TypeError:  # a dict of choices or a list default: fall back to identity (the plan pins them)
        key = tuple(id(f) for f in fields)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _FieldPlan(fields)
        with _PLANS_LOCK:
            if len(_PLANS) >= _PLAN_LIMIT:
                _PLANS.pop(next(iter(_PLANS)))
            plan = _PLANS.setdefault(key, plan)
    return plan


def _finish_into(
    key: str, finish: Finisher, raw: Any, out: dict[str, Any], problems: list[FieldProblem]
) -> bool:
    """Finish one value into ``out``; False when it was required and empty (caller words that)."""
    try:
        value = finish(raw)
    except NestedProblems as exc:
        problems.extend(FieldProblem(f"{key}{p.field}", p.message, p.value) for p in exc.problems)
        return True
    except ValueError as exc:
        problems.append(FieldProblem(key, str(exc), raw))
        return True
    if value is REQUIRED_EMPTY:
        return False
    if value is not DROP:
        out[key] = value
    return True


def validate_input(fields: Sequence[Field], values: Mapping[str, Any]) -> dict[str, Any]:
    """Coerce, fill defaults, drop empty values and validate input given directly (no templates).

    Raises:
        BadInput: with every problem found, each naming the field and the offending value.
    """
    plan = _plan_for(fields)
    problems = [
        FieldProblem(key, f"is not an input of this operation; known inputs: {plan.known}", value)
        for key, value in values.items()
        if key not in plan.by_key
    ]
    out: dict[str, Any] = {}
    for key, finish in plan.rules:
        raw = values.get(key, MISSING)
        if not _finish_into(key, finish, raw, out, problems):
            problems.append(FieldProblem(key, "is required; give it a value", None if raw is MISSING else raw))
    plan.validate(out, problems)
    if problems:
        raise BadInput(problems)
    return out


# --- templates ---------------------------------------------------------------------------------


@dataclass
class MappingPreview:
    """What an action would receive for one record, and what is wrong with it (shown before running)."""

    values: dict[str, Any]
    problems: list[FieldProblem] = field(default_factory=list)
    ok: bool = field(init=False)

    def __post_init__(self) -> None:
        self.ok = not self.problems


@dataclass(frozen=True)
class _Step:
    key: str
    render: Renderer
    finish: Finisher
    tokens: tuple[str, ...]


def _no_template(_context: Mapping[str, Any]) -> Any:
    return MISSING


class FieldMapping:
    """An action's input mapping, compiled once per (fields, templates); render it for many records.

    Args:
        fields: the action's input fields.
        templates: field key -> template (text with ``{{tokens}}``, a literal, a list or a dict). For a
            ``line_items`` field: a token resolving to a list of objects, a dict of child templates
            (one item; or one per element of the list named by ``"$each"``, or zipped across child
            tokens that resolve to lists), or a list of such dicts.

        strict: run the whole input schema through jsonschema for every record, even the parts that
            coercion already guarantees (slower; :meth:`preview` always does).

    Raises:
        BadInput: a template key is not a field (a typo must not be silently ignored), or a template
            cannot be parsed.
    """

    def __init__(self, fields: Sequence[Field], templates: Mapping[str, Any], *, strict: bool = False) -> None:
        self._plan = _plan_for(fields)
        self._strict = strict
        problems = [
            FieldProblem(key, f"is not an input of this action; known inputs: {self._plan.known}", template)
            for key, template in templates.items()
            if key not in self._plan.by_key
        ]
        steps: list[_Step] = []
        for key, finish in self._plan.rules:
            if key not in templates:
                steps.append(_Step(key, _no_template, finish, ()))
                continue
            template = templates[key]
            try:
                if self._plan.by_key[key].type == "line_items":
                    render = _compile_line_items(template, self._plan.by_key[key], problems)
                else:
                    render = compile_template(template)
            except PathSyntaxError as exc:
                problems.append(FieldProblem(key, f"bad template: {exc}", template))
                continue
            steps.append(_Step(key, render, finish, tuple(tokens_in(template))))
        if problems:
            raise BadInput(problems)
        self._steps = tuple(steps)
        self._fast = tuple((s.key, s.render, s.finish) for s in steps)
        self.templates = dict(templates)

    @property
    def fields(self) -> tuple[Field, ...]:
        return self._plan.fields

    def tokens(self) -> list[str]:
        """Every path the mapping reads, in field order (for the UI)."""
        return tokens_in([self.templates[s.key] for s in self._steps if s.key in self.templates])

    def render(self, context: Mapping[str, Any]) -> dict[str, Any]:
        """The action's input for one record.

        Raises:
            BadInput: with every problem found, each naming the field and the offending value.
        """
        values, problems = self._render(context, full=self._strict)
        if problems:
            raise BadInput(problems)
        return values

    def preview(self, context: Mapping[str, Any]) -> MappingPreview:
        """Render for display: the values that could be made and the problems; never raises."""
        try:
            values, problems = self._render(context, full=True)
        except Exception as exc:  # a preview must show something even if a definition misbehaves
            return MappingPreview({}, [FieldProblem("input", f"could not render the mapping: {exc}")])
        return MappingPreview(values, problems)

    def _render(self, context: Mapping[str, Any], *, full: bool) -> tuple[dict[str, Any], list[FieldProblem]]:
        out: dict[str, Any] = {}
        problems: list[FieldProblem] = []
        for key, render, finish in self._fast:
            raw = render(context)
            try:
                value = finish(raw)
            except ValueError:
                _finish_into(key, finish, raw, out, problems)  # the slow path words the problem
                continue
            if value is DROP:
                continue
            if value is REQUIRED_EMPTY:
                problems.append(self._required_problem(key, context, raw))
                continue
            out[key] = value
        self._plan.validate(out, problems, full=full)
        return out, problems

    def _required_problem(self, key: str, context: Mapping[str, Any], raw: Any) -> FieldProblem:
        step = next(s for s in self._steps if s.key == key)
        value = None if raw is MISSING else raw
        if key not in self.templates:
            return FieldProblem(key, "is required, but nothing is mapped to it; map a field or type a value", value)
        empty = missing_tokens(context, paths_of(step.tokens))
        if empty:
            named = ", ".join(f"{{{{{token}}}}}" for token in empty)
            verb = "has" if len(empty) == 1 else "have"
            return FieldProblem(
                key, f"is required, but {named} {verb} no value in this record; map a field that has one", value
            )
        return FieldProblem(key, "is required, but its template rendered empty; map a value or type one", value)


# --- line items --------------------------------------------------------------------------------


def _compile_line_items(template: Any, f: Field, problems: list[FieldProblem]) -> Renderer:
    """Compile a ``line_items`` template into a renderer of a list of raw item dicts."""
    if isinstance(template, Mapping):
        return _compile_item_template(template, f, problems)
    if isinstance(template, list | tuple):
        parts: list[tuple[Renderer, bool]] = [
            (_compile_item_template(item, f, problems), True) if isinstance(item, Mapping)
            else (compile_template(item), False)
            for item in template
        ]

        def render_many(context: Mapping[str, Any]) -> list[Any]:
            out: list[Any] = []
            for render, many in parts:
                value = render(context)
                if many or isinstance(value, list):
                    out.extend(value)
                elif value is not MISSING:
                    out.append(value)
            return out

        return render_many
    return compile_template(template)


def _compile_item_template(template: Mapping[str, Any], f: Field, problems: list[FieldProblem]) -> Renderer:
    children = {child.key for child in f.children}
    listed = ", ".join(child.key for child in f.children) or "none"
    for key in template:
        if key != EACH and key not in children:
            problems.append(FieldProblem(f"{f.key}.{key}", f"is not a line item field; known fields: {listed}",
                                         template[key]))
    entries: list[tuple[str, Renderer, bool]] = []
    for key, child in template.items():
        if key == EACH:
            continue
        if isinstance(child, str):
            render, whole = compile_text(child)
        else:
            render, whole = compile_template(child), False
        entries.append((key, render, whole))

    if EACH in template:
        source = compile_template(template[EACH])

        def render_each(context: Mapping[str, Any]) -> list[dict[str, Any]]:
            elements = source(context)
            if elements is MISSING or elements is None:
                return []
            if not isinstance(elements, list | tuple):
                elements = [elements]
            items = []
            for index, element in enumerate(elements):
                scope = {**context, "item": element, "index": index}
                item = {key: value for key, render, _ in entries if (value := render(scope)) is not MISSING}
                items.append(item)
            return items

        return render_each

    def render_zipped(context: Mapping[str, Any]) -> list[dict[str, Any]]:
        rendered = [(key, render(context), whole) for key, render, whole in entries]
        spread = [len(value) for _, value, whole in rendered if whole and isinstance(value, list)]
        if not spread:
            return [{key: value for key, value, _ in rendered if value is not MISSING}]
        items = []
        for index in range(max(spread)):
            item = {}
            for key, value, whole in rendered:
                if whole and isinstance(value, list):
                    value = value[index] if index < len(value) else MISSING
                if value is not MISSING:
                    item[key] = value
            items.append(item)
        return items

    return render_zipped

