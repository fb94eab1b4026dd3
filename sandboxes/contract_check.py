"""Checks every sandbox answer, and every request a connector sends to a sandbox, against the vendor's contract.

The sandboxes were built alongside the connectors, so they tend to agree with each other even where both
disagree with the vendor. The contracts in ``docs/contracts/<sandbox>.openapi.json`` are written from the
vendors' own OpenAPI documents; this module holds the sandboxes and the connectors to them.

How it works: each sandbox wraps its WSGI app with :func:`install_contract_check`. The wrapper does
nothing until checking is switched on (:meth:`ContractChecks.enable`; the test suite's ``conftest.py``
does it for the whole session), then for each request it:

1. skips the sandbox's own test controls under ``/_sandbox/`` (fault injection, token expiry): they are
   not vendor endpoints, and :attr:`ContractChecks.skipped_admin` counts them so the exclusion is visible;
2. matches method and path to the contract's path templates; a request for an endpoint the vendor does
   not document is a violation when a connector sent it, and so is the sandbox serving it (any answer
   but an error: a 400, 401 or 404 to an unknown path refuses it, as the vendor would);
3. for requests a connector sent (``User-Agent: connector-kit/...``): checks query parameters (known
   names, required ones, types) and the JSON or form body against the documented request schema.
   A request a user wrote through an app's "API request" action (``User-Agent: connector-kit/... api-request``)
   is the user's own, not the connector's: whether its path, parameters and body are documented is the
   user's business (the vendor answers, e.g. 404 for an unknown path), so it is held to nothing on the
   way in, like a request from any other client. :attr:`ContractChecks.user_requests` counts them. Its
   answer is still checked (step 4), and so is a sandbox serving an undocumented path;
4. checks the answer: its status must be documented for the operation, and its body must validate
   against the documented schema (a body where the document gives none is a violation too).

Schemas are OpenAPI 3.1, i.e. JSON Schema 2020-12, validated with ``jsonschema``; ``$ref``s resolve
inside the contract document. The contracts close every object whose fields they list, so an unknown
field fails. ``docs/contracts/<sandbox>.deviations.json`` lists the deliberate differences (a status,
a field or an endpoint, each with its reason); a violation they cover is not reported.

A sandbox served in another process (``connector sandbox ...`` on a real port) checks itself when the
environment variable :data:`LOG_ENV` names a file: each violation is appended there as one JSON line,
for the test that started the process to read.

A sandbox without a contract file is not checked (the check starts when the file appears). Arrays of
more than :data:`ARRAY_SAMPLE` items are checked on that many items spread evenly over the array
(first and last included): every item comes from the same rendering code, and ``jsonschema`` takes
about a millisecond per Okta user, so checking every user of a 10,000-user first poll would cost the
suite seconds per test.
"""

from __future__ import annotations

import fnmatch
import io
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CONTRACTS_DIR = Path(__file__).resolve().parents[1] / "docs" / "contracts"
#: Test controls of the sandboxes (faults, token expiry): not vendor endpoints, never checked.
ADMIN_PREFIX = "/_sandbox/"
#: Requests carrying this User-Agent prefix come from the kit's HTTP seam: a connector sent them.
CONNECTOR_AGENT = "connector-kit/"
#: ...unless the User-Agent ends with this: the user's own call through an app's "API request" action.
USER_REQUEST_MARK = " api-request"
#: Largest number of items of one array that are validated (spread evenly over the array).
ARRAY_SAMPLE = 25
#: How many schema errors one violation lists.
MAX_ERRORS = 5
#: Names a file: a sandbox process started with it checks every exchange and appends violations there.
LOG_ENV = "CONNECTOR_CONTRACT_LOG"

ViolationKind = Literal["endpoint", "status", "response body", "request body", "parameter"]


@dataclass(frozen=True)
class Violation:
    """One way a request or an answer broke the vendor's contract."""

    sandbox: str
    method: str
    target: str  # path and query as requested
    status: int | None
    kind: ViolationKind
    detail: str

    def __str__(self) -> str:
        answer = f" -> {self.status}" if self.status is not None else ""
        return f"[{self.sandbox}] {self.method} {self.target}{answer}: {self.kind}: {self.detail}"


