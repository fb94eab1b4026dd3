"""Turn loosely typed values (trigger data, form text) into a field's declared type.

Trigger data rarely arrives in the type an action wants: numbers come as text, flags as ``"yes"``,
times as epoch milliseconds. Each field type has one coercer that accepts the reasonable spellings and
rejects the rest with a short message that quotes the value and says what to enter instead.

Coercers are built once per field (:func:`coercer_for`) and reused for every record. A *finisher*
(:func:`finisher_for`) wraps a coercer with what a form does around it: fill the default, drop empty
optional values, flag empty required ones, and enforce static choices.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from connector.definitions import Field
from connector.errors import DefinitionError, FieldProblem
from connector.files import to_file_value
from connector.templates import MISSING, as_text

__all__ = [
    "DROP",
    "REQUIRED_EMPTY",
    "Coercer",
    "Finisher",
    "NestedProblems",
    "coerce",
    "coercer_for",
    "finisher_for",
    "is_empty",
    "to_datetime",
]

Coercer = Callable[[Any], Any]
#: Takes a raw value; returns the finished value, :data:`DROP` or :data:`REQUIRED_EMPTY`.
Finisher = Callable[[Any], Any]


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: The field is empty and optional: leave it out of the input.
DROP: Final = _Marker("DROP")
#: The field is empty, required and has no default: the caller reports it in its own words.
REQUIRED_EMPTY: Final = _Marker("REQUIRED_EMPTY")


class NestedProblems(ValueError):
    """Problems inside a list or line items; each ``field`` is relative (``[0].value``)."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


def is_empty(value: Any) -> bool:
    """Empty the way a form means it: missing, ``None``, ``""`` or an empty list."""
    return value is MISSING or value is None or value == "" or (isinstance(value, list) and not value)


# --- scalar coercers ---------------------------------------------------------------------------

_TRUE = frozenset({"true", "yes", "1", "on"})
_FALSE = frozenset({"false", "no", "0", "off"})
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_NUMERIC = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_CANONICAL_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
#: Epoch values at or above this are milliseconds (as seconds it would be the year 5138).
_EPOCH_MS_FROM = 100_000_000_000


def _to_string(value: Any) -> str:
    return value if type(value) is str else as_text(value)


def _to_email(value: Any) -> str:
    text = _to_string(value).strip()
    if text and not _EMAIL.fullmatch(text):
        raise ValueError(f"{value!r} is not an email address; enter one like name@example.com")
    return text


def _to_integer(value: Any) -> int:
    kind = type(value)
    if kind is int:
        whole: int = value  # checked above; typed without a call on the mapping's hot path
        return whole
    if kind is not bool:
        if kind is float and value.is_integer():
            return int(value)
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            return int(value)
        if isinstance(value, str):
            text = value.strip()
            if _NUMERIC.fullmatch(text):  # also keeps out Python-only spellings such as "1_000"
                try:
                    return int(text)
                except ValueError:
                    pass
                number = float(text)
                if number.is_integer():
                    return int(number)
    raise ValueError(f"{value!r} is not a whole number; enter an integer such as 42")


def _to_number(value: Any) -> int | float:
    kind = type(value)
    if kind is int or (kind is float and math.isfinite(value)):
        number: int | float = value  # checked above; typed without a call on the mapping's hot path
        return number
    if isinstance(value, Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str):
        text = value.strip()
        if _NUMERIC.fullmatch(text):
            try:
                return int(text)
            except ValueError:
                number = float(text)
                if math.isfinite(number):
                    return number
    raise ValueError(f"{value!r} is not a number; enter digits such as 4.5")


def _to_boolean(value: Any) -> bool:
    if value is True or value is False:
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    elif type(value) in (int, float) and value in (0, 1):
        return bool(value)
    raise ValueError(f"{value!r} is not true or false; use true/false, yes/no, 1/0 or on/off")


