"""Okta's SCIM-like ``filter`` and ``search`` expressions, parsed once and compiled to closures.

Okta accepts one small grammar in several query parameters, each with its own subset of attributes and
operators (``GET /api/v1/users?filter=`` allows ``eq`` only, ``?search=`` nearly everything). An
:class:`ExpressionRules` value states what one parameter accepts; :func:`compile_expression` parses the
text against it and returns a predicate over plain dicts (the sandbox's stored objects), so a listing of
50,000 users applies cheap closures instead of re-reading the text per user.

Grammar (keywords and operators are case-insensitive; Okta accepts ``Eq``)::

    expression := term ("or" term)*
    term       := factor ("and" factor)*
    factor     := "not" "(" expression ")" | "(" expression ")" | comparison
    comparison := attribute "pr" | attribute op value
    op         := eq | ne | gt | ge | lt | le | sw | co
    value      := "string with \\" escapes" | number | true | false | null

so comparisons bind tightest, then parentheses, then ``and``, then ``or``.

Semantics, decided here and relied on by the sandboxes:

- ``profile.email`` reads ``obj["profile"]["email"]``. A list on the way (``target.id`` over
  ``target: [...]``) or at the end (an array attribute) matches if any element matches.
- A missing attribute matches nothing except ``eq null``; ``ne`` is the negation of ``eq``, so a
  missing attribute is ``ne`` anything but null.
- Strings that are ISO 8601 timestamps (``2024-01-02T03:04:05.000Z``) compare as instants when both
  sides are timestamps, so ``.000Z`` and ``Z`` forms are equal and ordering is chronological.
- Numbers compare with numbers, strings with strings, booleans only by ``eq``/``ne``; a comparison
  across types is false rather than an error (the stored data decides, not the expression).
- Case: ``filter`` is case-sensitive. Under ``search``, string comparisons on ``profile.*``
  attributes (users and groups) ignore case, as Okta's search does; ``id``, ``status`` and other
  top-level attributes stay case-sensitive. The System Log filter is case-sensitive.

Every syntax or rule error raises :class:`ExpressionError` with the parameter, the character
position and what to do; the Okta sandbox answers it as 400 ``E0000053``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Predicate = Callable[[Mapping[str, Any]], bool]

OPERATORS: tuple[str, ...] = ("eq", "ne", "gt", "ge", "lt", "le", "sw", "co", "pr")
_ORDERING = frozenset({"gt", "ge", "lt", "le"})
_MAX_LENGTH = 4_000
_MAX_DEPTH = 50


class ExpressionError(ValueError):
    """A filter or search expression that cannot be parsed or is not allowed for its parameter.

    Attributes:
        position: 0-based character offset of the problem (None when it concerns the whole text).
        detail: the message without the position suffix.
    """

    def __init__(self, detail: str, position: int | None = None) -> None:
        where = f" (at character {position + 1})" if position is not None else ""
        super().__init__(f"{detail}{where}")
        self.detail = detail
        self.position = position


@dataclass(frozen=True)
class ExpressionRules:
    """What one query parameter accepts.

    Attributes:
        attributes: attribute -> operators allowed on it; None means any attribute, with
            ``default_operators``.
        default_operators: operators for attributes not listed but matching ``attribute_prefixes``
            (or for every attribute when ``attributes`` is None).
        allow_not: whether ``not (...)`` is accepted.
        attribute_prefixes: prefixes (e.g. ``"profile."``) whose attributes are all allowed.
        case_insensitive_prefixes: attributes starting with one of these compare strings ignoring case.
        parameter: the query parameter's name, for messages ("filter", "search").
    """

    attributes: Mapping[str, frozenset[str]] | None
    default_operators: frozenset[str]
    allow_not: bool
    attribute_prefixes: tuple[str, ...] = ()
    case_insensitive_prefixes: tuple[str, ...] = ()
    parameter: str = "filter"

    def operators_for(self, attribute: str) -> frozenset[str] | None:
        """Operators allowed on ``attribute``, or None if the attribute is not searchable here."""
        if self.attributes is None:
            return self.default_operators
        listed = self.attributes.get(attribute)
        if listed is not None:
            return listed
        if any(attribute.startswith(prefix) and len(attribute) > len(prefix)
               for prefix in self.attribute_prefixes):
            return self.default_operators
        return None

    def ignores_case(self, attribute: str) -> bool:
        return any(attribute.startswith(prefix) for prefix in self.case_insensitive_prefixes)

    def describe_attributes(self) -> str:
        """A short list of what is allowed, for error messages."""
        parts = sorted(self.attributes or ())
        parts += [f"{prefix}*" for prefix in self.attribute_prefixes]
        return ", ".join(parts) if parts else "any attribute"


def _ops(*names: str) -> frozenset[str]:
    return frozenset(names)


_TIME_OPS = _ops("eq", "gt", "ge", "lt", "le")
_SEARCH_OPS = _ops("eq", "ne", "gt", "ge", "lt", "le", "sw", "pr")
_SEARCH_TEXT_OPS = _SEARCH_OPS | {"co"}

USER_FILTER = ExpressionRules(
    attributes={
        "status": _ops("eq"),
        "lastUpdated": _TIME_OPS,
        "id": _ops("eq"),
        "profile.login": _ops("eq"),
        "profile.email": _ops("eq"),
        "profile.firstName": _ops("eq"),
        "profile.lastName": _ops("eq"),
    },
    default_operators=frozenset(),
    allow_not=False,
    parameter="filter",
)

USER_SEARCH = ExpressionRules(
    attributes={
        **{name: _SEARCH_OPS for name in (
            "id", "status", "created", "activated", "statusChanged", "lastUpdated", "passwordChanged",
            "lastLogin", "type.id", "realmId",
        )},
        **{name: _SEARCH_TEXT_OPS for name in (
            "profile.firstName", "profile.lastName", "profile.email", "profile.login",
        )},
    },
    default_operators=_SEARCH_OPS,
    allow_not=True,
    attribute_prefixes=("profile.",),
    case_insensitive_prefixes=("profile.",),
    parameter="search",
)

GROUP_FILTER = ExpressionRules(
    attributes={
        "id": _ops("eq"),
        "type": _ops("eq"),
        "lastUpdated": _TIME_OPS,
        "lastMembershipUpdated": _TIME_OPS,
    },
    default_operators=frozenset(),
    allow_not=False,
    parameter="filter",
)

GROUP_SEARCH = ExpressionRules(
    attributes={
        **{name: _SEARCH_OPS for name in (
            "id", "type", "created", "lastUpdated", "lastMembershipUpdated", "source.id",
        )},
        "profile.name": _SEARCH_TEXT_OPS,
        "profile.description": _SEARCH_TEXT_OPS,
    },
    default_operators=_SEARCH_OPS,
    allow_not=True,
    attribute_prefixes=("profile.",),
    case_insensitive_prefixes=("profile.",),
    parameter="search",
)

_LOG_OPS = _ops("eq", "co", "sw", "pr")
LOG_FILTER = ExpressionRules(
    attributes={
        "eventType": _LOG_OPS,
        "legacyEventType": _LOG_OPS,
        "uuid": _LOG_OPS,
        "severity": _LOG_OPS,
        "displayMessage": _LOG_OPS,
        "version": _LOG_OPS,
        "published": _LOG_OPS | _TIME_OPS,
    },
    default_operators=_LOG_OPS,
    allow_not=True,
    attribute_prefixes=(
        "actor.", "target.", "outcome.", "client.", "transaction.", "debugContext.",
        "authenticationContext.", "securityContext.", "request.",
    ),
    parameter="filter",
)


# --- tokens ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Token:
    kind: str  # "(" ")" "word" "string" "number" "end"
    text: str
    value: Any
    position: int


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _read_string(text: str, start: int, parameter: str) -> tuple[str, int]:
    """Read a double-quoted literal starting at ``start``; return (value, index after the quote)."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            return "".join(out), i + 1
        if ch == "\\":
            if i + 1 >= len(text):
                break
            code = text[i + 1]
            if code in _ESCAPES:
                out.append(_ESCAPES[code])
                i += 2
                continue
            if code == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", text[i + 2 : i + 6]):
                out.append(chr(int(text[i + 2 : i + 6], 16)))
                i += 6
                continue
            raise ExpressionError(
                f"invalid {parameter}: unknown escape '\\{code}' in a string; "
                'escape only \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX',
                i,
            )
        out.append(ch)
        i += 1
    raise ExpressionError(
        f'invalid {parameter}: unterminated string; close it with a double quote (")', start
    )


