"""The kit's one path builder: every id that goes into a request path passes through :func:`api_path`.

Ids come from users and from other systems (a trigger's item, a mapped field), so they can hold
anything: ``/``, ``?``, ``#``, ``%`` or a whole ``../../api/connections/...``. Put into a path as they
are, they steer the request to another endpoint of the service, with the connection's credential.
``api_path`` escapes each value as exactly one path segment (every byte outside RFC 3986's unreserved
set is percent-encoded, ``/`` included) and refuses the values no escaping can make harmless: ``.``
and ``..`` (dot segments, which clients and servers resolve) and the empty string (which would make
``/contacts/{id}`` the collection). The refusal is a :class:`~connector.errors.BadInput` naming the
field, raised before any HTTP call::

    api_path("/contacts/{contact_id}/tasks/{task_id}", contact_id=contact, task_id=task)
"""

from __future__ import annotations

import string
from functools import cache
from urllib.parse import quote

from connector.errors import BadInput

#: Values that stay dot segments whatever the escaping (``quote`` never encodes ``.``).
_DOT_SEGMENTS = frozenset({".", ".."})


@cache
def _placeholders(template: str) -> tuple[str, ...]:
    """The ``{name}`` placeholders of ``template``, checked once per template (a definition bug if wrong)."""
    if not template.startswith("/"):
        raise ValueError(f"path template {template!r} must start with '/'")
    names: list[str] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if "?" in literal or "#" in literal:
            raise ValueError(f"path template {template!r} holds a query or fragment; pass params= instead")
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(f"path template {template!r}: placeholder {{{name}}} must be a plain name")
        names.append(name)
    return tuple(names)


def path_segment(value: object, field: str) -> str:
    """``value`` escaped as one path segment; BadInput naming ``field`` when it cannot be one."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadInput(
            f"must be a text or number id to go into the request path, not {type(value).__name__}; "
            "map the record's id",
            field,
        )
    text = str(value)
    if text == "":
        raise BadInput("is empty; give the record's id (it goes into the request path)", field)
    if text in _DOT_SEGMENTS:
        raise BadInput(f"{text!r} is not an id: it would change the request path; give the record's id", field)
    return quote(text, safe="")


def api_path(template: str, **values: object) -> str:
    """``template`` with every ``{name}`` replaced by ``values[name]`` escaped as one path segment.

    Raises:
        BadInput: a value is empty, ``.``/``..`` or not a text or number (the field is the placeholder's
            name, which operations name after their input field).
        ValueError: the template and the values do not match (a bug in the operation, not in the input).
    """
    names = _placeholders(template)
    missing = [name for name in names if name not in values]
    extra = sorted(set(values) - set(names))
    if missing or extra:
        raise ValueError(f"path template {template!r}: missing values {missing}, unexpected values {extra}")
    return template.format_map({name: path_segment(values[name], name) for name in names})