def to_datetime(value: Any) -> str:
    """ISO 8601 in UTC (``2024-01-02T03:04:05Z``) from ISO text, a date, or epoch seconds/milliseconds.

    Times without a zone are taken as UTC, the only zone a connector can assume without asking.
    Fractions of a second are kept (milliseconds when they are whole milliseconds).
    """
    if isinstance(value, str):
        text = value.strip()
        if _CANONICAL_UTC.fullmatch(text):
            return text
        if _NUMERIC.fullmatch(text):
            moment = _from_epoch(float(text) if any(c in text for c in ".eE") else int(text), value)
        else:
            try:
                moment = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "zZ" and text else text)
            except ValueError:
                raise _bad_datetime(value) from None
    elif isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif type(value) in (int, float) or isinstance(value, Decimal):
        moment = _from_epoch(value, value)
    else:
        raise _bad_datetime(value)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if moment.microsecond == 0:
        spec = "seconds"
    elif moment.microsecond % 1000 == 0:
        spec = "milliseconds"
    else:
        spec = "microseconds"
    return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def _from_epoch(number: Any, original: Any) -> datetime:
    try:
        if not math.isfinite(number):
            raise ValueError
        seconds = number / 1000 if abs(number) >= _EPOCH_MS_FROM else number
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise _bad_datetime(original) from None


def _bad_datetime(value: Any) -> ValueError:
    return ValueError(
        f"{value!r} is not a date or time; use ISO 8601 like 2024-01-02T03:04:05Z, a date like "
        "2024-01-02, or epoch seconds"
    )


def _to_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return parsed
    raise ValueError(f'{value!r} is not an object; give key/value pairs or JSON like {{"key": "value"}}')


def _json_list(value: str) -> list[Any] | None:
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return None
        return parsed if isinstance(parsed, list) else None
    return None


_SCALARS: dict[str, Coercer] = {
    "string": _to_string,
    "text": _to_string,
    "password": _to_string,
    "email": _to_email,
    "integer": _to_integer,
    "number": _to_number,
    "boolean": _to_boolean,
    "datetime": to_datetime,
    "dict": _to_dict,
    "file": to_file_value,
}


# --- composite coercers ------------------------------------------------------------------------


def _list_coercer(item: Coercer, choices: frozenset[str] | None, shown: str) -> Coercer:
    def to_list(value: Any) -> list[Any]:
        if isinstance(value, str):
            parsed = _json_list(value)
            items: Sequence[Any] = parsed if parsed is not None else [p.strip() for p in value.split(",")]
        elif isinstance(value, list | tuple):
            items = value
        elif isinstance(value, Mapping):
            raise ValueError(f"{value!r} is an object, not a list; give a list or comma-separated text")
        else:
            items = [value]
        out: list[Any] = []
        problems: list[FieldProblem] = []
        for index, raw in enumerate(items):
            if is_empty(raw):
                continue
            try:
                coerced = item(raw)
            except ValueError as exc:
                problems.append(FieldProblem(f"[{index}]", str(exc), raw))
                continue
            if choices is not None and not is_empty(coerced) and coerced not in choices:
                problems.append(FieldProblem(f"[{index}]", _not_a_choice(coerced, shown), raw))
                continue
            out.append(coerced)
        if problems:
            raise NestedProblems(problems)
        return out

    return to_list


def _line_items_coercer(children: Sequence[Field]) -> Coercer:
    rules = [(child.key, finisher_for(child)) for child in children]
    known = frozenset(child.key for child in children)
    listed = ", ".join(child.key for child in children) or "none"

    def to_line_items(value: Any) -> list[dict[str, Any]]:
        if isinstance(value, str):
            parsed = _json_list(value)
            if parsed is None:
                raise ValueError(f"{value!r} is not a list of line items; give a list of objects")
            value = parsed
        if isinstance(value, Mapping):
            value = [value]
        if not isinstance(value, list | tuple):
            raise ValueError(f"{value!r} is not a list of line items; give a list of objects")
        out: list[dict[str, Any]] = []
        problems: list[FieldProblem] = []
        for index, raw_item in enumerate(value):
            if not isinstance(raw_item, Mapping):
                if not is_empty(raw_item):
                    problems.append(
                        FieldProblem(f"[{index}]", f"{raw_item!r} is not an object with {listed}", raw_item)
                    )
                continue
            for key in raw_item:
                if key not in known:
                    problems.append(FieldProblem(
                        f"[{index}].{key}", f"is not a line item field; known fields: {listed}", raw_item[key]
                    ))
            item: dict[str, Any] = {}
            for key, finish in rules:
                raw = raw_item.get(key, MISSING)
                try:
                    finished = finish(raw)
                except NestedProblems as exc:
                    problems.extend(
                        FieldProblem(f"[{index}].{key}{p.field}", p.message, p.value) for p in exc.problems
                    )
                    continue
                except ValueError as exc:
                    problems.append(FieldProblem(f"[{index}].{key}", str(exc), raw))
                    continue
                if finished is REQUIRED_EMPTY:
                    problems.append(
                        FieldProblem(f"[{index}].{key}", "is required in every line item; give it a value", raw)
                    )
                elif finished is not DROP:
                    item[key] = finished
            if item:
                out.append(item)
        if problems:
            raise NestedProblems(problems)
        return out

    return to_line_items


