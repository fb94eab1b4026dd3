"""A quick "certainly valid" test for the output schemas the kit generates, in front of jsonschema.

Every trigger item and action result is checked against its operation's output schema
(:func:`connector.runtime.check_result`), and jsonschema costs about 100 us per item: for a burst of hook
deliveries or a first poll that is more than everything else the platform does with the item. The schemas
are ours (:func:`connector.schema.output_schema`) and use a handful of keywords, so they compile here into
plain Python predicates. The predicate may only say "valid" when jsonschema would: anything it does not
understand, or any doubt (an integer given as ``1.0``), answers False, and the caller then asks
jsonschema, which has the last word and words the error. A schema with a keyword outside the known set
gets no predicate at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]

#: Keywords that only annotate (the kit's validators assert no formats).
_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "format"})
_ASSERTED = frozenset({"type", "properties", "required", "enum", "items", "additionalProperties"})

_TYPES: dict[str, Check] = {
    "string": lambda v: type(v) is str,
    "integer": lambda v: type(v) is int,
    "number": lambda v: type(v) in (int, float),
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
}


def _any_of(tests: tuple[Check, ...]) -> Check:
    return lambda v: any(t(v) for t in tests)


def compile_check(schema: Mapping[str, Any]) -> Check | None:
    """A predicate that is True only for values ``schema`` accepts; None when the schema is not one it knows."""
    if not isinstance(schema, Mapping) or not set(schema) <= _ASSERTED | _ANNOTATIONS:
        return None
    parts: list[Check] = []
    kind = schema.get("type")
    if kind is not None:
        names = [kind] if isinstance(kind, str) else list(kind)
        if not all(isinstance(n, str) and n in _TYPES for n in names):
            return None
        tests = tuple(_TYPES[n] for n in names)
        parts.append(tests[0] if len(tests) == 1 else _any_of(tests))
    if "enum" in schema:
        choices = list(schema["enum"])
        # Only plain strings compare the same in Python and JSON Schema (1 == True == 1.0 in Python).
        if not all(type(c) is str for c in choices):
            return None
        allowed = frozenset(choices)
        parts.append(lambda v: type(v) is not str or v in allowed)
    if "required" in schema:
        required = tuple(schema["required"])
        parts.append(lambda v: type(v) is not dict or all(k in v for k in required))
    if "properties" in schema:
        checks: dict[str, Check] = {}
        for key, sub in schema["properties"].items():
            check = compile_check(sub)
            if check is None:
                return None
            checks[key] = check
        pairs = tuple(checks.items())
        parts.append(lambda v: type(v) is not dict or all(k not in v or c(v[k]) for k, c in pairs))
    extra = schema.get("additionalProperties", True)
    if extra is not True:
        if extra is not False:
            return None
        known = frozenset(schema.get("properties", {}))
        parts.append(lambda v: type(v) is not dict or all(k in known for k in v))
    if "items" in schema:
        item = compile_check(schema["items"])
        if item is None:
            return None
        parts.append(lambda v: type(v) is not list or all(item(x) for x in v))
    funcs = tuple(parts)
    return lambda v: all(f(v) for f in funcs)
