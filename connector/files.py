"""File inputs: the one value shape a ``file`` field takes, and how the kit turns it into bytes to send.

A user gives a file the way automation platforms take one (Zapier's ``type: 'file'``), in one of two forms:

- an ``https`` URL, which the kit downloads when the step runs, through the one outbound guard
  (:mod:`connector.outbound`: no loopback, private, link-local or other special-purpose address, checked
  again on the address actually dialled and on every redirect) and never more than :data:`MAX_FILE_BYTES`;
- an object ``{"filename": "logo.png", "content_type": "image/png", "content_base64": "iVBORw0..."}``
  (only ``content_base64`` is required), e.g. a previous step's output.

Coercion (:func:`to_file_value`) checks the form and normalises it to an object, ``{"url": ...}`` or the
content object, so run history and mapping previews show what will be sent, not the bytes twice.
:func:`read_file` gives the bytes, a file name and a content type when the operation sends them.
"""

from __future__ import annotations

import base64
import binascii
import json
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from connector.errors import BadInput

if TYPE_CHECKING:
    import httpx

#: The largest file a step sends (decoded), the same bound the platform puts on a hook delivery.
MAX_FILE_BYTES = 10 * 1024 * 1024
#: The keys a file object may have.
FILE_KEYS = ("filename", "content_type", "content_base64")
#: How long a file download may take, whole.
DOWNLOAD_TIMEOUT = 30.0
_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$")
_HOW = ('give an https URL to download, or an object {"filename": "logo.png", "content_type": "image/png", '
        '"content_base64": "<the bytes, base64-encoded>"}')
#: Types Python's table may not know, for files named without a type.
_EXTRA_TYPES = {".pem": "application/x-pem-file", ".cer": "application/x-x509-ca-cert",
                ".der": "application/pkix-cert", ".crt": "application/x-x509-ca-cert", ".ico": "image/x-icon"}

FILE_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "format": "uri", "pattern": "^https://"},
        {"type": "object", "additionalProperties": False, "required": ["url"],
         "properties": {"url": {"type": "string", "format": "uri", "pattern": "^https://"},
                        "filename": {"type": "string"}, "content_type": {"type": "string"}}},
        {"type": "object", "additionalProperties": False, "required": ["content_base64"],
         "properties": {"filename": {"type": "string"}, "content_type": {"type": "string"},
                        "content_base64": {"type": "string", "contentEncoding": "base64"}}},
    ],
}


@dataclass(frozen=True)
class FileContent:
    """A file ready to send."""

    filename: str
    content_type: str
    content: bytes


