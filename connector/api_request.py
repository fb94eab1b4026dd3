"""The "API request" action every app offers: any call to the vendor's API with the connection's credential.

Catalogues never cover everything a vendor offers, so peers give users an escape hatch that reuses the
stored credentials (n8n's HTTP Request node with a predefined credential, Activepieces' "custom API
call"). Here it is built once, in the kit, and each app lists ``api_request_action(...)`` among its
actions. The user gives a method, a path relative to the connection's base URL, query parameters,
headers and a JSON body; the app's auth applies the credential exactly as for every other operation, and
the answer comes back as ``status``, ``headers`` and ``body`` (parsed JSON, or the text).

What keeps it from becoming a way to send the credential elsewhere:

- the path goes through :func:`connector.paths.request_path` (no absolute or scheme-relative URLs, no
  dot segments however encoded, no backslashes or control characters; every segment escaped);
- the request is made relative to the client's base URL, whose request hook refuses anything that is
  not under it, and on the real network the outbound guard (:mod:`connector.outbound`) still decides
  which addresses may be reached;
- headers that carry credentials (``Authorization``, cookies, the app's secret header names) cannot be
  set by the user: the connection supplies them; ``Host`` and framing headers cannot be set either;
- answers' credential headers (``Set-Cookie``, tokens) and credential-named body fields are redacted in
  the output, as the trace redacts them, so run history never stores them.

Statuses: 2xx and 3xx come back as output. 4xx come back as output too, since the user asked for that
exact call and may want to branch on the status, unless ``fail_on_error_status`` is set; 401, 407 and
429 keep their platform meaning (refresh or reconnect, wait and retry) and 5xx fail the step (retried).

Requests carry ``User-Agent: connector-kit/<version> api-request`` (:data:`USER_AGENT`), so the sandboxes'
contract check can tell the user's own calls from the connectors' (see ``sandboxes/contract_check.py``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from connector.context import Context
from connector.definitions import CREDENTIAL_FIELD_NAMES, Action, AuthSpec, Field
from connector.errors import BadInput
from connector.http import ALLOW_STATUS
from connector.http import USER_AGENT as KIT_USER_AGENT
from connector.paths import request_path
from connector.trace import REDACTED, redact_headers, redact_literals

#: Credential field names as the answer may spell them (``access_token``, ``accessToken``, ``api-key``).
_CREDENTIAL_NAMES = frozenset(name.replace("_", "") for name in CREDENTIAL_FIELD_NAMES)

#: Marks the user's own calls (the contract check reads it; real services ignore it).
USER_AGENT = f"{KIT_USER_AGENT} api-request"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: Headers the connection or the HTTP layer owns; setting them by hand is refused with a clear error.
RESERVED_HEADERS = frozenset({
    "authorization", "proxy-authorization", "cookie", "host", "content-length", "transfer-encoding",
    "connection", "user-agent",
})
#: Headers whose values are credentials in an answer or a request, whatever the trace's name rules say.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
#: 4xx answers with a platform meaning: never handed back as output.
PLATFORM_STATUSES = frozenset({401, 407, 429})
#: Longest answer body kept in the output (characters); run history stores it.
MAX_BODY_CHARS = 256 * 1024

KEY = "api_request"


def api_request_action(
    *,
    app_name: str,
    example_path: str,
    auth: AuthSpec,
    scopes: tuple[str, ...] = (),
) -> Action:
    """The "API request" action for one app.

    Args:
        app_name: the app's name as users know it ("Okta"), used in the label and help.
        example_path: a real path of the vendor's API, shown as the placeholder and in the sample.
        auth: the app's auth; its ``secret_headers`` (credential headers besides ``Authorization``) are
            never settable by the user and are redacted in the output.
        scopes: OAuth scopes to request for it (empty: whatever the connection has).
    """
    app_secret_headers = {name.lower() for name in auth.secret_headers}
    owned = RESERVED_HEADERS | app_secret_headers
    credential_headers = CREDENTIAL_HEADERS | app_secret_headers
    secret_fields = auth.secret_field_keys()

    def perform(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
        method = str(values.get("method") or "GET").upper()
        path = request_path(values.get("path"), "path")
        params = _query(values.get("query") or {})
        headers = _headers(values.get("headers") or {}, owned)
        content = _body(values.get("body"), method, headers)
        upload = _file(ctx, values, method, headers) if values.get("file") else {}
        if upload and content is not None:
            raise BadInput("give either a JSON body or a file, not both", "file")
        allow = () if values.get("fail_on_error_status") else tuple(
            status for status in range(400, 500) if status not in PLATFORM_STATUSES
        )
        response = ctx.http.request(
            method, path, params=params, headers={"User-Agent": USER_AGENT, **headers},
            **(upload or {"content": content}), extensions={ALLOW_STATUS: allow},
        )
        secrets = [str(v) for k, v in ctx.connection.fields.items() if k in secret_fields and v]
        return _answer(response, credential_headers, secrets)

    return Action(
        key=KEY,
        noun="Request",
        label=f"API Request ({app_name})",
        description=(
            f"Call any {app_name} API endpoint with this connection's credentials: for what no other action "
            "covers. The path is relative to the connection's address; the answer's status, headers and body "
            "are returned."
        ),
        semantics="create",
        area="Advanced",
        scopes=scopes,
        input_fields=(
            Field("method", "Method", default="GET", choices=METHODS, help_text="GET when left empty."),
            Field("path", "Path", required=True, placeholder=example_path,
                  help_text="Relative to the connection's address, e.g. " + example_path + ". Absolute URLs, "
                            "'..' and encoded slashes are refused: the request always stays on the connection's "
                            "service."),
            Field("query", "Query parameters", type="dict",
                  help_text='Name/value pairs, e.g. {"limit": 10}; a list value repeats the parameter.'),
            Field("headers", "Headers", type="dict",
                  help_text="Extra headers, e.g. {\"Accept-Language\": \"en\"}. The connection supplies the "
                            "credential headers; they cannot be set here."),
            Field("body", "JSON body", type="text",
                  help_text='Sent as application/json, e.g. {"profile": {"firstName": "Ann"}}. Not for GET.'),
            Field("file", "File", type="file",
                  help_text='A file to send instead of a JSON body: an https URL to download, or {"filename", '
                            '"content_type", "content_base64"}. Sent as the multipart/form-data part named in '
                            '"File part", or as the whole body with its content type when that is empty.'),
            Field("file_part", "File part", placeholder="file",
                  help_text="The multipart/form-data part the file goes in (often file); empty sends "
                            "the file as the whole body."),
            Field("fail_on_error_status", "Fail on 4xx", type="boolean", default=False,
                  help_text="Fail the step when the answer is a 4xx; by default it is returned as output."),
        ),
        output_fields=(
            Field("status", "Status", type="integer", required=True),
            Field("headers", "Response headers", type="dict", required=True),
            Field("text", "Body as text", type="text", required=True),
            Field("json", "Body is JSON", type="boolean", required=True),
        ),
        sample={
            "status": 200,
            "headers": {"content-type": "application/json"},
            "body": {"id": "00u1", "status": "ACTIVE"},
            "text": '{"id": "00u1", "status": "ACTIVE"}',
            "json": True,
        },
        perform=perform,
    )


QueryValue = str | int | float | bool | None


def _query(values: Mapping[str, Any]) -> list[tuple[str, QueryValue]]:
    params: list[tuple[str, QueryValue]] = []
    for name, value in values.items():
        if not str(name).strip():
            raise BadInput("a query parameter has an empty name; give each parameter a name", "query")
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict | list):
                raise BadInput(f"parameter {name!r} holds an object; give text, numbers or a list of them", "query")
            text = "" if item is None else (str(item).lower() if isinstance(item, bool) else str(item))
            params.append((str(name), text))
    return params


def _headers(values: Mapping[str, Any], owned: frozenset[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in values.items():
        key = str(name).strip()
        if not key or any(ch in key for ch in " :\r\n\t") or not key.isascii():
            raise BadInput(f"header name {key!r} is not a valid HTTP header name", "headers")
        if key.lower() in owned:
            raise BadInput(f"header {key!r} cannot be set here: the connection supplies it (credentials and "
                           "framing are the connection's and the HTTP layer's)", "headers")
        text = str(value)
        if any(ch in text for ch in "\r\n\x00"):
            raise BadInput(f"header {key!r} holds a line break; a header value is one line", "headers")
        headers[key] = text
    return headers


def _body(value: Any, method: str, headers: dict[str, str]) -> bytes | None:
    if value in (None, ""):
        return None
    if method == "GET":
        raise BadInput("a GET request takes no body; remove it or choose POST, PUT or PATCH", "body")
    try:
        parsed = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError as exc:
        raise BadInput(f"is not JSON ({exc.msg} at character {exc.pos}); give a JSON value such as "
                       '{"name": "Ann"}', "body") from exc
    if not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = "application/json"
    return json.dumps(parsed).encode()


def _file(ctx: Context, values: Mapping[str, Any], method: str, headers: dict[str, str]) -> dict[str, Any]:
    """httpx arguments that send the ``file`` input: a multipart part, or the raw body with its type."""
    from connector.files import read_file

    if method == "GET":
        raise BadInput("a GET request takes no file; remove it or choose POST, PUT or PATCH", "file")
    part = str(values.get("file_part") or "").strip()
    typed = any(name.lower() == "content-type" for name in headers)
    if part and typed:
        raise BadInput("a multipart upload sets its own Content-Type (with its boundary); remove it from the "
                       "headers", "headers")
    file = read_file(values["file"], field="file", like=ctx.http)
    if part:
        return {"files": {part: (file.filename, file.content, file.content_type)}}
    if not typed:
        headers["Content-Type"] = file.content_type
    return {"content": file.content}


def _answer(response: httpx.Response, secret_headers: frozenset[str], secrets: list[str]) -> dict[str, Any]:
    """The output: status, redacted headers, the body as JSON (when it is) and as text, secrets redacted."""
    headers = redact_headers(response.headers, secret_headers)
    raw = response.text
    text = redact_literals(raw, secrets)
    body: Any = text
    is_json = False
    if raw.strip() and "json" in response.headers.get("content-type", "").lower():
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = text
        else:
            is_json = True
            body = _redact_credentials(parsed)
            if body != parsed:  # a credential was cut out of the JSON: the text must not keep it
                text = json.dumps(body, ensure_ascii=False)
    if len(text) > MAX_BODY_CHARS:
        text = text[:MAX_BODY_CHARS] + f"... [{len(raw) - MAX_BODY_CHARS} more characters]"
        if not is_json:
            body = text
    return {"status": response.status_code, "headers": headers, "body": body, "text": text, "json": is_json}


def _redact_credentials(value: Any) -> Any:
    """JSON with the values of credential-named fields (``token``, ``access_token``, ``password``...) redacted.

    Narrower than the trace's list on purpose: the output is the user's data, so an error's ``code`` or a
    record's ``secret`` flag stay readable; only what is a credential by name goes.
    """
    if isinstance(value, dict):
        return {
            key: REDACTED if item is not None and key.lower().replace("_", "").replace("-", "") in _CREDENTIAL_NAMES
            else _redact_credentials(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact_credentials(item) for item in value]
    return value