def _tokenize(text: str, parameter: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token(ch, ch, ch, i))
            i += 1
        elif ch == '"':
            value, end = _read_string(text, i, parameter)
            tokens.append(_Token("string", text[i:end], value, i))
            i = end
        elif (match := _NUMBER.match(text, i)) and (ch.isdigit() or ch == "-"):
            raw = match.group()
            number: float | int = float(raw) if any(c in raw for c in ".eE") else int(raw)
            tokens.append(_Token("number", raw, number, i))
            i = match.end()
        elif match := _WORD.match(text, i):
            tokens.append(_Token("word", match.group(), match.group(), i))
            i = match.end()
        else:
            hint = "; compare with eq, ne, gt, ge, lt or le" if ch in "=<>!" else ""
            if ch == "'":
                hint = '; quote strings with double quotes (")'
            raise ExpressionError(f"invalid {parameter}: unexpected character {ch!r}{hint}", i)
    tokens.append(_Token("end", "", None, n))
    return tokens


# --- parser ----------------------------------------------------------------------------------------

class _Parser:
    """Recursive descent over the tokens, building predicates directly (no separate tree)."""

    def __init__(self, tokens: list[_Token], rules: ExpressionRules) -> None:
        self.tokens = tokens
        self.index = 0
        self.rules = rules
        self.p = rules.parameter
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        return token.kind == "word" and token.text.lower() == word

    def describe(self, token: _Token) -> str:
        return "the end of the expression" if token.kind == "end" else repr(token.text)

    def parse(self) -> Predicate:
        if self.peek().kind == "end":
            raise ExpressionError(f"invalid {self.p}: the expression is empty; write e.g. status eq \"ACTIVE\"")
        predicate = self.parse_or()
        token = self.peek()
        if token.kind != "end":
            if token.kind == ")":
                raise ExpressionError(f"invalid {self.p}: ')' without a matching '('", token.position)
            raise ExpressionError(
                f"invalid {self.p}: unexpected {self.describe(token)} after a complete condition; "
                "join conditions with 'and' or 'or'",
                token.position,
            )
        return predicate

    def parse_or(self) -> Predicate:
        return self._joined("or", self.parse_and, any)

    def parse_and(self) -> Predicate:
        return self._joined("and", self.parse_factor, all)

    def _joined(
        self, word: str, parse_part: Callable[[], Predicate], combine: Callable[[Iterable[bool]], bool]
    ) -> Predicate:
        """``part (word part)*`` as one predicate; ``combine`` short-circuits like ``and``/``or``."""
        parts = [parse_part()]
        while self.keyword(word):
            self.advance()
            parts.append(parse_part())
        if len(parts) == 1:
            return parts[0]
        return lambda obj: combine(part(obj) for part in parts)

    def parse_group(self) -> Predicate:
        opening = self.advance()
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise ExpressionError(
                f"invalid {self.p}: parentheses nested deeper than {_MAX_DEPTH}", opening.position
            )
        inner = self.parse_or()
        closing = self.peek()
        if closing.kind != ")":
            raise ExpressionError(
                f"invalid {self.p}: missing ')' to close the '(' at character {opening.position + 1}; "
                f"found {self.describe(closing)}",
                closing.position,
            )
        self.advance()
        self.depth -= 1
        return inner

    def parse_factor(self) -> Predicate:
        token = self.peek()
        if token.kind == "(":
            return self.parse_group()
        if self.keyword("not"):
            if not self.rules.allow_not:
                raise ExpressionError(
                    f"invalid {self.p}: 'not' is not supported in {self.p}; "
                    "rewrite the condition with eq/ne or use search",
                    token.position,
                )
            self.advance()
            if self.peek().kind != "(":
                raise ExpressionError(
                    f"invalid {self.p}: 'not' must be followed by a parenthesised condition, "
                    'e.g. not (status eq "ACTIVE")',
                    self.peek().position,
                )
            inner = self.parse_group()
            return lambda obj: not inner(obj)
        if token.kind == "word" and token.text.lower() not in ("and", "or"):
            return self.parse_comparison()
        raise ExpressionError(
            f"invalid {self.p}: expected an attribute name, '(' or 'not', found {self.describe(token)}",
            token.position,
        )

    def parse_comparison(self) -> Predicate:
        attribute_token = self.advance()
        attribute = attribute_token.text
        if attribute.endswith(".") or ".." in attribute:
            raise ExpressionError(
                f"invalid {self.p}: {attribute!r} is not a valid attribute path", attribute_token.position
            )
        op_token = self.advance()
        if op_token.kind != "word":
            raise ExpressionError(
                f"invalid {self.p}: attribute {attribute!r} must be followed by an operator "
                f"({', '.join(OPERATORS)}), found {self.describe(op_token)}",
                op_token.position,
            )
        op = op_token.text.lower()
        if op not in OPERATORS:
            raise ExpressionError(
                f"invalid {self.p}: unknown operator {op_token.text!r} after {attribute!r}; "
                f"use one of {', '.join(OPERATORS)}",
                op_token.position,
            )
        allowed = self.rules.operators_for(attribute)
        if allowed is None:
            raise ExpressionError(
                f"invalid {self.p}: attribute {attribute!r} cannot be used in {self.p}; "
                f"use one of {self.rules.describe_attributes()}",
                attribute_token.position,
            )
        if op not in allowed:
            raise ExpressionError(
                f"invalid {self.p}: operator {op!r} is not allowed on {attribute!r} in {self.p}; "
                f"allowed: {', '.join(o for o in OPERATORS if o in allowed)}",
                op_token.position,
            )
        getter = _path_getter(attribute)
        if op == "pr":
            return lambda obj: any(_is_present(v) for v in getter(obj))
        value_token = self.advance()
        value = self._literal(value_token, attribute, op)
        test = _comparison(op, value, self.rules.ignores_case(attribute))
        if op == "ne":
            return lambda obj: not test(getter(obj))
        return lambda obj: test(getter(obj))

    def _literal(self, token: _Token, attribute: str, op: str) -> Any:
        if token.kind in ("string", "number"):
            value = token.value
        elif token.kind == "word" and token.text.lower() in ("true", "false", "null"):
            value = {"true": True, "false": False, "null": None}[token.text.lower()]
        else:
            hint = f'; quote strings, e.g. {attribute} {op} "{token.text}"' if token.kind == "word" else ""
            raise ExpressionError(
                f"invalid {self.p}: operator {op!r} on {attribute!r} needs a value (a quoted string, "
                f"a number, true, false or null), found {self.describe(token)}{hint}",
                token.position,
            )
        if op in ("sw", "co") and not isinstance(value, str):
            raise ExpressionError(
                f"invalid {self.p}: operator {op!r} compares text; give it a quoted string, "
                f"not {token.text}",
                token.position,
            )
        if op in _ORDERING and (value is None or isinstance(value, bool)):
            raise ExpressionError(
                f"invalid {self.p}: operator {op!r} needs a string, number or timestamp, not {token.text}",
                token.position,
            )
        return value