@dataclass(frozen=True)
class Deviation:
    """A documented, deliberate difference from the vendor's contract.

    ``what`` is ``"status"`` (with ``status``), ``"field"`` (with ``field``: a property name, or a
    dotted path such as ``error.error_data``; it covers that field being there unlisted and its value
    differing from the documented schema) or ``"endpoint"``; the forms ``"status 401"`` and
    ``"field error_data"`` are read the same way. ``method`` and ``path`` may be ``*`` or globs.
    """

    method: str
    path: str
    what: str
    reason: str
    status: int | None = None
    field: str | None = None

    def applies(self, method: str, template: str | None, path: str) -> bool:
        if self.method != "*" and self.method.upper() != method.upper():
            return False
        return any(fnmatch.fnmatchcase(candidate, self.path) for candidate in (template, path) if candidate)

    @classmethod
    def parse(cls, entry: dict[str, Any]) -> Deviation:
        what, _, rest = str(entry.get("what", "")).strip().partition(" ")
        status = entry.get("status", rest.strip() if what == "status" and rest.strip() else None)
        field_name = entry.get("field", rest.strip() if what == "field" and rest.strip() else None)
        reason = str(entry.get("reason", "")).strip()
        if what not in ("status", "field", "endpoint") or not reason:
            raise ValueError(f"deviation {entry!r}: 'what' must be status, field or endpoint, and a reason is required")
        return cls(method=str(entry.get("method", "*")), path=str(entry.get("path", "*")), what=what,
                   reason=reason, status=int(status) if status is not None else None, field=field_name)


@dataclass
class Operation:
    template: str
    method: str
    spec: dict[str, Any]
    pointer: str  # JSON pointer of the operation inside the contract


class Contract:
    """One sandbox's contract: path templates, schemas with resolvable ``$ref``s, and its deviations."""

    def __init__(self, name: str, document: dict[str, Any], deviations: Iterable[Deviation] = ()) -> None:
        self.name = name
        self.document = document
        self.deviations = list(deviations)
        self._uri = f"urn:contract:{name}"
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(self._uri, resource)
        # Most literal characters first: /contacts/search wins over /contacts/{contactId}.
        self._templates = sorted(document.get("paths", {}), key=lambda t: -len(re.sub(r"\{[^}]+\}", "", t)))
        self._validators: dict[str, Draft202012Validator] = {}

    @classmethod
    def load(cls, name: str, directory: Path = CONTRACTS_DIR) -> Contract | None:
        path = directory / f"{name}.openapi.json"
        if not path.exists():
            return None
        deviations_path = directory / f"{name}.deviations.json"
        entries = json.loads(deviations_path.read_text()) if deviations_path.exists() else []
        if isinstance(entries, dict):
            entries = entries.get("deviations", [])
        return cls(name, json.loads(path.read_text()), [Deviation.parse(entry) for entry in entries])

    def match(self, method: str, path: str | list[str]) -> tuple[str | None, Operation | None]:
        """(matching path template, operation for the method); either may be None.

        ``path`` is the path, or better its segments each percent-decoded (then an id holding an
        escaped ``/`` stays one segment, as the vendor's router sees it).
        """
        segments = _segments(path) if isinstance(path, str) else _trimmed(path)
        matching = [t for t in self._templates if _template_values(t, segments) is not None]
        if not matching and any(segment in (".", "..") for segment in segments):
            # Only a decoded path with an escaped "/" in an id looks like this: let parameters span segments.
            joined = "/".join(segments)
            matching = [t for t in self._templates if _loose_pattern(t).match(joined)]
        for template in matching:
            spec = self.document["paths"][template].get(method.lower())
            if spec is not None:
                pointer = f"/paths/{_escape(template)}/{method.lower()}"
                return template, Operation(template, method.upper(), spec, pointer)
        return (matching[0], None) if matching else (None, None)

    def resolved(self, schema: Any) -> dict[str, Any]:
        """``schema`` with a local ``$ref`` (``#/components/...``) followed, as a plain dict."""
        seen = 0
        while isinstance(schema, dict) and str(schema.get("$ref", "")).startswith("#/") and seen < 16:
            node: Any = self.document
            for part in schema["$ref"][2:].split("/"):
                node = node.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(node, dict) else {}
            schema, seen = node, seen + 1
        return schema if isinstance(schema, dict) else {}

    def validate(self, pointer: str, instance: Any) -> list[ValidationError]:
        validator = self._validators.get(pointer)
        if validator is None:
            validator = Draft202012Validator({"$ref": f"{self._uri}#{pointer}"}, registry=self._registry)
            self._validators[pointer] = validator
        return sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))

    def deviation(self, method: str, template: str | None, path: str, what: str, *,
                  status: int | None = None, fields: Iterable[str] = ()) -> bool:
        wanted = set(fields)
        for deviation in self.deviations:
            if deviation.what != what or not deviation.applies(method, template, path):
                continue
            if what == "status" and deviation.status == status:
                return True
            if what == "endpoint":
                return True
            if what == "field" and deviation.field is not None:
                wanted = {name for name in wanted if not _field_matches(deviation.field, name)}
                if not wanted:
                    return True
        return False


