"""The quick yes-or-no of a JSON Schema check, compiled by jsonschema-rs; jsonschema explains a no.

The kit checks many values against schemas where almost every answer is "valid": a manifest's 400
operation entries, every sample against its output schema, every default against its field, every
item an operation returns in strict mode. Pure-Python jsonschema costs tens to hundreds of microseconds
per check (170 us for an Okta user) and its import alone about 70 ms of a command's start-up;
jsonschema-rs answers the same draft 2020-12 question compiled (under 1 us for that user). Callers ask
:func:`passes` or a :func:`compiled` validator first and build a jsonschema validator only for a value
it refuses: jsonschema has the last word and reports each error with its path and keyword.
``tests/kit/test_manifest_two_validators.py`` and ``tests/kit/test_output_compiled_check.py`` hold the
two to the same verdicts.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1024)
def _compiled(schema_json: str, formats: bool) -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(json.loads(schema_json), validate_formats=formats)


def compiled(schema: Any, *, formats: bool = False) -> Any:
    """``schema``'s compiled validator (one per distinct schema and format setting, kept)."""
    return _compiled(json.dumps(schema, sort_keys=True, default=str), formats)


def passes(schema: Any, instance: Any, *, formats: bool = False) -> bool:
    """Whether ``instance`` is valid under ``schema`` (draft 2020-12; ``formats`` asserts ``format``)."""
    return bool(compiled(schema, formats=formats).is_valid(instance))
