"""``{{token}}`` templates: parse once, resolve many times.

A template is any JSON-like value. Strings may hold tokens such as ``{{trigger.profile.email}}`` mixed
with literal text; lists and dicts hold templates. Compiling turns a template into a closure over a
context (``{"trigger": ..., "steps": {...}}``) so that rendering a record never re-parses anything.

Two rules decide the shape of a rendered string:

- a string that is exactly one token keeps the resolved value's native type (a list stays a list, a
  number a number), so coercion sees the real value rather than its text;
- a string mixing tokens and text renders to text: ``None`` and missing paths become ``""``, lists are
  joined with commas, objects become JSON.

A missing path resolves to :data:`MISSING` (not ``None``), so callers can tell "the trigger sent null"
from "the trigger has no such field", and name the token when a required field ends up empty.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final

__all__ = [
    "MISSING",
    "Missing",
    "PathSyntaxError",
    "Renderer",
    "as_text",
    "compile_path",
    "compile_template",
    "compile_text",
    "resolve_path",
    "sample_tokens",
    "tokens_in",
]


class Missing:
    """Type of :data:`MISSING`: the value of a path that does not exist in the data."""

    _instance: Missing | None = None

    def __new__(cls) -> Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = Missing()

#: A compiled template: context in, rendered value out.
Renderer = Callable[[Mapping[str, Any]], Any]

_TOKEN = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_WHOLE_TOKEN = re.compile(r"\s*\{\{([^{}]*)\}\}\s*", re.DOTALL)
# One path segment: a bare name, [n], ["quoted key"] or ['quoted key'].
_SEGMENT = re.compile(
    r"""
    (?:^|\.)(?P<name>[^.\[\]\s{}"']+)
    | \[\s*(?P<index>-?\d+)\s*\]
    | \[\s*"(?P<dq>[^"]*)"\s*\]
    | \[\s*'(?P<sq>[^']*)'\s*\]
    """,
    re.VERBOSE,
)
_SAFE_KEY = re.compile(r"[A-Za-z0-9_$@:-]+")


class PathSyntaxError(ValueError):
    """A token's path cannot be parsed (``{{trigger..email}}``, ``{{items[x]}}``)."""


Segment = tuple[str, int | None]


def compile_path(path: str) -> tuple[Segment, ...]:
    """Split ``trigger.items[1].name`` into ``(("trigger", None), ("items", None), ("1", 1), ("name", None))``.

    Each segment keeps its text (for dict keys) and, when it is a whole number, its index (for lists),
    so ``tags.0`` and ``tags[0]`` address the same item and a dict keyed ``"0"`` still works.

    Raises:
        PathSyntaxError: the path is empty or has a piece that is not a name or an index.
    """
    text = path.strip()
    if not text:
        raise PathSyntaxError("the token is empty; write a path such as trigger.profile.email")
    segments: list[Segment] = []
    pos = 0
    while pos < len(text):
        match = _SEGMENT.match(text, pos)
        if match is None or match.end() == pos or (match.group("name") and pos and text[pos] != "."):
            raise PathSyntaxError(
                f"cannot read {path!r} at {text[pos:]!r}; use dots and list indexes like trigger.items[1].name"
            )
        name = match.group("name")
        if name is None:
            name = match.group("index")
            if name is None:
                name = match.group("dq") if match.group("dq") is not None else match.group("sq")
        segments.append((name, int(name) if _is_int(name) else None))
        pos = match.end()
    if text.startswith(".") or text.endswith("."):
        raise PathSyntaxError(f"cannot read {path!r}: it starts or ends with a dot")
    return tuple(segments)


def _is_int(text: str) -> bool:
    return text.isdigit() or (text.startswith("-") and text[1:].isdigit())


def _walk(data: Any, segments: tuple[Segment, ...]) -> Any:
    current = data
    for name, index in segments:
        if isinstance(current, Mapping):
            try:
                current = current[name]
            except KeyError:
                return MISSING
        elif index is not None and isinstance(current, list | tuple):
            try:
                current = current[index]
            except IndexError:
                return MISSING
        else:
            return MISSING
    return current


def resolve_path(data: Any, path: str) -> Any:
    """The value at a dotted path (``a.b[0].c``, ``a.b.0.c``), or :data:`MISSING` when absent.

    Raises:
        PathSyntaxError: the path cannot be parsed.
    """
    return _walk(data, compile_path(path))


def _path_resolver(segments: tuple[Segment, ...]) -> Renderer:
    """A resolver specialised for short paths: the common case pays no loop set-up."""
    if len(segments) == 2 and segments[0][1] is None and segments[1][1] is None:
        first, second = segments[0][0], segments[1][0]

        def two(context: Mapping[str, Any]) -> Any:
            try:
                return context[first][second]
            except (KeyError, TypeError, IndexError):
                return _walk(context, segments)

        return two
    if len(segments) == 3 and all(index is None for _, index in segments):
        a, b, c = (name for name, _ in segments)

        def three(context: Mapping[str, Any]) -> Any:
            try:
                return context[a][b][c]
            except (KeyError, TypeError, IndexError):
                return _walk(context, segments)

        return three
    return lambda context: _walk(context, segments)


def as_text(value: Any) -> str:
    """How a value reads inside mixed text: empty for nothing, commas for lists, JSON for objects."""
    if isinstance(value, str):
        return value
    if value is None or value is MISSING:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ",".join(as_text(item) for item in value)
    if isinstance(value, Mapping):
        return json.dumps(value, default=str, separators=(",", ":"))
    return str(value)