def _escape(template: str) -> str:
    return template.replace("~", "~0").replace("/", "~1")


def _field_matches(deviation_field: str, name: str) -> bool:
    """``error_data`` covers that field at any depth; ``error.error_data`` only under ``error``."""
    return name == deviation_field or name.endswith("." + deviation_field)


@cache
def contract_for(name: str) -> Contract | None:
    """The contract of sandbox ``name`` (``docs/contracts/<name>.openapi.json``), or None without one."""
    return Contract.load(name)


@dataclass
class ContractChecks:
    """Switch and record of the contract checks: violations found, answers checked, admin calls skipped."""

    enabled: bool = False
    log_path: Path | None = None
    violations: list[Violation] = field(default_factory=list)
    checked: int = 0
    skipped_admin: int = 0
    #: Requests users wrote themselves ("API request" action): their answers are checked, not the requests.
    user_requests: int = 0
    #: User-Agent prefixes whose requests are held to the request schemas (the kit's; a test may add a
    #: vendor SDK's to check the contract against the vendor's own client).
    request_agents: tuple[str, ...] = (CONNECTOR_AGENT,)
    #: (sandbox, METHOD, path template) of every documented operation an answer came from.
    exercised: set[tuple[str, str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def enable(self) -> None:
        self.enabled = True

    def disable(self) -> None:
        self.enabled = False

    def enable_from_environment(self) -> bool:
        """Turn checking on when :data:`LOG_ENV` names a file (a sandbox process started by a test).

        A process that checks already (the test session itself, running a command in-process) keeps
        its violations in memory, for the test that caused them.
        """
        path = os.environ.get(LOG_ENV)
        if not path or self.enabled:
            return False
        self.log_path = Path(path)
        self.enabled = True
        return True

    def record(self, violations: Iterable[Violation]) -> None:
        found = list(violations)
        if not found:
            return
        with self._lock:
            self.violations.extend(found)
            if self.log_path is not None:
                with self.log_path.open("a", encoding="utf-8") as log:
                    for violation in found:
                        log.write(json.dumps(asdict(violation)) + "\n")

    def take(self) -> list[Violation]:
        """The violations recorded since the last call (and forget them)."""
        with self._lock:
            taken, self.violations = self.violations, []
            return taken

    def coverage(self) -> dict[str, tuple[int, list[str]]]:
        """Per sandbox with a contract: operations exercised, and the documented ones never answered."""
        report: dict[str, tuple[int, list[str]]] = {}
        for name in sorted({sandbox for sandbox, _, _ in self.exercised}):
            contract = contract_for(name)
            if contract is None:
                continue
            documented = {(method.upper(), path) for path, item in contract.document.get("paths", {}).items()
                          for method in item if method in ("get", "put", "post", "delete", "patch")}
            seen = {(method, path) for sandbox, method, path in self.exercised if sandbox == name}
            report[name] = (len(seen & documented), sorted(f"{m} {p}" for m, p in documented - seen))
        return report

    def count(self, *, admin: bool, user_request: bool = False) -> None:
        with self._lock:
            if admin:
                self.skipped_admin += 1
            else:
                self.checked += 1
                self.user_requests += int(user_request)


#: The one switch every sandbox's wrapper consults.
CHECKS = ContractChecks()


def install_contract_check(app: Any, sandbox: str) -> None:
    """Wrap ``app.wsgi_app`` (a Flask app) so requests and answers are checked while :data:`CHECKS` is on."""
    app.wsgi_app = ContractCheckMiddleware(app.wsgi_app, sandbox)


class ContractCheckMiddleware:
    """WSGI middleware that checks one request and its answer against the sandbox's contract."""

    def __init__(self, app: WSGIApplication, sandbox: str, checks: ContractChecks = CHECKS,
                 contract: Callable[[str], Contract | None] = contract_for) -> None:
        self.app = app
        self.sandbox = sandbox
        self.checks = checks
        self._contract = contract

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not self.checks.enabled:
            return self.app(environ, start_response)
        path = environ.get("PATH_INFO", "") or "/"
        if path.startswith(ADMIN_PREFIX):
            self.checks.count(admin=True)
            return self.app(environ, start_response)
        contract = self._contract(self.sandbox)
        if contract is None:
            return self.app(environ, start_response)
        request_body = _read_body(environ)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        method = environ.get("REQUEST_METHOD", "GET").upper()
        agent = str(environ.get("HTTP_USER_AGENT", ""))
        user_request = agent.startswith(CONNECTOR_AGENT) and agent.endswith(USER_REQUEST_MARK)
        exchange = Exchange(
            contract=contract,
            method="GET" if method == "HEAD" else method,  # HEAD is GET without the body
            head=method == "HEAD",
            path=path,
            query=environ.get("QUERY_STRING", ""),
            segments=_raw_segments(environ, path),
            request_type=environ.get("CONTENT_TYPE", ""),
            headers=_request_headers(environ),
            request_body=request_body,
            from_connector=agent.startswith(self.checks.request_agents) and not user_request,
            status=captured.get("status", 0),
            response_type=dict((k.lower(), v) for k, v in captured.get("headers", [])).get("content-type", ""),
            response_body=body,
        )
        self.checks.count(admin=False, user_request=user_request)
        try:
            self.checks.record(exchange.violations())
            if exchange.matched is not None:
                self.checks.exercised.add((contract.name, *exchange.matched))
        except Exception as error:  # a broken check must be seen, and must not break the sandbox's answer
            self.checks.record([exchange.violation("response body", f"the contract check itself failed: {error!r}")])
        return [body]


def _read_body(environ: WSGIEnvironment) -> bytes | None:
    """The request body (put back for the app), or None when its length is unknown."""
    length = environ.get("CONTENT_LENGTH")
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if length in (None, ""):
        if not environ.get("wsgi.input_terminated"):
            return None
        data = stream.read()
    else:
        try:
            size = int(length)
        except ValueError:
            return None  # the sandbox answers the malformed request itself
        data = stream.read(size)
    environ["wsgi.input"] = io.BytesIO(data)
    return data


@dataclass
class Exchange:
    """One request and its answer, and the contract they are held to."""

    contract: Contract
    method: str
    path: str
    query: str
    segments: list[str]  # the path's segments, each percent-decoded
    request_type: str
    request_body: bytes | None
    headers: dict[str, str]
    from_connector: bool
    status: int
    response_type: str
    response_body: bytes
    head: bool = False
    matched: tuple[str, str] | None = None  # (METHOD, template) of the documented operation, once checked

    @property
    def target(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")

    def violation(self, kind: ViolationKind, detail: str, *, with_status: bool = True) -> Violation:
        return Violation(self.contract.name, self.method, self.target, self.status if with_status else None,
                         kind, detail)

    def violations(self) -> list[Violation]:
        template, operation = self.contract.match(self.method, self.segments)
        if operation is not None:
            self.matched = (operation.method, operation.template)
        found: list[Violation] = []
        if operation is None:
            if self.contract.deviation(self.method, template, self.path, "endpoint"):
                return []
            where = "the path" if template is None else f"{self.method} on {template}"
            if self.from_connector:
                found.append(self.violation("endpoint", f"a connector called {where}, which the vendor does "
                                                        "not document", with_status=False))
            if self.status < 400:  # an error answer refuses the path; only serving it is a violation
                found.append(self.violation("endpoint", f"the sandbox serves {where}, which the vendor does not "
                                                        "document"))
            return found
        if self.from_connector:
            found.extend(self._request_violations(operation))
        found.extend(self._response_violations(operation))
        return found

    # -- requests --------------------------------------------------------------------------------
    def _request_violations(self, operation: Operation) -> Iterator[Violation]:
        yield from self._header_and_path_violations(operation)
        parameters = {p["name"]: p for p in operation.spec.get("parameters", []) if p.get("in") == "query"}
        given: dict[str, list[str]] = {}
        for name, value in parse_qsl(self.query, keep_blank_values=True):
            given.setdefault(name, []).append(value)
        for name, values in given.items():
            spec = parameters.get(name)
            if spec is None:
                yield self.violation("parameter", f"query parameter {name!r} is not documented for "
                                                  f"{operation.method} {operation.template}", with_status=False)
                continue
            schema = spec.get("schema", {})
            value = _query_value(values, schema)
            pointer = f"{operation.pointer}/parameters/{operation.spec['parameters'].index(spec)}/schema"
            errors = self.contract.validate(pointer, value)
            if errors:
                yield self.violation("parameter", f"query parameter {name}={values[0]!r}: {errors[0].message}",
                                     with_status=False)
        for name, spec in parameters.items():
            if spec.get("required") and name not in given:
                yield self.violation("parameter", f"required query parameter {name!r} is missing", with_status=False)
        body_spec = operation.spec.get("requestBody")
        if self.request_body is None:
            return
        if not body_spec:
            if self.request_body.strip() not in (b"", b"{}"):
                yield self.violation("request body", f"{operation.method} {operation.template} takes no body",
                                     with_status=False)
            return
        if not self.request_body.strip():
            if body_spec.get("required"):
                yield self.violation("request body", "the body is required and was empty", with_status=False)
            return
        kind = self.request_type.split(";")[0].strip().lower() or "application/json"
        content = body_spec.get("content", {})
        if kind not in content:
            yield self.violation("request body", f"content type {kind!r} is not documented (use one of "
                                                 f"{', '.join(content)})", with_status=False)
            return
        try:
            instance = _parse_body(kind, self.request_body, self.request_type)
        except ValueError as error:
            yield self.violation("request body", f"not {kind}: {error}", with_status=False)
            return
        if kind == "application/x-www-form-urlencoded":
            # Form fields are text on the wire, serialised like query parameters: read them as the schema types them.
            properties = self.contract.resolved(content[kind].get("schema", {})).get("properties", {})
            instance = {name: _query_value([value], self.contract.resolved(properties.get(name, {})))
                        for name, value in instance.items()}
        pointer = f"{operation.pointer}/requestBody/content/{_escape(kind)}/schema"
        yield from self._schema_violations("request body", pointer, instance, with_status=False)

    def _header_and_path_violations(self, operation: Operation) -> Iterator[Violation]:
        """A credential where the operation needs one; required headers present and valid (e.g. a
        ``Version`` header); path values of the right type."""
        missing = self._missing_credential(operation)
        if missing:
            yield self.violation("parameter", f"no credential: the operation needs {missing}", with_status=False)
        values = _template_values(operation.template, self.segments) or {}
        for index, spec in enumerate(operation.spec.get("parameters", [])):
            place, name = spec.get("in"), str(spec.get("name", ""))
            if place == "header":
                value = self.headers.get(name.lower())
                if value is None:
                    if spec.get("required"):
                        yield self.violation("parameter", f"required header {name!r} is missing", with_status=False)
                    continue
            elif place == "path" and name in values:
                value = values[name]
            else:
                continue
            pointer = f"{operation.pointer}/parameters/{index}/schema"
            errors = self.contract.validate(pointer, _query_value([value], spec.get("schema", {})))
            if errors:
                yield self.violation("parameter", f"{place} parameter {name}={value!r}: {errors[0].message}",
                                     with_status=False)

    def _missing_credential(self, operation: Operation) -> str | None:
        """What header the operation's security needs when none of its alternatives is present, else None.

        Schemes carried elsewhere than a header (a form body, a query) are taken as present: the request
        body check covers those fields."""
        requirements = operation.spec.get("security", self.contract.document.get("security", []))
        if not requirements:
            return None
        schemes = self.contract.document.get("components", {}).get("securitySchemes", {})
        wanted: list[str] = []
        for requirement in requirements:
            headers = [_credential_header(schemes.get(name, {})) for name in requirement]
            if all(header is None or header.lower() in self.headers for header in headers):
                return None
            wanted.extend(header for header in headers if header and header not in wanted)
        return " or ".join(f"the {header} header" for header in wanted)

    # -- answers ---------------------------------------------------------------------------------
    def _response_violations(self, operation: Operation) -> Iterator[Violation]:
        responses = operation.spec.get("responses", {})
        key = str(self.status) if str(self.status) in responses else f"{str(self.status)[0]}XX"
        if key not in responses:
            key = "default"
        if key not in responses:
            if not self.contract.deviation(self.method, operation.template, self.path, "status", status=self.status):
                documented = ", ".join(sorted(responses))
                yield self.violation("status", f"{self.status} is not documented for {operation.method} "
                                               f"{operation.template} (documented: {documented})")
            return
        content = responses[key].get("content") or {}
        body = self.response_body.strip()
        if self.head:
            return
        if not content:
            if body:
                yield self.violation("response body", f"the document gives a {key} answer no body, the sandbox "
                                                      f"sent {body[:80]!r}")
            return
        if not body:
            yield self.violation("response body", "the document gives this answer a JSON body; it was empty")
            return
        try:
            instance = json.loads(body)
        except ValueError as error:
            yield self.violation("response body", f"not JSON: {error}")
            return
        pointer = f"{operation.pointer}/responses/{key}/content/application~1json/schema"
        sample, positions = _sampled(instance)
        yield from self._schema_violations("response body", pointer, sample, with_status=True, positions=positions)

    def _schema_violations(self, kind: ViolationKind, pointer: str, instance: Any, *,
                           with_status: bool, positions: list[int] | None = None) -> Iterator[Violation]:
        errors = [error for error in self.contract.validate(pointer, instance) if not self._excused(error)]
        if errors:
            lines = "; ".join(f"at {_where(error, positions)}: {error.message}" for error in errors[:MAX_ERRORS])
            more = f" (and {len(errors) - MAX_ERRORS} more)" if len(errors) > MAX_ERRORS else ""
            yield self.violation(kind, lines + more, with_status=with_status)

    def _excused(self, error: ValidationError) -> bool:
        """True when a listed field deviation covers the error: every unknown field it names, or the field
        whose value it is about (a documented string that the sandbox leaves null, say)."""
        prefix = ".".join(str(part) for part in error.absolute_path if not isinstance(part, int))
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            schema = error.schema if isinstance(error.schema, dict) else {}
            known = set(schema.get("properties", {}))
            patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
            unknown = [name for name in error.instance
                       if name not in known and not any(p.search(name) for p in patterns)]
            names = [f"{prefix}.{name}" if prefix else name for name in unknown]
        elif error.absolute_path and isinstance(error.absolute_path[-1], str):
            names = [prefix]
        else:
            return False
        _, operation = self.contract.match(self.method, self.segments)
        template = operation.template if operation else None
        return bool(names) and self.contract.deviation(self.method, template, self.path, "field", fields=names)


def _credential_header(scheme: dict[str, Any]) -> str | None:
    """The header a security scheme travels in, or None when it is not a header we can look for."""
    kind = scheme.get("type")
    if kind == "apiKey":
        return str(scheme["name"]) if scheme.get("in") == "header" else None
    if kind in ("oauth2", "openIdConnect") or (kind == "http" and scheme.get("scheme") in ("basic", "bearer")):
        return "Authorization"
    return None


def _request_headers(environ: WSGIEnvironment) -> dict[str, str]:
    """Request headers by lower-case name (WSGI keeps two of them outside ``HTTP_``)."""
    headers = {key[5:].replace("_", "-").lower(): str(value) for key, value in environ.items()
               if key.startswith("HTTP_")}
    for key, name in (("CONTENT_TYPE", "content-type"), ("CONTENT_LENGTH", "content-length")):
        if environ.get(key):
            headers[name] = str(environ[key])
    return headers


def _trimmed(segments: list[str]) -> list[str]:
    """Segments without the empty one a trailing slash leaves (``/contacts/`` and ``/contacts`` agree)."""
    return segments[:-1] if len(segments) > 2 and segments[-1] == "" else segments


def _segments(path: str) -> list[str]:
    return _trimmed(path.split("/"))


def _template_values(template: str, segments: list[str]) -> dict[str, str] | None:
    """``{name: value}`` when the segments fit the template, else None."""
    parts = _segments(template)
    if len(parts) != len(segments):
        return None
    values: dict[str, str] = {}
    for part, segment in zip(parts, segments, strict=True):
        if part.startswith("{") and part.endswith("}"):
            if not segment:
                return None
            values[part[1:-1]] = segment
        elif part != segment:
            return None
    return values


@cache
def _loose_pattern(template: str) -> re.Pattern[str]:
    pattern = "".join(".+" if part.startswith("{") else re.escape(part)
                      for part in re.split(r"(\{[^}]+\})", "/".join(_segments(template))))
    return re.compile(f"^{pattern}$")


def _raw_segments(environ: WSGIEnvironment, path: str) -> list[str]:
    """The request path's segments, each percent-decoded, from the raw request line when the server
    keeps it (werkzeug and waitress do), else from the decoded ``PATH_INFO``."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        raw_path = urlsplit(raw).path if "://" in raw else raw.split("?", 1)[0]
        script = environ.get("SCRIPT_NAME", "")
        if script and raw_path.startswith(script):
            raw_path = raw_path[len(script):]
        segments = [unquote(segment) for segment in raw_path.split("/")]
        if "/".join(segments) == path:  # the raw line describes this app's path (not a mount above it)
            return _trimmed(segments)
    return _segments(path)


def _where(error: ValidationError, positions: list[int] | None = None) -> str:
    """The JSON path of an error; in a sampled array, with the item's position in the whole answer."""
    parts = list(error.absolute_path)
    if positions is not None and parts and isinstance(parts[0], int):
        parts[0] = positions[parts[0]]
    return "/" + "/".join(str(part) for part in parts) if parts else "the top"


def _sampled(instance: Any) -> tuple[Any, list[int] | None]:
    """The answer, or for a long array :data:`ARRAY_SAMPLE` items spread over it and their positions."""
    if isinstance(instance, list) and len(instance) > ARRAY_SAMPLE:
        last = len(instance) - 1
        positions = sorted({round(index * last / (ARRAY_SAMPLE - 1)) for index in range(ARRAY_SAMPLE)})
        return [instance[position] for position in positions], positions
    return instance, None


def _parse_body(kind: str, body: bytes, content_type: str = "") -> Any:
    """The body as the schema sees it: JSON; a form's fields; a multipart body's parts by name (a file part, or
    any part, as text: ``format: binary`` strings); any other type, binary, as one string."""
    if kind == "application/x-www-form-urlencoded":
        return dict(parse_qsl(body.decode(), keep_blank_values=True))
    if kind == "multipart/form-data":
        return _multipart_parts(body, content_type)
    if kind == "application/json" or kind.endswith("+json"):
        return json.loads(body)
    return body.decode("latin-1")


def _multipart_parts(body: bytes, content_type: str) -> dict[str, str]:
    from email.parser import BytesParser
    from email.policy import HTTP

    if "boundary=" not in content_type:
        raise ValueError("the Content-Type names no boundary")
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body)
    parts: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise ValueError("a part has no name in its Content-Disposition")
        payload = part.get_payload(decode=True)
        parts[name] = payload.decode("latin-1") if isinstance(payload, bytes) else ""
    if not parts:
        raise ValueError("no parts (a missing or wrong boundary)")
    return parts


def _query_value(values: list[str], schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "array" in kinds:
        items = schema.get("items")
        return [_query_value([value], items) for value in values] if isinstance(items, dict) else values
    value = values[-1]
    for wanted, convert in (("integer", int), ("number", float)):
        if wanted in kinds:
            try:
                return convert(value)
            except ValueError:
                return value
    if "boolean" in kinds and value in ("true", "false"):
        return value == "true"
    return value