# --- evaluation ------------------------------------------------------------------------------------

_MISSING = object()


def _collect(value: Any, parts: Sequence[str], out: list[Any]) -> None:
    for index, part in enumerate(parts):
        if isinstance(value, list):
            for item in value:
                _collect(item, parts[index:], out)
            return
        if not isinstance(value, Mapping):
            return
        value = value.get(part, _MISSING)
        if value is _MISSING:
            return
    if isinstance(value, list):
        out.extend(value)
    else:
        out.append(value)


def _path_getter(attribute: str) -> Callable[[Mapping[str, Any]], list[Any]]:
    """A function returning every value at ``attribute`` (a list; empty when missing)."""
    parts = tuple(attribute.split("."))
    if len(parts) == 1:
        (key,) = parts

        def get_top(obj: Mapping[str, Any]) -> list[Any]:
            value = obj.get(key, _MISSING)
            if value is _MISSING:
                return []
            return value if isinstance(value, list) else [value]

        return get_top

    def get_nested(obj: Mapping[str, Any]) -> list[Any]:
        out: list[Any] = []
        _collect(obj, parts, out)
        return out

    return get_nested


def _is_present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _as_instant(text: str) -> datetime | None:
    """Parse an ISO 8601 date-time; None when ``text`` is not one. Zone-less means UTC."""
    if len(text) < 16 or text[4] != "-" or text[10] not in "Tt ":
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _comparison(op: str, literal: Any, ignore_case: bool) -> Callable[[list[Any]], bool]:
    """A test over the attribute's values: true when any value satisfies ``op literal``.

    For ``ne`` this returns the ``eq`` test; the caller negates it.
    """
    if op in ("eq", "ne"):
        return _equality(literal, ignore_case)
    if op in ("sw", "co"):
        needle = literal.casefold() if ignore_case else literal

        def text_test(values: list[Any]) -> bool:
            for value in values:
                if isinstance(value, str):
                    hay = value.casefold() if ignore_case else value
                    if (hay.startswith(needle) if op == "sw" else needle in hay):
                        return True
            return False

        return text_test
    return _ordering(op, literal, ignore_case)