def compile_text(template: str) -> tuple[Renderer, bool]:
    """Compile one string; the flag says whether it is a single whole token (native type kept).

    Raises:
        PathSyntaxError: a token's path cannot be parsed, or a ``{{`` is never closed.
    """
    whole = _WHOLE_TOKEN.fullmatch(template)
    if whole is not None:
        return _path_resolver(compile_path(whole.group(1))), True
    pieces = _TOKEN.split(template)
    if len(pieces) == 1:
        _check_unclosed(template)
        return (lambda _context: template), False
    parts: list[str | Renderer] = []
    for position, piece in enumerate(pieces):
        if position % 2:
            parts.append(_path_resolver(compile_path(piece)))
        elif piece:
            _check_unclosed(piece)
            parts.append(piece)

    def mixed(context: Mapping[str, Any]) -> str:
        text = "".join(part if isinstance(part, str) else as_text(part(context)) for part in parts)
        # Every token empty and only spacing left ("{{first}} {{last}}" with neither): nothing.
        return text if text.strip() else ""

    return mixed, False


def _check_unclosed(literal: str) -> None:
    if "{{" in literal or "}}" in literal:
        raise PathSyntaxError(f"{literal!r} has an unmatched '{{{{' or '}}}}'; write tokens as {{{{trigger.id}}}}")


def compile_template(template: Any) -> Renderer:
    """Compile a template (string, list, dict or literal) into a renderer.

    Lists drop items whose path is missing and splice in a whole-token item that resolves to a list
    (``["okta", "{{trigger.groups}}"]`` is one flat list). Dicts drop keys whose value is missing.

    Raises:
        PathSyntaxError: a token's path cannot be parsed, or a ``{{`` is never closed.
    """
    if isinstance(template, str):
        return compile_text(template)[0]
    if isinstance(template, list | tuple):
        items = [compile_text(item) if isinstance(item, str) else (compile_template(item), False)
                 for item in template]
        if not _has_tokens(template):
            constant = list(template)
            return lambda _context: list(constant)

        def render_list(context: Mapping[str, Any]) -> list[Any]:
            out: list[Any] = []
            for render, whole in items:
                value = render(context)
                if value is MISSING:
                    continue
                if whole and isinstance(value, list | tuple):
                    out.extend(value)
                else:
                    out.append(value)
            return out

        return render_list
    if isinstance(template, Mapping):
        entries = [(key, compile_template(value)) for key, value in template.items()]
        if not _has_tokens(template):
            constant_map = dict(template)
            return lambda _context: dict(constant_map)

        def render_dict(context: Mapping[str, Any]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for key, render in entries:
                value = render(context)
                if value is not MISSING:
                    out[key] = value
            return out

        return render_dict
    return lambda _context: template


def _has_tokens(template: Any) -> bool:
    return bool(tokens_in(template))


def tokens_in(template: Any) -> list[str]:
    """The paths a template refers to, in order of first use (for the UI and for error messages)."""
    seen: dict[str, None] = {}
    for text in _strings_in(template):
        for match in _TOKEN.finditer(text):
            seen.setdefault(match.group(1).strip(), None)
    return list(seen)


def _strings_in(template: Any) -> Iterator[str]:
    if isinstance(template, str):
        yield template
    elif isinstance(template, Mapping):
        for value in template.values():
            yield from _strings_in(value)
    elif isinstance(template, list | tuple):
        for item in template:
            yield from _strings_in(item)


def sample_tokens(
    sample: Mapping[str, Any], prefix: str = "trigger", *, max_list_items: int = 25
) -> list[tuple[str, Any]]:
    """Every path of a sample object as a token with its example value, for a token picker.

    Leaves come out as ``("trigger.profile.email", "ada@example.com")``. A list appears whole first
    (so a list field can take all of it) and then item by item (``trigger.tags.0``), up to
    ``max_list_items`` items. Keys that are not plain names are quoted: ``trigger["first name"]``.
    """
    out: list[tuple[str, Any]] = []
    _collect(sample, prefix, out, max_list_items)
    return out


def _collect(value: Any, path: str, out: list[tuple[str, Any]], max_items: int) -> None:
    if isinstance(value, Mapping) and value:
        for key, child in value.items():
            text = str(key)
            step = f".{text}" if _SAFE_KEY.fullmatch(text) else f"[{json.dumps(text)}]"
            _collect(child, f"{path}{step}" if path else step.lstrip("."), out, max_items)
    elif isinstance(value, list | tuple) and value:
        out.append((path, list(value)))
        for index, child in enumerate(value[:max_items]):
            _collect(child, f"{path}.{index}", out, max_items)
    else:
        out.append((path, value))


def paths_of(tokens: Sequence[str]) -> list[tuple[str, tuple[Segment, ...]]]:
    """Compile each token's path once (used to say which tokens were missing)."""
    return [(token, compile_path(token)) for token in tokens]


def missing_tokens(context: Mapping[str, Any], compiled: Sequence[tuple[str, tuple[Segment, ...]]]) -> list[str]:
    """The tokens that resolve to nothing (missing, ``None`` or ``""``) in this context."""
    empty: list[str] = []
    for token, segments in compiled:
        value = _walk(context, segments)
        if value is MISSING or value is None or value == "":
            empty.append(token)
    return empty
