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

import re
import string
import unicodedata
from functools import cache
from urllib.parse import quote, unquote

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


# --- a whole path the user typed (the "API request" action) ---------------------------------------

#: How many rounds of percent-decoding a segment is checked through: servers and proxies that decode
#: twice turn ``%252e%252e`` into ``..``.
_DECODE_ROUNDS = 3
#: ``scheme:`` at the start of a segment (``http:``, ``javascript:``): another URL smuggled into the path.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _hostile(segment: str) -> str | None:
    """Why one decoded segment could steer the request off its origin or path, or None."""
    for char in segment:
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            return f"holds the control character U+{ord(char):04X}"
    if "\\" in segment:
        return "holds a backslash, which servers and proxies read as '/'"
    if "/" in segment:
        return "holds an encoded '/' (%2F), which would add a path segment"
    if segment in _DOT_SEGMENTS:
        return f"holds the dot segment {segment!r}, which would climb the path"
    return None


def _check_segment(raw: str, position: int, field: str) -> str:
    """The segment ``raw`` decoded once, after checking it and each deeper decoding and NFKC form."""
    decoded = unquote(raw)
    layer = decoded
    for _ in range(_DECODE_ROUNDS):
        for form in (layer, unicodedata.normalize("NFKC", layer)):
            reason = _hostile(form)
            if reason:
                raise BadInput(f"segment {position} ({raw!r}) {reason}; give a path on the connection's "
                               "service, e.g. /api/v1/users/{id}", field)
        deeper = unquote(layer)
        if deeper == layer:
            break
        layer = deeper
    return decoded


def request_path(value: object, field: str = "path") -> str:
    """A path the user typed, relative to the connection's base URL, with every segment escaped.

    The "API request" action sends whatever path the user gives, with the connection's credential, so
    the path must not take that credential anywhere else. It is refused (BadInput naming ``field``,
    before any HTTP call) when it is an absolute URL or scheme-relative (``//host``), holds a query or
    fragment, a backslash, a control character, an empty segment, or a segment that is, or decodes to,
    ``.``/``..``/``/`` (percent-encoded once or more, or as Unicode look-alikes such as U+FF0E twice,
    compared after NFKC). What remains is decoded once per segment and escaped again like
    :func:`path_segment` (every byte outside RFC 3986's unreserved set), so ``%20`` stays a space and
    ``@``, ``:`` or ``;`` can never change how the URL is read (Okta still reads
    ``/api/v1/users/ann%40example.com`` as the login). The result starts with ``/`` and is joined under
    the base URL's path; the client's own base-URL check and the outbound guard still apply.
    """
    if not isinstance(value, str):
        raise BadInput(f"must be a text path such as /api/v1/users, not {type(value).__name__}", field)
    text = value.strip()
    if not text:
        raise BadInput("is empty; give a path relative to the connection's address, e.g. /api/v1/users", field)
    if "\\" in text:
        raise BadInput("holds a backslash, which servers and proxies read as '/'; use '/' between segments", field)
    if text.startswith("//"):
        raise BadInput(f"{text[:60]!r} names another host (a scheme-relative URL); give only the path on the "
                       "connection's service, e.g. /api/v1/users", field)
    if _SCHEME.match(text) and not text.startswith("/"):
        raise BadInput(f"{text[:60]!r} is an absolute URL; give only the path relative to the connection's "
                       "address, e.g. /api/v1/users (the connection decides the host)", field)
    if "?" in text or "#" in text:
        raise BadInput("holds a query or fragment; put query parameters in the 'query' input", field)
    segments = text.removeprefix("/").split("/")
    trailing = len(segments) > 1 and segments[-1] == ""
    if trailing:
        segments = segments[:-1]
    if segments == [""]:
        return "/"
    escaped = []
    for position, raw in enumerate(segments, start=1):
        if raw == "":
            raise BadInput(f"segment {position} is empty ('//' in the path); remove the extra '/'", field)
        escaped.append(quote(_check_segment(raw, position, field), safe=""))
    return "/" + "/".join(escaped) + ("/" if trailing else "")

