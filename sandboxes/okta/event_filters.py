"""Event hook filters: the Okta Expression Language conditions that decide which events a hook receives.

Okta's document describes a hook's ``events.filter`` as ``{type: EXPRESSION_LANGUAGE, eventFilterMap:
[{event, condition: {expression}}]}``: an event of a type the map names is delivered only when its
expression holds for the event. The sandbox evaluates the part of the language such conditions use,
compiled once when the hook is registered:

    expression := or
    or         := and ("||" and)*
    and        := unary ("&&" unary)*
    unary      := "!" unary | comparison
    comparison := value (("eq" | "ne" | "==" | "!=" | ">" | ">=" | "<" | "<=") value)?
    value      := primary ("." name | ".?[" expression "]" | ".size()")*
    primary    := "event" | a name (inside ``.?[...]``: a member of the element) | 'text' | "text"
                | number | true | false | null | "(" expression ")"

``event.target.?[type eq 'UserGroup'].size() > 0`` reads the event's targets, keeps those whose ``type``
is ``UserGroup`` and counts them. A member that is missing reads as null. Anything else the language has
(functions such as ``String.stringContains``) is refused when the hook is registered, naming the part not
understood, rather than delivered or dropped by a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sandboxes.okta.errors import validation_error

Value = Callable[[Any, Any], Any]  # (event, selected element) -> value

_TOKEN = re.compile(r"""\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|"""
                    r"""(?P<op>\.\?\[|\.size\(\)|&&|\|\||==|!=|>=|<=|[><!().\]])|(?P<name>[A-Za-z_][A-Za-z0-9_]*))""")
_COMPARE = {
    "eq": lambda a, b: a == b, "==": lambda a, b: a == b, "ne": lambda a, b: a != b, "!=": lambda a, b: a != b,
    ">": lambda a, b: _ordered(a, b) and a > b, ">=": lambda a, b: _ordered(a, b) and a >= b,
    "<": lambda a, b: _ordered(a, b) and a < b, "<=": lambda a, b: _ordered(a, b) and a <= b,
}


def _ordered(a: Any, b: Any) -> bool:
    numbers = isinstance(a, int | float) and isinstance(b, int | float)
    return numbers or (isinstance(a, str) and isinstance(b, str))


class _Parser:
    def __init__(self, text: str, where: str) -> None:
        self.where = where
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(text):
            match = _TOKEN.match(text, position)
            if match is None or match.end() == position:
                if text[position:].strip():
                    self.fail(f"cannot read {text[position:].strip()[:20]!r}")
                break
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            position = match.end()
        self.index = 0
        self.depth = 0  # inside how many .?[...] selections

    def fail(self, what: str) -> None:
        raise validation_error(self.where, f"{what}: the sandbox evaluates comparisons of event members, "
                                           "&&, ||, !, .?[selection] and .size() (e.g. "
                                           "event.target.?[type eq 'UserGroup'].size() > 0)")

    def peek(self) -> str | None:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else None

    def take(self, wanted: str | None = None) -> tuple[str, str]:
        if self.index >= len(self.tokens):
            self.fail("the expression ends too early")
        token = self.tokens[self.index]
        if wanted is not None and token[1] != wanted:
            self.fail(f"expected {wanted!r} but found {token[1]!r}")
        self.index += 1
        return token

    def parse(self) -> Value:
        value = self.parse_or()
        if self.peek() is not None:
            self.fail(f"unexpected {self.peek()!r}")
        return value

    def parse_or(self) -> Value:
        parts = [self.parse_and()]
        while self.peek() == "||":
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else (lambda e, s: any(p(e, s) is True for p in parts))

    def parse_and(self) -> Value:
        parts = [self.parse_unary()]
        while self.peek() == "&&":
            self.take()
            parts.append(self.parse_unary())
        return parts[0] if len(parts) == 1 else (lambda e, s: all(p(e, s) is True for p in parts))

    def parse_unary(self) -> Value:
        if self.peek() == "!":
            self.take()
            inner = self.parse_unary()
            return lambda e, s: inner(e, s) is not True
        return self.parse_comparison()

    def parse_comparison(self) -> Value:
        left = self.parse_value()
        op = self.peek()
        if op not in _COMPARE:
            return left
        self.take()
        right = self.parse_value()
        compare = _COMPARE[op]
        return lambda e, s: compare(left(e, s), right(e, s))

    def parse_value(self) -> Value:
        value = self.parse_primary()
        while self.peek() in (".", ".?[", ".size()"):
            kind = self.take()[1]
            if kind == ".":
                value = _member(value, self.take()[1])
            elif kind == ".size()":
                value = _size(value)
            else:
                self.depth += 1
                condition = self.parse_or()
                self.depth -= 1
                self.take("]")
                value = _select(value, condition)
        return value

    def parse_primary(self) -> Value:
        kind, text = self.take()
        if kind == "num":
            number = float(text) if "." in text else int(text)
            return lambda e, s: number
        if kind == "str":
            literal = re.sub(r"\\(.)", r"\1", text[1:-1])
            return lambda e, s: literal
        if text == "(":
            inner = self.parse_or()
            self.take(")")
            return inner
        if kind == "name":
            constants = {"true": True, "false": False, "null": None}
            if text in constants:
                constant = constants[text]
                return lambda e, s: constant
            if text == "event":
                return lambda e, s: e
            if self.depth and self.peek() != "(":  # a member of the element a selection looks at
                return _member(lambda e, s: s, text)
        self.fail(f"{text!r} is not understood here")
        raise AssertionError  # fail always raises


def _member(of: Value, name: str) -> Value:
    return lambda e, s: (v.get(name) if isinstance(v := of(e, s), dict) else None)


def _size(of: Value) -> Value:
    return lambda e, s: len(v) if isinstance(v := of(e, s), list | str | dict) else 0


def _select(of: Value, condition: Value) -> Value:
    def selected(e: Any, s: Any) -> Any:
        items = of(e, s)
        return [item for item in items if condition(e, item) is True] if isinstance(items, list) else []
    return selected


@lru_cache(maxsize=256)
def compile_condition(expression: str, where: str) -> Callable[[dict[str, Any]], bool]:
    """The expression as a test of one event (a System Log event object); a 400 naming ``where`` if unread."""
    value = _Parser(expression, where).parse()
    return lambda event: value(event, None) is True
