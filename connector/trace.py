"""A redacted record of the HTTP exchange, for run history, "Test action" and ``--trace``.

Traces are shown to users and stored, so secrets must never reach them. Redaction works in three
layers: header names (``Authorization``, cookies, anything named like a token, key or secret), body
and query fields named like credentials (``password``, ``access_token``, Okta's
``credentials.password.value`` ...), and literal values the caller knows to be secret (the API token
of the connection), wherever they appear.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

import httpx

from connector.definitions import WIRE_SECRET_FIELD_NAMES

REDACTED = "[redacted]"

#: Bodies kept in a trace are cut to this many characters.
MAX_BODY = 64 * 1024

#: Field names (lowercase, without ``_`` and ``-``) whose values are secret in JSON, forms and queries.
SECRET_FIELDS = frozenset(name.replace("_", "") for name in WIRE_SECRET_FIELD_NAMES)
#: Fields secret only somewhere inside these objects (Okta ``credentials.password.value``,
#: ``credentials.recovery_question.answer``, event hook ``authScheme.value``).
NESTED_SECRET_FIELDS = {"credentials": frozenset({"value", "answer"}), "authscheme": frozenset({"value"})}

_SECRET_HEADER_NAMES = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)
_SECRET_HEADER_PARTS = ("token", "secret", "password", "api-key", "apikey", "session", "auth")
_AUTH_SCHEMES = frozenset({"bearer", "ssws", "basic", "token", "dpop", "digest"})

_JSON_FIELD = re.compile(r'"([A-Za-z_\-]+)"(\s*:\s*)("(?:[^"\\]|\\.)*"|[^\s,}\]{\[]+)')
_CHARSET = re.compile(r"charset=\"?([\w.:-]+)", re.IGNORECASE)
_FORM_FIELD = re.compile(r"(^|[?&;])([A-Za-z_\-]+)=([^&;#\s]*)")


def _normal(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def _is_secret_field(name: str) -> bool:
    return _normal(name) in SECRET_FIELDS


def is_secret_header(name: str, extra: frozenset[str] = frozenset()) -> bool:
    """Whether a header of this name carries a credential (``Authorization``, cookies, ``X-Api-Key``,
    anything named like a token, secret, password, session or auth, and the ``extra`` names, lowercase)."""
    lowered = name.lower()
    return lowered in _SECRET_HEADER_NAMES or lowered in extra or any(part in lowered for part in _SECRET_HEADER_PARTS)


def redact_headers(
    headers: httpx.Headers | Mapping[str, str] | Iterable[tuple[str, str]], extra: frozenset[str] = frozenset()
) -> dict[str, str]:
    """Headers with credential values replaced; the auth scheme word (``Bearer``, ``SSWS``) is kept.

    ``extra`` holds more secret header names (lowercase): an app's own, from ``AuthSpec.secret_headers``.
    Repeated headers (several ``Link`` or ``Set-Cookie`` lines) are joined with ``, ``.
    """
    items = headers.multi_items() if isinstance(headers, httpx.Headers) else (
        headers.items() if isinstance(headers, Mapping) else headers
    )
    result: dict[str, str] = {}
    for name, value in items:
        if is_secret_header(name, extra):
            scheme, _, rest = value.partition(" ")
            value = f"{scheme} {REDACTED}" if rest and scheme.lower() in _AUTH_SCHEMES else REDACTED
        result[name] = f"{result[name]}, {value}" if name in result else value
    return result


def _redact_json_value(value: Any, nested: frozenset[str] = frozenset()) -> Any:
    """Walk JSON; ``nested`` holds the names secret because an ancestor is ``credentials`` etc."""
    if isinstance(value, dict):
        redacted: dict[str, Any] = {}
        for key, item in value.items():
            name = _normal(key)
            if item is not None and (name in SECRET_FIELDS or name in nested):
                redacted[key] = REDACTED
            else:
                redacted[key] = _redact_json_value(item, nested | NESTED_SECRET_FIELDS.get(name, frozenset()))
        return redacted
    if isinstance(value, list):
        return [_redact_json_value(item, nested) for item in value]
    return value


def _redact_fields(text: str) -> str:
    """Redact secret fields in JSON (parsed when whole, by pattern when cut) and in form/query text."""
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            return json.dumps(_redact_json_value(json.loads(text)), ensure_ascii=False)
        except ValueError:
            pass  # truncated or not JSON after all: fall back to patterns

        def json_field(match: re.Match[str]) -> str:
            # Without the structure we cannot tell credentials.value from any value: redact both.
            if _is_secret_field(match[1]) or _normal(match[1]) in ("value", "answer"):
                return f'"{match[1]}"{match[2]}"{REDACTED}"'
            return match[0]

        text = _JSON_FIELD.sub(json_field, text)

    def form_field(match: re.Match[str]) -> str:
        if _is_secret_field(match[2]):
            return f"{match[1]}{match[2]}={REDACTED}"
        return match[0]

    return _FORM_FIELD.sub(form_field, text)


def _secret_forms(secrets: Iterable[str]) -> list[str]:
    """Each secret as it may appear in text: raw, percent-encoded, form-encoded; longest first."""
    forms: set[str] = set()
    for secret in secrets:
        if secret and len(secret) >= 4:  # shorter values would redact ordinary words
            forms.update({secret, quote(secret, safe=""), quote_plus(secret, safe="")})
    return sorted(forms, key=len, reverse=True)


def _redact_literals(text: str, forms: list[str]) -> str:
    for form in forms:
        if form in text:
            text = text.replace(form, REDACTED)
    return text


def redact_literals(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each literal secret (raw, percent- or form-encoded) replaced, and nothing else touched."""
    return _redact_literals(text, _secret_forms(secrets))


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Text with literal ``secrets`` and credential-named JSON/form fields replaced by ``[redacted]``."""
    return _redact_literals(_redact_fields(text), _secret_forms(secrets))


def redact_url(url: httpx.URL | str, secrets: Iterable[str] = ()) -> str:
    """A URL with credential-named query parameters, user info and literal secrets redacted."""
    parsed = httpx.URL(str(url))
    if parsed.userinfo:
        parsed = parsed.copy_with(username=REDACTED, password=None)
    return redact_text(str(parsed), secrets)


def _truncate(text: str, forms: list[str], limit: int = MAX_BODY) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    # A secret split by the cut would survive literal replacement: drop any trailing piece of one.
    for form in forms:
        for size in range(len(form) - 1, 3, -1):
            if cut.endswith(form[:size]):
                cut = cut[:-size] + REDACTED
                break
    return f"{cut}... [{len(text) - limit} more characters]"


def _multipart_text(content: bytes, content_type: str, forms: list[str]) -> str:
    """A multipart body as one line per part: text parts redacted like a form, files by name and size."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
                                                  + content)
    lines = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition") or "?"
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            lines.append(f"{name}: file {filename!r} ({part.get_content_type()}, {len(data)} bytes)")
        else:
            value = data.decode("utf-8", "replace")
            shown = REDACTED if _is_secret_field(str(name)) else _redact_literals(value, forms)
            lines.append(f"{name}: {_truncate(shown, forms, 1024)}")
    return "\n".join(lines) or f"<{len(content)} bytes of multipart data>"