def _equality(literal: Any, ignore_case: bool) -> Callable[[list[Any]], bool]:
    if literal is None:
        return lambda values: not values or any(v is None for v in values)
    if isinstance(literal, bool):
        return lambda values: any(v is literal for v in values)
    if _is_number(literal):
        return lambda values: any(_is_number(v) and v == literal for v in values)
    return _string_test(operator.eq, literal, ignore_case)


_ORDER_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le,
}


def _ordering(op: str, literal: Any, ignore_case: bool) -> Callable[[list[Any]], bool]:
    better = _ORDER_TESTS[op]
    if _is_number(literal):
        return lambda values: any(_is_number(v) and better(v, literal) for v in values)
    return _string_test(better, literal, ignore_case)


def _string_test(test: Callable[[Any, Any], bool], literal: str, ignore_case: bool) -> Callable[[list[Any]], bool]:
    """``test`` between any string value and ``literal``: as instants when both are timestamps, else as text."""
    instant = _as_instant(literal)
    folded = literal.casefold() if ignore_case else literal

    def string_test(values: list[Any]) -> bool:
        for value in values:
            if not isinstance(value, str):
                continue
            if instant is not None:
                other = _as_instant(value)
                if other is not None:
                    if test(other, instant):
                        return True
                    continue
            if test(value.casefold() if ignore_case else value, folded):
                return True
        return False

    return string_test


def compile_expression(text: str, rules: ExpressionRules) -> Predicate:
    """Parse ``text`` under ``rules`` and return a predicate over the sandbox's stored objects.

    Compile once per request, then call the predicate per object.

    Raises:
        ExpressionError: the text is malformed or uses an attribute, operator or ``not`` that
            ``rules`` does not allow; the message names the problem, the position and the fix.
    """
    if not isinstance(text, str):
        raise ExpressionError(f"invalid {rules.parameter}: the expression must be text")
    if len(text) > _MAX_LENGTH:
        raise ExpressionError(
            f"invalid {rules.parameter}: the expression is {len(text)} characters long; "
            f"the limit is {_MAX_LENGTH}"
        )
    return _Parser(_tokenize(text, rules.parameter), rules).parse()