# --- per-field building ------------------------------------------------------------------------


def _choices_of(f: Field) -> tuple[frozenset[str] | None, str]:
    if f.choices is None:
        return None, ""
    values = list(f.choices.keys()) if isinstance(f.choices, Mapping) else list(f.choices)
    return frozenset(values), ", ".join(str(v) for v in values)


def _not_a_choice(value: Any, shown: str) -> str:
    return f"{value!r} is not one of the choices: {shown}; pick one of those"


def _build(f: Field) -> Coercer:
    choices, shown = _choices_of(f)
    if f.type == "list":
        item_type = f.item_type if f.item_type in _SCALARS else "string"
        return _list_coercer(_SCALARS[item_type], choices, shown)
    if f.type == "line_items":
        base = _line_items_coercer(f.children)
    elif f.type in _SCALARS:
        base = _SCALARS[f.type]
    else:
        raise DefinitionError(f"field {f.key!r} has unknown type {f.type!r}")
    if choices is None:
        return base

    def with_choices(value: Any) -> Any:
        coerced = base(value)
        if not is_empty(coerced) and coerced not in choices:
            raise ValueError(_not_a_choice(coerced, shown))
        return coerced

    return with_choices


def coercer_for(f: Field) -> Coercer:
    """The coercer of one field (type plus static choices), cached when the field is hashable."""
    try:
        return _cached_coercer(f)
    except TypeError:  # a field with a dict of choices or a list default is not hashable
        return _build(f)


@lru_cache(maxsize=1024)
def _cached_coercer(f: Field) -> Coercer:
    return _build(f)


def coerce(value: Any, field: Field) -> Any:
    """Coerce one value to a field's declared type and check its static choices.

    Raises:
        ValueError: with a short message quoting the value and saying what to enter instead
            (:class:`NestedProblems` for problems inside lists and line items).
    """
    return coercer_for(field)(value)


def finisher_for(f: Field) -> Finisher:
    """Coerce plus what a form does around it: default, drop empty optional, flag empty required.

    Returns a function of the raw value that gives the finished value, :data:`DROP` (leave the key
    out) or :data:`REQUIRED_EMPTY` (the caller names the field and says why it is empty).

    Raises:
        DefinitionError: the field's own default is not a valid value for it.
    """
    convert = coercer_for(f)
    required, nullable = f.required, f.nullable
    empty_result: Any = REQUIRED_EMPTY if required else DROP
    if f.default is not None:
        try:
            default = convert(f.default)
        except ValueError as exc:
            raise DefinitionError(f"field {f.key!r} has an invalid default: {exc}") from None
        mutable = isinstance(default, list | dict)

        def when_empty() -> Any:
            return copy.deepcopy(default) if mutable else default
    else:
        def when_empty() -> Any:
            return empty_result

    def finish(raw: Any) -> Any:
        if raw is None and nullable:
            return None
        if raw is MISSING or raw is None or raw == "" or (type(raw) is list and not raw):
            return when_empty()
        value = convert(raw)
        if value == "" or (type(value) is list and not value):
            return when_empty()
        return value

    return finish