def _body_text(content: bytes, headers: httpx.Headers, forms: list[str]) -> str:
    if not content:
        return ""
    content_type = headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        return _multipart_text(content, content_type, forms)
    # Redacting a whole huge body is wasted work; a bounded prefix is enough to show.
    sample = content[: MAX_BODY * 4]
    try:
        charset = _CHARSET.search(headers.get("content-type", ""))
        text = sample.decode(charset[1] if charset else "utf-8")
    except (UnicodeDecodeError, LookupError):
        return f"<{len(content)} bytes of binary data ({headers.get('content-type', 'unknown type')})>"
    if len(sample) < len(content):
        text += "\u2026"  # marks a prefix, so the JSON parser falls back to patterns
    return _truncate(_redact_literals(_redact_fields(text), forms), forms)


@dataclass
class Exchange:
    """One request and its response (or the error that replaced it), secrets redacted.

    Attributes:
        attempts: tries the retrying transport made before this response (1 = no retry).
        error: the ConnectorError branch and message when this exchange failed the step.
    """

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""
    elapsed_ms: float | None = None
    error: str | None = None
    attempts: int = 1


class TraceRecorder:
    """Records every exchange a client makes, through httpx event hooks.

    ``make_client(recorder=TraceRecorder(secrets=[api_token]))`` wires it in; ``to_list()`` gives the
    JSON-safe trace for run history. Each request the auth flow sends (a 401, then the refreshed retry)
    is its own exchange; retries inside the transport are counted in ``attempts``.
    """

    _STARTED = "connector_trace_started"
    _EXCHANGE = "connector_trace_exchange"

    def __init__(self, secrets: Iterable[str] = (), secret_headers: Iterable[str] = ()) -> None:
        self.exchanges: list[Exchange] = []
        self._secret_headers = frozenset(name.lower() for name in secret_headers)
        self._secrets: set[str] = {s for s in secrets if s}
        self._forms = _secret_forms(self._secrets)

    def hooks(self) -> dict[str, list[Any]]:
        """httpx ``event_hooks`` that record each request and response."""
        return {"request": [self._on_request], "response": [self._on_response]}

    def to_list(self) -> list[dict[str, Any]]:
        return [asdict(exchange) for exchange in self.exchanges]

    def record_error(
        self, request: httpx.Request, error: Exception, response: httpx.Response | None = None
    ) -> None:
        """Attach ``error`` to the exchange of ``response``, or record a failed request with no response."""
        text = _redact_literals(f"{type(error).__name__}: {error}", self._forms)
        exchange = response.extensions.get(self._EXCHANGE) if response is not None else None
        if isinstance(exchange, Exchange):
            exchange.error = text
            return
        started = request.extensions.get(self._STARTED)
        exchange = self._request_exchange(request)
        exchange.error = text
        if isinstance(started, float):
            exchange.elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
        self.exchanges.append(exchange)

    def _request_exchange(self, request: httpx.Request) -> Exchange:
        try:
            content = request.read()
        except (httpx.RequestNotRead, AssertionError):
            content = b""
        return Exchange(
            method=request.method,
            url=redact_url(request.url, self._secrets),
            request_headers=self._headers(request.headers),
            request_body=_body_text(content, request.headers, self._forms),
        )

    def _headers(self, headers: httpx.Headers) -> dict[str, str]:
        return {k: _redact_literals(v, self._forms) for k, v in redact_headers(headers, self._secret_headers).items()}

    def _on_request(self, request: httpx.Request) -> None:
        request.extensions = {**request.extensions, self._STARTED: time.perf_counter()}

    def _on_response(self, response: httpx.Response) -> None:
        request = response.request
        exchange = self._request_exchange(request)
        started = request.extensions.get(self._STARTED)
        content = response.read()
        if isinstance(started, float):
            exchange.elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
        exchange.status = response.status_code
        exchange.response_headers = self._headers(response.headers)
        exchange.response_body = _body_text(content, response.headers, self._forms)
        exchange.attempts = int(response.extensions.get("connector_attempts", 1))
        response.extensions = {**response.extensions, self._EXCHANGE: exchange}
        self.exchanges.append(exchange)
