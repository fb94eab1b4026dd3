"""The platform's checks on what an operation returns: one named check per rule, indexed in order.

A hosted platform refuses results that would break the flows built on them, and so does every caller
of :func:`connector.runtime.invoke` (CLI, pytest plugin, emulator). Each rule is a :class:`ResultCheck`
with a name, the rule in one sentence, when it applies, and the check itself, so a newcomer finds the
rule a failure names in one place and a test covers each one (as Zapier's ``packages/core/src/checks``
does). :data:`RESULT_CHECKS` runs in order: shape before items, items before their ids.

    ====================================  ==============================================================
    hook_step_returns_an_object           ``subscribe`` and the connection ``test`` return an object
    action_returns_an_object              an action returns the one object it created or changed
    list_operation_returns_a_list         a trigger or search returns a list
    list_items_are_objects                every item of that list is an object
    trigger_items_have_primitive_ids      every trigger item has a primitive id (or primary keys)
    trigger_ids_are_unique                no id appears twice in one result
    results_match_their_output_schema     (strict) every item matches the operation's output schema
    ====================================  ==============================================================
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from connector.definitions import Action, Operation, Trigger
from connector.errors import ResultError
from connector.schema import output_schema
from connector.schema_check import compiled

Step = Literal["perform", "subscribe", "unsubscribe", "list_samples", "parse_delivery", "parse_deliveries", "test"]


@dataclass(frozen=True)
class ResultCheck:
    """One platform rule on results.

    Attributes:
        name: how failures and docs refer to the rule.
        rule: the rule in one sentence.
        applies: whether it applies to ``(operation, step, strict)``.
        check: raises :class:`ResultError` naming the operation and the item when the result breaks it.
    """

    name: str
    rule: str
    applies: Callable[[Operation, Step, bool], bool]
    check: Callable[[Operation, Any, Step], None]


def _is_list_result(op: Operation, step: Step) -> bool:
    return step not in ("subscribe", "test", "unsubscribe") and not isinstance(op, Action)


def _items(op: Operation, result: Any) -> list[Any]:
    return [result] if isinstance(op, Action) else list(result)


def _returns_object(op: Operation, result: Any, step: Step) -> None:
    if not isinstance(result, dict):
        where = op.qualified_key if step not in ("subscribe", "test") else f"{op.qualified_key}.{step}"
        raise ResultError(f"{where} must return an object, got {type(result).__name__}")


def _returns_list(op: Operation, result: Any, step: Step) -> None:
    if not isinstance(result, list):
        raise ResultError(f"{op.qualified_key} must return a list of objects, got {type(result).__name__}")


def _items_are_objects(op: Operation, result: Any, step: Step) -> None:
    for n, item in enumerate(result):
        if not isinstance(item, dict):
            raise ResultError(f"{op.qualified_key} item {n} must be an object, got {type(item).__name__}")


def _primitive_ids(op: Operation, result: Any, step: Step) -> None:
    assert isinstance(op, Trigger)
    item_identities(op, result)


def _unique_ids(op: Operation, result: Any, step: Step) -> None:
    assert isinstance(op, Trigger)
    _check_unique(op, item_identities(op, result))


def _check_unique(op: Operation, identities: list[str]) -> None:
    if len(set(identities)) == len(identities):
        return
    seen: set[str] = set()
    for n, ident in enumerate(identities):
        if ident in seen:
            raise ResultError(f"{op.qualified_key} returned the id {ident!r} twice (item {n}); ids must be unique")
        seen.add(ident)


def _match_schema(op: Operation, result: Any, step: Step) -> None:
    _op, schema, quick = _output_checks(op)
    for n, item in enumerate(_items(op, result)):
        if quick.is_valid(item):
            continue
        import jsonschema  # words the error of an item the compiled check refused

        error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(item))
        if error is not None:
            path = ".".join(str(p) for p in error.absolute_path) or "(item)"
            raise ResultError(
                f"{op.qualified_key} item {n} does not match its output schema at {path}: {error.message}"
            )


RESULT_CHECKS: tuple[ResultCheck, ...] = (
    ResultCheck(
        "hook_step_returns_an_object", "subscribe and the connection test return an object",
        lambda op, step, strict: step in ("subscribe", "test"), _returns_object,
    ),
    ResultCheck(
        "action_returns_an_object", "an action returns the one object it created or changed",
        lambda op, step, strict: isinstance(op, Action) and step not in ("subscribe", "test", "unsubscribe"),
        _returns_object,
    ),
    ResultCheck(
        "list_operation_returns_a_list", "a trigger or a search returns a list of objects",
        lambda op, step, strict: _is_list_result(op, step), _returns_list,
    ),
    ResultCheck(
        "list_items_are_objects", "every item a trigger or search returns is an object",
        lambda op, step, strict: _is_list_result(op, step), _items_are_objects,
    ),
    ResultCheck(
        "trigger_items_have_primitive_ids", "every trigger item has a primitive id, or its declared primary keys",
        lambda op, step, strict: isinstance(op, Trigger) and _is_list_result(op, step), _primitive_ids,
    ),
    ResultCheck(
        "trigger_ids_are_unique", "no id appears twice in one trigger result (dedupe would drop the second)",
        lambda op, step, strict: isinstance(op, Trigger) and _is_list_result(op, step), _unique_ids,
    ),
    ResultCheck(
        "results_match_their_output_schema", "in strict mode, every item matches the operation's output schema",
        lambda op, step, strict: strict and step not in ("subscribe", "test", "unsubscribe"), _match_schema,
    ),
)
#: The checks by name, for docs and tests.
CHECKS_BY_NAME: dict[str, ResultCheck] = {check.name: check for check in RESULT_CHECKS}


def check_result(op: Operation, result: Any, *, step: Step = "perform", strict: bool = False) -> Any:
    """Apply every :data:`RESULT_CHECKS` rule that applies; an ``unsubscribe`` answer is only normalised."""
    return checked(op, result, step=step, strict=strict)[0]


def checked(
    op: Operation, result: Any, *, step: Step = "perform", strict: bool = False
) -> tuple[Any, list[str] | None]:
    """:func:`check_result`, also giving a trigger result's item identities (None otherwise).

    The two id rules need the identities and so does the platform (it dedupes on them): they are worked
    out once here, for both rules and the caller.
    """
    if step == "unsubscribe":
        return (result if isinstance(result, dict) else {}), None
    identities: list[str] | None = None
    for check in RESULT_CHECKS:
        if not check.applies(op, step, strict):
            continue
        if check.name in _ID_RULES and isinstance(op, Trigger):
            if identities is None:
                identities = item_identities(op, result)  # trigger_items_have_primitive_ids
            if check.name == "trigger_ids_are_unique":
                _check_unique(op, identities)
            continue
        check.check(op, result, step)
    return result, identities


#: The rules that work on a trigger result's identities.
_ID_RULES = frozenset({"trigger_items_have_primitive_ids", "trigger_ids_are_unique"})


_validators: dict[int, tuple[Operation, dict[str, Any], Any]] = {}


def _output_checks(op: Operation) -> tuple[Operation, dict[str, Any], Any]:
    """``op``, its output schema and that schema compiled (:mod:`connector.schema_check`), built once per operation."""
    cached = _validators.get(id(op))
    if cached is None or cached[0] is not op:
        schema = output_schema(op.output_fields, op.primary_keys if isinstance(op, Trigger) else ())
        cached = (op, schema, compiled(schema))
        _validators[id(op)] = cached
    return cached


def plain_key(trigger: Trigger) -> str | None:
    """The trigger's one top-level primary key, or None when its identity is nested or compound."""
    keys = trigger.primary_keys
    return keys[0] if len(keys) == 1 and "." not in keys[0] else None


def item_identities(trigger: Trigger, items: list[dict[str, Any]]) -> list[str]:
    """:func:`item_identity` of every item, in order: the same answers and errors, made cheap for the common case.

    A first poll hands over every existing item of an org (tens of thousands), so a trigger keyed by a
    plain string ``id`` takes one list comprehension instead of a key walk per item.
    """
    key = plain_key(trigger)
    if key is not None:
        with contextlib.suppress(KeyError, TypeError, AttributeError):
            values = [item[key] for item in items]
            if all(type(value) is str for value in values):
                return values
    return [item_identity(trigger, item, n) for n, item in enumerate(items)]


def item_identity(trigger: Trigger, item: Mapping[str, Any], position: int = 0) -> str:
    """The dedupe identity of a trigger item: its primitive ``id`` or its declared primary keys."""
    parts = []
    for key in trigger.primary_keys:
        value: Any = item
        for part in key.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if value is None or isinstance(value, dict | list | bool):
            raise ResultError(
                f"{trigger.qualified_key} item {position} needs a primitive {key!r} "
                f"(got {type(value).__name__}); every trigger item must have a unique id"
            )
        parts.append(str(value))
    return parts[0] if len(parts) == 1 else "|".join(parts)
