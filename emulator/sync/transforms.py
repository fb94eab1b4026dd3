"""Field transforms with a declared inverse, so a transformed field can sync both ways.

A template (``to_right``) shapes a value one way only: nothing says how ``King (Personio)`` on the
right becomes ``King`` on the left again, so a both-ways field with one template is refused. A
transform here is a pair of functions, forward (left to right) and back (right to left), chosen so
that going there and back returns what was written: ``suffix " (Personio)"`` appends on the way right
and strips on the way left; ``lowercase`` lower-cases on the way right and keeps the right's text on
the way back (the left takes the case the right holds; an email compares without case anyway).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Transform:
    name: str
    description: str
    forward: Callable[[str, str], str]
    back: Callable[[str, str], str]
    needs_value: bool = False


def _strip_prefix(text: str, prefix: str) -> str:
    return text[len(prefix):] if prefix and text.startswith(prefix) else text


def _strip_suffix(text: str, suffix: str) -> str:
    return text[: -len(suffix)] if suffix and text.endswith(suffix) else text


TRANSFORMS: dict[str, Transform] = {t.name: t for t in (
    Transform("lowercase", "lower-cases on the way right; the right's text comes back as it is",
              lambda text, _value: text.lower(), lambda text, _value: text),
    Transform("uppercase", "upper-cases on the way right; the right's text comes back as it is",
              lambda text, _value: text.upper(), lambda text, _value: text),
    Transform("prefix", "puts value before the text on the way right and takes it off on the way back",
              lambda text, value: text if text.startswith(value) else value + text, _strip_prefix, needs_value=True),
    Transform("suffix", "puts value after the text on the way right and takes it off on the way back",
              lambda text, value: text if text.endswith(value) else text + value, _strip_suffix, needs_value=True),
)}


def apply_transform(name: str, value_arg: str, value: Any, towards_right: bool) -> Any:
    """The value as the other side holds it; empty values and non-text stay as they are."""
    if not isinstance(value, str) or value == "":
        return value
    transform = TRANSFORMS[name]
    return (transform.forward if towards_right else transform.back)(value, value_arg)