def to_file_value(value: Any) -> dict[str, str]:
    """Check a ``file`` field's value and normalise it to ``{"url": ...}`` or a content object.

    Raises:
        ValueError: what is wrong with the value and what to give instead.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except ValueError:
                raise ValueError(f"{_shown(value)} is not a file: it starts like JSON but does not parse; "
                                 f"{_HOW}") from None
        else:
            return {"url": _https_url(text)}
    if not isinstance(value, Mapping):
        raise ValueError(f"{_shown(value)} is not a file; {_HOW}")
    unknown = sorted(set(value) - {*FILE_KEYS, "url"})
    if unknown:
        raise ValueError(f"a file object has no {', '.join(map(repr, unknown))}; {_HOW}")
    out: dict[str, str] = {}
    for key in ("filename", "content_type"):
        if value.get(key) not in (None, ""):
            if not isinstance(value[key], str):
                raise ValueError(f"the file's {key} must be text, not {_shown(value[key])}")
            out[key] = value[key]
    if "content_type" in out and not _CONTENT_TYPE.match(out["content_type"].split(";")[0].strip()):
        raise ValueError(f"the file's content_type {out['content_type']!r} is not a media type such as image/png")
    if value.get("url") not in (None, ""):
        if value.get("content_base64") not in (None, ""):
            raise ValueError("a file is either a url or content_base64, not both; keep one")
        return {"url": _https_url(str(value["url"])), **out}
    content = value.get("content_base64")
    if not isinstance(content, str) or not content.strip():
        raise ValueError(f"the file object has no content_base64; {_HOW}")
    size = len(decode_base64(content))
    if size > MAX_FILE_BYTES:
        raise ValueError(f"the file is {size} bytes; files up to {MAX_FILE_BYTES} bytes are sent")
    return {**out, "content_base64": content.strip()}


def decode_base64(text: str) -> bytes:
    """Standard or URL-safe base64, padding optional, whitespace (line breaks) ignored."""
    compact = re.sub(r"\s+", "", text)
    alphabet = compact.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(alphabet + "=" * (-len(alphabet) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("content_base64 is not valid base64 (only A-Z, a-z, 0-9, +, / or -, _ and = "
                         "padding); encode the file's bytes with base64") from None


def read_file(value: Mapping[str, Any], *, field: str, transport: httpx.BaseTransport | None = None,
              max_bytes: int = MAX_FILE_BYTES, like: httpx.Client | None = None) -> FileContent:
    """The bytes, file name and content type of a coerced ``file`` value, downloading a URL.

    Args:
        value: what :func:`to_file_value` returned.
        field: the input field's key, named in every error.
        transport: where a download goes; default the guarded network (tests pass the guard with a mock
            behind it, never a transport without it).
        max_bytes: the largest file accepted.
        like: the step's client (``ctx.http``): the download shares its trace and its deadline, never
            its credential or base URL.

    Raises:
        BadInput: naming ``field``: a refused or failed download, a file over the limit.
    """
    if "url" in value:
        return _download(value, field=field, transport=transport, max_bytes=max_bytes, like=like)
    try:
        content = decode_base64(str(value.get("content_base64", "")))
    except ValueError as exc:
        raise BadInput(str(exc), field) from None
    if len(content) > max_bytes:
        raise BadInput(f"the file is {len(content)} bytes; files up to {max_bytes} bytes are sent", field)
    filename = str(value.get("filename") or "file")
    return FileContent(filename, str(value.get("content_type") or guess_type(filename)), content)


def guess_type(filename: str) -> str:
    """The media type a file name suggests, ``application/octet-stream`` when it suggests none."""
    suffix = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    return _EXTRA_TYPES.get(suffix) or mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _download(value: Mapping[str, Any], *, field: str, transport: httpx.BaseTransport | None,
              max_bytes: int, like: httpx.Client | None) -> FileContent:
    import httpx

    from connector.http import make_client
    from connector.outbound import URL_FIELD, GuardedTransport, check_url

    url = check_url(str(value["url"]), field=field)
    client = make_client(transport=GuardedTransport() if transport is None else transport,
                         timeout=DOWNLOAD_TIMEOUT, raise_errors=False, pacer=False,
                         recorder=getattr(like, "recorder", None), deadline=getattr(like, "deadline", None))
    try:
        with client, client.stream("GET", url, follow_redirects=True,
                                   extensions={URL_FIELD: field}) as response:
            if response.status_code >= 400:
                raise BadInput(f"downloading {url} answered HTTP {response.status_code}; give a URL that serves "
                               "the file without signing in, or the file's content", field)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise BadInput(f"{url} serves {declared} bytes; files up to {max_bytes} bytes are sent", field)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise BadInput(f"{url} serves more than {max_bytes} bytes; files up to {max_bytes} bytes "
                                   "are sent", field)
                chunks.append(chunk)
            served_type = response.headers.get("content-type", "").split(";")[0].strip()
    except httpx.RequestError as exc:
        raise BadInput(f"could not download {url} ({type(exc).__name__}: {exc}); check the URL", field) from None
    except BadInput as exc:  # the guard's refusal at connect time names no field of ours
        if exc.field == field:
            raise
        raise BadInput(exc.problems[0].message if exc.problems else str(exc), field) from None
    name = str(value.get("filename") or unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "file")
    content_type = str(value.get("content_type") or served_type or guess_type(name))
    return FileContent(name, content_type, b"".join(chunks))


def _https_url(text: str) -> str:
    if not text.lower().startswith("https://") or len(text) <= len("https://"):
        raise ValueError(f"{_shown(text)} is not a file; {_HOW}")
    return text


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
